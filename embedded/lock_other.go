//go:build !unix

package embedded

import (
	"fmt"
	"os"
)

// lockStore creates dir. Without flock, it cannot stop a second server on
// the same store: do not start one.
func lockStore(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	return func() {}, nil
}
