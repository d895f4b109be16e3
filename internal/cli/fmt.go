package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"
)

type fmtOptions struct {
	check, write bool
}

func fmtCmd() *cobra.Command {
	var o fmtOptions
	cmd := &cobra.Command{
		Use:   "fmt [flags] [DEFINITION...]",
		Short: "Format definitions canonically",
		Long: `Fmt formats each DEFINITION (default distill.hcl) the way hclwrite formats HCL:
indentation, aligned equals signs, spacing. Comments stay where they are, and
formatting a formatted file changes nothing. Without flags it prints the
formatted file; -w rewrites the file in place (atomically), and --check prints
a unified diff of each file that is not formatted and exits 1.`,
		Example: `  # Rewrite distill.hcl in place
  distill fmt -w

  # Fail in CI, showing the diff, when a definition is not formatted
  distill fmt --check examples/*/distill.hcl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.check && o.write {
				return usage(errors.New("--check and -w do not go together: --check changes nothing"))
			}
			if len(args) == 0 {
				args = []string{defaultDefinition}
			}
			return runFmt(args, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().BoolVar(&o.check, "check", false, "change nothing: print a diff of each file that is not formatted and exit 1 if any is not")
	cmd.Flags().BoolVarP(&o.write, "write", "w", false, "rewrite each file that is not formatted, in place")
	return cmd
}

// runFmt formats every file before it reports, so one bad file does not
// hide the state of the others.
func runFmt(files []string, o fmtOptions, stdout, stderr io.Writer) error {
	var unformatted, failed []string
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "reading the definition: %v\n", err)
			failed = append(failed, file)
			continue
		}
		out, err := formatHCL(file, src)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed = append(failed, file)
			continue
		}
		switch changed := !bytes.Equal(src, out); {
		case o.check && changed:
			unformatted = append(unformatted, file)
			if _, err := io.WriteString(stdout, unifiedDiff(file, src, out)); err != nil {
				return err
			}
		case o.write && changed:
			info, err := os.Stat(file)
			if err != nil {
				return fmt.Errorf("rewriting %s: %w", file, err)
			}
			if err := writeAtomic(file, out, info.Mode().Perm()); err != nil {
				return fmt.Errorf("rewriting %s: %w", file, err)
			}
			fmt.Fprintf(stderr, "%s: formatted\n", file)
		case !o.check && !o.write:
			if _, err := stdout.Write(out); err != nil {
				return err
			}
		}
	}
	switch {
	case len(failed) > 0:
		return fmt.Errorf("could not format %s: fix the errors above", strings.Join(failed, ", "))
	case len(unformatted) > 0:
		return fmt.Errorf("not formatted: %s; run distill fmt -w %s", strings.Join(unformatted, ", "), strings.Join(unformatted, " "))
	}
	return nil
}

// formatHCL is src formatted by hclwrite. hclwrite formats any token stream,
// even one that does not parse, so the file is parsed first: formatting a
// broken file would move its errors around.
func formatHCL(name string, src []byte) ([]byte, error) {
	if _, diags := hclwrite.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}
