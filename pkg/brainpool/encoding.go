package brainpool

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// oidPublicKeyEC is id-ecPublicKey (RFC 5480 §2.1.1), the algorithm of every
// elliptic-curve SubjectPublicKeyInfo and PKCS#8 key.
var oidPublicKeyEC = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}

// OIDPublicKeyEC returns a copy of id-ecPublicKey, 1.2.840.10045.2.1.
func OIDPublicKeyEC() asn1.ObjectIdentifier {
	return append(asn1.ObjectIdentifier(nil), oidPublicKeyEC...)
}

// ErrMalformedKey reports a key encoding that is not valid DER of the
// expected structure.
var ErrMalformedKey = errors.New("brainpool: malformed key encoding")

// MarshalPKIXPublicKey returns the DER SubjectPublicKeyInfo (RFC 5280
// §4.1.2.7, RFC 5480) of pub: algorithm id-ecPublicKey with the curve's
// namedCurve OID as parameters and the uncompressed point.
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgorithm(b, pub.curve)
		b.AddASN1BitString(pub.raw)
	})
	return b.Bytes()
}

func addAlgorithm(b *cryptobyte.Builder, c *Curve) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidPublicKeyEC)
		b.AddASN1ObjectIdentifier(c.oid)
	})
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding an
// id-ecPublicKey on a named brainpool r1 curve (RFC 5639 OIDs). Explicit
// curve parameters and other curves yield ErrUnsupportedCurve; the point is
// validated as by NewPublicKey (compressed points are accepted).
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	input := cryptobyte.String(der)
	var spki cryptobyte.String
	var bits asn1.BitString
	if !input.ReadASN1(&spki, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo", ErrMalformedKey)
	}
	c, err := readAlgorithm(&spki, true)
	if err != nil {
		return nil, err
	}
	if !spki.ReadASN1BitString(&bits) || !spki.Empty() || bits.BitLength%8 != 0 {
		return nil, fmt.Errorf("%w: subjectPublicKey", ErrMalformedKey)
	}
	return NewPublicKey(c, bits.Bytes)
}

// readAlgorithm reads an AlgorithmIdentifier that must be id-ecPublicKey.
// If required is set the parameters must be a supported namedCurve;
// otherwise absent parameters yield a nil curve.
func readAlgorithm(s *cryptobyte.String, required bool) (*Curve, error) {
	var algo cryptobyte.String
	var alg asn1.ObjectIdentifier
	if !s.ReadASN1(&algo, cbasn1.SEQUENCE) || !algo.ReadASN1ObjectIdentifier(&alg) {
		return nil, fmt.Errorf("%w: AlgorithmIdentifier", ErrMalformedKey)
	}
	if !alg.Equal(oidPublicKeyEC) {
		return nil, fmt.Errorf("%w: algorithm %v is not id-ecPublicKey", ErrUnsupportedCurve, alg)
	}
	if algo.Empty() && !required {
		return nil, nil
	}
	return readNamedCurve(&algo)
}

// readNamedCurve reads ECParameters that must be a namedCurve OID of a
// supported curve and nothing else (RFC 5480 §2.1.1: implicitCurve and
// specifiedCurve are refused).
func readNamedCurve(s *cryptobyte.String) (*Curve, error) {
	var named asn1.ObjectIdentifier
	if !s.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		return nil, fmt.Errorf("%w: parameters are not a namedCurve", ErrUnsupportedCurve)
	}
	if !s.ReadASN1ObjectIdentifier(&named) || !s.Empty() {
		return nil, fmt.Errorf("%w: namedCurve", ErrMalformedKey)
	}
	c := CurveByOID(named)
	if c == nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedCurve, named)
	}
	return c, nil
}

// MarshalECPrivateKey returns the SEC1 ECPrivateKey DER (RFC 5915) of priv
// with the namedCurve parameters and the public key.
func MarshalECPrivateKey(priv *PrivateKey) ([]byte, error) {
	return marshalECPrivateKey(priv, true)
}

func marshalECPrivateKey(priv *PrivateKey, withParams bool) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1OctetString(priv.d)
		if withParams {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(priv.pub.curve.oid)
			})
		}
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1BitString(priv.pub.raw)
		})
	})
	return b.Bytes()
}

