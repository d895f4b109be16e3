package bkserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// listen opens one address as buildkitd's --addr takes it: unix:///path
// (a stale socket file is replaced, as buildkitd does) or tcp://host:port,
// served without TLS, so for loopback or a trusted network only.
func listen(addr string) (net.Listener, error) {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok || rest == "" {
		return nil, fmt.Errorf("address %q: want unix:///path or tcp://host:port", addr)
	}
	switch scheme {
	case "unix":
		if !filepath.IsAbs(rest) {
			return nil, fmt.Errorf("address %q: the socket path is not absolute", addr)
		}
		if err := os.MkdirAll(filepath.Dir(rest), 0o700); err != nil {
			return nil, fmt.Errorf("the socket's directory: %w", err)
		}
		if err := os.Remove(rest); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("removing the stale socket %s: %w", rest, err)
		}
		l, err := net.Listen("unix", rest)
		if err != nil {
			return nil, fmt.Errorf("listening on %s: %w", addr, err)
		}
		// Owner and group only, as buildkitd's sockets: whoever can talk
		// to the daemon can run anything as root.
		if err := os.Chmod(rest, 0o660); err != nil {
			return nil, errors.Join(fmt.Errorf("the socket's mode: %w", err), l.Close())
		}
		return l, nil
	case "tcp":
		l, err := net.Listen("tcp", rest)
		if err != nil {
			return nil, fmt.Errorf("listening on %s: %w", addr, err)
		}
		return l, nil
	default:
		return nil, fmt.Errorf("address %q: unsupported scheme %q (want unix or tcp)", addr, scheme)
	}
}
