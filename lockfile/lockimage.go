package lockfile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/distill-build/distill/debian/resolve"
)

// LockedImage records what one image's packages were solved from and the
// closure that came out, per architecture. A build takes exactly that
// closure, and refuses the lock when the inputs no longer match the
// definition: images that share a lockfile may exclude or choose
// differently, and the union of everything locked is not any one image's.
type LockedImage struct {
	LockInputs
	// Closure maps an architecture to the keys (see LockedPackage.Key) of
	// the packages the image installs, sorted.
	Closure map[string][]string `json:"closure"`
	// CA is the key of the package the image's CA bundle comes from, per
	// architecture, when it has one.
	CA map[string]string `json:"ca,omitempty"`
}

// LockInputs is what a lock of an image depends on in the definition.
type LockInputs struct {
	Packages []string `json:"packages"`          // requests as written
	Exclude  []string `json:"exclude,omitempty"` // as written
	// Repositories lists "NAME SUITE COMPONENT…" for each repository: the
	// suites the packages came from. Mirror URLs are configuration and are
	// not recorded.
	Repositories []string `json:"repositories"`
}

// Equal reports whether two sets of inputs are the same.
func (in LockInputs) Equal(o LockInputs) bool {
	return slices.Equal(in.Packages, o.Packages) && slices.Equal(in.Exclude, o.Exclude) &&
		slices.Equal(in.Repositories, o.Repositories)
}

// StaleLockError reports a lockfile made from other inputs than the
// definition now has.
type StaleLockError struct {
	Image      string
	Want, Have LockInputs
}

// Error names only the inputs that changed.
func (e *StaleLockError) Error() string {
	var have, want []string
	for _, f := range []struct {
		name       string
		have, want []string
	}{
		{"packages", e.Have.Packages, e.Want.Packages},
		{"exclude", e.Have.Exclude, e.Want.Exclude},
		{"repositories", e.Have.Repositories, e.Want.Repositories},
	} {
		if !slices.Equal(f.have, f.want) {
			have = append(have, fmt.Sprintf("%s %q", f.name, f.have))
			want = append(want, fmt.Sprintf("%s %q", f.name, f.want))
		}
	}
	return fmt.Sprintf("the lockfile's %s was solved from %s; the definition now has %s",
		e.Image, strings.Join(have, ", "), strings.Join(want, ", "))
}

// SetImage records an image's inputs and its closure for sel's architecture
// (and the package of its CA bundle, when ca is not nil). The selections
// must already be added.
func (l *Lockfile) SetImage(name string, in LockInputs, sel *resolve.Selection, ca *resolve.Selection) {
	if l.Images == nil {
		l.Images = map[string]*LockedImage{}
	}
	li := l.Images[name]
	if li == nil {
		li = &LockedImage{LockInputs: in, Closure: map[string][]string{}}
		l.Images[name] = li
	}
	li.Closure[sel.Arch] = sel.Keys()
	if ca != nil {
		if li.CA == nil {
			li.CA = map[string]string{}
		}
		for _, p := range ca.Packages {
			if p.Requested {
				li.CA[sel.Arch] = ca.Key(p.Package)
			}
		}
	}
}

// ImagePackages returns the locked packages of an image for arch, and the
// package of its CA bundle (nil without one). A lock made from other inputs
// is a *StaleLockError; an image or architecture it lacks, a
// *NotLockedError.
func (l *Lockfile) ImagePackages(name string, in LockInputs, arch string) ([]LockedPackage, *LockedPackage, error) {
	li := l.Images[name]
	if li == nil {
		return nil, nil, &NotLockedError{Arch: arch, Key: recordName(name), Record: true}
	}
	if !li.LockInputs.Equal(in) {
		return nil, nil, &StaleLockError{Image: recordName(name), Want: in, Have: li.LockInputs}
	}
	keys, ok := li.Closure[arch]
	if !ok {
		return nil, nil, &NotLockedError{Arch: arch, Key: recordName(name), Record: true}
	}
	var out []LockedPackage
	for _, k := range keys {
		p := l.Lookup(arch, k)
		if p == nil {
			return nil, nil, &NotLockedError{Arch: arch, Key: k}
		}
		out = append(out, *p)
	}
	var ca *LockedPackage
	if k, ok := li.CA[arch]; ok {
		if ca = l.Lookup(arch, k); ca == nil {
			return nil, nil, &NotLockedError{Arch: arch, Key: k}
		}
	}
	return out, ca, nil
}