// ParseECPrivateKey parses a SEC1 ECPrivateKey DER (RFC 5915) that names a
// brainpool r1 curve in its parameters. A scalar shorter than ByteSize() is
// left-padded (older encoders strip leading zeros); a longer one, a scalar
// outside [1, n-1] or an embedded public key that does not match the scalar
// is refused.
func ParseECPrivateKey(der []byte) (*PrivateKey, error) {
	return parseECPrivateKey(der, nil)
}

func parseECPrivateKey(der []byte, c *Curve) (*PrivateKey, error) {
	input := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	var d []byte
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() ||
		!seq.ReadASN1Integer(&version) || version != 1 ||
		!seq.ReadASN1Bytes(&d, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("%w: ECPrivateKey", ErrMalformedKey)
	}
	var params, pubField cryptobyte.String
	var hasParams, hasPub bool
	if !seq.ReadOptionalASN1(&params, &hasParams, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!seq.ReadOptionalASN1(&pubField, &hasPub, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!seq.Empty() {
		return nil, fmt.Errorf("%w: ECPrivateKey fields", ErrMalformedKey)
	}
	if hasParams {
		pc, err := readNamedCurve(&params)
		if err != nil {
			return nil, err
		}
		if c != nil && c != pc {
			return nil, fmt.Errorf("%w: PKCS#8 names %s, ECPrivateKey %s", ErrCurveMismatch, c.name, pc.name)
		}
		c = pc
	}
	if c == nil {
		return nil, fmt.Errorf("%w: no curve named", ErrUnsupportedCurve)
	}
	size := c.ByteSize()
	if len(d) > size {
		return nil, ErrInvalidPrivateKey
	}
	padded := make([]byte, size)
	copy(padded[size-len(d):], d)
	priv, err := NewPrivateKey(c, padded)
	if err != nil {
		return nil, err
	}
	if hasPub {
		var bits asn1.BitString
		if !pubField.ReadASN1BitString(&bits) || !pubField.Empty() || bits.BitLength%8 != 0 {
			return nil, fmt.Errorf("%w: ECPrivateKey publicKey", ErrMalformedKey)
		}
		pub, err := NewPublicKey(c, bits.Bytes)
		if err != nil {
			return nil, err
		}
		if !pub.Equal(&priv.pub) {
			return nil, errors.New("brainpool: ECPrivateKey public key does not match the private scalar")
		}
	}
	return priv, nil
}

// MarshalPKCS8PrivateKey returns the PKCS#8 PrivateKeyInfo DER (RFC 5208 /
// RFC 5958 version 1) of priv: id-ecPublicKey with the namedCurve OID and an
// ECPrivateKey holding the scalar and public key (without repeated
// parameters, as crypto/x509 and OpenSSL write it).
func MarshalPKCS8PrivateKey(priv *PrivateKey) ([]byte, error) {
	inner, err := marshalECPrivateKey(priv, false)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addAlgorithm(b, priv.pub.curve)
		b.AddASN1OctetString(inner)
	})
	return b.Bytes()
}

// ParsePKCS8PrivateKey parses a PKCS#8 PrivateKeyInfo / OneAsymmetricKey
// DER holding an EC key on a brainpool r1 curve. Optional attributes and a
// version-2 public key field are skipped; the ECPrivateKey is checked as by
// ParseECPrivateKey.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	input := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	var inner []byte
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() ||
		!seq.ReadASN1Integer(&version) || (version != 0 && version != 1) {
		return nil, fmt.Errorf("%w: PrivateKeyInfo", ErrMalformedKey)
	}
	c, err := readAlgorithm(&seq, false)
	if err != nil {
		return nil, err
	}
	if !seq.ReadASN1Bytes(&inner, cbasn1.OCTET_STRING) ||
		!seq.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!seq.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) ||
		!seq.Empty() {
		return nil, fmt.Errorf("%w: PrivateKeyInfo fields", ErrMalformedKey)
	}
	return parseECPrivateKey(inner, c)
}
