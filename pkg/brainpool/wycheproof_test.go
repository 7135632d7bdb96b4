package brainpool

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// wycheproofDir is where the Wycheproof brainpool vectors (C2SP/wycheproof,
// Apache-2.0, see the LICENSE beside them) sit: shared/ next to the
// repository root.
var wycheproofDir = filepath.Join("..", "..", "..", "shared", "testdata", "crypto-wycheproof")

// readWycheproof decodes one vector file into v. Without shared/ the test
// skips, except under CI=true where it fails.
func readWycheproof(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(wycheproofDir, name))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Wycheproof vectors missing: %v", err)
		}
		t.Skipf("Wycheproof vectors not found (expected shared/ next to the repository): %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}

type wpTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags"`
	Result  string   `json:"result"`
	// ECDSA
	Msg hexBytes `json:"msg"`
	Sig hexBytes `json:"sig"`
	// ECDH
	Public  hexBytes `json:"public"`
	Private hexBytes `json:"private"`
	Shared  hexBytes `json:"shared"`
}

type wpFile struct {
	Algorithm     string `json:"algorithm"`
	NumberOfTests int    `json:"numberOfTests"`
	TestGroups    []struct {
		Curve     string `json:"curve"`
		Encoding  string `json:"encoding"`
		SHA       string `json:"sha"`
		PublicKey struct {
			Curve        string   `json:"curve"`
			Uncompressed hexBytes `json:"uncompressed"`
		} `json:"publicKey"`
		PublicKeyDer hexBytes `json:"publicKeyDer"`
		Tests        []wpTest `json:"tests"`
	} `json:"testGroups"`
}

type wpCount map[string]int

func (c wpCount) log(t *testing.T, name string, total, declared int) {
	t.Logf("%s: %d cases (file declares %d): %d valid, %d invalid, %d acceptable",
		name, total, declared, c["valid"], c["invalid"], c["acceptable"])
	if total != declared {
		t.Errorf("%s: ran %d cases, file declares %d", name, total, declared)
	}
}

func hashByName(t *testing.T, name string) crypto.Hash {
	switch name {
	case "SHA-256":
		return crypto.SHA256
	case "SHA-384":
		return crypto.SHA384
	case "SHA-512":
		return crypto.SHA512
	}
	t.Fatalf("unknown hash %q", name)
	return 0
}

func TestWycheproofECDSA(t *testing.T) {
	for _, tc := range []struct {
		file  string
		p1363 bool
	}{
		{"ecdsa_brainpoolP256r1_sha256_test.json", false},
		{"ecdsa_brainpoolP256r1_sha256_p1363_test.json", true},
		{"ecdsa_brainpoolP384r1_sha384_test.json", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var f wpFile
			readWycheproof(t, tc.file, &f)
			count, total := wpCount{}, 0
			for _, g := range f.TestGroups {
				c := CurveByName(g.PublicKey.Curve)
				if c == nil {
					t.Fatalf("curve %q", g.PublicKey.Curve)
				}
				pub, err := NewPublicKey(c, g.PublicKey.Uncompressed)
				if err != nil {
					t.Fatalf("group key: %v", err)
				}
				pkix, err := ParsePKIXPublicKey(g.PublicKeyDer)
				if err != nil || !pkix.Equal(pub) {
					t.Fatalf("publicKeyDer: %v", err)
				}
				if der, _ := MarshalPKIXPublicKey(pub); !bytes.Equal(der, g.PublicKeyDer) {
					t.Errorf("MarshalPKIXPublicKey = %x, want %x", der, g.PublicKeyDer)
				}
				h := hashByName(t, g.SHA).New()
				for _, v := range g.Tests {
					total++
					count[v.Result]++
					h.Reset()
					h.Write(v.Msg)
					digest := h.Sum(nil)
					var ok bool
					if tc.p1363 {
						ok = VerifyP1363(pub, digest, v.Sig)
					} else {
						ok = VerifyASN1(pub, digest, v.Sig)
					}
					switch v.Result {
					case "valid":
						if !ok {
							t.Errorf("tcId %d (%s, %v): valid signature rejected", v.TcID, v.Comment, v.Flags)
						}
					case "invalid":
						if ok {
							t.Errorf("tcId %d (%s, %v): invalid signature accepted", v.TcID, v.Comment, v.Flags)
						}
					case "acceptable":
						// either answer is allowed
					default:
						t.Fatalf("tcId %d: result %q", v.TcID, v.Result)
					}
				}
			}
			count.log(t, tc.file, total, f.NumberOfTests)
		})
	}
}

func TestWycheproofECDH(t *testing.T) {
	for _, file := range []string{
		"ecdh_brainpoolP256r1_test.json",
		"ecdh_brainpoolP384r1_test.json",
	} {
		t.Run(file, func(t *testing.T) {
			var f wpFile
			readWycheproof(t, file, &f)
			count, total, accepted := wpCount{}, 0, 0
			for _, g := range f.TestGroups {
				c := CurveByName(g.Curve)
				if c == nil || g.Encoding != "asn" {
					t.Fatalf("group curve %q encoding %q", g.Curve, g.Encoding)
				}
				for _, v := range g.Tests {
					total++
					count[v.Result]++
					shared, err := wycheproofECDH(c, v)
					switch v.Result {
					case "valid":
						if err != nil {
							t.Errorf("tcId %d (%s, %v): %v", v.TcID, v.Comment, v.Flags, err)
						} else if !bytes.Equal(shared, v.Shared) {
							t.Errorf("tcId %d (%s): shared %x, want %x", v.TcID, v.Comment, shared, v.Shared)
						}
					case "invalid":
						if err == nil {
							t.Errorf("tcId %d (%s, %v): invalid case accepted", v.TcID, v.Comment, v.Flags)
						}
					case "acceptable":
						// may be refused; if accepted the secret must be right
						if err == nil {
							accepted++
							if !bytes.Equal(shared, v.Shared) {
								t.Errorf("tcId %d (%s): shared %x, want %x", v.TcID, v.Comment, shared, v.Shared)
							}
						}
					default:
						t.Fatalf("tcId %d: result %q", v.TcID, v.Result)
					}
				}
			}
			count.log(t, file, total, f.NumberOfTests)
			t.Logf("%s: %d of %d acceptable cases accepted (with the right secret), the rest refused",
				file, accepted, count["acceptable"])
		})
	}
}

// wycheproofECDH parses the case's private scalar (a signed big-endian
// integer, possibly with a leading zero or shorter than the field) and its
// SubjectPublicKeyInfo, and computes the shared secret.
func wycheproofECDH(c *Curve, v wpTest) ([]byte, error) {
	d := []byte(v.Private)
	for len(d) > 0 && d[0] == 0 {
		d = d[1:]
	}
	if len(d) > c.ByteSize() {
		return nil, ErrInvalidPrivateKey
	}
	padded := make([]byte, c.ByteSize())
	copy(padded[c.ByteSize()-len(d):], d)
	priv, err := NewPrivateKey(c, padded)
	if err != nil {
		return nil, err
	}
	pub, err := ParsePKIXPublicKey(v.Public)
	if err != nil {
		return nil, err
	}
	return priv.ECDH(pub)
}
