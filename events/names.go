package events

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxNameLen is the longest id summit accepts for a party, person, meeting,
// precondition or branch.
const MaxNameLen = 64

// ErrBadName is wrapped by [CheckName] for an id summit cannot use.
var ErrBadName = errors.New("bad name")

// CheckName reports whether s can be an id: of a party, a person, a meeting,
// a precondition or a branch. Ids become NATS subject tokens and key-value
// keys, so they are kept to letters, digits, '-' and '_', begin with a letter
// or digit, and are at most [MaxNameLen] bytes long. That rules out '.', '*',
// '>' and spaces, which would let one meeting's name reach into another's
// subjects.
func CheckName(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrBadName)
	}
	if len(s) > MaxNameLen {
		return fmt.Errorf("%w %.20q...: longer than %d bytes", ErrBadName, s, MaxNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		case c == '-' || c == '_':
			return fmt.Errorf("%w %q: it begins with %q; use ASCII letters, digits, '-' and '_', beginning with a letter or digit", ErrBadName, s, c)
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fmt.Errorf("%w %q: %q is not allowed; use ASCII letters, digits, '-' and '_', beginning with a letter or digit", ErrBadName, s, r)
		}
	}
	return nil
}
