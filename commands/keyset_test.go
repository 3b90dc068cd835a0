package commands

import (
	"strconv"
	"testing"
)

// TestKeySetCopiesDoNotShareWrites checks that a copy holds what its
// original held, and that adding to either leaves the other as it was,
// with few identities added and past the point where a copy merges them.
func TestKeySetCopiesDoNotShareWrites(t *testing.T) {
	for _, n := range []int{0, 1, 24, 25, 500} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			k := keySet{shared: map[string]bool{"base": true}}
			for i := range n {
				k.add("k" + strconv.Itoa(i))
			}
			c := k.clone()
			c.add("copy")
			k.add("original")
			for i := range n {
				key := "k" + strconv.Itoa(i)
				if !k.has(key) || !c.has(key) {
					t.Fatalf("%s lost: original %v, copy %v", key, k.has(key), c.has(key))
				}
			}
			switch {
			case !k.has("base") || !c.has("base"):
				t.Error("the shared identity is lost")
			case k.has("copy"):
				t.Error("what the copy added shows in the original")
			case c.has("original"):
				t.Error("what the original added shows in the copy")
			case !k.has("original") || !c.has("copy"):
				t.Error("an identity added is not there")
			}
		})
	}
}
