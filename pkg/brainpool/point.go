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

// point is a point in homogeneous projective coordinates (X:Y:Z) on the
// a = -3 curve isomorphic to the r1 curve (see Curve), each coordinate in
// Montgomery form mod p; it stands for the affine point (X/Z, Y/Z) there.
// The identity is (0:1:0).
type point struct {
	x, y, z limbs
}

// pointTable holds the multiples 0*P .. 15*P of one point.
type pointTable [16]point

// setIdentity sets q to the point at infinity (0:1:0).
func (c *Curve) setIdentity(q *point) {
	*q = point{y: c.p.one}
}

// add sets r = p1 + p2 (internal coordinates) with the complete addition
// formulas for a = -3 of Renes, Costello and Batina, "Complete addition
// formulas for prime order elliptic curves" (EUROCRYPT 2016, ePrint
// 2015/1060), Algorithm 4. They have no exceptional cases on prime-order
// curves (identity, doubling, P + (-P) included), so the sequence of field
// operations never depends on the points.
func (c *Curve) add(r, p1, p2 *point) {
	f := c.p
	var t0, t1, t2, t3, t4, x3, y3, z3 limbs
	f.mul(&t0, &p1.x, &p2.x) // t0 := X1 * X2
	f.mul(&t1, &p1.y, &p2.y) // t1 := Y1 * Y2
	f.mul(&t2, &p1.z, &p2.z) // t2 := Z1 * Z2
	f.add(&t3, &p1.x, &p1.y) // t3 := X1 + Y1
	f.add(&t4, &p2.x, &p2.y) // t4 := X2 + Y2
	f.mul(&t3, &t3, &t4)     // t3 := t3 * t4
	f.add(&t4, &t0, &t1)     // t4 := t0 + t1
	f.sub(&t3, &t3, &t4)     // t3 := t3 - t4
	f.add(&t4, &p1.y, &p1.z) // t4 := Y1 + Z1
	f.add(&x3, &p2.y, &p2.z) // X3 := Y2 + Z2
	f.mul(&t4, &t4, &x3)     // t4 := t4 * X3
	f.add(&x3, &t1, &t2)     // X3 := t1 + t2
	f.sub(&t4, &t4, &x3)     // t4 := t4 - X3
	f.add(&x3, &p1.x, &p1.z) // X3 := X1 + Z1
	f.add(&y3, &p2.x, &p2.z) // Y3 := X2 + Z2
	f.mul(&x3, &x3, &y3)     // X3 := X3 * Y3
	f.add(&y3, &t0, &t2)     // Y3 := t0 + t2
	f.sub(&y3, &x3, &y3)     // Y3 := X3 - Y3
	f.mul(&z3, &c.bt, &t2)   // Z3 := b * t2
	f.sub(&x3, &y3, &z3)     // X3 := Y3 - Z3
	f.add(&z3, &x3, &x3)     // Z3 := X3 + X3
	f.add(&x3, &x3, &z3)     // X3 := X3 + Z3
	f.sub(&z3, &t1, &x3)     // Z3 := t1 - X3
	f.add(&x3, &t1, &x3)     // X3 := t1 + X3
	f.mul(&y3, &c.bt, &y3)   // Y3 := b * Y3
	f.add(&t1, &t2, &t2)     // t1 := t2 + t2
	f.add(&t2, &t1, &t2)     // t2 := t1 + t2
	f.sub(&y3, &y3, &t2)     // Y3 := Y3 - t2
	f.sub(&y3, &y3, &t0)     // Y3 := Y3 - t0
	f.add(&t1, &y3, &y3)     // t1 := Y3 + Y3
	f.add(&y3, &t1, &y3)     // Y3 := t1 + Y3
	f.add(&t1, &t0, &t0)     // t1 := t0 + t0
	f.add(&t0, &t1, &t0)     // t0 := t1 + t0
	f.sub(&t0, &t0, &t2)     // t0 := t0 - t2
	f.mul(&t1, &t4, &y3)     // t1 := t4 * Y3
	f.mul(&t2, &t0, &y3)     // t2 := t0 * Y3
	f.mul(&y3, &x3, &z3)     // Y3 := X3 * Z3
	f.add(&y3, &y3, &t2)     // Y3 := Y3 + t2
	f.mul(&x3, &t3, &x3)     // X3 := t3 * X3
	f.sub(&x3, &x3, &t1)     // X3 := X3 - t1
	f.mul(&z3, &t4, &z3)     // Z3 := t4 * Z3
	f.mul(&t1, &t3, &t0)     // t1 := t3 * t0
	f.add(&z3, &z3, &t1)     // Z3 := Z3 + t1
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2*p1 (internal coordinates) with the exception-free
// doubling formulas for a = -3 of Renes, Costello and Batina (ePrint
// 2015/1060), Algorithm 6.
func (c *Curve) double(r, p1 *point) {
	f := c.p
	var t0, t1, t2, t3, x3, y3, z3 limbs
	f.sqr(&t0, &p1.x)        // t0 := X ^ 2
	f.sqr(&t1, &p1.y)        // t1 := Y ^ 2
	f.sqr(&t2, &p1.z)        // t2 := Z ^ 2
	f.mul(&t3, &p1.x, &p1.y) // t3 := X * Y
	f.add(&t3, &t3, &t3)     // t3 := t3 + t3
	f.mul(&z3, &p1.x, &p1.z) // Z3 := X * Z
	f.add(&z3, &z3, &z3)     // Z3 := Z3 + Z3
	f.mul(&y3, &c.bt, &t2)   // Y3 := b * t2
	f.sub(&y3, &y3, &z3)     // Y3 := Y3 - Z3
	f.add(&x3, &y3, &y3)     // X3 := Y3 + Y3
	f.add(&y3, &x3, &y3)     // Y3 := X3 + Y3
	f.sub(&x3, &t1, &y3)     // X3 := t1 - Y3
	f.add(&y3, &t1, &y3)     // Y3 := t1 + Y3
	f.mul(&y3, &x3, &y3)     // Y3 := X3 * Y3
	f.mul(&x3, &x3, &t3)     // X3 := X3 * t3
	f.add(&t3, &t2, &t2)     // t3 := t2 + t2
	f.add(&t2, &t2, &t3)     // t2 := t2 + t3
	f.mul(&z3, &c.bt, &z3)   // Z3 := b * Z3
	f.sub(&z3, &z3, &t2)     // Z3 := Z3 - t2
	f.sub(&z3, &z3, &t0)     // Z3 := Z3 - t0
	f.add(&t3, &z3, &z3)     // t3 := Z3 + Z3
	f.add(&z3, &z3, &t3)     // Z3 := Z3 + t3
	f.add(&t3, &t0, &t0)     // t3 := t0 + t0
	f.add(&t0, &t3, &t0)     // t0 := t3 + t0
	f.sub(&t0, &t0, &t2)     // t0 := t0 - t2
	f.mul(&t0, &t0, &z3)     // t0 := t0 * Z3
	f.add(&y3, &y3, &t0)     // Y3 := Y3 + t0
	f.mul(&t0, &p1.y, &p1.z) // t0 := Y * Z
	f.add(&t0, &t0, &t0)     // t0 := t0 + t0
	f.mul(&z3, &t0, &z3)     // Z3 := t0 * Z3
	f.sub(&x3, &x3, &z3)     // X3 := X3 - Z3
	f.mul(&z3, &t0, &t1)     // Z3 := t0 * t1
	f.add(&z3, &z3, &z3)     // Z3 := Z3 + Z3
	f.add(&z3, &z3, &z3)     // Z3 := Z3 + Z3
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

// fromAffine maps the affine r1 point (x, y) (Montgomery form) to internal
// coordinates (x*Z^2 : y*Z^3 : 1).
func (c *Curve) fromAffine(x, y *limbs) point {
	var q point
	c.p.mul(&q.x, x, &c.z2)
	c.p.mul(&q.y, y, &c.z3)
	q.z = c.p.one
	return q
}

// affine returns the affine r1 coordinates of p1 (Montgomery form) and 1,
// or 0 if p1 is the identity. Constant-time in p1.
func (c *Curve) affine(p1 *point) (x, y limbs, ok uint64) {
	var zinv, t limbs
	c.p.inv(&zinv, &p1.z)
	c.p.mul(&t, &zinv, &c.z2inv)
	c.p.mul(&x, &p1.x, &t)
	c.p.mul(&t, &zinv, &c.z3inv)
	c.p.mul(&y, &p1.y, &t)
	return x, y, 1 ^ c.p.isZero(&p1.z)
}

// onCurve returns 1 if the affine point (x, y) (Montgomery form) satisfies
// y^2 = x^3 + a*x + b.
func (c *Curve) onCurve(x, y *limbs) uint64 {
	var rhs, lhs limbs
	c.rhs(&rhs, x)
	c.p.sqr(&lhs, y)
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
// 02/03||X) of a point on the r1 curve and returns its affine coordinates
// (Montgomery form); it rejects the identity, coordinates not below p and
// points not on the curve. Public data: not constant-time.
func (c *Curve) decodePoint(b []byte) (x, y limbs, err error) {
	size := c.p.size
	switch {
	case len(b) == 1+2*size && b[0] == 4:
		if c.p.setBytes(&x, b[1:1+size]) != 1 || c.p.setBytes(&y, b[1+size:]) != 1 {
			return x, y, errInvalidPoint
		}
		if c.onCurve(&x, &y) != 1 {
			return x, y, errInvalidPoint
		}
	case len(b) == 1+size && (b[0] == 2 || b[0] == 3):
		if c.p.setBytes(&x, b[1:]) != 1 {
			return x, y, errInvalidPoint
		}
		var rhs, y2 limbs
		c.rhs(&rhs, &x)
		c.p.exp(&y, &rhs, &c.sqrtExp)
		c.p.sqr(&y2, &y)
		if c.p.equal(&y2, &rhs) != 1 {
			return x, y, errInvalidPoint
		}
		var plain limbs
		c.p.fromMont(&plain, &y)
		if plain[0]&1 != uint64(b[0]&1) {
			c.p.neg(&y, &y)
		}
	default:
		return x, y, errInvalidPoint
	}
	return x, y, nil
}

// encodePoint returns the SEC1 encoding of the affine r1 point (x, y).
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
