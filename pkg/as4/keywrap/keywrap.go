// Package keywrap implements the AES Key Wrap algorithm of RFC 3394 (NIST SP 800-38F "KW"),
// which XML Encryption names http://www.w3.org/2001/04/xmlenc#kw-aes128 (and kw-aes192/256).
//
// Unwrap checks the integrity value in constant time and never returns partially unwrapped key
// material on failure.
package keywrap

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// defaultIV is the RFC 3394 §2.2.3.1 default initial value A6A6A6A6A6A6A6A6.
var defaultIV = [8]byte{0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6}

// ErrUnwrapFailed is returned by Unwrap when the integrity check fails: the wrapped key was
// modified or the key-encryption key is wrong.
var ErrUnwrapFailed = errors.New("keywrap: integrity check failed")

// Wrap wraps the key data plaintext (a multiple of 8 bytes, at least 16) under the AES
// key-encryption key kek (16, 24 or 32 bytes) and returns len(plaintext)+8 bytes.
func Wrap(kek, plaintext []byte) ([]byte, error) {
	if len(plaintext) < 16 || len(plaintext)%8 != 0 {
		return nil, fmt.Errorf("keywrap: key data length %d is not a multiple of 8 of at least 16", len(plaintext))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("keywrap: %w", err)
	}
	n := len(plaintext) / 8
	out := make([]byte, 8+len(plaintext))
	copy(out[8:], plaintext)
	a := defaultIV
	var b [16]byte
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(b[:8], a[:])
			copy(b[8:], out[8*i:8*i+8])
			block.Encrypt(b[:], b[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(b[:8])^t)
			copy(out[8*i:8*i+8], b[8:])
		}
	}
	copy(out[:8], a[:])
	return out, nil
}

// Unwrap reverses Wrap. It returns ErrUnwrapFailed (and no key material) when the RFC 3394
// integrity value does not match, and an error naming the problem for malformed input.
func Unwrap(kek, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) < 24 || len(ciphertext)%8 != 0 {
		return nil, fmt.Errorf("keywrap: wrapped key length %d is not a multiple of 8 of at least 24", len(ciphertext))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("keywrap: %w", err)
	}
	n := len(ciphertext)/8 - 1
	r := make([]byte, 8*n)
	copy(r, ciphertext[8:])
	var a [8]byte
	copy(a[:], ciphertext[:8])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(a[:])^t)
			copy(b[8:], r[8*(i-1):8*i])
			block.Decrypt(b[:], b[:])
			copy(a[:], b[:8])
			copy(r[8*(i-1):8*i], b[8:])
		}
	}
	if subtle.ConstantTimeCompare(a[:], defaultIV[:]) != 1 {
		clear(r)
		return nil, ErrUnwrapFailed
	}
	return r, nil
}
