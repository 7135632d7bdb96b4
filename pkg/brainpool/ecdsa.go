package brainpool

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"errors"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrInvalidSignature reports a signature encoding that cannot be parsed
// (signature verification itself only answers true or false).
var ErrInvalidSignature = errors.New("brainpool: malformed signature")

// Sign signs digest with the key and returns an ASN.1 DER ECDSA-Sig-Value
// (SEQUENCE { r INTEGER, s INTEGER }); it implements crypto.Signer.
//
// The nonce is derived per RFC 6979 from the key and the digest with
// HMAC-opts.HashFunc() (the digest-length default of SignASN1 when opts is
// nil or names no hash). If rand is not nil, ByteSize() bytes read from it
// are mixed in as the RFC 6979 §3.6 additional data ("hedged" signatures:
// still safe if rand is broken, no longer reproducible); with a nil rand the
// signature is deterministic. Digests longer than the order are truncated as
// in SEC1 §4.1.3. Constant-time in the private key and the nonce.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	h := crypto.Hash(0)
	if opts != nil {
		h = opts.HashFunc()
	}
	if h != 0 && len(digest) != h.Size() {
		return nil, errors.New("brainpool: digest length does not match the hash function")
	}
	r, s, err := k.sign(rand, digest, h)
	if err != nil {
		return nil, err
	}
	return encodeASN1Signature(r, s), nil
}

// SignASN1 signs digest like (*PrivateKey).Sign and returns an ASN.1 DER
// signature. The RFC 6979 HMAC hash is SHA-256, SHA-384 or SHA-512 for a
// digest of 32, 48 or 64 bytes, and the curve's Hash() otherwise.
func SignASN1(rand io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := priv.sign(rand, digest, 0)
	if err != nil {
		return nil, err
	}
	return encodeASN1Signature(r, s), nil
}

// SignP1363 signs digest like SignASN1 and returns the IEEE P1363 encoding
// r||s, each half ByteSize() bytes big-endian (the form XMLDSig's
// ecdsa-sha256 SignatureValue uses, RFC 4050 / XMLDSig 1.1 §6.4.3).
func SignP1363(rand io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := priv.sign(rand, digest, 0)
	if err != nil {
		return nil, err
	}
	return append(r, s...), nil
}

// VerifyASN1 reports whether sig is a valid ASN.1 DER ECDSA signature of
// digest by pub. Non-DER encodings (BER, trailing data, non-minimal or
// negative integers) and r or s outside [1, n-1] are invalid. Verification
// handles public data only and is not constant-time.
func VerifyASN1(pub *PublicKey, digest, sig []byte) bool {
	r, s, err := parseASN1Signature(pub.curve, sig)
	if err != nil {
		return false
	}
	return pub.verify(digest, r, s)
}

// VerifyP1363 reports whether sig = r||s (exactly 2*ByteSize() bytes) is a
// valid ECDSA signature of digest by pub. Not constant-time (public data).
func VerifyP1363(pub *PublicKey, digest, sig []byte) bool {
	size := pub.curve.ByteSize()
	if len(sig) != 2*size {
		return false
	}
	return pub.verify(digest, sig[:size], sig[size:])
}

// SignatureP1363ToASN1 converts an r||s signature for curve c to ASN.1 DER.
// It checks the length only, not the ranges of r and s.
func SignatureP1363ToASN1(c *Curve, sig []byte) ([]byte, error) {
	if len(sig) != 2*c.ByteSize() {
		return nil, ErrInvalidSignature
	}
	return encodeASN1Signature(sig[:c.ByteSize()], sig[c.ByteSize():]), nil
}

// SignatureASN1ToP1363 converts a DER signature for curve c to r||s. It
// fails if the encoding is not DER or an integer does not fit in ByteSize()
// bytes.
func SignatureASN1ToP1363(c *Curve, sig []byte) ([]byte, error) {
	r, s, err := parseASN1Signature(c, sig)
	if err != nil {
		return nil, err
	}
	return append(r, s...), nil
}

// hmacHash picks the RFC 6979 HMAC hash: the named one, else by digest length,
// else the curve's.
func (c *Curve) hmacHash(h crypto.Hash, digestLen int) crypto.Hash {
	if h != 0 && h.Available() {
		return h
	}
	switch digestLen {
	case 32:
		return crypto.SHA256
	case 48:
		return crypto.SHA384
	case 64:
		return crypto.SHA512
	}
	return c.hash
}

