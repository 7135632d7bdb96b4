package brainpool

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"io"
	"sync"
	"testing"
)

func allCurves() []*Curve { return []*Curve{P256r1(), P384r1(), P512r1()} }

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			priv, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			h := c.Hash().New()
			h.Write([]byte("MaKo UTILMD"))
			digest := h.Sum(nil)

			der, err := priv.Sign(rand.Reader, digest, c.Hash())
			if err != nil {
				t.Fatal(err)
			}
			if !VerifyASN1(priv.PublicKey(), digest, der) {
				t.Fatal("DER signature does not verify")
			}
			p1363, err := SignP1363(nil, priv, digest)
			if err != nil {
				t.Fatal(err)
			}
			if len(p1363) != 2*c.ByteSize() {
				t.Fatalf("P1363 length %d", len(p1363))
			}
			if !VerifyP1363(priv.PublicKey(), digest, p1363) {
				t.Fatal("P1363 signature does not verify")
			}
			conv, err := SignatureP1363ToASN1(c, p1363)
			if err != nil || !VerifyASN1(priv.PublicKey(), digest, conv) {
				t.Fatalf("converted signature: %v", err)
			}
			back, err := SignatureASN1ToP1363(c, conv)
			if err != nil || !bytes.Equal(back, p1363) {
				t.Fatalf("round trip of the signature conversion: %x %v", back, err)
			}
			// tampering: another digest, a flipped signature bit, another key
			other := append([]byte(nil), digest...)
			other[0] ^= 1
			if VerifyP1363(priv.PublicKey(), other, p1363) {
				t.Fatal("verifies for another digest")
			}
			bad := append([]byte(nil), p1363...)
			bad[len(bad)-1] ^= 1
			if VerifyP1363(priv.PublicKey(), digest, bad) {
				t.Fatal("verifies a modified signature")
			}
			priv2, _ := GenerateKey(c, rand.Reader)
			if VerifyP1363(priv2.PublicKey(), digest, p1363) {
				t.Fatal("verifies under another key")
			}
		})
	}
}

func TestSignDeterministic(t *testing.T) {
	for _, c := range allCurves() {
		priv, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256([]byte("sample"))
		s1, _ := SignP1363(nil, priv, d[:])
		s2, _ := SignP1363(nil, priv, d[:])
		if !bytes.Equal(s1, s2) {
			t.Fatalf("%s: nil rand signatures differ", c.Name())
		}
		h1, _ := SignP1363(rand.Reader, priv, d[:])
		h2, _ := SignP1363(rand.Reader, priv, d[:])
		if bytes.Equal(h1, h2) || bytes.Equal(h1, s1) {
			t.Fatalf("%s: hedged signatures repeat", c.Name())
		}
		for _, s := range [][]byte{h1, h2} {
			if !VerifyP1363(priv.PublicKey(), d[:], s) {
				t.Fatalf("%s: hedged signature does not verify", c.Name())
			}
		}
		var _ crypto.Signer = priv
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestSignErrors(t *testing.T) {
	priv, _ := GenerateKey(P256r1(), rand.Reader)
	d := sha256.Sum256([]byte("x"))
	if _, err := priv.Sign(rand.Reader, d[:20], crypto.SHA256); err == nil {
		t.Error("digest shorter than the named hash accepted")
	}
	if _, err := priv.Sign(failingReader{}, d[:], crypto.SHA256); err == nil {
		t.Error("failing random source ignored")
	}
	if _, err := GenerateKey(P256r1(), failingReader{}); err == nil {
		t.Error("GenerateKey ignored a failing random source")
	}
	// a digest longer than the order is truncated (SEC1 §4.1.3): a SHA-512
	// digest on brainpoolP256r1 verifies, and so does its 32-byte prefix
	long := sha512.Sum512([]byte("x"))
	sig, err := SignP1363(nil, priv, long[:])
	if err != nil || !VerifyP1363(priv.PublicKey(), long[:], sig) || !VerifyP1363(priv.PublicKey(), long[:32], sig) {
		t.Errorf("truncated digest: %v", err)
	}
}

// TestConcurrentUse signs, verifies and agrees keys from several goroutines
// at once, including the first use of a curve's lazily built tables (run
// with -race to check the sharing).
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := 0; i < 8; i++ {
		for _, c := range allCurves() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				priv, err := GenerateKey(c, rand.Reader)
				if err != nil {
					errs <- err
					return
				}
				d := sha256.Sum256([]byte{byte(i)})
				sig, err := SignP1363(nil, priv, d[:])
				if err != nil || !VerifyP1363(priv.PublicKey(), d[:], sig) {
					errs <- fmt.Errorf("%s: sign/verify: %v", c.Name(), err)
					return
				}
				if _, err := priv.ECDH(priv.PublicKey()); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
