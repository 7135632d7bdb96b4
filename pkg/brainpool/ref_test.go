package brainpool

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// This file cross-checks the limb arithmetic against a straightforward
// math/big reference (affine formulas, modular arithmetic) on random and
// edge-case inputs.

type refCurve struct {
	p, a, b, n, gx, gy *big.Int
}

func newRefCurve(cp *curveParams) *refCurve {
	return &refCurve{p: mustBig(cp.p), a: mustBig(cp.a), b: mustBig(cp.b), n: mustBig(cp.q), gx: mustBig(cp.x), gy: mustBig(cp.y)}
}

func paramsOf(c *Curve) *curveParams {
	switch c {
	case P256r1():
		return &p256r1Params
	case P384r1():
		return &p384r1Params
	}
	return &p512r1Params
}

// refPoint is an affine point; inf marks the identity.
type refPoint struct {
	x, y *big.Int
	inf  bool
}

func (r *refCurve) add(p1, p2 refPoint) refPoint {
	if p1.inf {
		return p2
	}
	if p2.inf {
		return p1
	}
	var lambda *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		sum := new(big.Int).Add(p1.y, p2.y)
		if sum.Mod(sum, r.p).Sign() == 0 {
			return refPoint{inf: true}
		}
		// doubling: (3x^2 + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, r.a)
		den := new(big.Int).Lsh(p1.y, 1)
		lambda = num.Mul(num, den.ModInverse(den, r.p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, r.p)
		lambda = num.Mul(num, den.ModInverse(den, r.p))
	}
	lambda.Mod(lambda, r.p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, r.p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, lambda).Sub(y3, p1.y).Mod(y3, r.p)
	return refPoint{x: x3, y: y3}
}

func (r *refCurve) mul(p1 refPoint, k *big.Int) refPoint {
	acc := refPoint{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = r.add(acc, acc)
		if k.Bit(i) == 1 {
			acc = r.add(acc, p1)
		}
	}
	return acc
}

func (r *refCurve) g() refPoint { return refPoint{x: r.gx, y: r.gy} }

// toRef converts a projective point to affine big.Int coordinates.
func toRef(c *Curve, q *point) refPoint {
	x, y, ok := c.affine(q)
	if ok != 1 {
		return refPoint{inf: true}
	}
	return refPoint{x: new(big.Int).SetBytes(c.p.bytes(&x)), y: new(big.Int).SetBytes(c.p.bytes(&y))}
}

func fromRef(t *testing.T, c *Curve, p refPoint) point {
	if p.inf {
		var q point
		c.setIdentity(&q)
		return q
	}
	var x, y limbs
	if c.p.setBytes(&x, p.x.FillBytes(make([]byte, c.p.size))) != 1 ||
		c.p.setBytes(&y, p.y.FillBytes(make([]byte, c.p.size))) != 1 {
		t.Fatal("reference point out of range")
	}
	return c.fromAffine(&x, &y)
}

func samePoint(a, b refPoint) bool {
	if a.inf || b.inf {
		return a.inf == b.inf
	}
	return a.x.Cmp(b.x) == 0 && a.y.Cmp(b.y) == 0
}

func randBelow(t testing.TB, m *big.Int) *big.Int {
	x, err := rand.Int(rand.Reader, m)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// edgeValues are small and large values modulo m.
func edgeValues(m *big.Int) []*big.Int {
	out := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2)}
	for _, d := range []int64{1, 2} {
		out = append(out, new(big.Int).Sub(m, big.NewInt(d)))
	}
	half := new(big.Int).Rsh(m, 1)
	out = append(out, half, new(big.Int).Add(half, big.NewInt(1)))
	// all-ones words below m: 2^(k)-1 for a few k
	for _, k := range []uint{63, 64, 65, 128, 255} {
		v := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), k), big.NewInt(1))
		if v.Cmp(m) < 0 {
			out = append(out, v)
		}
	}
	return out
}

