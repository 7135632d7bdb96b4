package wss

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/brainpool"
)

func opensslHasBrainpool() bool {
	out, err := exec.Command("openssl", "ecparam", "-list_curves").Output()
	return err == nil && bytes.Contains(out, []byte("brainpoolP256r1"))
}

type interopKey struct {
	name string
	id   smpkitest.Identity
}

func interopKeys(t *testing.T, f *fixture) []interopKey {
	t.Helper()
	key, err := smpkitest.NewP256Key()
	if err != nil {
		t.Fatal(err)
	}
	p256, err := f.pki.IssueFor(key, "9900000000004", "p256.EMT.MAK", x509.KeyUsageDigitalSignature, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	keys := []interopKey{{"P-256", p256}}
	if opensslHasBrainpool() {
		keys = append(keys, interopKey{"brainpoolP256r1", f.sig})
	} else {
		t.Log("OpenSSL without brainpool curves: brainpool interop not run")
	}
	return keys
}

// signed returns the test UserMessage signed here with the key (and its PkiPath up to the Sub-CA).
func (k interopKey) signed(t *testing.T, f *fixture) *etree.Document {
	t.Helper()
	sg, err := NewSigner(k.id.Key, []*smpki.Certificate{k.id.Cert, f.pki.SubCA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseDoc(t, userMessage)
	if _, err := sg.Sign(doc, nil); err != nil {
		t.Fatal(err)
	}
	return doc
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func privatePKCS8(t *testing.T, k crypto.Signer) []byte {
	t.Helper()
	var der []byte
	var err error
	if bk, ok := k.(*brainpool.PrivateKey); ok {
		der, err = brainpool.MarshalPKCS8PrivateKey(bk)
	} else {
		der, err = x509.MarshalPKCS8PrivateKey(k)
	}
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// xmlsec1 resolves same-document references by the attribute named with --id-attr (it matches
// wsu:Id by its local name). cid: references cannot be resolved by xmlsec1, so the interop
// envelopes have no attachment (the path-switch shape of the FAQ: Messaging and Body signed).
var xmlsecIDArgs = []string{"--id-attr:Id", "Messaging", "--id-attr:Id", "Body"}

func xmlsec(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	return exec.Command("xmlsec1", args...).CombinedOutput()
}

// TestXmlsecVerifiesOurSignatures: envelopes signed here verify with `xmlsec1 --verify`
// (libxmlsec1 on OpenSSL), and a modified one does not.
func TestXmlsecVerifiesOurSignatures(t *testing.T) {
	astest.RequireTool(t, "xmlsec1")
	f := newFixture(t)
	for _, k := range interopKeys(t, f) {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			doc := k.signed(t, f)
			signedXML := serialize(t, doc)
			spki, _ := smpkitest.MarshalPublicKey(k.id.Key.Public())
			pub := writePEM(t, dir, "pub.pem", "PUBLIC KEY", spki)
			file := filepath.Join(dir, "signed.xml")
			os.WriteFile(file, []byte(signedXML), 0o600)
			args := append([]string{"--verify", "--pubkey-pem", pub}, xmlsecIDArgs...)
			if out, err := xmlsec(t, append(args, file)...); err != nil || !bytes.Contains(out, []byte("SignedInfo References (ok/all): 2/2")) {
				t.Fatalf("xmlsec1 --verify: %v\n%s\n%s", err, out, signedXML)
			}
			tampered := filepath.Join(dir, "tampered.xml")
			os.WriteFile(tampered, []byte(strings.Replace(signedXML, ">9900000000011<", ">9900000000028<", 1)), 0o600)
			if out, err := xmlsec(t, append(args, tampered)...); err == nil {
				t.Fatalf("xmlsec1 accepted a modified envelope:\n%s", out)
			}
		})
	}
}

// TestWeVerifyXmlsecSignatures: xmlsec1 signs a WS-Security template (our envelope with empty
// DigestValue/SignatureValue), and the full BDEW verifier here accepts the result.
func TestWeVerifyXmlsecSignatures(t *testing.T) {
	astest.RequireTool(t, "xmlsec1")
	f := newFixture(t)
	for _, k := range interopKeys(t, f) {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			doc := k.signed(t, f)
			ours := doc.FindElement("//SignatureValue").Text()
			for _, dv := range doc.FindElements("//DigestValue") {
				dv.SetText("")
			}
			doc.FindElement("//SignatureValue").SetText("")
			tmpl := filepath.Join(dir, "template.xml")
			os.WriteFile(tmpl, []byte(serialize(t, doc)), 0o600)
			keyFile := writePEM(t, dir, "key.pem", "PRIVATE KEY", privatePKCS8(t, k.id.Key))
			out := filepath.Join(dir, "xmlsec-signed.xml")
			args := append([]string{"--sign", "--privkey-pem", keyFile, "--output", out}, xmlsecIDArgs...)
			if msg, err := xmlsec(t, append(args, tmpl)...); err != nil {
				t.Fatalf("xmlsec1 --sign: %v\n%s", err, msg)
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			xs := parseDoc(t, string(raw))
			if xs.FindElement("//SignatureValue").Text() == ours || xs.FindElement("//SignatureValue").Text() == "" {
				t.Fatal("xmlsec1 did not produce its own signature")
			}
			if _, err := f.verify.Verify(xs, nil); err != nil {
				t.Fatalf("verifying xmlsec1's signature: %v\n%s", err, raw)
			}
			bad := parseDoc(t, strings.Replace(string(raw), ">9900000000011<", ">9900000000028<", 1))
			if _, err := f.verify.Verify(bad, nil); !errors.Is(err, ErrDigest) {
				t.Fatalf("modified xmlsec1-signed envelope: %v", err)
			}
		})
	}
}