// hashToScalar sets e = bits2int(digest) mod n (SEC1 §4.1.3 step 5,
// RFC 6979 §2.3.2): the leftmost qlen bits of the digest. All brainpool
// orders have a bit length of exactly 8*size, so truncation is by bytes and
// e < 2^qlen < 2n needs one conditional subtraction.
func (c *Curve) hashToScalar(e *limbs, digest []byte) {
	size := c.n.size
	buf := make([]byte, size)
	if len(digest) >= size {
		copy(buf, digest[:size])
	} else {
		copy(buf[size-len(digest):], digest)
	}
	var x limbs
	c.n.fromBytes(&x, buf)
	c.n.reduceOnce(e, &x)
}

// sign returns r and s as ByteSize()-byte big-endian values.
func (k *PrivateKey) sign(rand io.Reader, digest []byte, h crypto.Hash) (rb, sb []byte, err error) {
	c := k.pub.curve
	nm := c.n
	var extra []byte
	if rand != nil {
		extra = make([]byte, nm.size)
		if _, err := io.ReadFull(rand, extra); err != nil {
			return nil, nil, err
		}
	}
	var e limbs
	c.hashToScalar(&e, digest)
	h1 := make([]byte, nm.size)
	nm.toBytes(h1, &e)
	gen := newRFC6979(nm, c.hmacHash(h, len(digest)).New, k.d, h1, extra)

	var d, dM, eM limbs
	nm.fromBytes(&d, k.d)
	nm.toMont(&dM, &d)
	nm.toMont(&eM, &e)
	for {
		kb := gen.next()
		var R point
		c.scalarBaseMult(&R, kb)
		x, _, _ := c.affine(&R) // k in [1, n-1]: never the identity
		var xp, r limbs
		c.p.fromMont(&xp, &x)
		nm.reduceOnce(&r, &xp) // x < p < 2n
		if nm.isZero(&r) == 1 {
			continue // probability ~2^-256; reveals nothing about d
		}
		var kk, kM, kInv, rM, t, s limbs
		nm.fromBytes(&kk, kb)
		nm.toMont(&kM, &kk)
		nm.inv(&kInv, &kM)
		nm.toMont(&rM, &r)
		nm.mul(&t, &rM, &dM)
		nm.add(&t, &t, &eM)
		nm.mul(&t, &t, &kInv)
		nm.fromMont(&s, &t)
		if nm.isZero(&s) == 1 {
			continue
		}
		rb = make([]byte, nm.size)
		sb = make([]byte, nm.size)
		nm.toBytes(rb, &r)
		nm.toBytes(sb, &s)
		return rb, sb, nil
	}
}

// verify checks r and s (ByteSize() bytes each) against digest (SEC1 §4.1.4).
func (k *PublicKey) verify(digest, rb, sb []byte) bool {
	c := k.curve
	nm := c.n
	var r, s limbs
	nm.fromBytes(&r, rb)
	nm.fromBytes(&s, sb)
	if nm.isZero(&r) == 1 || nm.isZero(&s) == 1 || nm.less(&r) != 1 || nm.less(&s) != 1 {
		return false
	}
	var e, eM, rM, sM, w, u1, u2 limbs
	c.hashToScalar(&e, digest)
	nm.toMont(&eM, &e)
	nm.toMont(&rM, &r)
	nm.toMont(&sM, &s)
	nm.inv(&w, &sM)
	nm.mul(&u1, &eM, &w)
	nm.mul(&u2, &rM, &w)
	nm.fromMont(&u1, &u1)
	nm.fromMont(&u2, &u2)
	u1b := make([]byte, nm.size)
	u2b := make([]byte, nm.size)
	nm.toBytes(u1b, &u1)
	nm.toBytes(u2b, &u2)
	var p1, p2 point
	c.scalarBaseMult(&p1, u1b)
	c.scalarMult(&p2, &k.q, u2b)
	c.add(&p1, &p1, &p2)
	x, _, ok := c.affine(&p1)
	if ok != 1 {
		return false
	}
	var xp, v limbs
	c.p.fromMont(&xp, &x)
	nm.reduceOnce(&v, &xp)
	return nm.equal(&v, &r) == 1
}

// rfc6979 is the HMAC_DRBG nonce generator of RFC 6979 §3.2 for an order
// whose bit length is 8*size (qlen = rlen*8, so bits2int needs no shift).
type rfc6979 struct {
	md    *modulus
	newH  func() hash.Hash
	mac   hash.Hash // HMAC keyed with the current K
	v     []byte
	more  bool
	tries int // candidates drawn so far (for the timing test)
}

