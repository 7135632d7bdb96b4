// Package xmlenc implements the parts of W3C XML Encryption 1.1 that the BDEW AS4 profile uses
// (Profil §2.2.6.2.2, as4.md §5): AES-128-GCM content encryption, key agreement ECDH-ES on
// brainpoolP256r1 (and the NIST curves, for interop), key derivation ConcatKDF with SHA-256, and
// AES-128 key wrap (RFC 3394) of the content-encryption key.
//
// The decryption side takes a KeyAgreementKey, so the static private key can live in an HSM.
package xmlenc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/mako-engine/mako/pkg/as4/concatkdf"
	"github.com/mako-engine/mako/pkg/as4/keywrap"
	"github.com/mako-engine/mako/pkg/brainpool"
)

// Algorithm URIs.
const (
	AlgAES128GCM  = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	AlgKWAES128   = "http://www.w3.org/2001/04/xmlenc#kw-aes128"
	AlgECDHES     = "http://www.w3.org/2009/xmlenc11#ECDH-ES"
	AlgConcatKDF  = "http://www.w3.org/2009/xmlenc11#ConcatKDF"
	AlgSHA256     = "http://www.w3.org/2001/04/xmlenc#sha256"
	gcmNonceSize  = 12
	gcmTagSize    = 16
	aes128KeySize = 16
)

// Errors. Decryption failures deliberately say little (no padding/MAC oracle).
var (
	// ErrDecrypt: authentication of the ciphertext or unwrapping of the key failed.
	ErrDecrypt = errors.New("xmlenc: decryption failed")
	// ErrUnsupported: an algorithm or structure outside the BDEW profile.
	ErrUnsupported = errors.New("xmlenc: unsupported algorithm or structure")
	// ErrMalformed: a required element or attribute is missing or invalid.
	ErrMalformed = errors.New("xmlenc: malformed encryption structure")
)

// EncryptGCM encrypts plaintext with AES-GCM under key (16 bytes for aes128-gcm) and a fresh
// random 96-bit IV, returning IV || ciphertext || 128-bit tag as XMLEnc 1.1 §5.2.4 lays out the
// CipherValue. No additional authenticated data is used.
func EncryptGCM(rand io.Reader, key, plaintext []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, gcmNonceSize, gcmNonceSize+len(plaintext)+gcmTagSize)
	if _, err := io.ReadFull(rand, out); err != nil {
		return nil, fmt.Errorf("xmlenc: IV: %w", err)
	}
	return aead.Seal(out, out[:gcmNonceSize], plaintext, nil), nil
}

