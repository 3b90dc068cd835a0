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
		case c == '-' || c == '_':
			if i == 0 {
				return fmt.Errorf("%w %q: it begins with %q; use ASCII letters, digits, '-' and '_', beginning with a letter or digit", ErrBadName, s, c)
			}
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fmt.Errorf("%w %q: %q is not allowed; use ASCII letters, digits, '-' and '_', beginning with a letter or digit", ErrBadName, s, r)
		}
	}
	return nil
}

// Nearest returns the word among words that w is most likely a typing
// mistake for, and true, if one is near enough: at most one letter added,
// dropped, changed or two swapped for a word of up to five letters, two for
// a longer one. The first of equally near words wins. It is for error
// messages that ask "did you mean ...?".
func Nearest[S ~string](w S, words []S) (S, bool) {
	limit := 1
	if len(w) > 5 {
		limit = 2
	}
	var best S
	bestD := limit + 1
	for _, c := range words {
		if c == w {
			continue
		}
		if d := editDistance(string(w), string(c), bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// DidYouMean returns ", did you mean X?", X the word among words nearest w
// ([Nearest]), or "" if none is near: the hint an error message ends its
// first clause with.
func DidYouMean[S ~string](w S, words []S) string {
	if c, ok := Nearest(w, words); ok {
		return ", did you mean " + string(c) + "?"
	}
	return ""
}

// editDistance returns the optimal string alignment distance between a and
// b (letters added, dropped, changed, or two neighbours swapped), or bound
// if it is at least bound.
func editDistance(a, b string, bound int) int {
	if d := len(a) - len(b); d >= bound || -d >= bound {
		return bound
	}
	// Three rows of the table: two back, the last, and this one.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		least := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			least = min(least, cur[j])
		}
		if least >= bound {
			return bound
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], bound)
}