// newRFC6979 seeds the generator with int2octets(x), bits2octets(h1) and
// optional additional data (RFC 6979 §3.2 steps a–g, §3.6).
func newRFC6979(md *modulus, newH func() hash.Hash, x, h1oct, extra []byte) *rfc6979 {
	hlen := newH().Size()
	g := &rfc6979{md: md, newH: newH, v: bytes.Repeat([]byte{1}, hlen)}
	g.setKey(make([]byte, hlen)) // K = 0x00 00 ... 00
	for _, sep := range []byte{0, 1} {
		g.setKey(g.hmac(nil, g.v, []byte{sep}, x, h1oct, extra)) // K = HMAC_K(V || sep || x || h1 || k')
		g.v = g.hmac(g.v, g.v)                                   // V = HMAC_K(V)
	}
	return g
}

// setKey makes k the HMAC key K.
func (g *rfc6979) setKey(k []byte) { g.mac = hmac.New(g.newH, k) }

// hmac returns HMAC_K(data...) in dst's storage (dst may be among the data:
// it is overwritten only after all data has been absorbed).
func (g *rfc6979) hmac(dst []byte, data ...[]byte) []byte {
	g.mac.Reset()
	for _, d := range data {
		g.mac.Write(d)
	}
	return g.mac.Sum(dst[:0])
}

// next returns the next candidate k in [1, n-1] (RFC 6979 §3.2 step h).
// Candidates at or above n are drawn again: for the brainpool orders
// (n/2^qlen is about 0.66, 0.55, 0.67) that happens to a third or more of
// the candidates, so the running time reveals how many HMAC_DRBG outputs were
// rejected. Those outputs are independent of the accepted k and, being PRF
// outputs under a key derived from d, reveal nothing about d.
func (g *rfc6979) next() []byte {
	for {
		if g.more {
			g.setKey(g.hmac(nil, g.v, []byte{0})) // K = HMAC_K(V || 0x00)
			g.v = g.hmac(g.v, g.v)                // V = HMAC_K(V)
		}
		g.more = true
		t := make([]byte, 0, g.md.size+len(g.v))
		for len(t) < g.md.size {
			g.v = g.hmac(g.v, g.v)
			t = append(t, g.v...)
		}
		t = t[:g.md.size]
		g.tries++
		var kk limbs
		g.md.fromBytes(&kk, t)
		if g.md.less(&kk)&(1^g.md.isZero(&kk)) == 1 {
			return t
		}
	}
}

// encodeASN1Signature encodes big-endian r and s as a DER ECDSA-Sig-Value.
func encodeASN1Signature(r, s []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addASN1IntBytes(b, r)
		addASN1IntBytes(b, s)
	})
	return b.BytesOrPanic()
}

// addASN1IntBytes encodes a non-negative big-endian integer minimally.
func addASN1IntBytes(b *cryptobyte.Builder, x []byte) {
	for len(x) > 1 && x[0] == 0 {
		x = x[1:]
	}
	b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) {
		if len(x) == 0 || x[0]&0x80 != 0 {
			b.AddUint8(0)
		}
		b.AddBytes(x)
	})
}

// parseASN1Signature parses a strict DER ECDSA-Sig-Value and returns r and s
// left-padded to ByteSize() bytes. Range checks are left to verify.
func parseASN1Signature(c *Curve, sig []byte) (r, s []byte, err error) {
	var inner cryptobyte.String
	var rr, ss []byte
	input := cryptobyte.String(sig)
	if !input.ReadASN1(&inner, cbasn1.SEQUENCE) || !input.Empty() ||
		!inner.ReadASN1Integer(&rr) || !inner.ReadASN1Integer(&ss) || !inner.Empty() {
		return nil, nil, ErrInvalidSignature
	}
	size := c.ByteSize()
	pad := func(x []byte) ([]byte, bool) {
		for len(x) > 0 && x[0] == 0 {
			x = x[1:]
		}
		if len(x) > size {
			return nil, false
		}
		out := make([]byte, size)
		copy(out[size-len(x):], x)
		return out, true
	}
	var ok1, ok2 bool
	r, ok1 = pad(rr)
	s, ok2 = pad(ss)
	if !ok1 || !ok2 {
		return nil, nil, ErrInvalidSignature
	}
	return r, s, nil
}
