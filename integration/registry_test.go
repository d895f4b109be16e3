package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// registryConfig is a distribution v3 config: filesystem storage, plain HTTP
// on loopback, no auth.
func registryConfig(storage, addr string) string {
	return fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, strconv.Quote(storage), addr)
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the registry binds it; on this machine that race is harmless.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startRegistry runs the registry with its storage, config and log in dir and
// returns it with its "127.0.0.1:PORT" once GET /v2/ answers.
func startRegistry(ctx context.Context, bin, dir string) (*process, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", fmt.Errorf("registry port: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := filepath.Join(dir, "registry.yml")
	if err := os.WriteFile(cfg, []byte(registryConfig(filepath.Join(dir, "registry"), addr)), 0o644); err != nil {
		return nil, "", err
	}
	// No tracing exporter: by default it would try to reach a collector.
	p, err := startProcess("registry", filepath.Join(dir, "registry.log"), []string{"OTEL_TRACES_EXPORTER=none"}, bin, "serve", cfg)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if err := p.running(); err != nil {
			return nil, "", err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v2/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode == http.StatusOK {
				return p, addr, nil
			}
			err = fmt.Errorf("GET /v2/: %s", resp.Status)
		}
		select {
		case <-ctx.Done():
			_ = p.stop() // the start-up error is the one to report
			return nil, "", fmt.Errorf("registry on %s did not come up: %w", addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// fetchIndex GETs repo:tag from the registry at addr and decodes it as an
// image index (what a multi-platform push leaves).
func fetchIndex(ctx context.Context, addr, repo, tag string) (ocispec.Index, error) {
	var idx ocispec.Index
	url := fmt.Sprintf("http://%s/v2/%s/manifests/%s", addr, repo, tag)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return idx, err
	}
	req.Header.Set("Accept", ocispec.MediaTypeImageIndex+", application/vnd.docker.distribution.manifest.list.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return idx, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return idx, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&idx); err != nil {
		return idx, fmt.Errorf("decode %s: %w", url, err)
	}
	return idx, nil
}
