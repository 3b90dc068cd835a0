//go:build !unix

package scenarios

// openFlags is 0 where there are no named pipes to wait on.
const openFlags = 0
