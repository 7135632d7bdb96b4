package brainpool

import (
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

// The benchmarks report ns/op; signs, verifies or agreements per second are
// 1e9 / (ns/op) on one core.

func benchCurves(b *testing.B, f func(b *testing.B, c *Curve)) {
	for _, c := range allCurves() {
		b.Run(c.Name(), func(b *testing.B) { f(b, c) })
	}
}

func BenchmarkSign(b *testing.B) {
	benchCurves(b, func(b *testing.B, c *Curve) {
		priv, _ := GenerateKey(c, rand.Reader)
		digest := sha256.Sum256([]byte("benchmark"))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := SignP1363(nil, priv, digest[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	benchCurves(b, func(b *testing.B, c *Curve) {
		priv, _ := GenerateKey(c, rand.Reader)
		digest := sha256.Sum256([]byte("benchmark"))
		sig, _ := SignP1363(nil, priv, digest[:])
		pub := priv.PublicKey()
		b.ReportAllocs()
		for b.Loop() {
			if !VerifyP1363(pub, digest[:], sig) {
				b.Fatal("does not verify")
			}
		}
	})
}

func BenchmarkECDH(b *testing.B) {
	benchCurves(b, func(b *testing.B, c *Curve) {
		priv, _ := GenerateKey(c, rand.Reader)
		peer, _ := GenerateKey(c, rand.Reader)
		pub := peer.PublicKey()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := priv.ECDH(pub); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFieldMul(b *testing.B) {
	benchCurves(b, func(b *testing.B, c *Curve) {
		x := c.g.x
		for b.Loop() {
			c.p.mul(&x, &x, &c.g.y)
		}
	})
}
