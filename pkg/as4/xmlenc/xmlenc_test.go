package xmlenc

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/c14n"
	"github.com/mako-engine/mako/pkg/as4/concatkdf"
	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/brainpool"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestGCMKnownAnswer uses test case 4 of McGrew & Viega, "The Galois/Counter Mode of Operation"
// (the NIST GCM submission), without AAD; i.e. test case 3's key, IV and plaintext.
func TestGCMKnownAnswer(t *testing.T) {
	key := unhex("feffe9928665731c6d6a8f9467308308")
	iv := unhex("cafebabefacedbaddecaf888")
	pt := unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
	want := unhex("cafebabefacedbaddecaf888" +
		"42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985" +
		"4d5c2af327cd64a62cf35abd2ba6fab4")
	got, err := EncryptGCM(bytes.NewReader(iv), key, pt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncryptGCM = %x\nwant %x", got, want)
	}
	back, err := DecryptGCM(key, want)
	if err != nil || !bytes.Equal(back, pt) {
		t.Fatalf("DecryptGCM = %x, %v", back, err)
	}
	for _, i := range []int{0, 12, len(want) - 1} {
		bad := bytes.Clone(want)
		bad[i] ^= 1
		if _, err := DecryptGCM(key, bad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("flip at %d: %v", i, err)
		}
	}
	if _, err := DecryptGCM(key, want[:27]); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("short: %v", err)
	}
}

func TestGCMRoundTripFreshIV(t *testing.T) {
	key := make([]byte, 16)
	a, _ := EncryptGCM(rand.Reader, key, []byte("x"))
	b, _ := EncryptGCM(rand.Reader, key, []byte("x"))
	if bytes.Equal(a[:12], b[:12]) {
		t.Fatal("IV reused")
	}
	if len(a) != 12+1+16 {
		t.Fatalf("layout length %d", len(a))
	}
}

