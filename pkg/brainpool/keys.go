package brainpool

import (
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"io"
)

var (
	// ErrInvalidPoint reports a public key encoding that is malformed, not on
	// the curve, or the point at infinity.
	ErrInvalidPoint = errors.New("brainpool: invalid curve point")
	// ErrInvalidPrivateKey reports a private scalar outside [1, n-1] or of the
	// wrong length.
	ErrInvalidPrivateKey = errors.New("brainpool: invalid private key")
	// ErrCurveMismatch reports keys on different curves.
	ErrCurveMismatch = errors.New("brainpool: keys are on different curves")
	// ErrUnsupportedCurve reports a key encoding naming a curve other than
	// brainpoolP256r1/P384r1/P512r1, or explicit curve parameters.
	ErrUnsupportedCurve = errors.New("brainpool: unsupported curve")
)

var errInvalidPoint = ErrInvalidPoint

// PublicKey is a validated point on a brainpool curve (never the identity).
// It is immutable.
type PublicKey struct {
	curve *Curve
	q     point // internal coordinates, Z = 1
	raw   []byte
}

// PrivateKey is a brainpool private key: a scalar d in [1, n-1] with its
// public point d*G. It implements crypto.Signer (ASN.1 DER signatures). It
// is immutable.
type PrivateKey struct {
	pub PublicKey
	d   []byte // big-endian, ByteSize() bytes
}

// NewPublicKey parses a SEC1 point encoding (uncompressed 0x04||X||Y or
// compressed 0x02/0x03||X) on curve c. It checks that both coordinates are
// below p and that the point is on the curve; the identity cannot be encoded
// and is refused.
func NewPublicKey(c *Curve, sec1 []byte) (*PublicKey, error) {
	x, y, err := c.decodePoint(sec1)
	if err != nil {
		return nil, err
	}
	return &PublicKey{curve: c, q: c.fromAffine(&x, &y), raw: c.encodePoint(&x, &y, false)}, nil
}

// Curve returns the key's curve.
func (k *PublicKey) Curve() *Curve { return k.curve }

// Bytes returns the uncompressed SEC1 encoding 0x04||X||Y.
func (k *PublicKey) Bytes() []byte { return append([]byte(nil), k.raw...) }

// BytesCompressed returns the compressed SEC1 encoding 0x02/0x03||X.
func (k *PublicKey) BytesCompressed() []byte {
	size := k.curve.ByteSize()
	out := make([]byte, 1+size)
	out[0] = 2 | k.raw[2*size]&1
	copy(out[1:], k.raw[1:1+size])
	return out
}

// Equal reports whether x is a *PublicKey on the same curve with the same
// point.
func (k *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	return ok && o.curve == k.curve && subtle.ConstantTimeCompare(o.raw, k.raw) == 1
}

// NewPrivateKey builds a private key from its big-endian scalar d, which
// must be exactly c.ByteSize() bytes and in [1, n-1]. It computes the public
// point d*G in constant time.
func NewPrivateKey(c *Curve, d []byte) (*PrivateKey, error) {
	if len(d) != c.n.size {
		return nil, ErrInvalidPrivateKey
	}
	var x limbs
	c.n.fromBytes(&x, d)
	if c.n.less(&x)&(1^c.n.isZero(&x)) != 1 {
		return nil, ErrInvalidPrivateKey
	}
	var q point
	c.scalarBaseMult(&q, d)
	ax, ay, ok := c.affine(&q)
	if ok != 1 {
		return nil, ErrInvalidPrivateKey // unreachable for d in [1, n-1]
	}
	pub := PublicKey{curve: c, q: c.fromAffine(&ax, &ay)}
	pub.raw = c.encodePoint(&ax, &ay, false)
	return &PrivateKey{pub: pub, d: append([]byte(nil), d...)}, nil
}

// GenerateKey returns a new key pair on c with d drawn uniformly from
// [1, n-1] by rejection sampling (FIPS 186-5 A.2.2). A nil rand means
// crypto/rand.Reader.
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	if rand == nil {
		rand = cryptoRand()
	}
	b := make([]byte, c.n.size)
	for range 100 {
		if _, err := io.ReadFull(rand, b); err != nil {
			return nil, err
		}
		k, err := NewPrivateKey(c, b)
		if err == nil {
			return k, nil
		}
	}
	return nil, errors.New("brainpool: random source keeps producing out-of-range scalars")
}

func cryptoRand() io.Reader { return rand.Reader }

// Curve returns the key's curve.
func (k *PrivateKey) Curve() *Curve { return k.pub.curve }

// Bytes returns a copy of the big-endian private scalar (ByteSize() bytes).
func (k *PrivateKey) Bytes() []byte { return append([]byte(nil), k.d...) }

// PublicKey returns the public half of the key.
func (k *PrivateKey) PublicKey() *PublicKey { return &k.pub }

// Public returns the public half of the key as a crypto.PublicKey
// (*PublicKey); it implements crypto.Signer.
func (k *PrivateKey) Public() crypto.PublicKey { return &k.pub }

// Equal reports whether x is a *PrivateKey with the same curve and scalar
// (constant-time in the scalars).
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && o.pub.curve == k.pub.curve && subtle.ConstantTimeCompare(o.d, k.d) == 1
}

// ECDH performs elliptic-curve Diffie–Hellman (SEC1 §3.3.1, cofactor 1) with
// the peer's public key and returns the x-coordinate of d*Q as ByteSize()
// big-endian bytes. The peer key must be on the same curve; it was checked to
// be on the curve and not the identity when it was parsed. The computation is
// constant-time in the private scalar.
func (k *PrivateKey) ECDH(peer *PublicKey) ([]byte, error) {
	c := k.pub.curve
	if peer == nil || peer.curve != c {
		return nil, ErrCurveMismatch
	}
	var r point
	c.scalarMult(&r, &peer.q, k.d)
	x, _, ok := c.affine(&r)
	if ok != 1 {
		// impossible for a valid peer point and d in [1, n-1] on a prime-order curve
		return nil, ErrInvalidPoint
	}
	return c.p.bytes(&x), nil
}