func testModulusAgainstBig(t *testing.T, md *modulus, m *big.Int) {
	enc := func(x *big.Int) limbs {
		var z limbs
		if md.setBytes(&z, x.FillBytes(make([]byte, md.size))) != 1 {
			t.Fatalf("%x not below the modulus", x)
		}
		return z
	}
	dec := func(z *limbs) *big.Int { return new(big.Int).SetBytes(md.bytes(z)) }
	vals := edgeValues(m)
	for i := 0; i < 200; i++ {
		vals = append(vals, randBelow(t, m))
	}
	rInv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), uint(64*md.n)), m)
	for i, x := range vals {
		y := vals[(i*7+3)%len(vals)]
		xm, ym := enc(x), enc(y)
		var z limbs
		check := func(op string, got limbs, want *big.Int) {
			t.Helper()
			want.Mod(want, m)
			if g := dec(&got); g.Cmp(want) != 0 {
				t.Fatalf("%s(%x, %x) = %x, want %x", op, x, y, g, want)
			}
		}
		md.add(&z, &xm, &ym)
		check("add", z, new(big.Int).Add(x, y))
		md.sub(&z, &xm, &ym)
		check("sub", z, new(big.Int).Sub(x, y))
		md.neg(&z, &xm)
		check("neg", z, new(big.Int).Neg(x))
		md.mul(&z, &xm, &ym)
		check("mul", z, new(big.Int).Mul(x, y))
		md.sqr(&z, &xm)
		check("sqr", z, new(big.Int).Mul(x, x))
		// raw Montgomery product of plain values: x*y*R^-1
		var px, py limbs
		md.fromBytes(&px, x.FillBytes(make([]byte, md.size)))
		md.fromBytes(&py, y.FillBytes(make([]byte, md.size)))
		md.mul(&z, &px, &py)
		var zb = make([]byte, md.size)
		md.toBytes(zb, &z)
		want := new(big.Int).Mul(x, y)
		want.Mul(want, rInv).Mod(want, m)
		if g := new(big.Int).SetBytes(zb); g.Cmp(want) != 0 {
			t.Fatalf("montmul(%x, %x) = %x, want %x", x, y, g, want)
		}
		if x.Sign() != 0 {
			md.inv(&z, &xm)
			check("inv", z, new(big.Int).ModInverse(x, m))
		}
		if got, want := md.isZero(&xm), x.Sign() == 0; (got == 1) != want {
			t.Fatalf("isZero(%x) = %d", x, got)
		}
		if got, want := md.equal(&xm, &ym), x.Cmp(y) == 0; (got == 1) != want {
			t.Fatalf("equal(%x, %x) = %d", x, y, got)
		}
	}
	// values at or above m are refused by setBytes
	var z limbs
	for _, v := range []*big.Int{m, new(big.Int).Add(m, big.NewInt(1)), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*md.size)), big.NewInt(1))} {
		if md.setBytes(&z, v.FillBytes(make([]byte, md.size))) != 0 {
			t.Fatalf("setBytes accepted %x >= m", v)
		}
	}
}

func TestFieldAgainstBig(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			ref := newRefCurve(paramsOf(c))
			testModulusAgainstBig(t, c.p, ref.p)
			testModulusAgainstBig(t, c.n, ref.n)
		})
	}
}