// DecryptGCM reverses EncryptGCM. Any authentication failure is ErrDecrypt.
func DecryptGCM(key, data []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(data) < gcmNonceSize+gcmTagSize {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(nil, data[:gcmNonceSize], data[gcmNonceSize:], nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("xmlenc: %w", err)
	}
	return cipher.NewGCM(block)
}

// KeyAgreementKey is a static EC private key used for ECDH-ES decryption. Implementations may
// keep the key in an HSM; NewKeyAgreementKey wraps software keys.
type KeyAgreementKey interface {
	// CurveOID names the key's curve.
	CurveOID() asn1.ObjectIdentifier
	// ECDH returns the shared secret (the x-coordinate, big-endian, field-size bytes) with the
	// peer's uncompressed SEC1 point, which it must validate.
	ECDH(peerSEC1 []byte) ([]byte, error)
}

// Named-curve OIDs for the NIST curves (brainpool OIDs come from pkg/brainpool).
var (
	oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

func nistCurve(oid asn1.ObjectIdentifier) ecdh.Curve {
	switch {
	case oid.Equal(oidP256):
		return ecdh.P256()
	case oid.Equal(oidP384):
		return ecdh.P384()
	case oid.Equal(oidP521):
		return ecdh.P521()
	}
	return nil
}

func nistOID(c ecdh.Curve) asn1.ObjectIdentifier {
	switch c {
	case ecdh.P256():
		return oidP256
	case ecdh.P384():
		return oidP384
	case ecdh.P521():
		return oidP521
	}
	return nil
}

type brainpoolKey struct{ k *brainpool.PrivateKey }

// CurveOID implements KeyAgreementKey.
func (b brainpoolKey) CurveOID() asn1.ObjectIdentifier { return b.k.Curve().OID() }

// ECDH implements KeyAgreementKey (pkg/brainpool validates the point and is constant-time).
func (b brainpoolKey) ECDH(peer []byte) ([]byte, error) {
	pub, err := brainpool.NewPublicKey(b.k.Curve(), peer)
	if err != nil {
		return nil, err
	}
	return b.k.ECDH(pub)
}

type nistKey struct{ k *ecdh.PrivateKey }

// CurveOID implements KeyAgreementKey.
func (n nistKey) CurveOID() asn1.ObjectIdentifier { return nistOID(n.k.Curve()) }

// ECDH implements KeyAgreementKey with crypto/ecdh.
func (n nistKey) ECDH(peer []byte) ([]byte, error) {
	pub, err := n.k.Curve().NewPublicKey(peer)
	if err != nil {
		return nil, err
	}
	return n.k.ECDH(pub)
}

// NewKeyAgreementKey wraps a software private key: *brainpool.PrivateKey, *ecdh.PrivateKey
// (NIST curves) or *ecdsa.PrivateKey (NIST curves).
func NewKeyAgreementKey(priv any) (KeyAgreementKey, error) {
	switch k := priv.(type) {
	case *brainpool.PrivateKey:
		return brainpoolKey{k}, nil
	case *ecdh.PrivateKey:
		if nistOID(k.Curve()) == nil {
			return nil, fmt.Errorf("%w: ECDH curve %v", ErrUnsupported, k.Curve())
		}
		return nistKey{k}, nil
	case *ecdsa.PrivateKey:
		e, err := k.ECDH()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return nistKey{e}, nil
	}
	return nil, fmt.Errorf("%w: private key type %T", ErrUnsupported, priv)
}

// ephemeralAgree generates an ephemeral key on the curve of the recipient's public key
// (*brainpool.PublicKey, *ecdsa.PublicKey or *ecdh.PublicKey) and returns the shared secret,
// the ephemeral public point (uncompressed SEC1) and the curve OID.
func ephemeralAgree(rand io.Reader, recipient any) (z, ephemeral []byte, oid asn1.ObjectIdentifier, err error) {
	switch k := recipient.(type) {
	case *brainpool.PublicKey:
		e, err := brainpool.GenerateKey(k.Curve(), rand)
		if err != nil {
			return nil, nil, nil, err
		}
		z, err := e.ECDH(k)
		if err != nil {
			return nil, nil, nil, err
		}
		return z, e.PublicKey().Bytes(), k.Curve().OID(), nil
	case *ecdsa.PublicKey:
		pub, err := k.ECDH()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return ephemeralAgree(rand, pub)
	case *ecdh.PublicKey:
		oid := nistOID(k.Curve())
		if oid == nil {
			return nil, nil, nil, fmt.Errorf("%w: ECDH curve %v", ErrUnsupported, k.Curve())
		}
		e, err := k.Curve().GenerateKey(rand)
		if err != nil {
			return nil, nil, nil, err
		}
		z, err := e.ECDH(k)
		if err != nil {
			return nil, nil, nil, err
		}
		return z, e.PublicKey().Bytes(), oid, nil
	}
	return nil, nil, nil, fmt.Errorf("%w: recipient key type %T", ErrUnsupported, recipient)
}

// deriveKEK runs ConcatKDF(SHA-256) on z and keeps the leftmost 128 bits for kw-aes128.
func deriveKEK(z []byte, p concatkdf.Params) ([]byte, error) {
	return concatkdf.Derive(sha256.New, z, p.OtherInfo(), aes128KeySize)
}

// AgreedKey is the result of the sender side of ECDH-ES + ConcatKDF + kw-aes128.
type AgreedKey struct {
	// CurveOID names the curve of the ephemeral (originator) key.
	CurveOID asn1.ObjectIdentifier
	// Ephemeral is the originator's public point, uncompressed SEC1.
	Ephemeral []byte
	// WrappedKey is the RFC 3394 wrap of the content-encryption key.
	WrappedKey []byte
}

// WrapKey performs the sender side: an ephemeral key pair on the recipient's curve, ECDH with
// the recipient's static key, ConcatKDF with kdf, and the AES-128 key wrap of cek.
func WrapKey(rand io.Reader, recipient any, cek []byte, kdf concatkdf.Params) (*AgreedKey, error) {
	z, eph, oid, err := ephemeralAgree(rand, recipient)
	if err != nil {
		return nil, err
	}
	defer clear(z)
	kek, err := deriveKEK(z, kdf)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	wrapped, err := keywrap.Wrap(kek, cek)
	if err != nil {
		return nil, err
	}
	return &AgreedKey{CurveOID: oid, Ephemeral: eph, WrappedKey: wrapped}, nil
}

// UnwrapKey performs the recipient side of WrapKey with the static key.
func UnwrapKey(key KeyAgreementKey, curve asn1.ObjectIdentifier, ephemeral, wrapped []byte, kdf concatkdf.Params) ([]byte, error) {
	if !key.CurveOID().Equal(curve) {
		return nil, fmt.Errorf("%w: originator key on curve %v, ours on %v", ErrMalformed, curve, key.CurveOID())
	}
	z, err := key.ECDH(ephemeral)
	if err != nil {
		return nil, fmt.Errorf("%w: originator key: %v", ErrMalformed, err)
	}
	defer clear(z)
	kek, err := deriveKEK(z, kdf)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	cek, err := keywrap.Unwrap(kek, wrapped)
	if err != nil {
		return nil, ErrDecrypt
	}
	return cek, nil
}

// constantTimeEqual is used to compare key identifiers without early exit.
func constantTimeEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
