package smpki

import (
	"crypto"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/mako-engine/mako/pkg/brainpool"
)

// ErrSignature is wrapped by every failed signature check.
var ErrSignature = errors.New("smpki: signature verification failed")

// CheckSignature verifies the DER ECDSA signature sig over signed (hashed with alg's digest)
// under pub, which must be a *brainpool.PublicKey or an *ecdsa.PublicKey.
func CheckSignature(pub crypto.PublicKey, alg SignatureAlgorithm, signed, sig []byte) error {
	h := alg.Hash()
	if h == 0 {
		return fmt.Errorf("%w: unsupported signature algorithm", ErrSignature)
	}
	d := h.New()
	d.Write(signed)
	return VerifyDigestASN1(pub, d.Sum(nil), sig)
}

// VerifyDigestASN1 verifies a DER-encoded ECDSA signature over a precomputed digest with a
// brainpool (pkg/brainpool) or NIST (crypto/ecdsa) public key.
func VerifyDigestASN1(pub crypto.PublicKey, digest, sig []byte) error {
	var ok bool
	switch k := pub.(type) {
	case *brainpool.PublicKey:
		ok = brainpool.VerifyASN1(k, digest, sig)
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest, sig)
	default:
		return fmt.Errorf("%w: unsupported public key type %T", ErrSignature, pub)
	}
	if !ok {
		return ErrSignature
	}
	return nil
}
