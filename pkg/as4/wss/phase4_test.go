package wss

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
)

// TestPhase4ReceiptSignedInfo checks our SignedInfo canonicalization against a signature made
// by another implementation (phase4 on WSS4J/Santuario): the RSA-SHA256 signature of
// TestReceipt12.xml verifies over the canonical SignedInfo computed here, and its references
// verify too. (RSA is not a BDEW algorithm, so VerifySignature itself refuses it by policy.)
func TestPhase4ReceiptSignedInfo(t *testing.T) {
	doc, err := x.Parse(astest.SharedFile(t, "testdata/as4-phase4/TestReceipt12.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sig := doc.FindElement("//Signature")
	si := x.Child(sig, x.NSDS, "SignedInfo")
	canon, err := canonicalize(si, inclusivePrefixes(x.Child(si, x.NSDS, "CanonicalizationMethod")))
	if err != nil {
		t.Fatal(err)
	}
	certDER, err := base64.StdEncoding.DecodeString(strings.TrimSpace(doc.FindElement("//BinarySecurityToken").Text()))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := base64.StdEncoding.DecodeString(x.Text(x.Child(sig, x.NSDS, "SignatureValue")))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(canon)
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], sv); err != nil {
		t.Fatalf("phase4's signature does not verify over our canonical SignedInfo: %v\n%s", err, canon)
	}
	// Same canonical form, one bit changed: the RSA check fails, so the test can fail.
	canon[len(canon)/2] ^= 1
	h = sha256.Sum256(canon)
	if rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], sv) == nil {
		t.Fatal("modified SignedInfo verified")
	}
	if _, err := VerifySignature(doc, sig, cert.PublicKey, nil); err == nil || !strings.Contains(err.Error(), "signature method") {
		t.Fatalf("RSA accepted by the BDEW policy: %v", err)
	}
}
