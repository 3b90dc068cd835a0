package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a scenario file, at a line of it. Line is 0 for a
// problem with the file as a whole (too large, empty, unreadable YAML
// without a position).
type Error struct {
	File string
	Line int
	Msg  string
}

// Error reads "file:line: msg", or "file: msg" when Line is 0.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrorList is every problem found in a scenario file, as
// [go/scanner.ErrorList] holds a source file's. Load returns it sorted by
// line, so that an analyst can fix a file from the top down.
type ErrorList []*Error

// Add appends an error at file:line, its message formatted as by
// [fmt.Sprintf].
func (l *ErrorList) Add(file string, line int, format string, args ...any) {
	*l = append(*l, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Sort orders the list by file and line. Errors on one line keep the order
// they were added in.
func (l ErrorList) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

// Err returns l as an error, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Error returns every error, one per line, each as "file:line: msg".
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
