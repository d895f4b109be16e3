package helper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/distill-build/distill/debian/deb"
)

const cacertsUsage = `usage: cacerts --deb <file> --root <dir> --path <file> [--epoch N] [--java]

Writes the CA bundle of a ca-certificates .deb to <root>/<path>, mode 0644,
creating its parents 0755; the file and the parents get modification time N
(default: $SOURCE_DATE_EPOCH when set). With --java, writes a Java trust
store (PKCS#12) instead of PEM.
`

// CACerts writes the certificates of a ca-certificates .deb as one file,
// without installing the package or running its maintainer scripts.
type CACerts struct {
	Deb string // the ca-certificates .deb
	// Epoch is the modification time of the file and of its parents below
	// Root. Zero: $SOURCE_DATE_EPOCH when set, else left as written.
	Epoch time.Time
	Root  string // the root filesystem to write into
	Path  string // the file to write, below Root
	// Java writes a Java trust store (PKCS#12) instead of the PEM bundle.
	Java bool
}

// Args writes --deb, --epoch, --root, --path, then --java, as builds have
// always run it.
func (c CACerts) Args() []string {
	args := []string{CACertsCommand, "--deb", c.Deb}
	if !c.Epoch.IsZero() {
		args = append(args, "--epoch", formatEpoch(c.Epoch))
	}
	args = append(args, "--root", c.Root, "--path", c.Path)
	if c.Java {
		args = append(args, "--java")
	}
	return args
}

// ParseCACerts reads the flags of a cacerts command line (the words after
// "cacerts").
func ParseCACerts(flags []string) (CACerts, error) {
	var c CACerts
	fs := newFlagSet(CACertsCommand)
	fs.StringVar(&c.Deb, "deb", "", "")
	fs.StringVar(&c.Root, "root", "", "")
	fs.StringVar(&c.Path, "path", "", "")
	epochVar(fs, &c.Epoch)
	fs.BoolVar(&c.Java, "java", false, "")
	if err := fs.Parse(flags); err != nil {
		return CACerts{}, fmt.Errorf("cacerts: %w", err)
	}
	if fs.NArg() > 0 {
		return CACerts{}, fmt.Errorf("cacerts: unexpected argument %q", fs.Arg(0))
	}
	if c.Deb == "" || c.Root == "" || c.Path == "" {
		return CACerts{}, errors.New("cacerts: --deb, --root and --path are required")
	}
	if c.rel() == "" {
		return CACerts{}, fmt.Errorf("cacerts: --path %q names the root, not a file", c.Path)
	}
	return c, nil
}

// rel is Path relative to Root, never climbing out of it.
func (c CACerts) rel() string { return filepath.Clean("/" + c.Path)[1:] }

// Run writes the file, which must not exist yet.
func (c CACerts) Run(io.Writer) error {
	epoch, err := epochOrEnv(c.Epoch)
	if err != nil {
		return fmt.Errorf("cacerts: %w", err)
	}
	rel := c.rel()
	out := filepath.Join(c.Root, rel)
	f, err := os.Open(c.Deb)
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
	write := deb.CABundle
	if c.Java {
		write = deb.JavaTrustStore
	}
	if _, err := write(f, w); err != nil {
		_ = w.Close() // the write's error is the one to report
		return fmt.Errorf("cacerts: %s: %w", c.Deb, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("cacerts: %w", err)
	}
	if epoch.IsZero() {
		return nil
	}
	for p := rel; p != "."; p = filepath.Dir(p) {
		if err := os.Chtimes(filepath.Join(c.Root, p), epoch, epoch); err != nil {
			return fmt.Errorf("cacerts: %w", err)
		}
	}
	return nil
}
