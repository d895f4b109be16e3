package frontend

import (
	"fmt"
	"slices"
	"strings"

	"github.com/distill-build/distill/definition"
)

// proxyArgs are the build arguments BuildKit passes to builds as proxy
// settings, as the Dockerfile frontend does without an ARG.
var proxyArgs = []string{"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"}

// undeclaredArgs words a warning for each build argument that names no
// variable of the definition, sorted: a typo there changes nothing, as
// buildx warns of unconsumed build arguments for Dockerfiles. Arguments
// BuildKit or distill read themselves are not reported.
func undeclaredArgs(def *definition.Definition, args map[string]string) []string {
	var names []string
	for _, v := range def.Variables {
		names = append(names, v.Name)
	}
	var out []string
	for arg := range args {
		if slices.Contains(names, arg) || strings.HasPrefix(arg, "BUILDKIT_") || arg == "SOURCE_DATE_EPOCH" ||
			slices.Contains(proxyArgs, strings.ToUpper(arg)) {
			continue
		}
		msg := fmt.Sprintf("--build-arg %s: %s declares no variable %q, so the argument changes nothing", arg, def.Filename, arg)
		if near := nearest(arg, names); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		} else if len(names) > 0 {
			msg += fmt.Sprintf(" (its variables are %s)", strings.Join(names, ", "))
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}

// nearest is the name closest to s, if one is close enough to be a typo:
// a different case, or at most two edits.
func nearest(s string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		d := editDistance(strings.ToUpper(s), strings.ToUpper(n))
		if d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
