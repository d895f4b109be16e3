package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"

	"github.com/containerd/log"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/sirupsen/logrus"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/distribution/reference"
	"github.com/docker/cli/cli/config"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// openRegistry opens an image in a registry as a layout of one: its
// index.json names the reference's manifest or index, and blobs come from
// the registry, with the credentials docker's config holds (plain HTTP for
// a registry on localhost, as docker allows).
func openRegistry(ref string) (*ociLayout, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, err
	}
	ref = reference.TagNameOnly(named).String()
	cfg := config.LoadDefaultConfigFile(io.Discard)
	authz := docker.NewDockerAuthorizer(docker.WithAuthCreds(func(host string) (string, string, error) {
		// Docker's config keeps Docker Hub's login under another key than
		// the host containerd asks for, as BuildKit's authprovider knows.
		if host == authprovider.DockerHubRegistryHost {
			host = authprovider.DockerHubConfigfileKey
		}
		ac, err := cfg.GetAuthConfig(host)
		if err != nil {
			return "", "", err
		}
		if ac.IdentityToken != "" {
			return "", ac.IdentityToken, nil
		}
		return ac.Username, ac.Password, nil
	}))
	resolver := docker.NewResolver(docker.ResolverOptions{Hosts: docker.ConfigureDefaultRegistries(
		docker.WithPlainHTTP(docker.MatchLocalhost), docker.WithAuthorizer(authz))})
	// containerd logs each failed request; the error says it once.
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	ctx := log.WithLogger(context.Background(), logrus.NewEntry(quiet))
	name, root, err := resolver.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	fetcher, err := resolver.Fetcher(ctx, name)
	if err != nil {
		return nil, err
	}
	index, err := json.Marshal(ocispecs.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispecs.MediaTypeImageIndex,
		Manifests: []ocispecs.Descriptor{root}})
	if err != nil {
		return nil, err
	}
	return &ociLayout{name: ref,
		open: func(p string) (io.ReadCloser, error) {
			if p == "index.json" {
				return io.NopCloser(bytes.NewReader(index)), nil
			}
			return nil, fmt.Errorf("%s: %s: %w", ref, p, fs.ErrNotExist)
		},
		fetch: func(d ocispecs.Descriptor) (io.ReadCloser, error) { return fetcher.Fetch(ctx, d) },
		done:  func() error { return nil },
	}, nil
}