func TestPointArithmeticAgainstBig(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			ref := newRefCurve(paramsOf(c))
			g := ref.g()
			scalars := edgeValues(ref.n)
			scalars = append(scalars, big.NewInt(15), big.NewInt(16), big.NewInt(17), big.NewInt(255), big.NewInt(256))
			for i := 0; i < 12; i++ {
				scalars = append(scalars, randBelow(t, ref.n))
			}
			// k = n and k > n wrap around (the unreduced-scalar paths)
			scalars = append(scalars, new(big.Int).Set(ref.n), new(big.Int).Add(ref.n, big.NewInt(5)))
			for _, k := range scalars {
				kb := k.FillBytes(make([]byte, c.ByteSize()))
				want := ref.mul(g, k)
				var got point
				c.scalarBaseMult(&got, kb)
				if !samePoint(toRef(c, &got), want) {
					t.Fatalf("scalarBaseMult(%x) wrong", k)
				}
				gp := c.g
				c.scalarMult(&got, &gp, kb)
				if !samePoint(toRef(c, &got), want) {
					t.Fatalf("scalarMult(G, %x) wrong", k)
				}
			}
			// random points: addition, doubling, P + (-P), P + O, and k*P
			for i := 0; i < 10; i++ {
				p1 := ref.mul(g, randBelow(t, ref.n))
				p2 := ref.mul(g, randBelow(t, ref.n))
				a, b := fromRef(t, c, p1), fromRef(t, c, p2)
				var r, id, na point
				c.add(&r, &a, &b)
				if !samePoint(toRef(c, &r), ref.add(p1, p2)) {
					t.Fatal("add wrong")
				}
				c.add(&r, &a, &a)
				if !samePoint(toRef(c, &r), ref.add(p1, p1)) {
					t.Fatal("add(P, P) wrong")
				}
				c.double(&r, &a)
				if !samePoint(toRef(c, &r), ref.add(p1, p1)) {
					t.Fatal("double wrong")
				}
				c.neg(&na, &a)
				c.add(&r, &a, &na)
				if !toRef(c, &r).inf {
					t.Fatal("P + (-P) is not the identity")
				}
				c.setIdentity(&id)
				c.add(&r, &a, &id)
				if !samePoint(toRef(c, &r), p1) {
					t.Fatal("P + O wrong")
				}
				c.add(&r, &id, &id)
				if !toRef(c, &r).inf {
					t.Fatal("O + O wrong")
				}
				c.double(&r, &id)
				if !toRef(c, &r).inf {
					t.Fatal("2*O wrong")
				}
				k := randBelow(t, ref.n)
				c.scalarMult(&r, &a, k.FillBytes(make([]byte, c.ByteSize())))
				if !samePoint(toRef(c, &r), ref.mul(p1, k)) {
					t.Fatal("scalarMult wrong")
				}
				// SEC1 compressed and uncompressed round trips
				enc := append([]byte{4}, p1.x.FillBytes(make([]byte, c.ByteSize()))...)
				pub, err := NewPublicKey(c, append(enc, p1.y.FillBytes(make([]byte, c.ByteSize()))...))
				if err != nil {
					t.Fatal(err)
				}
				back, err := NewPublicKey(c, pub.BytesCompressed())
				if err != nil || !back.Equal(pub) {
					t.Fatalf("compressed round trip: %v", err)
				}
			}
		})
	}
}

// TestTwistIsomorphism checks the internal a = -3 curve against RFC 5639:
// its b must be the published b of the corresponding "t1" curve
// (§3.4, §3.6, §3.7), and the mapped generator must lie on it.
func TestTwistIsomorphism(t *testing.T) {
	for c, bt := range map[*Curve]string{
		P256r1(): "662C61C430D84EA4FE66A7733D0B76B7BF93EBC4AF2F49256AE58101FEE92B04",
		P384r1(): "7F519EADA7BDA81BD826DBA647910F8C4B9346ED8CCDC64E4B1ABD11756DCE1D2074AA263B88805CED70355A33B471EE",
		P512r1(): "7CBBBCF9441CFAB76E1890E46884EAE321F70C0BCB4981527897504BEC3E36A62BCDFA2304976540F6450085F2DAE145C22553B465763689180EA2571867423E",
	} {
		if got := new(big.Int).SetBytes(c.p.bytes(&c.bt)); got.Cmp(mustBig(bt)) != 0 {
			t.Errorf("%s: b' = %X, RFC 5639 t1 b = %s", c.Name(), got, bt)
		}
		// y^2 = x^3 - 3x + b' for the internal generator (Z = 1)
		var lhs, rhs, t3 limbs
		c.p.sqr(&lhs, &c.g.y)
		c.p.sqr(&rhs, &c.g.x)
		c.p.mul(&rhs, &rhs, &c.g.x)
		c.p.add(&t3, &c.g.x, &c.g.x)
		c.p.add(&t3, &t3, &c.g.x)
		c.p.sub(&rhs, &rhs, &t3)
		c.p.add(&rhs, &rhs, &c.bt)
		if c.p.equal(&lhs, &rhs) != 1 {
			t.Errorf("%s: mapped generator is not on the a = -3 curve", c.Name())
		}
	}
}
