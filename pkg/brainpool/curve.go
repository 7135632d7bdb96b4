package brainpool

import (
	"crypto"
	_ "crypto/sha256" // the default RFC 6979 hashes of the curves
	_ "crypto/sha512"
	"encoding/asn1"
	"math/big"
	"sync"
)

// Curve is one of the brainpool "r1" curves of RFC 5639: a short Weierstrass
// curve y^2 = x^3 + a*x + b over GF(p) with a prime-order group (cofactor 1).
// Values are immutable and obtained from P256r1, P384r1, P512r1, CurveByOID
// or CurveByName; compare them by pointer.
type Curve struct {
	name    string
	oid     asn1.ObjectIdentifier
	hash    crypto.Hash // RFC 6979 HMAC hash when the caller names none
	p       *modulus    // field prime
	n       *modulus    // group order
	a, b    limbs       // a and b of the r1 curve, Montgomery form mod p
	sqrtExp limbs       // (p+1)/4: p ≡ 3 (mod 4) for all three curves

	// Point arithmetic runs on the isomorphic curve with a = -3 (the "t1"
	// twist of RFC 5639 §2.3: (x, y) -> (x*Z^2, y*Z^3), b' = b*Z^6, with
	// Z^4 = -3/a), whose complete formulas are cheaper. Encodings, curve
	// checks and results are always on the r1 curve.
	bt           limbs // b' of the isomorphic curve
	z2, z3       limbs // Z^2, Z^3: r1 -> internal
	z2inv, z3inv limbs // Z^-2, Z^-3: internal -> r1
	g            point // the generator, internal coordinates, Z = 1

	baseOnce  sync.Once
	baseTable []pointTable // fixed-base comb tables, built on first use
}

// curveParams are the domain parameters as published in RFC 5639.
type curveParams struct {
	name             string
	oid              asn1.ObjectIdentifier
	hash             crypto.Hash
	p, a, b, x, y, q string
}

// The parameters are those of RFC 5639, section 3.4 (brainpoolP256r1),
// 3.6 (brainpoolP384r1) and 3.7 (brainpoolP512r1); the object identifiers are
// those of RFC 5639 section 4.1 (ecStdCurvesAndGeneration 1.3.36.3.3.2.8.1.1).
var (
	p256r1Params = curveParams{
		name: "brainpoolP256r1",
		oid:  asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7},
		hash: crypto.SHA256,
		p:    "A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377",
		a:    "7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9",
		b:    "26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6",
		x:    "8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262",
		y:    "547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997",
		q:    "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7",
	}
	p384r1Params = curveParams{
		name: "brainpoolP384r1",
		oid:  asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11},
		hash: crypto.SHA384,
		p:    "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53",
		a:    "7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826",
		b:    "04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11",
		x:    "1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E",
		y:    "8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315",
		q:    "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565",
	}
	p512r1Params = curveParams{
		name: "brainpoolP512r1",
		oid:  asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13},
		hash: crypto.SHA512,
		p:    "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3",
		a:    "7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA",
		b:    "3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
		x:    "81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822",
		y:    "7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892",
		q:    "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069",
	}
)

// The curves are built once, on first use, from public constants; after that
// they are read-only.
var (
	p256r1 = sync.OnceValue(func() *Curve { return newCurve(&p256r1Params) })
	p384r1 = sync.OnceValue(func() *Curve { return newCurve(&p384r1Params) })
	p512r1 = sync.OnceValue(func() *Curve { return newCurve(&p512r1Params) })
)

// P256r1 returns brainpoolP256r1 (RFC 5639 §3.4, OID 1.3.36.3.3.2.8.1.1.7).
func P256r1() *Curve { return p256r1() }

// P384r1 returns brainpoolP384r1 (RFC 5639 §3.6, OID 1.3.36.3.3.2.8.1.1.11).
func P384r1() *Curve { return p384r1() }

// P512r1 returns brainpoolP512r1 (RFC 5639 §3.7, OID 1.3.36.3.3.2.8.1.1.13).
func P512r1() *Curve { return p512r1() }

