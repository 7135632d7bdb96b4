package brainpool

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// The fuzz targets run their seed corpus in every `go test`; run them with
// `go test -fuzz FuzzParse ./pkg/brainpool` to search further. Parsers must
// never panic, and whatever they accept must survive a round trip.

func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, c := range allCurves() {
		k, _ := GenerateKey(c, rand.Reader)
		der, _ := MarshalPKIXPublicKey(k.PublicKey())
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKIXPublicKey(again)
		if err != nil || !back.Equal(pub) {
			t.Fatalf("round trip: %v", err)
		}
		if _, err := NewPublicKey(pub.Curve(), pub.BytesCompressed()); err != nil {
			t.Fatalf("compressed form of an accepted key: %v", err)
		}
	})
}

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	for _, c := range allCurves() {
		k, _ := GenerateKey(c, rand.Reader)
		p8, _ := MarshalPKCS8PrivateKey(k)
		sec1, _ := MarshalECPrivateKey(k)
		f.Add(p8)
		f.Add(sec1)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		for _, parse := range []func([]byte) (*PrivateKey, error){ParsePKCS8PrivateKey, ParseECPrivateKey} {
			k, err := parse(der)
			if err != nil {
				continue
			}
			p8, err := MarshalPKCS8PrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := ParsePKCS8PrivateKey(p8); err != nil || !back.Equal(k) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}

func FuzzVerifyASN1(f *testing.F) {
	c := P256r1()
	k, _ := GenerateKey(c, rand.Reader)
	digest := bytes.Repeat([]byte{7}, 32)
	sig, _ := SignASN1(nil, k, digest)
	f.Add(sig, digest)
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}, digest)
	f.Fuzz(func(t *testing.T, sig, digest []byte) {
		ok := VerifyASN1(k.PublicKey(), digest, sig)
		if p, err := SignatureASN1ToP1363(c, sig); err == nil {
			if VerifyP1363(k.PublicKey(), digest, p) != ok {
				t.Fatal("DER and P1363 verification disagree")
			}
		} else if ok {
			t.Fatal("verified a signature that does not convert to P1363")
		}
	})
}
