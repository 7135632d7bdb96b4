package brainpool

import (
	"math/big"
)

var bigOne = big.NewInt(1)

func mustBig(hex string) *big.Int {
	x, ok := new(big.Int).SetString(hex, 16)
	if !ok {
		panic("brainpool: bad constant " + hex)
	}
	return x
}

// point is a curve point in homogeneous projective coordinates (X:Y:Z),
// each coordinate in Montgomery form mod p; it stands for the affine point
// (X/Z, Y/Z). The identity is (0:1:0).
type point struct {
	x, y, z limbs
}

// pointTable holds the multiples 0*P .. 15*P of one point.
type pointTable [16]point

// setIdentity sets q to the point at infinity (0:1:0).
func (c *Curve) setIdentity(q *point) {
	*q = point{y: c.p.one}
}

// add sets r = p1 + p2 with the complete addition formulas for short
// Weierstrass curves with arbitrary a of Renes, Costello and Batina,
// "Complete addition formulas for prime order elliptic curves" (EUROCRYPT
// 2016, ePrint 2015/1060), Algorithm 1. The formulas have no exceptional
// cases on prime-order curves (identity, doubling, P + (-P) included), so the
// sequence of field operations never depends on the points.
func (c *Curve) add(r, p1, p2 *point) {
	f := c.p
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 limbs
	f.mul(&t0, &p1.x, &p2.x) // 1
	f.mul(&t1, &p1.y, &p2.y) // 2
	f.mul(&t2, &p1.z, &p2.z) // 3
	f.add(&t3, &p1.x, &p1.y) // 4
	f.add(&t4, &p2.x, &p2.y) // 5
	f.mul(&t3, &t3, &t4)     // 6
	f.add(&t4, &t0, &t1)     // 7
	f.sub(&t3, &t3, &t4)     // 8
	f.add(&t4, &p1.x, &p1.z) // 9
	f.add(&t5, &p2.x, &p2.z) // 10
	f.mul(&t4, &t4, &t5)     // 11
	f.add(&t5, &t0, &t2)     // 12
	f.sub(&t4, &t4, &t5)     // 13
	f.add(&t5, &p1.y, &p1.z) // 14
	f.add(&x3, &p2.y, &p2.z) // 15
	f.mul(&t5, &t5, &x3)     // 16
	f.add(&x3, &t1, &t2)     // 17
	f.sub(&t5, &t5, &x3)     // 18
	f.mul(&z3, &c.a, &t4)    // 19
	f.mul(&x3, &c.b3, &t2)   // 20
	f.add(&z3, &x3, &z3)     // 21
	f.sub(&x3, &t1, &z3)     // 22
	f.add(&z3, &t1, &z3)     // 23
	f.mul(&y3, &x3, &z3)     // 24
	f.add(&t1, &t0, &t0)     // 25
	f.add(&t1, &t1, &t0)     // 26
	f.mul(&t2, &c.a, &t2)    // 27
	f.mul(&t4, &c.b3, &t4)   // 28
	f.add(&t1, &t1, &t2)     // 29
	f.sub(&t2, &t0, &t2)     // 30
	f.mul(&t2, &c.a, &t2)    // 31
	f.add(&t4, &t4, &t2)     // 32
	f.mul(&t0, &t1, &t4)     // 33
	f.add(&y3, &y3, &t0)     // 34
	f.mul(&t0, &t5, &t4)     // 35
	f.mul(&x3, &t3, &x3)     // 36
	f.sub(&x3, &x3, &t0)     // 37
	f.mul(&t0, &t3, &t1)     // 38
	f.mul(&z3, &t5, &z3)     // 39
	f.add(&z3, &z3, &t0)     // 40
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2*p1 with the exception-free doubling formulas for
// arbitrary a of Renes, Costello and Batina (ePrint 2015/1060), Algorithm 3.
func (c *Curve) double(r, p1 *point) {
	f := c.p
	var t0, t1, t2, t3, x3, y3, z3 limbs
	f.sqr(&t0, &p1.x)        // 1
	f.sqr(&t1, &p1.y)        // 2
	f.sqr(&t2, &p1.z)        // 3
	f.mul(&t3, &p1.x, &p1.y) // 4
	f.add(&t3, &t3, &t3)     // 5
	f.mul(&z3, &p1.x, &p1.z) // 6
	f.add(&z3, &z3, &z3)     // 7
	f.mul(&x3, &c.a, &z3)    // 8
	f.mul(&y3, &c.b3, &t2)   // 9
	f.add(&y3, &x3, &y3)     // 10
	f.sub(&x3, &t1, &y3)     // 11
	f.add(&y3, &t1, &y3)     // 12
	f.mul(&y3, &x3, &y3)     // 13
	f.mul(&x3, &t3, &x3)     // 14
	f.mul(&z3, &c.b3, &z3)   // 15
	f.mul(&t2, &c.a, &t2)    // 16
	f.sub(&t3, &t0, &t2)     // 17
	f.mul(&t3, &c.a, &t3)    // 18
	f.add(&t3, &t3, &z3)     // 19
	f.add(&z3, &t0, &t0)     // 20
	f.add(&t0, &z3, &t0)     // 21
	f.add(&t0, &t0, &t2)     // 22
	f.mul(&t0, &t0, &t3)     // 23
	f.add(&y3, &y3, &t0)     // 24
	f.mul(&t2, &p1.y, &p1.z) // 25
	f.add(&t2, &t2, &t2)     // 26
	f.mul(&t0, &t2, &t3)     // 27
	f.sub(&x3, &x3, &t0)     // 28
	f.mul(&z3, &t2, &t1)     // 29
	f.add(&z3, &z3, &z3)     // 30
	f.add(&z3, &z3, &z3)     // 31
	r.x, r.y, r.z = x3, y3, z3
}

// neg sets r = -p1.
func (c *Curve) neg(r, p1 *point) {
	r.x = p1.x
	c.p.neg(&r.y, &p1.y)
	r.z = p1.z
}

// selectPoint sets r = a if cond == 1 and r = b if cond == 0, in constant time.
func (c *Curve) selectPoint(r, a, b *point, cond uint64) {
	c.p.sel(&r.x, &a.x, &b.x, cond)
	c.p.sel(&r.y, &a.y, &b.y, cond)
	c.p.sel(&r.z, &a.z, &b.z, cond)
}

// lookup sets r = t[idx] for idx < 16, reading every entry of the table so
// that the memory access pattern does not depend on idx.
func (c *Curve) lookup(r *point, t *pointTable, idx uint64) {
	*r = point{}
	n := c.p.n
	for j := 0; j < 16; j++ {
		// eq is 1 exactly when j == idx (both < 2^63)
		eq := ((uint64(j) ^ idx) - 1) >> 63
		mk := mask(eq)
		for i := 0; i < n; i++ {
			r.x[i] |= t[j].x[i] & mk
			r.y[i] |= t[j].y[i] & mk
			r.z[i] |= t[j].z[i] & mk
		}
	}
}

// nibble returns the i-th 4-bit digit of the big-endian scalar k, counted
// from the least significant end.
func nibble(k []byte, i int) uint64 {
	b := k[len(k)-1-i/2]
	return uint64(b>>(4*(uint(i)&1))) & 0xf
}

// scalarMult sets r = k*p1 for a big-endian scalar k of c.ByteSize() bytes
// (any value, not necessarily reduced). It uses a fixed 4-bit window with a
// constant-time table lookup and complete formulas: the sequence of field
// operations and memory accesses depends only on the curve.
func (c *Curve) scalarMult(r, p1 *point, k []byte) {
	var t pointTable
	c.setIdentity(&t[0])
	t[1] = *p1
	for j := 2; j < 16; j += 2 {
		c.double(&t[j], &t[j/2])
		c.add(&t[j+1], &t[j], p1)
	}
	var q, s point
	c.setIdentity(&q)
	for i := 2*len(k) - 1; i >= 0; i-- {
		c.double(&q, &q)
		c.double(&q, &q)
		c.double(&q, &q)
		c.double(&q, &q)
		c.lookup(&s, &t, nibble(k, i))
		c.add(&q, &q, &s)
	}
	*r = q
}

// baseTables returns the fixed-base comb tables: entry i holds
// j * 16^i * G for j = 0..15.
func (c *Curve) baseTables() []pointTable {
	c.baseOnce.Do(func() {
		w := 2 * c.p.size
		tabs := make([]pointTable, w)
		base := c.g
		for i := 0; i < w; i++ {
			c.setIdentity(&tabs[i][0])
			tabs[i][1] = base
			for j := 2; j < 16; j++ {
				c.add(&tabs[i][j], &tabs[i][j-1], &base)
			}
			for j := 1; j < 16; j++ {
				c.normalize(&tabs[i][j])
			}
			c.double(&base, &tabs[i][8])
		}
		c.baseTable = tabs
	})
	return c.baseTable
}

// scalarBaseMult sets r = k*G for a big-endian scalar k of c.ByteSize()
// bytes, using the precomputed comb tables: one complete addition and one
// constant-time 16-entry lookup per 4-bit digit, no doublings.
func (c *Curve) scalarBaseMult(r *point, k []byte) {
	tabs := c.baseTables()
	var q, s point
	c.setIdentity(&q)
	for i := 0; i < 2*len(k); i++ {
		c.lookup(&s, &tabs[i], nibble(k, i))
		c.add(&q, &q, &s)
	}
	*r = q
}

// normalize rescales a non-identity point to Z = 1 (not constant-time in
// whether p is the identity; used on public points only).
func (c *Curve) normalize(p1 *point) {
	var zinv limbs
	c.p.inv(&zinv, &p1.z)
	c.p.mul(&p1.x, &p1.x, &zinv)
	c.p.mul(&p1.y, &p1.y, &zinv)
	p1.z = c.p.one
}

// affine returns the affine coordinates of p1 (Montgomery form) and 1, or
// 0 if p1 is the identity. Constant-time in p1.
func (c *Curve) affine(p1 *point) (x, y limbs, ok uint64) {
	var zinv limbs
	c.p.inv(&zinv, &p1.z)
	c.p.mul(&x, &p1.x, &zinv)
	c.p.mul(&y, &p1.y, &zinv)
	return x, y, 1 ^ c.p.isZero(&p1.z)
}

// onCurve returns 1 if the affine point (x, y) (Montgomery form) satisfies
// y^2 = x^3 + a*x + b.
func (c *Curve) onCurve(x, y *limbs) uint64 {
	var rhs, t, lhs limbs
	c.rhs(&rhs, x)
	c.p.sqr(&lhs, y)
	_ = t
	return c.p.equal(&lhs, &rhs)
}

// rhs sets z = x^3 + a*x + b.
func (c *Curve) rhs(z, x *limbs) {
	var t, ax limbs
	c.p.sqr(&t, x)
	c.p.mul(&t, &t, x)
	c.p.mul(&ax, &c.a, x)
	c.p.add(&t, &t, &ax)
	c.p.add(z, &t, &c.b)
}

// decodePoint parses a SEC1 encoding (uncompressed 04||X||Y or compressed
// 02/03||X) of a point on the curve; it rejects the identity, coordinates
// not below p and points not on the curve. Public data: not constant-time.
func (c *Curve) decodePoint(b []byte) (point, error) {
	size := c.p.size
	var x, y limbs
	switch {
	case len(b) == 1+2*size && b[0] == 4:
		if c.p.setBytes(&x, b[1:1+size]) != 1 || c.p.setBytes(&y, b[1+size:]) != 1 {
			return point{}, errInvalidPoint
		}
		if c.onCurve(&x, &y) != 1 {
			return point{}, errInvalidPoint
		}
	case len(b) == 1+size && (b[0] == 2 || b[0] == 3):
		if c.p.setBytes(&x, b[1:]) != 1 {
			return point{}, errInvalidPoint
		}
		var rhs, y2 limbs
		c.rhs(&rhs, &x)
		c.p.exp(&y, &rhs, &c.sqrtExp)
		c.p.sqr(&y2, &y)
		if c.p.equal(&y2, &rhs) != 1 {
			return point{}, errInvalidPoint
		}
		var plain limbs
		c.p.fromMont(&plain, &y)
		if plain[0]&1 != uint64(b[0]&1) {
			c.p.neg(&y, &y)
		}
	default:
		return point{}, errInvalidPoint
	}
	return point{x: x, y: y, z: c.p.one}, nil
}

// encodePoint returns the SEC1 encoding of the affine point (x, y).
func (c *Curve) encodePoint(x, y *limbs, compressed bool) []byte {
	size := c.p.size
	if compressed {
		out := make([]byte, 1+size)
		xb := c.p.bytes(x)
		yb := c.p.bytes(y)
		out[0] = 2 | yb[size-1]&1
		copy(out[1:], xb)
		return out
	}
	out := make([]byte, 1+2*size)
	out[0] = 4
	copy(out[1:], c.p.bytes(x))
	copy(out[1+size:], c.p.bytes(y))
	return out
}
