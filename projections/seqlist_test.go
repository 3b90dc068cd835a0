package projections

import (
	"slices"
	"testing"
)

// TestSeqList checks that a list gives back what was added, less what was
// dropped, and encodes as a snapshot lists sequences.
func TestSeqList(t *testing.T) {
	tests := []struct {
		name string
		add  []uint64
		drop int
	}{
		{"empty", nil, 0},
		{"one", []uint64{7}, 0},
		{"near and far", []uint64{1, 2, 130, 20_000, 3_000_000, 1 << 40, 1<<40 + 1}, 0},
		{"the last dropped, far from the one before", []uint64{5, 300, 1 << 33}, 1},
		{"the last dropped, next to the one before", []uint64{5, 1 << 33, 1<<33 + 1}, 1},
		{"all dropped", []uint64{128, 16_384}, 2},
		{"dropping from nothing", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l seqList
			for _, seq := range tt.add {
				l.add(seq)
			}
			for range tt.drop {
				l.dropLast()
			}
			want := tt.add[:max(0, len(tt.add)-tt.drop)]
			if got := l.seqs(); !slices.Equal(got, want) || l.len() != len(want) {
				t.Fatalf("seqs %v (len %d), want %v", got, l.len(), want)
			}
			decoded, err := decodeSeqList(l.encoded())
			if err != nil || !slices.Equal(decoded.seqs(), want) {
				t.Errorf("encoded %q decodes to %v (%v), want %v", l.encoded(), decoded.seqs(), err, want)
			}
			// What comes after a drop follows what is left.
			l.add(1 << 50)
			if got := l.seqs(); got[len(got)-1] != 1<<50 || len(got) != len(want)+1 {
				t.Errorf("after adding again: %v", got)
			}
		})
	}
}

// TestSeqListOutOfOrder checks that a sequence not after the last makes
// the list say it no longer holds the history, rather than hold a wrong one.
func TestSeqListOutOfOrder(t *testing.T) {
	for _, seqs := range [][]uint64{{5, 5}, {9, 3}, {1, 2, 1}} {
		var l seqList
		for _, seq := range seqs {
			l.add(seq)
		}
		if l.len() != -1 {
			t.Errorf("%v: len %d, want -1", seqs, l.len())
		}
		l.reset()
		if l.add(4); l.len() != 1 || l.seqs()[0] != 4 {
			t.Errorf("%v, reset: %v, want [4]", seqs, l.seqs())
		}
	}
}

// encodeSeqs returns seqs, increasing, as a snapshot lists them.
func encodeSeqs(seqs []uint64) string {
	var l seqList
	for _, seq := range seqs {
		l.add(seq)
	}
	return l.encoded()
}
