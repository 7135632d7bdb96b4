package brainpool

import (
	"math/big"
	"math/bits"
)

//go:generate go run gen_field.go

// maxLimbs is the number of 64-bit words of the largest modulus (brainpoolP512r1).
const maxLimbs = 8

// limbs is an integer as little-endian 64-bit words. Only the first
// modulus.n words are used; the others stay zero. A fixed-size array keeps
// every element on the stack and every loop bound public (it depends on the
// curve only, never on a value).
type limbs [maxLimbs]uint64

// modulus is an odd modulus m < 2^(64n) with its Montgomery constants
// (R = 2^(64n)). It serves both the field prime p and the group order n.
// Its methods are constant-time in the values of their operands; they branch
// and index only on the limb count, which is public.
type modulus struct {
	n     int    // limbs in use: 4, 6 or 8
	size  int    // bytes of the big-endian encoding: 8n
	m     limbs  // the modulus
	m0inv uint64 // -m^-1 mod 2^64
	rr    limbs  // R^2 mod m
	one   limbs  // R mod m: 1 in Montgomery form
	mm2   limbs  // m-2, the Fermat inversion exponent (public)
}

// newModulus derives the Montgomery constants of an odd modulus of exactly
// 256, 384 or 512 bits (true for the brainpool primes and orders).
// The modulus is public; math/big is used only here, on public data.
func newModulus(hex string) *modulus {
	m, ok := new(big.Int).SetString(hex, 16)
	if !ok || m.Bit(0) == 0 || (m.BitLen() != 256 && m.BitLen() != 384 && m.BitLen() != 512) {
		panic("brainpool: bad modulus " + hex)
	}
	md := &modulus{n: m.BitLen() / 64, size: m.BitLen() / 8}
	md.m = bigToLimbs(m)
	// -m^-1 mod 2^64 by Newton iteration: inv = inv*(2 - m0*inv).
	m0 := md.m[0]
	inv := uint64(1)
	for i := 0; i < 6; i++ {
		inv *= 2 - m0*inv
	}
	md.m0inv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*md.n))
	md.one = bigToLimbs(new(big.Int).Mod(r, m))
	md.rr = bigToLimbs(new(big.Int).Mod(new(big.Int).Mul(r, r), m))
	md.mm2 = bigToLimbs(new(big.Int).Sub(m, big.NewInt(2)))
	return md
}

// bigToLimbs converts a non-negative public integer below 2^512.
func bigToLimbs(x *big.Int) limbs {
	var z limbs
	b := x.FillBytes(make([]byte, 8*maxLimbs))
	for i := 0; i < maxLimbs; i++ {
		for j := 0; j < 8; j++ {
			z[i] |= uint64(b[8*maxLimbs-1-8*i-j]) << (8 * j)
		}
	}
	return z
}

// mask returns all ones if c == 1 and zero if c == 0.
func mask(c uint64) uint64 { return -c }

// sel sets z = a if c == 1 and z = b if c == 0, in constant time.
func (md *modulus) sel(z, a, b *limbs, c uint64) {
	mk := mask(c)
	for i := 0; i < md.n; i++ {
		z[i] = (a[i] & mk) | (b[i] &^ mk)
	}
}

// add sets z = x + y mod m for x, y < m.
func (md *modulus) add(z, x, y *limbs) {
	switch md.n {
	case 4:
		modAdd4(z, x, y, &md.m)
	case 6:
		modAdd6(z, x, y, &md.m)
	default:
		modAdd8(z, x, y, &md.m)
	}
}

// sub sets z = x - y mod m for x, y < m.
func (md *modulus) sub(z, x, y *limbs) {
	switch md.n {
	case 4:
		modSub4(z, x, y, &md.m)
	case 6:
		modSub6(z, x, y, &md.m)
	default:
		modSub8(z, x, y, &md.m)
	}
}

// neg sets z = -x mod m for x < m.
func (md *modulus) neg(z, x *limbs) {
	var zero limbs
	md.sub(z, &zero, x)
}

// mul sets z = x * y * R^-1 mod m (Montgomery product) for x, y < m. The
// coarsely integrated operand scanning (CIOS) method of Koç, Acar and
// Kaliski, "Analyzing and comparing Montgomery multiplication algorithms"
// (IEEE Micro 1996), unrolled per limb count by gen_field.go; the final
// conditional subtraction is a masked select.
func (md *modulus) mul(z, x, y *limbs) {
	switch md.n {
	case 4:
		montMul4(z, x, y, &md.m, md.m0inv)
	case 6:
		montMul6(z, x, y, &md.m, md.m0inv)
	default:
		montMul8(z, x, y, &md.m, md.m0inv)
	}
}

