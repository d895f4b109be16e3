// Command genversions writes ../versions.txt and ../relations.txt: pairs of
// Debian version strings with dpkg's own verdict on them, which the solver
// package's tests check its version order against. The tests themselves need
// neither dpkg nor apt.
//
// Run it from the solver directory on a Debian machine, as any user:
//
//	go run ./testdata/genversions
//
// It reads the Packages lists apt has already downloaded for every source whose
// Release file says "Origin: Debian" (found with apt-get indextargets and
// decompressed with apt-helper; run apt-get update first if there are none),
// and asks dpkg --compare-versions about each pair. It never touches the
// network. The pairs are drawn with a fixed seed, so the output depends only
// on the lists and on dpkg.
//
// Version strings dpkg warns about or rejects are left out; the tests check
// those cases by hand.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// tricky are hand-picked versions; every pair of them is checked.
var tricky = []string{
	// zeros, missing and zero revisions, missing and zero epochs
	"0", "00", "0-0", "0:0", "0:0-0", "0-1", "010", "1", "9", "10",
	"1.0", "1.00", "1.0-0", "1.0-00", "1.0-1", "1.0-0.1", "1.0-0~", "1.0-1-1", "1.0--1",
	// tilde: before everything, even the end
	"1.0~", "1.0~~", "1.0~~a", "1.0~a", "1.0~rc1", "1.0~rc1-1", "1.0~beta1", "1.0~git",
	"1.0-~", "1.0-1~", "1.0+~", "1.0~+", "1.0.~", "1~a",
	// letters before non-letters, upper case before lower case
	"1.0a", "1.0A", "1.0+", "1.0.", "1.0.0", "1.0+dfsg", "1.0+dfsg1", "1.0.dfsg",
	"1.0a1", "1.0a2", "1.0a10", "1.0-a", "1.0-A", "1.0-1a",
	"1a", "1aa", "1b", "1Z", "1z", "1+a", "1.a", "1-a",
	// numeric runs compare as numbers of any size
	"1.2", "1.02", "1.001", "1.9", "1.10", "9.9",
	"18446744073709551616", "18446744073709551617", "1.99999999999999999999999",
	"1.0-99999999999999999999",
	// epochs
	"1:0", "2:0", "1:1.0", "01:1.0", "1:1.0-1", "10:1", "2147483647:1", "1:1.2:3", "1:1.2:3-4",
	// the shapes Debian's suites produce
	"2.30-1", "2.30-1.1", "2.30-1+b1", "2.30-1~bpo11+1", "2.30-1+deb12u1", "2.30-1+deb12u2",
	"2.30-1+deb12u10", "2.30-1+deb12u1~bpo11+1", "1.0+git20230101.abc-1", "0.0~git20230101.abc-1",
}

// Relation fields of a binary package stanza.
var relationFields = map[string]bool{
	"Depends": true, "Pre-Depends": true, "Recommends": true, "Suggests": true,
	"Enhances": true, "Breaks": true, "Conflicts": true, "Replaces": true,
	"Provides": true, "Built-Using": true,
}

// One alternative of a relation field: name[:arch] [(op version)] ...
var relationRE = regexp.MustCompile(`^\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^\s)]+)\s*\))?`)

// Source: name (version)
var sourceRE = regexp.MustCompile(`^\S+\s*\(\s*([^\s)]+)\s*\)`)

type constraint struct{ pkg, ver string }

type corpus struct {
	versions    map[string]bool            // every version string seen
	pkgVersions map[string]map[string]bool // binary package -> its versions
	constraints map[constraint]bool        // versioned relations on a package
}