// CurveByOID returns the curve named by the object identifier, or nil if it
// is none of brainpoolP256r1, brainpoolP384r1, brainpoolP512r1.
func CurveByOID(oid asn1.ObjectIdentifier) *Curve {
	for _, c := range []*Curve{P256r1(), P384r1(), P512r1()} {
		if c.oid.Equal(oid) {
			return c
		}
	}
	return nil
}

// CurveByName returns the curve with the given RFC 5639 name
// ("brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1"), or nil.
func CurveByName(name string) *Curve {
	for _, c := range []*Curve{P256r1(), P384r1(), P512r1()} {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Name returns the RFC 5639 name of the curve, e.g. "brainpoolP256r1".
func (c *Curve) Name() string { return c.name }

// String returns the curve name.
func (c *Curve) String() string { return c.name }

// OID returns a copy of the curve's object identifier (RFC 5639 §4.1).
func (c *Curve) OID() asn1.ObjectIdentifier {
	return append(asn1.ObjectIdentifier(nil), c.oid...)
}

// BitSize returns the bit length of the field prime and of the group order
// (256, 384 or 512).
func (c *Curve) BitSize() int { return 8 * c.p.size }

// ByteSize returns the length in bytes of a field element, a scalar and
// either half of a P1363 signature (32, 48 or 64).
func (c *Curve) ByteSize() int { return c.p.size }

// Hash returns the hash the curve is conventionally paired with (SHA-256,
// SHA-384, SHA-512). It is the RFC 6979 HMAC hash when the signer names no
// hash and the digest length is not that of SHA-256, SHA-384 or SHA-512.
func (c *Curve) Hash() crypto.Hash { return c.hash }

func newCurve(cp *curveParams) *Curve {
	c := &Curve{name: cp.name, oid: cp.oid, hash: cp.hash}
	c.p = newModulus(cp.p)
	c.n = newModulus(cp.q)
	if c.p.n != c.n.n {
		panic("brainpool: order and prime differ in size")
	}
	mont := func(hex string) limbs {
		var x, z limbs
		x = bigToLimbs(mustBig(hex))
		c.p.toMont(&z, &x)
		return z
	}
	c.a = mont(cp.a)
	c.b = mont(cp.b)
	pp := mustBig(cp.p)
	// Z with Z^4 = -3/a: of the two square roots of -3/a exactly one is a
	// square (p ≡ 3 mod 4), and Z is a square root of that one.
	u := new(big.Int).ModInverse(mustBig(cp.a), pp)
	u.Mul(u, big.NewInt(-3)).Mod(u, pp)
	s := new(big.Int).ModSqrt(u, pp)
	if s == nil {
		panic("brainpool: -3/a is not a square")
	}
	z := new(big.Int).ModSqrt(s, pp)
	if z == nil {
		s.Sub(pp, s)
		z = new(big.Int).ModSqrt(s, pp)
	}
	if z == nil {
		panic("brainpool: -3/a has no fourth root")
	}
	z2 := new(big.Int).Mul(z, z)
	z3 := new(big.Int).Mul(z2, z)
	z6 := new(big.Int).Mul(z3, z3)
	modp := func(x *big.Int) string { return new(big.Int).Mod(x, pp).Text(16) }
	inv := func(x *big.Int) string { return new(big.Int).ModInverse(new(big.Int).Mod(x, pp), pp).Text(16) }
	c.z2, c.z3 = mont(modp(z2)), mont(modp(z3))
	c.z2inv, c.z3inv = mont(inv(z2)), mont(inv(z3))
	c.bt = mont(modp(z6.Mul(z6, mustBig(cp.b))))
	gx, gy := mont(cp.x), mont(cp.y)
	c.g = c.fromAffine(&gx, &gy)
	if pp.Bit(0) != 1 || pp.Bit(1) != 1 {
		panic("brainpool: p is not 3 mod 4")
	}
	e := mustBig(cp.p)
	e.Add(e, bigOne)
	e.Rsh(e, 2)
	c.sqrtExp = bigToLimbs(e)
	return c
}
