package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a scenario file, at a line of it. Line is 0 for a
// problem with the file as a whole (too large, empty, unreadable YAML
// without a position). File is "" and Line 0 for a problem with the flags of
// "summit add" ([LoadFlags]): Msg then names the flag.
type Error struct {
	File string
	Line int
	Msg  string
	// Err is the error the problem is, for [errors.Is], where one fits
	// ([ErrNotRegular]); nil for most.
	Err error
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Error reads "file:line: msg", or "file: msg" when Line is 0, or "msg"
// alone when File is "" too.
func (e *Error) Error() string {
	if e.Line == 0 && e.File == "" {
		return e.Msg
	}
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

// Unwrap returns each error of the list, so that [errors.Is] and
// [errors.As] look into them.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
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

// report collects the errors of one file, as many as [MaxErrors], and
// counts the rest.
type report struct {
	file string
	errs ErrorList
	// total counts every error found, kept in errs or not.
	total int
}

// errorf reports an error at line; past [MaxErrors], it only counts it.
func (r *report) errorf(line int, format string, args ...any) {
	r.total++
	if len(r.errs) < MaxErrors {
		r.errs.Add(r.file, line, format, args...)
	}
}

// finish sorts the errors found, adds one that counts those past
// [MaxErrors], and returns them, or nil.
func (r *report) finish() error {
	r.errs.Sort()
	if more := r.total - len(r.errs); more > 0 {
		last := r.errs[len(r.errs)-1]
		r.errs.Add(r.file, last.Line, "too many errors: %d more not shown", more)
	}
	return r.errs.Err()
}
