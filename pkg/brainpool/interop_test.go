package brainpool

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// requireOpenSSL returns the openssl binary, skipping without it (failing
// under CI=true, where .ci/run must provide it).
func requireOpenSSL(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not installed")
		}
		t.Skip("openssl not installed")
	}
	return bin
}

func runOpenSSL(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenSSLInterop signs here and verifies with the openssl command, signs
// with openssl and verifies here, and derives ECDH secrets on both sides.
func TestOpenSSLInterop(t *testing.T) {
	bin := requireOpenSSL(t)
	for _, tc := range []struct {
		curve *Curve
		dgst  string
	}{{P256r1(), "-sha256"}, {P384r1(), "-sha384"}, {P512r1(), "-sha512"}} {
		c := tc.curve
		t.Run(c.Name(), func(t *testing.T) {
			dir := t.TempDir()
			msg := []byte("UNA:+.? 'UNB+UNOC:3+9900000000001:500+9900000000002:500'")
			msgPath := filepath.Join(dir, "msg")
			if err := os.WriteFile(msgPath, msg, 0o600); err != nil {
				t.Fatal(err)
			}
			h := c.Hash().New()
			h.Write(msg)
			digest := h.Sum(nil)

			ours, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			p8, _ := MarshalPKCS8PrivateKey(ours)
			spki, _ := MarshalPKIXPublicKey(ours.PublicKey())
			ourKey := writePEM(t, dir, "ours.pem", "PRIVATE KEY", p8)
			ourPub := writePEM(t, dir, "ours.pub", "PUBLIC KEY", spki)

			// our signature, openssl verifies
			sig, err := ours.Sign(rand.Reader, digest, c.Hash())
			if err != nil {
				t.Fatal(err)
			}
			sigPath := filepath.Join(dir, "sig")
			if err := os.WriteFile(sigPath, sig, 0o600); err != nil {
				t.Fatal(err)
			}
			out := runOpenSSL(t, bin, "dgst", tc.dgst, "-verify", ourPub, "-signature", sigPath, msgPath)
			if !bytes.Contains(out, []byte("Verified OK")) {
				t.Fatalf("openssl does not verify our signature: %s", out)
			}

			// openssl's key and signature, we verify
			theirKey := filepath.Join(dir, "theirs.pem")
			runOpenSSL(t, bin, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:"+c.Name(), "-out", theirKey)
			theirPub := filepath.Join(dir, "theirs.pub")
			runOpenSSL(t, bin, "pkey", "-in", theirKey, "-pubout", "-out", theirPub)
			theirSig := filepath.Join(dir, "theirsig")
			runOpenSSL(t, bin, "dgst", tc.dgst, "-sign", theirKey, "-out", theirSig, msgPath)
			pubPEM, _ := os.ReadFile(theirPub)
			blk, _ := pem.Decode(pubPEM)
			pub, err := ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := os.ReadFile(theirSig)
			if !VerifyASN1(pub, digest, s) {
				t.Fatal("openssl signature does not verify here")
			}

			// ECDH both ways
			theirPEM, _ := os.ReadFile(theirKey)
			blk, _ = pem.Decode(theirPEM)
			theirs, err := ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			z1, err := ours.ECDH(pub)
			if err != nil {
				t.Fatal(err)
			}
			z2, err := theirs.ECDH(ours.PublicKey())
			if err != nil || !bytes.Equal(z1, z2) {
				t.Fatalf("ECDH disagrees here: %v", err)
			}
			zPath := filepath.Join(dir, "z")
			runOpenSSL(t, bin, "pkeyutl", "-derive", "-inkey", ourKey, "-peerkey", theirPub, "-out", zPath)
			z3, _ := os.ReadFile(zPath)
			if !bytes.Equal(z1, z3) {
				t.Fatalf("ECDH: ours %x, openssl %x", z1, z3)
			}
		})
	}
}
