package linter

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/distill-build/distill/lockfile"
)

// Closure is what an image installs on one architecture, as its lockfile
// records it: each package's key ("name", or "name:arch" for a foreign
// one) with the keys of the installed packages that satisfy its
// dependencies, which is what lets a rule say why a package is there.
type Closure struct {
	Arch    string
	Depends map[string][]string
}

// Closures returns an image's locked closures, sorted by architecture, or
// nil when nothing is locked for it. The linter takes closures as a
// function, not a lockfile, so that it depends on no way of finding one:
// the frontend reads the lockfile from the build context, the CLI from
// beside the definition.
type Closures func(image string) []Closure

// LockClosures reads closures from a lockfile; nil gives nil, which keeps
// the rules that need a closure silent. Each image's closures are built
// once per returned Closures, for every rule that asks: callers must not
// change them.
func LockClosures(lock *lockfile.Lockfile) Closures {
	if lock == nil {
		return nil
	}
	var mu sync.Mutex
	built := map[string][]Closure{}
	return func(image string) []Closure {
		mu.Lock()
		defer mu.Unlock()
		cs, ok := built[image]
		if !ok {
			cs = lockClosures(lock, image)
			built[image] = cs
		}
		return cs
	}
}

// lockClosures builds an image's closures from the lockfile.
func lockClosures(lock *lockfile.Lockfile, image string) []Closure {
	li := lock.Images[image]
	if li == nil {
		return nil
	}
	var out []Closure
	for _, arch := range slices.Sorted(maps.Keys(li.Closure)) {
		keys := li.Closure[arch]
		c := Closure{Arch: arch, Depends: make(map[string][]string, len(keys))}
		for _, k := range keys {
			c.Depends[k] = nil
		}
		// The architecture's entries are the union over every image:
		// keep the edges within this image's closure.
		if la := lock.Architectures[arch]; la != nil {
			for i := range la.Packages {
				p := &la.Packages[i]
				k := p.Key(arch)
				if _, in := c.Depends[k]; !in {
					continue
				}
				for _, d := range p.Depends {
					if _, in := c.Depends[d]; in {
						c.Depends[k] = append(c.Depends[k], d)
					}
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// keyName is the package name of a closure key: "libc6" of "libc6:i386".
func keyName(key string) string {
	name, _, _ := strings.Cut(key, ":")
	return name
}

// chain is a shortest path of dependencies from one of roots (package
// names, tried in order) to the key target, as keys; nil when none leads
// there. Breadth first over sorted edges, so the answer is stable.
func (c Closure) chain(roots []string, target string) []string {
	prev := map[string]string{}
	var queue []string
	for _, r := range roots {
		for _, k := range slices.Sorted(maps.Keys(c.Depends)) {
			if keyName(k) == r {
				if _, seen := prev[k]; !seen {
					prev[k] = ""
					queue = append(queue, k)
				}
			}
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if k == target {
			var path []string
			for ; k != ""; k = prev[k] {
				path = append(path, k)
			}
			slices.Reverse(path)
			return path
		}
		for _, d := range slices.Sorted(slices.Values(c.Depends[k])) {
			if _, seen := prev[d]; !seen {
				prev[d] = k
				queue = append(queue, d)
			}
		}
	}
	return nil
}