// validateImages checks the image records' shape. Whether each key an
// image names is locked is checked by ImagePackages, for the image built:
// a record of another image, broken, must not fail this one's build.
func (l *Lockfile) validateImages() error {
	for _, name := range slices.Sorted(maps.Keys(l.Images)) {
		if l.Images[name] == nil {
			return fmt.Errorf("lockfile: image %s is null", name)
		}
	}
	return nil
}

// ImageChanges describes how the image records changed from old to new:
// images added and removed, then, once for the image it starts in, each
// change of inputs (packages, excludes, repositories) or, with the same
// inputs, of closure, with how many images built on that one it reaches
// ("image static: + libcap2 (and 18 images built on it)"). parents maps
// an image to the images it is built on (definition.Image.From); either
// lockfile may be nil. Sorted by image name.
func ImageChanges(old, new *Lockfile, parents map[string][]string) []string {
	images := func(l *Lockfile) map[string]*LockedImage {
		if l == nil {
			return nil
		}
		return l.Images
	}
	o, n := images(old), images(new)
	names := unionKeys(o, n)
	changes := map[string][]string{}
	var out []string
	for _, name := range names {
		a, b := o[name], n[name]
		switch {
		case a == nil:
			out = append(out, fmt.Sprintf("%s (added)", recordName(name)))
		case b == nil:
			out = append(out, fmt.Sprintf("%s (removed)", recordName(name)))
		default:
			changes[name] = recordChanges(a, b)
		}
	}
	own := map[string][]string{}
	for name, cs := range changes {
		inherited := map[string]bool{}
		for _, p := range parents[name] {
			for _, c := range changes[p] {
				inherited[c] = true
			}
		}
		for _, c := range cs {
			if !inherited[c] {
				own[name] = append(own[name], c)
			}
		}
	}
	for _, name := range names {
		if len(own[name]) == 0 {
			continue
		}
		line := recordName(name) + ": " + strings.Join(own[name], ", ")
		reached := 0
		for other := range changes {
			if other != name && builtOn(other, name, parents) && overlaps(changes[other], own[name]) {
				reached++
			}
		}
		switch reached {
		case 0:
		case 1:
			line += " (and 1 image built on it)"
		default:
			line += fmt.Sprintf(" (and %d images built on it)", reached)
		}
		out = append(out, line)
	}
	return out
}

// recordChanges lists what changed in one image record: its inputs, or,
// with the same inputs, its closure per architecture.
func recordChanges(a, b *LockedImage) []string {
	var out []string
	if !a.LockInputs.Equal(b.LockInputs) {
		out = append(out, setChanges("", a.Packages, b.Packages)...)
		out = append(out, setChanges("exclude ", a.Exclude, b.Exclude)...)
		out = append(out, setChanges("repository ", a.Repositories, b.Repositories)...)
		return out
	}
	for _, arch := range unionKeys(a.Closure, b.Closure) {
		out = append(out, setChanges(arch+" ", a.Closure[arch], b.Closure[arch])...)
	}
	return out
}

// setChanges is "PREFIX+ x" for each x in b alone, then "PREFIX- x" for
// each in a alone, in their lists' order.
func setChanges(prefix string, a, b []string) []string {
	var out []string
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, prefix+"+ "+x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, prefix+"- "+x)
		}
	}
	return out
}

// builtOn reports whether img is built, directly or not, on base.
func builtOn(img, base string, parents map[string][]string) bool {
	seen := map[string]bool{}
	todo := slices.Clone(parents[img])
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		if p == base {
			return true
		}
		if !seen[p] {
			seen[p] = true
			todo = append(todo, parents[p]...)
		}
	}
	return false
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// unionKeys lists the keys of a and b, sorted, each once.
func unionKeys[M ~map[string]V, V any](a, b M) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// recordName names a record in messages: "image python3", or a build
// sandbox's or test image's record as it is ("sandbox:hello").
func recordName(name string) string {
	if strings.Contains(name, ":") {
		return name
	}
	return "image " + name
}
