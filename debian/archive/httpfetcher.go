package archive

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPFetcher fetches over plain HTTP, checking pinned sums as BuildKit
// does: for tools and tests that run outside a build.
type HTTPFetcher struct {
	Client *http.Client // nil: http.DefaultClient
}

// Fetch implements Fetcher.
func (h HTTPFetcher) Fetch(ctx context.Context, url, sum, _ string) ([]byte, error) {
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if got := sha256Hex(data); sum != "" && got != sum {
		return nil, fmt.Errorf("%s: digest mismatch: sha256 %s, want %s", url, got, sum)
	}
	return data, nil
}
