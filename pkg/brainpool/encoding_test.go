package brainpool

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func readPEM(t *testing.T, name, typ string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != typ {
		t.Fatalf("%s: no %s PEM block", name, typ)
	}
	return blk.Bytes
}

// TestOpenSSLKeyEncodings parses keys written by OpenSSL 3.0 (genpkey: PKCS#8;
// ec: SEC1 "EC PRIVATE KEY"; ec -pubout: SubjectPublicKeyInfo) and checks
// that marshalling reproduces OpenSSL's DER byte for byte.
func TestOpenSSLKeyEncodings(t *testing.T) {
	for _, tc := range []struct {
		curve *Curve
		stem  string
	}{{P256r1(), "openssl_p256r1"}, {P384r1(), "openssl_p384r1"}, {P512r1(), "openssl_p512r1"}} {
		t.Run(tc.curve.Name(), func(t *testing.T) {
			p8 := readPEM(t, tc.stem+"_pkcs8.pem", "PRIVATE KEY")
			sec1 := readPEM(t, tc.stem+"_sec1.pem", "EC PRIVATE KEY")
			spki := readPEM(t, tc.stem+"_spki.pem", "PUBLIC KEY")
			k1, err := ParsePKCS8PrivateKey(p8)
			if err != nil {
				t.Fatal(err)
			}
			k2, err := ParseECPrivateKey(sec1)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := ParsePKIXPublicKey(spki)
			if err != nil {
				t.Fatal(err)
			}
			if k1.Curve() != tc.curve || !k1.Equal(k2) || !k1.PublicKey().Equal(pub) {
				t.Fatal("the three encodings disagree")
			}
			for name, got := range map[string]func() ([]byte, error){
				"PKCS#8": func() ([]byte, error) { return MarshalPKCS8PrivateKey(k1) },
				"SEC1":   func() ([]byte, error) { return MarshalECPrivateKey(k1) },
				"PKIX":   func() ([]byte, error) { return MarshalPKIXPublicKey(pub) },
			} {
				der, err := got()
				if err != nil {
					t.Fatal(err)
				}
				want := map[string][]byte{"PKCS#8": p8, "SEC1": sec1, "PKIX": spki}[name]
				if !bytes.Equal(der, want) {
					t.Errorf("%s: marshalled %x, OpenSSL wrote %x", name, der, want)
				}
			}
		})
	}
}

func TestKeyEncodingRoundTrip(t *testing.T) {
	for _, c := range allCurves() {
		k, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		p8, _ := MarshalPKCS8PrivateKey(k)
		sec1, _ := MarshalECPrivateKey(k)
		spki, _ := MarshalPKIXPublicKey(k.PublicKey())
		if k2, err := ParsePKCS8PrivateKey(p8); err != nil || !k2.Equal(k) {
			t.Fatalf("%s PKCS#8: %v", c.Name(), err)
		}
		if k2, err := ParseECPrivateKey(sec1); err != nil || !k2.Equal(k) {
			t.Fatalf("%s SEC1: %v", c.Name(), err)
		}
		if p, err := ParsePKIXPublicKey(spki); err != nil || !p.Equal(k.PublicKey()) {
			t.Fatalf("%s PKIX: %v", c.Name(), err)
		}
		if CurveByOID(c.OID()) != c || CurveByName(c.Name()) != c {
			t.Fatalf("%s: lookup by OID or name", c.Name())
		}
	}
}

func TestKeyEncodingRefusals(t *testing.T) {
	c := P256r1()
	k, _ := GenerateKey(c, rand.Reader)
	spki, _ := MarshalPKIXPublicKey(k.PublicKey())
	p8, _ := MarshalPKCS8PrivateKey(k)

	// a NIST P-256 key is not a brainpool key
	nist, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	nistSPKI, _ := x509.MarshalPKIXPublicKey(&nist.PublicKey)
	if _, err := ParsePKIXPublicKey(nistSPKI); !errors.Is(err, ErrUnsupportedCurve) {
		t.Errorf("P-256 SPKI: %v", err)
	}
	nistP8, _ := x509.MarshalPKCS8PrivateKey(nist)
	if _, err := ParsePKCS8PrivateKey(nistP8); !errors.Is(err, ErrUnsupportedCurve) {
		t.Errorf("P-256 PKCS#8: %v", err)
	}
	// trailing data and truncation
	if _, err := ParsePKIXPublicKey(append(append([]byte(nil), spki...), 0)); err == nil {
		t.Error("SPKI with trailing byte accepted")
	}
	if _, err := ParsePKIXPublicKey(spki[:len(spki)-1]); err == nil {
		t.Error("truncated SPKI accepted")
	}
	if _, err := ParsePKCS8PrivateKey(p8[:len(p8)-1]); err == nil {
		t.Error("truncated PKCS#8 accepted")
	}
	// a point off the curve
	bad := k.PublicKey().Bytes()
	bad[len(bad)-1] ^= 1
	if _, err := NewPublicKey(c, bad); !errors.Is(err, ErrInvalidPoint) {
		t.Errorf("off-curve point: %v", err)
	}
	// coordinates >= p, the identity, wrong lengths, hybrid form 0x06
	pBytes := mustHex(t, p256r1Params.p)
	for name, enc := range map[string][]byte{
		"x = p":      append(append([]byte{4}, pBytes...), bad[33:]...),
		"identity":   {0},
		"short":      bad[:64],
		"hybrid":     append([]byte{6}, bad[1:]...),
		"compressed": append([]byte{2}, pBytes...),
	} {
		if _, err := NewPublicKey(c, enc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// private scalars 0, n and n+1, and a wrong length
	n := mustHex(t, p256r1Params.q)
	nPlus1 := append([]byte(nil), n...)
	nPlus1[len(nPlus1)-1]++
	for name, d := range map[string][]byte{"0": make([]byte, 32), "n": n, "n+1": nPlus1, "31 bytes": make([]byte, 31)} {
		if _, err := NewPrivateKey(c, d); !errors.Is(err, ErrInvalidPrivateKey) {
			t.Errorf("d = %s: %v", name, err)
		}
	}
	// an ECPrivateKey whose public key belongs to another scalar
	other, _ := GenerateKey(c, rand.Reader)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1OctetString(k.Bytes())
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(c.OID())
		})
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1BitString(other.PublicKey().Bytes())
		})
	})
	if _, err := ParseECPrivateKey(b.BytesOrPanic()); err == nil {
		t.Error("mismatching embedded public key accepted")
	}
	// keys on different curves do not agree
	k384, _ := GenerateKey(P384r1(), rand.Reader)
	if _, err := k.ECDH(k384.PublicKey()); !errors.Is(err, ErrCurveMismatch) {
		t.Errorf("cross-curve ECDH: %v", err)
	}
}
