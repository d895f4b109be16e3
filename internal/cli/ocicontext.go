package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client/ociindex"
	digest "github.com/opencontainers/go-digest"
)

const ociLayoutPrefix = "oci-layout://"

// ociTag is a reference's tag, as docker's reference grammar has it.
var ociTag = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)

// ociContext is a named context given as oci-layout://DIR[:TAG][@DIGEST],
// as buildx takes it: the layout's content store, shared with the build
// under storeID, and the frontend option naming the image in it.
type ociContext struct {
	storeID string
	store   content.Store
	attr    string // oci-layout://STOREID:TAG@DIGEST
}

// parseOCIContext resolves an oci-layout:// value: without a digest, the
// tag's manifest in the layout's index (latest by default), or the index's
// only one.
func parseOCIContext(name, value string) (*ociContext, error) {
	path, tag, dgst := strings.TrimPrefix(value, ociLayoutPrefix), "", digest.Digest("")
	if i := strings.LastIndex(path, "@"); i >= 0 {
		d, err := digest.Parse(path[i+1:])
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a digest: %w", value, path[i+1:], err)
		}
		path, dgst = path[:i], d
	}
	if i := strings.LastIndex(path, ":"); i >= 0 && ociTag.MatchString(path[i+1:]) {
		path, tag = path[:i], path[i+1:]
	}
	if tag == "" && dgst == "" {
		tag = "latest"
	}
	dir, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		return nil, fmt.Errorf("%s: %s is not an OCI layout directory (no index.json; export one with -o type=oci,dest=DIR,tar=false)", value, dir)
	}
	if dgst == "" {
		idx := ociindex.NewStoreIndex(dir)
		desc, err := idx.Get(tag)
		if err == nil && desc == nil {
			desc, err = idx.GetSingle()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading its index: %w", value, err)
		}
		if desc == nil {
			return nil, fmt.Errorf("%s: the layout has no image tagged %s, and more than one image", value, tag)
		}
		dgst = desc.Digest
	}
	store, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", value, err)
	}
	id := "distill-context-" + name
	attr := ociLayoutPrefix + id
	if tag != "" {
		attr += ":" + tag
	}
	return &ociContext{storeID: id, store: store, attr: attr + "@" + dgst.String()}, nil
}
