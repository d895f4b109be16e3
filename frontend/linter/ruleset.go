package linter

import (
	"fmt"
	"strings"
)

// docsBase is where the rule pages live, relative to the repository root:
// a path rather than a web address, so that the repository names no host.
const docsBase = "docs/rules/"

// Meta is what a rule says about itself, whatever the shape of its Format.
type Meta struct {
	Name        string // what `# check=skip=` names
	Description string // one line, shown with every warning
	URL         string // the rule's page
}

// Rule is one lint rule as data. F is the type of its Format func, which
// takes what that rule's message needs, so a check cannot word a warning
// with the wrong arguments.
type Rule[F any] struct {
	Meta
	Format F
}

var (
	RuleUnusedVariable = Rule[func(variable string) string]{
		Meta: Meta{
			Name:        "UnusedVariable",
			Description: "Variables should be referenced by the definition",
			URL:         docsBase + "unused-variable.md",
		},
		Format: func(variable string) string {
			return fmt.Sprintf("Variable %q is declared but never used", variable)
		},
	}
	RuleNonNumericUser = Rule[func(image, user, name string) string]{
		Meta: Meta{
			Name:        "NonNumericUser",
			Description: "Images should name their user by uid",
			URL:         docsBase + "non-numeric-user.md",
		},
		Format: func(image, user, name string) string {
			return fmt.Sprintf("Image %q runs as %q, a name: runtimes that check for a non-root user (Kubernetes' runAsNonRoot) cannot verify it; use accounts { run_as = %q } or a numeric uid", image, user, name)
		},
	}
	RuleRequestedAndExcluded = Rule[func(image, pkg string) string]{
		Meta: Meta{
			Name:        "RequestedAndExcluded",
			Description: "Images should not exclude a package they ask for",
			URL:         docsBase + "requested-and-excluded.md",
		},
		Format: func(image, pkg string) string {
			return fmt.Sprintf("Image %q asks for %q and excludes it: the request wins and the exclusion does nothing; remove one of them", image, pkg)
		},
	}
	RuleImplicitRootUser = Rule[func(image string) string]{
		Meta: Meta{
			Name:        "ImplicitRootUser",
			Description: "Images should say which user they run as, root included",
			URL:         docsBase + "implicit-root-user.md",
		},
		Format: func(image string) string {
			return fmt.Sprintf("Image %q sets no user, so it runs as root: run as an account (accounts { run_as = \"nonroot\" }) or, if root is meant, say user = \"0\"", image)
		},
	}
	RuleUnpinnedSource = Rule[func(pkg string) string]{
		Meta: Meta{
			Name:        "UnpinnedSource",
			Description: "Packages should build only from sources pinned by content",
			URL:         docsBase + "unpinned-source.md",
		},
		Format: func(pkg string) string {
			return fmt.Sprintf("Package %q builds with network = true: its steps can download anything, which no checksum or lockfile pins; fetch it with a source block (http with sha256, git with commit) instead", pkg)
		},
	}
	RuleShellNotAsked = Rule[func(image, shell string, chain []string) string]{
		Meta: Meta{
			Name:        "ShellNotAsked",
			Description: "Images should not carry a shell they did not ask for",
			URL:         docsBase + "shell-not-asked.md",
		},
		Format: func(image, shell string, chain []string) string {
			why := "nothing the image asks for depends on it"
			if len(chain) > 0 {
				why = "pulled in by " + strings.Join(chain, " -> ")
			}
			return fmt.Sprintf("Image %q installs the shell %q without asking for it (%s): exclude it if nothing needs it at run time, or ask for it in packages", image, shell, why)
		},
	}
	RuleDuplicatePackage = Rule[func(image, provides string, pkgs []string) string]{
		Meta: Meta{
			Name:        "DuplicatePackage",
			Description: "Images should install one package of each kind",
			URL:         docsBase + "duplicate-package.md",
		},
		Format: func(image, provides string, pkgs []string) string {
			return fmt.Sprintf("Image %q installs %s, which all provide %q: keep one and exclude the others", image, strings.Join(pkgs, " and "), provides)
		},
	}
)