// TestW3CInteropECDHES decrypts the W3C XML Encryption 1.1 interop case (xmlsec's copy):
// ECDH-ES on P-256, ConcatKDF(SHA-256) with a non-empty PartyUInfo, kw-aes128, aes128-gcm.
func TestW3CInteropECDHES(t *testing.T) {
	dir := astest.SharedPath(t, "testdata/xmlenc11-ecdh-es")
	keyDER, err := os.ReadFile(filepath.Join(dir, "EC-P256_SHA256WithECDSA.der"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParseECPrivateKey(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	kak, err := NewKeyAgreementKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "cipherText__EC-P256__aes128-gcm__kw-aes128__ECDH-ES__ConcatKDF.data"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cipherText__EC-P256__aes128-gcm__kw-aes128__ECDH-ES__ConcatKDF.xml", "cipherText__EC-P256__aes128-gcm__kw-aes128__ECDH-ES__ConcatKDF-orig.xml"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := x.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		ed, err := ParseEncryptedData(doc.Root())
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(ed.EncryptedKey.KDF.PartyUInfo); got != "b9e13a70c35edcb3b66fda86b4898942" {
			t.Fatalf("PartyUInfo = %s", got)
		}
		pt, err := ed.Decrypt(kak)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The .data file is the original document; the ciphertext holds its root element as
		// serialized by xmlsec (empty elements expanded): compare canonical forms.
		if got, exp := canonical(t, pt), canonical(t, want); got != exp {
			t.Fatalf("%s: plaintext\n%s\nwant\n%s", name, got, exp)
		}
		if name == "cipherText__EC-P256__aes128-gcm__kw-aes128__ECDH-ES__ConcatKDF-orig.xml" && len(ed.EncryptedKey.RecipientSKI) != 20 {
			t.Fatalf("X509SKI not read: %x", ed.EncryptedKey.RecipientSKI)
		}
	}
	// The wrong static key cannot unwrap.
	other, _ := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	okak, _ := NewKeyAgreementKey(other)
	raw, _ := os.ReadFile(filepath.Join(dir, "cipherText__EC-P256__aes128-gcm__kw-aes128__ECDH-ES__ConcatKDF.xml"))
	doc, _ := x.Parse(raw)
	ed, _ := ParseEncryptedData(doc.Root())
	if _, err := ed.Decrypt(okak); err == nil {
		t.Fatal("brainpool key decrypted a P-256 message")
	}
}

func roundTrip(t *testing.T, recipientPub any, kak KeyAgreementKey, o *Options) {
	t.Helper()
	ski := []byte("01234567890123456789")
	atts := []Attachment{{ContentID: "part1@mako", MimeType: "application/octet-stream", Data: []byte("UNB+UNOC:3+9900000000004:500...")}, {ContentID: "part2@mako", Data: bytes.Repeat([]byte{0}, 1000)}}
	enc, err := EncryptAttachments(recipientPub, ski, atts, "m1-", o)
	if err != nil {
		t.Fatal(err)
	}
	// Serialize and re-parse as a peer would.
	doc := etree.NewDocument()
	sec := doc.CreateElement("wsse:Security")
	sec.CreateAttr("xmlns:wsse", x.NSWSSE)
	sec.AddChild(enc.EncryptedKey)
	for _, ed := range enc.EncryptedData {
		sec.AddChild(ed)
	}
	s, _ := doc.WriteToString()
	doc2, err := x.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ParseEncryptedKey(x.Child(doc2.Root(), x.NSXENC, "EncryptedKey"))
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if !ek.MatchesSKI(ski) || ek.MatchesSKI([]byte("other")) || len(ek.DataReferences) != 2 || ek.DataReferences[0] != "#m1-ED-1" {
		t.Fatalf("EncryptedKey fields %+v", ek)
	}
	cek, err := ek.Unwrap(kak)
	if err != nil {
		t.Fatal(err)
	}
	for i, edEl := range x.Children(doc2.Root(), x.NSXENC, "EncryptedData") {
		ed, err := ParseEncryptedData(edEl)
		if err != nil {
			t.Fatal(err)
		}
		if ed.CipherReference != "cid:"+atts[i].ContentID || ed.KeyReference != "#m1-EK" || ed.Type != TypeAttachmentContentOnly {
			t.Fatalf("EncryptedData %+v", ed)
		}
		pt, err := DecryptGCM(cek, enc.Ciphertexts[i])
		if err != nil || !bytes.Equal(pt, atts[i].Data) {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	o2 := o
	if o2 == nil {
		o2 = &Options{}
	}
	if o2.EmptyBitStringAsZero != strings.Contains(s, `AlgorithmID="00"`) || o2.RecipientX509Data != strings.Contains(s, "X509SKI") ||
		o2.RecipientX509Data == strings.Contains(s, "X509SubjectKeyIdentifier") {
		t.Fatalf("options %+v not honoured:\n%s", o2, s)
	}
}

func TestBrainpoolRoundTrip(t *testing.T) {
	priv, err := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kak, _ := NewKeyAgreementKey(priv)
	roundTrip(t, priv.PublicKey(), kak, nil)
	roundTrip(t, priv.PublicKey(), kak, &Options{EmptyBitStringAsZero: true, RecipientX509Data: true})

	// Another recipient key cannot unwrap; the KEK check fails closed.
	other, _ := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	ak, err := WrapKey(rand.Reader, priv.PublicKey(), make([]byte, 16), Params0())
	if err != nil {
		t.Fatal(err)
	}
	okak, _ := NewKeyAgreementKey(other)
	if _, err := UnwrapKey(okak, ak.CurveOID, ak.Ephemeral, ak.WrappedKey, Params0()); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong key: %v", err)
	}
	// An off-curve ephemeral key is refused before any secret is used.
	badEph := bytes.Clone(ak.Ephemeral)
	badEph[len(badEph)-1] ^= 1
	if _, err := UnwrapKey(kak, ak.CurveOID, badEph, ak.WrappedKey, Params0()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("off-curve point: %v", err)
	}
	// A P-384 curve claim for a P256r1 key.
	if _, err := UnwrapKey(kak, brainpool.P384r1().OID(), ak.Ephemeral, ak.WrappedKey, Params0()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("curve mismatch: %v", err)
	}
}

func TestNISTRoundTrip(t *testing.T) {
	priv, err := x509.ParseECPrivateKey(mustRead(t, astest.SharedPath(t, "testdata/xmlenc11-ecdh-es/EC-P256_SHA256WithECDSA.der")))
	if err != nil {
		t.Fatal(err)
	}
	kak, _ := NewKeyAgreementKey(priv)
	roundTrip(t, &priv.PublicKey, kak, nil)
}

func canonical(t *testing.T, b []byte) string {
	t.Helper()
	doc, err := x.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c14n.Document(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRefusesOtherAlgorithms(t *testing.T) {
	priv, _ := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	enc, err := EncryptAttachments(priv.PublicKey(), []byte{1}, []Attachment{{ContentID: "a", Data: []byte("x")}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, alg string }{
		{"EncryptionMethod", "http://www.w3.org/2001/04/xmlenc#kw-aes256"},
		{"KeyInfo/AgreementMethod", "http://www.w3.org/2009/xmlenc11#dh-es"},
		{"KeyInfo/AgreementMethod/KeyDerivationMethod", "http://www.w3.org/2009/xmlenc11#pbkdf2"},
		{"KeyInfo/AgreementMethod/KeyDerivationMethod/ConcatKDFParams/DigestMethod", "http://www.w3.org/2000/09/xmldsig#sha1"},
	} {
		ek := enc.EncryptedKey.Copy()
		ek.FindElement(c.path).SelectAttr("Algorithm").Value = c.alg
		if _, err := ParseEncryptedKey(ek); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s=%s: %v", c.path, c.alg, err)
		}
	}
	ed := enc.EncryptedData[0].Copy()
	ed.FindElement("EncryptionMethod").SelectAttr("Algorithm").Value = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	if _, err := ParseEncryptedData(ed); !errors.Is(err, ErrUnsupported) {
		t.Errorf("aes128-cbc: %v", err)
	}
}

// Params0 is the BDEW ConcatKDF parameter set: all empty.
func Params0() (p concatkdf.Params) { return }

func BenchmarkEncryptDecryptBrainpool(b *testing.B) {
	priv, _ := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	kak, _ := NewKeyAgreementKey(priv)
	data := bytes.Repeat([]byte("UNH+1+UTILMD:D:11A:UN:S2.1'"), 200)
	for b.Loop() {
		enc, err := EncryptAttachments(priv.PublicKey(), []byte{1}, []Attachment{{ContentID: "a", Data: data}}, "", nil)
		if err != nil {
			b.Fatal(err)
		}
		ek, _ := ParseEncryptedKey(enc.EncryptedKey)
		cek, err := ek.Unwrap(kak)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecryptGCM(cek, enc.Ciphertexts[0]); err != nil {
			b.Fatal(err)
		}
	}
}