func main() {
	outDir := flag.String("out", "testdata", "directory to write versions.txt and relations.txt to")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("genversions: ")

	files, describe := packagesLists()
	c := &corpus{
		versions:    map[string]bool{},
		pkgVersions: map[string]map[string]bool{},
		constraints: map[constraint]bool{},
	}
	for _, f := range files {
		data, err := exec.Command("/usr/lib/apt/apt-helper", "cat-file", f).Output()
		if err != nil {
			log.Fatalf("decompressing a Packages list: %v", err)
		}
		c.add(data)
	}
	log.Printf("%d lists, %d version strings, %d packages, %d versioned relations",
		len(files), len(c.versions), len(c.pkgVersions), len(c.constraints))

	rng := rand.New(rand.NewPCG(20240601, 1))
	p := &pairs{seen: map[[2]string]bool{}, rng: rng}

	p.section("hand-picked versions, every pair")
	for i, a := range tricky {
		for _, b := range tricky[i+1:] {
			p.add(a, b)
		}
	}

	p.section("two versions of one binary package in different suites")
	var multi [][2]string
	for _, pkg := range sortedKeys(c.pkgVersions) {
		vs := sortedKeys(c.pkgVersions[pkg])
		for i, a := range vs {
			for _, b := range vs[i+1:] {
				multi = append(multi, [2]string{a, b})
			}
		}
	}
	p.sample(multi, 700)

	p.section("a versioned relation against a version of the package it names")
	var rel [][2]string
	for _, k := range sortedConstraints(c.constraints) {
		for _, v := range sortedKeys(c.pkgVersions[k.pkg]) {
			if v != k.ver { // most "=" relations name the very version
				rel = append(rel, [2]string{v, k.ver})
			}
		}
	}
	p.sample(rel, 1200)

	all := sortedKeys(c.versions)

	p.section("neighbours in byte order (long common prefixes)")
	var next [][2]string
	for i := 1; i < len(all); i++ {
		next = append(next, [2]string{all[i-1], all[i]})
	}
	p.sample(next, 900)

	p.section("a version against a variant of it (rebuild, backport, security update, epoch, pre-release)")
	var variants [][2]string
	suffixes := []string{"~", "+b1", "~bpo12+1", "+deb12u1", ".1", "a", "~rc1", "+really", "0", "-0", "-1", "-1~", "-~"}
	for _, v := range all {
		s := suffixes[rng.IntN(len(suffixes))]
		if strings.HasPrefix(s, "-") && strings.Contains(v, "-") {
			s = s[1:] // keep one revision; "-x" would move the split point
		}
		variants = append(variants, [2]string{v, v + s})
		if !strings.Contains(v, ":") && rng.IntN(8) == 0 {
			variants = append(variants, [2]string{v, "1:" + v})
		}
	}
	p.sample(variants, 700)

	p.section("random pairs")
	var random [][2]string
	for range 400 {
		random = append(random, [2]string{all[rng.IntN(len(all))], all[rng.IntN(len(all))]})
	}
	p.sample(random, 400)

	results := p.run()
	dpkgVersion := strings.TrimSpace(string(must(exec.Command("dpkg-query", "-W", "-f", "${Version}", "dpkg").Output())))

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Pairs of Debian versions as dpkg %s orders them (dpkg --compare-versions).\n", dpkgVersion)
	fmt.Fprintf(&buf, "# Real versions come from the Debian Packages lists %s.\n", describe)
	fmt.Fprintf(&buf, "# Generated by testdata/genversions; do not edit.\n")
	fmt.Fprintf(&buf, "# Each line is \"A OP B\": OP is <<, = or >>, and A OP B holds.\n")
	n := 0
	for _, s := range p.sections {
		var lines []string
		for _, pr := range s.pairs {
			if r, ok := results[pr]; ok {
				lines = append(lines, fmt.Sprintf("%s %s %s", pr[0], r, pr[1]))
			}
		}
		fmt.Fprintf(&buf, "\n# %s: %d pairs\n", s.title, len(lines))
		for _, l := range lines {
			buf.WriteString(l)
			buf.WriteByte('\n')
		}
		n += len(lines)
	}
	write(*outDir+"/versions.txt", buf.Bytes())
	log.Printf("versions.txt: %d pairs", n)

	// relations.txt: every operator dpkg knows, the obsolete ones included,
	// on a sample of the pairs above: all the equal ones and some others.
	var eq, ne [][2]string
	for _, s := range p.sections {
		for _, pr := range s.pairs {
			switch results[pr] {
			case "=":
				eq = append(eq, pr)
			case "<<", ">>":
				ne = append(ne, pr)
			}
		}
	}
	var relPairs [][2]string
	relPairs = append(relPairs, pick(rng, eq, 150)...)
	relPairs = append(relPairs, pick(rng, ne, 250)...)
	ops := []string{"<<", "<=", "=", ">=", ">>", "<", ">"}
	type job struct {
		pr [2]string
		op string
	}
	var jobs []job
	for _, pr := range relPairs {
		for _, op := range ops {
			jobs = append(jobs, job{pr, op})
		}
	}
	answers := make([]bool, len(jobs))
	parallel(len(jobs), func(i int) {
		ok, _, err := dpkgCompare(jobs[i].pr[0], jobs[i].op, jobs[i].pr[1])
		if err != nil {
			log.Fatal(err)
		}
		answers[i] = ok
	})
	buf.Reset()
	fmt.Fprintf(&buf, "# Debian version relations as dpkg %s decides them (dpkg --compare-versions),\n", dpkgVersion)
	fmt.Fprintf(&buf, "# for a sample of the pairs in versions.txt. \"<\" and \">\" are the obsolete\n")
	fmt.Fprintf(&buf, "# spellings of \"<=\" and \">=\". Generated by testdata/genversions; do not edit.\n")
	fmt.Fprintf(&buf, "# Each line is \"A OP B RESULT\": RESULT is true or false.\n")
	for i, j := range jobs {
		if i%len(ops) == 0 {
			buf.WriteByte('\n')
		}
		fmt.Fprintf(&buf, "%s %s %s %t\n", j.pr[0], j.op, j.pr[1], answers[i])
	}
	write(*outDir+"/relations.txt", buf.Bytes())
	log.Printf("relations.txt: %d checks", len(jobs))
}

