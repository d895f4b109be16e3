package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/distill-build/distill/debian/archive"
)

// fetchIndex downloads and verifies a suite's main Packages index for arch,
// from the archive signature down, and returns it uncompressed.
func fetchIndex(ctx context.Context, mirror, suite, arch string) (string, error) {
	kr, err := archive.DebianKeyring()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	f := cachingFetcher{dir: filepath.Join(cache, "distill", "bench")}
	s := archive.Suite{URL: mirror, Name: suite, CheckValidUntil: true}
	rel, err := s.Release(ctx, f, kr, time.Now())
	if err != nil {
		return "", err
	}
	path, sum, _, err := rel.IndexFile("main", arch)
	if err != nil {
		return "", err
	}
	data, err := f.Fetch(ctx, mirror+"/"+s.Dir()+"/"+path, sum, "")
	if err != nil {
		return "", err
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

// cachingFetcher downloads over HTTP and keeps pinned downloads under dir,
// by their sha256, so a rerun fetches only the InRelease.
type cachingFetcher struct{ dir string }

func (c cachingFetcher) Fetch(ctx context.Context, url, sum, name string) ([]byte, error) {
	cached := filepath.Join(c.dir, sum)
	if sum != "" {
		if data, err := os.ReadFile(cached); err == nil && sha256Hex(data) == sum {
			return data, nil
		}
	}
	data, err := archive.HTTPFetcher{}.Fetch(ctx, url, sum, name)
	if err != nil {
		return nil, err
	}
	if sum != "" {
		// The cache only saves time: a failed write costs a download.
		if os.MkdirAll(c.dir, 0o755) == nil {
			_ = os.WriteFile(cached, data, 0o644)
		}
	}
	return data, nil
}

func sha256Hex(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}
