//go:build unix

package scenarios

import "syscall"

// openFlags opens a path without waiting: a named pipe put in a file's
// place after LoadFile looked at it opens at once, and is then refused, where
// a plain open would wait for a writer that may never come.
const openFlags = syscall.O_NONBLOCK