// packagesLists returns the downloaded Packages lists of Debian's sources and a
// description of them without host names, e.g. "bookworm/main/amd64, ...".
func packagesLists() ([]string, string) {
	out, err := exec.Command("apt-get", "indextargets",
		"--format", "$(FILENAME)\t$(CODENAME)/$(COMPONENT)/$(ARCHITECTURE)",
		"Identifier: Packages", "Origin: Debian").Output()
	if err != nil {
		log.Fatalf("apt-get indextargets: %v", err)
	}
	var files, names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f, name, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			continue // listed but not downloaded
		}
		files = append(files, f)
		names = append(names, name)
	}
	if len(files) == 0 {
		log.Fatal("no Debian Packages lists; run apt-get update")
	}
	return files, strings.Join(names, ", ")
}

func (c *corpus) add(data []byte) {
	var pkg string
	field := func(name, value string) {
		switch {
		case name == "Package":
			pkg = value
		case name == "Version":
			c.versions[value] = true
			if c.pkgVersions[pkg] == nil {
				c.pkgVersions[pkg] = map[string]bool{}
			}
			c.pkgVersions[pkg][value] = true
		case name == "Source":
			if m := sourceRE.FindStringSubmatch(value); m != nil {
				c.versions[m[1]] = true
			}
		case relationFields[name]:
			for _, alt := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '|' }) {
				if m := relationRE.FindStringSubmatch(alt); m != nil && m[3] != "" {
					c.versions[m[3]] = true
					c.constraints[constraint{m[1], m[3]}] = true
				}
			}
		}
	}
	// Stanzas are "Name: value" lines; a line starting with a blank continues
	// the previous field. Package comes first in every stanza.
	var name, value string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if line != "" && (line[0] == ' ' || line[0] == '\t') {
			value += " " + strings.TrimSpace(line)
			continue
		}
		if name != "" {
			field(name, value)
		}
		name, value = "", ""
		if n, v, ok := strings.Cut(line, ":"); ok {
			name, value = n, strings.TrimSpace(v)
		}
	}
	if name != "" {
		field(name, value)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

type section struct {
	title string
	pairs [][2]string
}

type pairs struct {
	sections []*section
	seen     map[[2]string]bool // unordered
	rng      *rand.Rand
}

func (p *pairs) section(title string) { p.sections = append(p.sections, &section{title: title}) }

// add adds the pair (a, b) to the current section unless it is already in
// some section, in either order.
func (p *pairs) add(a, b string) {
	key := [2]string{min(a, b), max(a, b)}
	if a == b || p.seen[key] {
		return
	}
	p.seen[key] = true
	s := p.sections[len(p.sections)-1]
	s.pairs = append(s.pairs, [2]string{a, b})
}

// sample adds up to n of the candidates, chosen at random and each put in a
// random order.
func (p *pairs) sample(cands [][2]string, n int) {
	for _, pr := range pick(p.rng, cands, n) {
		if p.rng.IntN(2) == 0 {
			pr[0], pr[1] = pr[1], pr[0]
		}
		p.add(pr[0], pr[1])
	}
}

// run asks dpkg about every pair and returns "<<", "=" or ">>" for each pair
// whose versions dpkg takes without a warning. A hand-picked version dpkg
// complains about is fatal.
func (p *pairs) run() map[[2]string]string {
	var all [][2]string
	for _, s := range p.sections {
		all = append(all, s.pairs...)
	}
	res := make([]string, len(all))
	parallel(len(all), func(i int) {
		a, b := all[i][0], all[i][1]
		lt, warn, err := dpkgCompare(a, "lt", b)
		if err != nil || warn != "" {
			res[i] = "skip: " + strings.TrimSpace(warn)
			if err != nil {
				res[i] = "skip: " + err.Error()
			}
			return
		}
		if lt {
			res[i] = "<<"
			return
		}
		gt, _, err := dpkgCompare(a, "gt", b)
		if err != nil {
			log.Fatal(err)
		}
		if gt {
			res[i] = ">>"
		} else {
			res[i] = "="
		}
	})
	out := map[[2]string]string{}
	skipped := 0
	for i, pr := range all {
		if r, ok := strings.CutPrefix(res[i], "skip: "); ok {
			if slices.Contains(tricky, pr[0]) && slices.Contains(tricky, pr[1]) {
				log.Fatalf("dpkg does not take hand-picked pair %q %q: %s", pr[0], pr[1], r)
			}
			skipped++
			continue
		}
		out[pr] = res[i]
	}
	log.Printf("%d pairs checked, %d skipped (versions dpkg warns about or rejects)", len(out), skipped)
	return out
}

// dpkgCompare runs dpkg --compare-versions a op b and reports whether the
// relation holds, and what dpkg wrote to stderr. An exit status other than 0
// or 1 (dpkg rejected a version) is an error.
func dpkgCompare(a, op, b string) (bool, string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("dpkg", "--compare-versions", a, op, b)
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true, stderr.String(), nil
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return false, stderr.String(), nil
	}
	return false, stderr.String(), fmt.Errorf("dpkg --compare-versions %q %s %q: %v: %s", a, op, b, err, strings.TrimSpace(stderr.String()))
}

func parallel(n int, f func(int)) {
	var wg sync.WaitGroup
	work := make(chan int)
	for range 2 * runtime.NumCPU() {
		wg.Go(func() {
			for i := range work {
				f(i)
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

// pick returns up to n elements of s chosen at random, in their order in s.
func pick[T any](rng *rand.Rand, s []T, n int) []T {
	if len(s) <= n {
		return slices.Clone(s)
	}
	idx := rng.Perm(len(s))[:n]
	sort.Ints(idx)
	out := make([]T, n)
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedConstraints(m map[constraint]bool) []constraint {
	keys := make([]constraint, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b constraint) int {
		return strings.Compare(a.pkg+"\x00"+a.ver, b.pkg+"\x00"+b.ver)
	})
	return keys
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
