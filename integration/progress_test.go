package integration

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// progressVertex is one vertex of buildx's plain progress: its name (the
// line that introduced #N), and whether it came from the cache or ran to
// its end.
type progressVertex struct {
	name         string
	cached, done bool
}

var progressLine = regexp.MustCompile(`^#(\d+) (.+)$`)

// progressVertices reads a plain progress stream, the vertices in the order
// they first appear.
func progressVertices(progress string) []progressVertex {
	index := map[string]int{} // vertex number → its place in out
	var out []progressVertex
	for _, line := range strings.Split(progress, "\n") {
		m := progressLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		i, seen := index[m[1]]
		switch {
		case !seen:
			index[m[1]] = len(out)
			out = append(out, progressVertex{name: m[2]})
		case m[2] == "CACHED":
			out[i].cached = true
		case strings.HasPrefix(m[2], "DONE"):
			out[i].done = true
		}
	}
	return out
}

// cachedByName says, for each vertex name that keep accepts, whether a
// vertex of that name came from the cache.
func cachedByName(progress string, keep func(name string) bool) map[string]bool {
	out := map[string]bool{}
	for _, v := range progressVertices(progress) {
		if keep(v.name) {
			out[v.name] = out[v.name] || v.cached
		}
	}
	return out
}

func TestProgressVertices(t *testing.T) {
	progress := "#1 [internal] load build definition\n#1 DONE 0.0s\n\n#2 [hello 2.10 linux/amd64] make -j2\n#2 0.51 make all\n#2 CACHED\n\n" +
		"#3 [hello 2.10 linux/arm64] make -j2\n#3 DONE 4.2s\n#4 fetch netbase 6.4 (all)\n"
	want := []progressVertex{
		{name: "[internal] load build definition", done: true},
		{name: "[hello 2.10 linux/amd64] make -j2", cached: true},
		{name: "[hello 2.10 linux/arm64] make -j2", done: true},
		{name: "fetch netbase 6.4 (all)"},
	}
	if got := progressVertices(progress); !reflect.DeepEqual(got, want) {
		t.Errorf("progressVertices = %+v, want %+v", got, want)
	}
	if got := stepStates(progress); !reflect.DeepEqual(got, map[string]bool{"[hello 2.10 linux/amd64] make -j2": true, "[hello 2.10 linux/arm64] make -j2": false}) {
		t.Errorf("stepStates = %v", got)
	}
	if got := executed(progress, "frontend:test"); !reflect.DeepEqual(got, []string{"[hello 2.10 linux/arm64] make -j2"}) {
		t.Errorf("executed = %q", got)
	}
}
