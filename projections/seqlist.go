package projections

import (
	"encoding/base64"
	"encoding/binary"
)

// seqList is a meeting's stream sequences in record order, kept as a
// snapshot lists them ([seqList.encoded]): each the uvarint of its
// distance from the one before. A meeting's events lie some thousands
// apart in a large log, two or three bytes each rather than eight: a
// board of 10,000 meetings of 200 events holds 5 MB of them rather than
// 20 (and the slack of growing slices of uint64), and a snapshot is
// written without encoding them again.
type seqList struct {
	b    []byte
	n    int
	last uint64
	// outOfOrder is set once a sequence came that was not after the
	// last: the list no longer says the history, and len says so.
	outOfOrder bool
}

// add appends seq, which should be after every sequence in l.
func (l *seqList) add(seq uint64) {
	if l.n > 0 && seq <= l.last {
		l.outOfOrder = true
		return
	}
	l.b = binary.AppendUvarint(l.b, seq-l.last)
	l.last = seq
	l.n++
}

// dropLast removes the sequence added last.
func (l *seqList) dropLast() {
	if l.n == 0 || l.outOfOrder {
		return
	}
	// The last uvarint starts after the byte before it that ends the one
	// before (its high bit clear).
	i := len(l.b) - 1
	for i > 0 && l.b[i-1]&0x80 != 0 {
		i--
	}
	d, _ := binary.Uvarint(l.b[i:])
	l.b, l.last, l.n = l.b[:i], l.last-d, l.n-1
}

// reset empties l, keeping its memory.
func (l *seqList) reset() { *l = seqList{b: l.b[:0]} }

// len returns how many sequences l holds, or -1 if one came out of order.
func (l *seqList) len() int {
	if l.outOfOrder {
		return -1
	}
	return l.n
}

// seqs returns the sequences, in order.
func (l *seqList) seqs() []uint64 {
	out := make([]uint64, 0, l.n)
	var seq uint64
	for b := l.b; len(b) > 0; {
		d, n := binary.Uvarint(b)
		seq += d
		out = append(out, seq)
		b = b[n:]
	}
	return out
}

// encoded returns l as a snapshot lists it: base64 of the uvarints.
func (l *seqList) encoded() string { return base64.StdEncoding.EncodeToString(l.b) }
