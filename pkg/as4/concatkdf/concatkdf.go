// Package concatkdf implements the single-step key derivation function of NIST SP 800-56A
// (§5.8.1, "Concatenation KDF"; SP 800-56C rev. 2 §4.1 option 1) as XML Encryption 1.1 uses it
// under the algorithm URI http://www.w3.org/2009/xmlenc11#ConcatKDF.
//
//	K(i) = H(counter_i || Z || OtherInfo), counter_i a 32-bit big-endian integer from 1
//	DerivedKeyingMaterial = the leftmost keyLen bytes of K(1) || K(2) || ...
//
// The BDEW AS4 profile derives a kw-aes128 key with SHA-256, so it keeps the leftmost 128 bits of
// the 256-bit K(1) (Technischer FAQ AS4, citing SP 800-56C §4.1).
package concatkdf

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Derive returns keyLen bytes of keying material derived from the shared secret z and otherInfo
// with the hash function h. keyLen must be positive and at most (2^32-1)·h().Size().
func Derive(h func() hash.Hash, z, otherInfo []byte, keyLen int) ([]byte, error) {
	if keyLen <= 0 {
		return nil, errors.New("concatkdf: key length must be positive")
	}
	hh := h()
	size := hh.Size()
	reps := (keyLen + size - 1) / size
	if uint64(reps) > 0xFFFFFFFF {
		return nil, errors.New("concatkdf: key length too large")
	}
	out := make([]byte, 0, reps*size)
	var ctr [4]byte
	for i := 1; i <= reps; i++ {
		binary.BigEndian.PutUint32(ctr[:], uint32(i))
		hh.Reset()
		hh.Write(ctr[:])
		hh.Write(z)
		hh.Write(otherInfo)
		out = hh.Sum(out)
	}
	return out[:keyLen], nil
}

// Params are the attributes of an XMLEnc 1.1 xenc11:ConcatKDFParams element, as the byte strings
// they stand for (the leading "unused bits" octet of the hexBinary attribute already removed, see
// ParseBitString). SP 800-56A concatenates them in this order to form OtherInfo.
type Params struct {
	AlgorithmID  []byte
	PartyUInfo   []byte
	PartyVInfo   []byte
	SuppPubInfo  []byte
	SuppPrivInfo []byte
}

// OtherInfo returns AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo || SuppPrivInfo.
func (p Params) OtherInfo() []byte {
	var b []byte
	for _, f := range [][]byte{p.AlgorithmID, p.PartyUInfo, p.PartyVInfo, p.SuppPubInfo, p.SuppPrivInfo} {
		b = append(b, f...)
	}
	return b
}

// ParseBitString decodes one ConcatKDFParams attribute. XMLEnc 1.1 §5.4.1 encodes each as a
// hexBinary bit string whose first octet counts the unused (padding) bits of the last octet; the
// bits themselves follow. An empty attribute and "00" both stand for the empty string (the BDEW
// profile leaves all three attributes empty). Bit strings that are not byte-aligned are refused:
// SP 800-56A would need them concatenated bit by bit, and no AS4 peer uses them.
func ParseBitString(attr string) ([]byte, error) {
	attr = strings.TrimSpace(attr)
	if attr == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(attr)
	if err != nil {
		return nil, fmt.Errorf("concatkdf: bit string %q: %w", attr, err)
	}
	if b[0] != 0 {
		if b[0] > 7 {
			return nil, fmt.Errorf("concatkdf: bit string %q: padding count %d > 7", attr, b[0])
		}
		return nil, fmt.Errorf("concatkdf: bit string %q: %d padding bits (only byte-aligned strings are supported)", attr, b[0])
	}
	return b[1:], nil
}

// FormatBitString is the inverse of ParseBitString for byte-aligned strings. The empty string
// encodes as "" when emptyAsZero is false and as "00" when it is true (XMLEnc 1.1 allows both
// readings; see the package wss/xmlenc options that choose between them).
func FormatBitString(b []byte, emptyAsZero bool) string {
	if len(b) == 0 && !emptyAsZero {
		return ""
	}
	return "00" + strings.ToUpper(hex.EncodeToString(b))
}
