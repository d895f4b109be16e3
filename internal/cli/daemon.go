package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/moby/buildkit/client"
)

// answerTimeout bounds the wait for a daemon's first answer: one that
// accepts connections but does not speak gRPC would hang the command.
const answerTimeout = 10 * time.Second

// namedDaemon is the BuildKit daemon the user names: --addr's (flag), else
// $BUILDKIT_HOST's, with which of them named it. addr is "" when neither
// does: the user's shared local daemon serves then.
func namedDaemon(flag string) (addr, from string) {
	if flag != "" {
		return flag, "--addr"
	}
	if env := os.Getenv("BUILDKIT_HOST"); env != "" {
		return env, "BUILDKIT_HOST"
	}
	return "", ""
}

// dialDaemon connects to the daemon at addr and asks for its Info, so that
// an address that leads nowhere fails at once, not as a raw gRPC error
// mid-build or after a long silence. The caller closes the client.
func dialDaemon(ctx context.Context, addr string) (*client.Client, *client.Info, error) {
	c, err := client.New(ctx, addr)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting: %w", err)
	}
	ictx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	info, err := c.Info(ictx)
	if err != nil {
		_ = c.Close() // it never answered: nothing to report of closing it
		return nil, nil, err
	}
	return c, info, nil
}
