package projections

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// TestInOrder checks that inOrder writes what a plain loop writes, in the
// same order, and stops at the same first error, whether it encodes on the
// caller's goroutine (few values) or on several.
func TestInOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	errEncode := errors.New("cannot encode")
	errWrite := errors.New("cannot write")
	tests := []struct {
		name string
		n    int
		// skip, failEncode and failWrite pick values: with nothing to
		// write, that encode refuses, that write refuses.
		skip       func(i int) bool
		failEncode int
		failWrite  int
	}{
		{name: "none", n: 0},
		{name: "few, alone", n: encodeAlone - 1},
		{name: "many, in chunks", n: 50*encodeChunk + 7},
		{name: "many, some skipped", n: 20 * encodeChunk, skip: func(i int) bool { return i%3 == 0 }},
		{name: "few, encode fails", n: 10, failEncode: 4},
		{name: "many, encode fails", n: 30 * encodeChunk, failEncode: 17*encodeChunk + 5},
		{name: "many, write fails", n: 30 * encodeChunk, failWrite: 9*encodeChunk + 1},
		{name: "many, the last fails", n: 30 * encodeChunk, failEncode: 30*encodeChunk - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encode := func(i int) ([]byte, error) {
				switch {
				case tt.failEncode > 0 && i == tt.failEncode:
					return nil, fmt.Errorf("value %d: %w", i, errEncode)
				case tt.skip != nil && tt.skip(i):
					return nil, nil
				}
				return []byte(strconv.Itoa(i)), nil
			}
			var want []string
			var wantErr error
			for i := range tt.n {
				data, err := encode(i)
				if err != nil {
					wantErr = err
					break
				}
				if data == nil {
					continue
				}
				if tt.failWrite > 0 && i == tt.failWrite {
					wantErr = errWrite
					break
				}
				want = append(want, string(data))
			}

			var got []string
			err := inOrder(tt.n, encode, func(i int, data []byte) error {
				if tt.failWrite > 0 && i == tt.failWrite {
					return errWrite
				}
				if string(data) != strconv.Itoa(i) {
					t.Errorf("write(%d) got %q", i, data)
				}
				got = append(got, string(data))
				return nil
			})
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("inOrder() error = %v, want %v", err, wantErr)
			}
			if !slices.Equal(got, want) {
				t.Errorf("inOrder() wrote %d values, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
