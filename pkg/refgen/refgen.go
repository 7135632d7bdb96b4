// Package refgen derives EDIFACT reference numbers (UNB 0020 Datenaustausch-
// referenz, UNH 0062, BGM document numbers, IDE transaction ids) from stable
// inputs.
//
// Workflows and workers must not use clocks or randomness to name what they
// send: a retried decision or a redelivered message has to produce the same
// bytes, so that deduplication by message id holds end to end. A reference is
// a prefix followed by an upper-case base-36 digest of the inputs; with the
// default length of 14 characters (the maximum of DE0020 an..14) and a
// one-letter prefix, 13 base-36 digits give about 67 bits, so collisions
// among one sender's references are negligible.
package refgen

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
)

// MaxLen is the maximum length of DE0020 (an..14).
const MaxLen = 14

// Ref returns prefix followed by a digest of parts, MaxLen characters in all
// (or len(prefix)+4 at least). Equal inputs give equal references.
func Ref(prefix string, parts ...string) string {
	return RefN(MaxLen, prefix, parts...)
}

// RefN is Ref with an explicit total length n.
func RefN(n int, prefix string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x1f")))
	digits := max(n-len(prefix), 4)
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	out := make([]byte, 0, len(prefix)+digits)
	out = append(out, prefix...)
	// Two 64-bit halves give up to 24 base-36 digits.
	words := [2]uint64{binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])}
	for i := range digits {
		w := &words[(i/12)%2]
		out = append(out, alphabet[*w%36])
		*w /= 36
	}
	return string(out)
}
