package cli

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/moby/buildkit/client"
	"github.com/spf13/pflag"
)

// buildInputs are the buildx flags a build takes beyond the definition's
// own: labels, a no-cache filter, named contexts, and cache import and
// export. Each reaches the frontend as buildx sends it.
type buildInputs struct {
	labels        []string
	noCacheFilter []string
	contexts      []string
	cacheTo       []string
	cacheFrom     []string
}

func (in *buildInputs) addFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&in.labels, "label", nil, "set a label on the image config: `KEY=VALUE` (repeatable), as buildx's --label")
	fs.StringArrayVar(&in.noCacheFilter, "no-cache-filter", nil, "run again the steps of these images or packages (`NAME`, package.NAME; repeatable), as buildx's --no-cache-filter")
	fs.StringArrayVar(&in.contexts, "build-context", nil, "point a named context at a directory, an oci-layout://DIR[:TAG][@DIGEST], or a docker-image://, git or http(s) URL: `NAME=VALUE` (repeatable), as buildx's --build-context")
	fs.StringArrayVar(&in.cacheTo, "cache-to", nil, "export the build cache: `SPEC` such as type=local,dest=DIR,mode=max or type=registry,ref=REF (repeatable), as buildx's --cache-to")
	fs.StringArrayVar(&in.cacheFrom, "cache-from", nil, "import a build cache: `SPEC` such as type=local,src=DIR or type=registry,ref=REF (repeatable), as buildx's --cache-from")
}

// localContextPrefix names the session's local of a named context given
// as a directory, apart from the context and the definition's.
const localContextPrefix = "named-context-"

// buildSetup is what the flags make of a build: frontend options, the
// directories to transfer, and the cache to export and import.
type buildSetup struct {
	attrs              map[string]string
	locals             map[string]string        // local name → directory
	ociStores          map[string]content.Store // OCI layouts, by store ID
	cacheTo, cacheFrom []client.CacheOptionsEntry
}

// setup turns the flags into the frontend options buildx would send and
// what the client transfers; noCache (--no-cache) reruns everything.
func (in *buildInputs) setup(noCache bool) (*buildSetup, error) {
	s := &buildSetup{attrs: map[string]string{}, locals: map[string]string{}, ociStores: map[string]content.Store{}}
	for _, l := range in.labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return nil, usage(fmt.Errorf("--label %s: want KEY=VALUE", l))
		}
		s.attrs["label:"+k] = v
	}
	switch {
	case noCache:
		s.attrs["no-cache"] = "" // every stage, as dockerui reads it
	case len(in.noCacheFilter) > 0:
		var names []string
		for _, f := range in.noCacheFilter {
			names = append(names, strings.Split(f, ",")...)
		}
		s.attrs["no-cache"] = strings.Join(names, ",")
	}
	for _, c := range in.contexts {
		name, value, ok := strings.Cut(c, "=")
		if !ok || name == "" || value == "" {
			return nil, usage(fmt.Errorf("--build-context %s: want NAME=VALUE", c))
		}
		switch {
		case strings.HasPrefix(value, "docker-image://"), strings.HasPrefix(value, "git://"),
			strings.HasPrefix(value, "http://"), strings.HasPrefix(value, "https://"):
			s.attrs["context:"+name] = value
		case strings.HasPrefix(value, ociLayoutPrefix):
			oc, err := parseOCIContext(name, value)
			if err != nil {
				return nil, usage(fmt.Errorf("--build-context %s: %w", c, err))
			}
			s.ociStores[oc.storeID] = oc.store
			s.attrs["context:"+name] = oc.attr
		case strings.Contains(value, "://"), strings.HasPrefix(value, "target:"):
			return nil, usage(fmt.Errorf("--build-context %s: distill build takes a directory, an oci-layout:// directory, or a docker-image://, git or http(s) URL", c))
		default:
			dir, err := filepath.Abs(value)
			if err != nil {
				return nil, err
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return nil, usage(fmt.Errorf("--build-context %s: %s is not a directory", c, dir))
			}
			s.locals[localContextPrefix+name] = dir
			s.attrs["context:"+name] = "local:" + localContextPrefix + name
		}
	}
	var err error
	if s.cacheTo, err = cacheEntries("--cache-to", in.cacheTo); err != nil {
		return nil, err
	}
	if s.cacheFrom, err = cacheEntries("--cache-from", in.cacheFrom); err != nil {
		return nil, err
	}
	return s, nil
}

// cacheEntries parses cache specs as buildctl does: comma-separated
// KEY=VALUE, one of them type.
func cacheEntries(flag string, specs []string) ([]client.CacheOptionsEntry, error) {
	var out []client.CacheOptionsEntry
	for _, spec := range specs {
		fields, err := csv.NewReader(strings.NewReader(spec)).Read()
		if err != nil {
			return nil, usage(fmt.Errorf("%s %s: %w", flag, spec, err))
		}
		e := client.CacheOptionsEntry{Attrs: map[string]string{}}
		for _, f := range fields {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return nil, usage(fmt.Errorf("%s %s: %q is not KEY=VALUE", flag, spec, f))
			}
			if k == "type" {
				e.Type = v
				continue
			}
			e.Attrs[k] = v
		}
		if e.Type == "" {
			return nil, usage(fmt.Errorf("%s %s: no type= (local, registry, inline, gha, s3…)", flag, spec))
		}
		out = append(out, e)
	}
	return out, nil
}
