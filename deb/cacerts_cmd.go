package deb

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

const cacertsUsage = `usage: cacerts --deb <file> --root <dir> --path <file> [--epoch N] [--java]

Writes the CA bundle of a ca-certificates .deb to <root>/<path>, mode 0644,
creating its parents 0755; the file and the parents get modification time N.
With --java, writes a Java trust store (PKCS#12) instead of PEM.
`

func runCACerts(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("cacerts", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	debPath := fs.String("deb", "", "")
	root := fs.String("root", "", "")
	target := fs.String("path", "", "")
	epoch := fs.Int64("epoch", 0, "")
	java := fs.Bool("java", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprint(stderr, cacertsUsage)
		return fmt.Errorf("cacerts: %w", err)
	}
	if *debPath == "" || *root == "" || *target == "" {
		fmt.Fprint(stderr, cacertsUsage)
		return errors.New("cacerts: --deb, --root and --path are required")
	}
	rel := filepath.Clean("/" + *target)[1:]
	if rel == "" {
		return errors.New("cacerts: --path names the root")
	}
	out := filepath.Join(*root, rel)
	f, err := os.Open(*debPath)
	if err != nil {
		return fmt.Errorf("cacerts: %w", err)
	}
	defer f.Close()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("cacerts: %w", err)
	}
	w, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("cacerts: %w", err)
	}
	write := CABundle
	if *java {
		write = JavaTrustStore
	}
	if _, err := write(f, w); err != nil {
		w.Close()
		return fmt.Errorf("cacerts: %s: %w", *debPath, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("cacerts: %w", err)
	}
	t := time.Unix(*epoch, 0)
	for p := rel; p != "."; p = filepath.Dir(p) {
		if err := os.Chtimes(filepath.Join(*root, p), t, t); err != nil {
			return fmt.Errorf("cacerts: %w", err)
		}
	}
	return nil
}