// sqr sets z = x^2 * R^-1 mod m.
func (md *modulus) sqr(z, x *limbs) { md.mul(z, x, x) }

// toMont sets z = x*R mod m for x < m.
func (md *modulus) toMont(z, x *limbs) { md.mul(z, x, &md.rr) }

// fromMont sets z = x*R^-1 mod m.
func (md *modulus) fromMont(z, x *limbs) {
	var one limbs
	one[0] = 1
	md.mul(z, x, &one)
}

// exp sets z = x^e (Montgomery form in and out) with a fixed 4-bit window.
// The exponent e is public: the sequence of operations and the table
// entries used depend on e only, never on x.
func (md *modulus) exp(z, x, e *limbs) {
	var tab [16]limbs
	tab[0] = md.one
	tab[1] = *x
	for i := 2; i < 16; i++ {
		md.mul(&tab[i], &tab[i-1], x)
	}
	r := md.one
	for i := 16*md.n - 1; i >= 0; i-- {
		md.sqr(&r, &r)
		md.sqr(&r, &r)
		md.sqr(&r, &r)
		md.sqr(&r, &r)
		if w := (e[i/16] >> (4 * (uint(i) % 16))) & 0xf; w != 0 {
			md.mul(&r, &r, &tab[w])
		}
	}
	*z = r
}

// inv sets z = x^-1 (Montgomery form) by Fermat's little theorem, x^(m-2);
// the inverse of 0 is 0. m must be prime.
func (md *modulus) inv(z, x *limbs) { md.exp(z, x, &md.mm2) }

// isZero returns 1 if x == 0 and 0 otherwise, in constant time.
func (md *modulus) isZero(x *limbs) uint64 {
	var acc uint64
	for i := 0; i < md.n; i++ {
		acc |= x[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// equal returns 1 if x == y and 0 otherwise, in constant time.
func (md *modulus) equal(x, y *limbs) uint64 {
	var acc uint64
	for i := 0; i < md.n; i++ {
		acc |= x[i] ^ y[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// less returns 1 if x < m and 0 otherwise, in constant time.
func (md *modulus) less(x *limbs) uint64 {
	var b uint64
	for i := 0; i < md.n; i++ {
		_, b = bits.Sub64(x[i], md.m[i], b)
	}
	return b
}

// reduceOnce sets z = x - m if x >= m and z = x otherwise, for x < 2m.
func (md *modulus) reduceOnce(z, x *limbs) {
	var d limbs
	var b uint64
	for i := 0; i < md.n; i++ {
		d[i], b = bits.Sub64(x[i], md.m[i], b)
	}
	md.sel(z, x, &d, b)
}

// fromBytes sets z to the big-endian integer b (len(b) == md.size), without
// reduction. It is constant-time.
func (md *modulus) fromBytes(z *limbs, b []byte) {
	*z = limbs{}
	for i := 0; i < md.n; i++ {
		off := md.size - 8*(i+1)
		var w uint64
		for j := 0; j < 8; j++ {
			w = w<<8 | uint64(b[off+j])
		}
		z[i] = w
	}
}

// toBytes writes the integer x (not Montgomery) big-endian into b (len md.size).
func (md *modulus) toBytes(b []byte, x *limbs) {
	for i := 0; i < md.n; i++ {
		off := md.size - 8*(i+1)
		w := x[i]
		for j := 7; j >= 0; j-- {
			b[off+j] = byte(w)
			w >>= 8
		}
	}
}

// setBytes decodes a big-endian canonical element (< m) into Montgomery form.
// It returns 1 if b encodes a value below m and 0 otherwise (z is then
// unspecified); constant-time in b.
func (md *modulus) setBytes(z *limbs, b []byte) uint64 {
	var x limbs
	md.fromBytes(&x, b)
	ok := md.less(&x)
	md.toMont(z, &x)
	return ok
}

// bytes returns the canonical big-endian encoding of the Montgomery element x.
func (md *modulus) bytes(x *limbs) []byte {
	var y limbs
	md.fromMont(&y, x)
	b := make([]byte, md.size)
	md.toBytes(b, &y)
	return b
}
