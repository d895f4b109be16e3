package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/distill-build/distill/debian/archive"
)

// fetchIndex downloads and verifies a suite's main Packages index for arch,
// caching the verified bytes under the user's cache directory.
func fetchIndex(mirror, suite, arch string) (string, error) {
	get := func(url string) ([]byte, error) {
		resp, err := http.Get(url)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", url, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	base := mirror + "/dists/" + suite + "/"
	inrelease, err := get(base + "InRelease")
	if err != nil {
		return "", err
	}
	kr, err := archive.DebianKeyring()
	if err != nil {
		return "", err
	}
	rel, err := archive.VerifyInRelease(inrelease, kr)
	if err != nil {
		return "", err
	}
	if err := rel.CheckValidUntil(time.Now()); err != nil {
		return "", err
	}
	path, sum, _, err := rel.IndexFile("main", arch)
	if err != nil {
		return "", err
	}
	cache, _ := os.UserCacheDir()
	cached := filepath.Join(cache, "distill", "bench", sum)
	data, err := os.ReadFile(cached)
	if err != nil || rel.VerifyFile(path, data) != nil {
		if data, err = get(base + path); err != nil {
			return "", err
		}
		_ = os.MkdirAll(filepath.Dir(cached), 0o755)
		_ = os.WriteFile(cached, data, 0o644)
	}
	if err := rel.VerifyFile(path, data); err != nil {
		return "", err
	}
	r, err := archive.DecompressIndex(path, data)
	if err != nil {
		return "", err
	}
	text, err := io.ReadAll(r)
	return string(text), err
}
