package wss

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
	"github.com/mako-engine/mako/pkg/brainpool"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// userMessage is a BDEW-shaped ebMS3 UserMessage envelope (values per as4.md §3.2) with one
// payload part.
const userMessage = `<?xml version="1.0" encoding="UTF-8"?>
<S12:Envelope xmlns:S12="http://www.w3.org/2003/05/soap-envelope">
  <S12:Header>
    <eb:Messaging xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/" S12:mustUnderstand="true">
      <eb:UserMessage>
        <eb:MessageInfo>
          <eb:Timestamp>2026-03-01T12:00:00Z</eb:Timestamp>
          <eb:MessageId>0b7e2c1e-6c57-4a43-9bd0-2f2a4d9c9e01@mako</eb:MessageId>
        </eb:MessageInfo>
        <eb:PartyInfo>
          <eb:From><eb:PartyId type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:BDEW">9900000000004</eb:PartyId><eb:Role>http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/initiator</eb:Role></eb:From>
          <eb:To><eb:PartyId type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:BDEW">9900000000011</eb:PartyId><eb:Role>http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/responder</eb:Role></eb:To>
        </eb:PartyInfo>
        <eb:CollaborationInfo>
          <eb:AgreementRef>https://www.bdew.de/as4/communication/agreement</eb:AgreementRef>
          <eb:Service>https://www.bdew.de/as4/communication/services/MP</eb:Service>
          <eb:Action>http://docs.oasis-open.org/ebxml-msg/as4/200902/action</eb:Action>
          <eb:ConversationId></eb:ConversationId>
        </eb:CollaborationInfo>
        <eb:PayloadInfo>
          <eb:PartInfo href="cid:payload-1@mako">
            <eb:PartProperties>
              <eb:Property name="MimeType">application/edifact</eb:Property>
              <eb:Property name="CompressionType">application/gzip</eb:Property>
              <eb:Property name="BDEWDocumentType">UTILMD</eb:Property>
            </eb:PartProperties>
          </eb:PartInfo>
        </eb:PayloadInfo>
      </eb:UserMessage>
    </eb:Messaging>
  </S12:Header>
  <S12:Body/>
</S12:Envelope>`

type fixture struct {
	pki    *smpkitest.PKI
	sig    smpkitest.Identity // sender signature certificate (9900000000004)
	enc    smpkitest.Identity // receiver encryption certificate (9900000000011)
	signer *Signer
	verify *Verifier
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	p, err := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := p.Issue("9900000000004", "lfn.EMT.MAK", x509.KeyUsageDigitalSignature, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := p.Issue("9900000000011", "nb.EMT.MAK", x509.KeyUsageKeyAgreement, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(sig.Key, []*smpki.Certificate{sig.Cert, p.SubCA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{pki: p, sig: sig, enc: enc, signer: signer, verify: partnerVerifier(t, p, "9900000000004")}
}

// partnerVerifier accepts signer certificates that chain to the PKI's root, carry
// digitalSignature, are EMT.MAK and have OU = mpID (the From/PartyId).
func partnerVerifier(t testing.TB, p *smpkitest.PKI, mpID string, opts ...VerifierOption) *Verifier {
	t.Helper()
	v, err := NewVerifier(func(leaf *smpki.Certificate, path []*smpki.Certificate) error {
		if _, err := smpki.Verify(leaf, smpki.VerifyOptions{Roots: []*smpki.Certificate{p.Root.Cert}, Intermediates: path, CurrentTime: now, KeyUsage: x509.KeyUsageDigitalSignature}); err != nil {
			return err
		}
		return smpki.CheckMarketPartner(leaf, mpID)
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parseDoc(t testing.TB, s string) *etree.Document {
	t.Helper()
	doc, err := x.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func serialize(t testing.TB, doc *etree.Document) string {
	t.Helper()
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var payload = []Attachment{{ContentID: "payload-1@mako", Data: []byte("\x1f\x8b\x08gzipped UTILMD")}}

func signed(t testing.TB, f *fixture) string {
	t.Helper()
	doc := parseDoc(t, userMessage)
	refs, err := f.signer.Sign(doc, payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 3 {
		t.Fatalf("%d references", len(refs))
	}
	return serialize(t, doc)
}

func TestSignVerifyBrainpool(t *testing.T) {
	f := newFixture(t)
	s := signed(t, f)
	for _, want := range []string{AlgECDSASHA256, TransformAttachmentContent, ValueTypePKIPath, `URI="cid:payload-1@mako"`, "wsse:BinarySecurityToken"} {
		if !strings.Contains(s, want) {
			t.Fatalf("signed envelope lacks %s:\n%s", want, s)
		}
	}
	res, err := f.verify.Verify(parseDoc(t, s), payload)
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if res.Certificate.Subject.CommonName != "lfn.EMT.MAK" || len(res.Path) != 2 || len(res.References) != 3 {
		t.Fatalf("result %+v", res)
	}
	// The signature value is r||s (64 bytes for brainpoolP256r1), not DER.
	doc := parseDoc(t, s)
	sv := doc.FindElement("//SignatureValue").Text()
	if raw, _ := decodeB64(sv); len(raw) != 64 {
		t.Fatalf("SignatureValue is %d bytes", len(raw))
	}
}

func decodeB64(s string) ([]byte, error) {
	return base64Std.DecodeString(strings.Join(strings.Fields(s), ""))
}

func TestVerifyRefuses(t *testing.T) {
	f := newFixture(t)
	s := signed(t, f)
	cases := []struct {
		name string
		doc  func() *etree.Document
		atts []Attachment
		want error
	}{
		{"unsigned message", func() *etree.Document { return parseDoc(t, userMessage) }, payload, ErrPolicy},
		{"modified MessageId", func() *etree.Document {
			return parseDoc(t, strings.Replace(s, "9bd0-2f2a4d9c9e01@mako", "9bd0-2f2a4d9c9e02@mako", 1))
		}, payload, ErrDigest},
		{"modified To/PartyId", func() *etree.Document {
			return parseDoc(t, strings.Replace(s, ">9900000000011<", ">9900000000028<", 1))
		}, payload, ErrDigest},
		{"modified attachment", func() *etree.Document { return parseDoc(t, s) },
			[]Attachment{{ContentID: "payload-1@mako", Data: []byte("\x1f\x8b\x08gzipped UTILMD!")}}, ErrDigest},
		{"unsigned extra attachment", func() *etree.Document { return parseDoc(t, s) },
			append(append([]Attachment{}, payload...), Attachment{ContentID: "extra@evil", Data: []byte("x")}), ErrPolicy},
		{"attachment missing", func() *etree.Document { return parseDoc(t, s) }, nil, ErrReference},
		{"modified SignatureValue", func() *etree.Document {
			return rewriteB64(t, s, "//SignatureValue", func(raw []byte) []byte { raw[5] ^= 1; return raw })
		}, payload, ErrSignature},
		{"modified DigestValue", func() *etree.Document {
			return rewriteB64(t, s, "//DigestValue", func(raw []byte) []byte { raw[0] ^= 1; return raw })
		}, payload, ErrSignature},
		{"DER SignatureValue", func() *etree.Document {
			return rewriteB64(t, s, "//SignatureValue", func(raw []byte) []byte {
				der, _ := brainpool.SignatureP1363ToASN1(brainpool.P256r1(), raw)
				return der
			})
		}, payload, ErrSignature},
		{"wrong signature algorithm", func() *etree.Document {
			return parseDoc(t, strings.Replace(s, AlgECDSASHA256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", 1))
		}, payload, ErrPolicy},
		{"signature wrapping: duplicate Id", func() *etree.Document {
			doc := parseDoc(t, s)
			e, _ := findEnvelope(doc)
			clone := e.messaging.Copy()
			body := e.body
			body.AddChild(clone)
			return doc
		}, payload, ErrReference},
		{"second Messaging header", func() *etree.Document {
			doc := parseDoc(t, s)
			e, _ := findEnvelope(doc)
			m := e.messaging.Copy()
			for i := range m.Attr {
				if m.Attr[i].Key == "Id" {
					m.Attr[i].Value = "other"
				}
			}
			e.header.AddChild(m)
			return doc
		}, payload, ErrPolicy},
		{"X509v3 token not accepted by default", func() *etree.Document {
			return parseDoc(t, strings.ReplaceAll(s, ValueTypePKIPath, ValueTypeX509v3))
		}, payload, ErrPolicy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := f.verify.Verify(c.doc(), c.atts); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestVerifyRefusesCertificates(t *testing.T) {
	f := newFixture(t)
	s := signed(t, f)
	// The sender claims another MP-ID than the certificate's OU.
	if _, err := partnerVerifier(t, f.pki, "9900000000028").Verify(parseDoc(t, s), payload); !errors.Is(err, ErrToken) || !errors.Is(err, smpki.ErrMPIDMismatch) {
		t.Fatalf("OU mismatch: %v", err)
	}
	// Another PKI's root.
	other, _ := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	if _, err := partnerVerifier(t, other, "9900000000004").Verify(parseDoc(t, s), payload); !errors.Is(err, smpki.ErrUnknownIssuer) {
		t.Fatalf("foreign root: %v", err)
	}
	// A valid SM-PKI certificate whose CN is not EMT.MAK.
	nonMAK, _ := f.pki.Issue("9900000000004", "lfn.EMT.dummy", x509.KeyUsageDigitalSignature, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	sg, _ := NewSigner(nonMAK.Key, []*smpki.Certificate{nonMAK.Cert, f.pki.SubCA.Cert})
	doc := parseDoc(t, userMessage)
	if _, err := sg.Sign(doc, payload); err != nil {
		t.Fatal(err)
	}
	if _, err := f.verify.Verify(parseDoc(t, serialize(t, doc)), payload); !errors.Is(err, smpki.ErrNotEMTMAK) {
		t.Fatalf("non-EMT.MAK: %v", err)
	}
	// A signature by a key that is not the token's.
	stranger, _ := f.pki.Issue("9900000000004", "x.EMT.MAK", x509.KeyUsageDigitalSignature, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if _, err := NewSigner(stranger.Key, []*smpki.Certificate{f.sig.Cert}); !errors.Is(err, ErrConfig) {
		t.Fatalf("mismatched key accepted by NewSigner: %v", err)
	}
}

// TestMessagingMustBeSigned builds a valid signature that covers only the Body and the
// attachment: XMLDSig core validation passes, the profile check refuses it.
func TestMessagingMustBeSigned(t *testing.T) {
	f := newFixture(t)
	doc := parseDoc(t, userMessage)
	e, _ := findEnvelope(doc)
	sec, _ := securityHeader(e, true)
	bodyID := f.signer.ensureID(e.body, "b-")
	der, _ := MarshalPKIPath([]*smpki.Certificate{f.pki.SubCA.Cert, f.sig.Cert})
	bst := sec.CreateElement("wsse:BinarySecurityToken")
	bst.CreateAttr("ValueType", ValueTypePKIPath)
	bst.CreateAttr("wsu:Id", "tok")
	bst.SetText(base64Std.EncodeToString(der))
	ki := etree.NewElement("ds:KeyInfo")
	ref := ki.CreateElement("wsse:SecurityTokenReference").CreateElement("wsse:Reference")
	ref.CreateAttr("URI", "#tok")
	if _, err := buildSignature(sec, "s", []referenceSpec{{uri: "#" + bodyID, target: e.body}, {uri: "cid:payload-1@mako", data: payload[0].Data}}, nil, f.sig.Key, rand.Reader, ki); err != nil {
		t.Fatal(err)
	}
	d2 := parseDoc(t, serialize(t, doc))
	if _, err := VerifySignature(d2, d2.FindElement("//Signature"), f.sig.Cert.PublicKey, payload); err != nil {
		t.Fatalf("core validation: %v", err)
	}
	if _, err := f.verify.Verify(d2, payload); !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "Messaging") {
		t.Fatalf("err = %v, want ErrPolicy about eb:Messaging", err)
	}
	// Body required by option: a signature without Body is refused.
	s := parseDoc(t, userMessage)
	nb, _ := NewSigner(f.sig.Key, []*smpki.Certificate{f.sig.Cert, f.pki.SubCA.Cert}, WithoutBodySignature())
	if _, err := nb.Sign(s, payload); err != nil {
		t.Fatal(err)
	}
	out := serialize(t, s)
	if _, err := f.verify.Verify(parseDoc(t, out), payload); err != nil {
		t.Fatalf("body optional by default: %v", err)
	}
	if _, err := partnerVerifier(t, f.pki, "9900000000004", WithRequireBodySignature()).Verify(parseDoc(t, out), payload); !errors.Is(err, ErrPolicy) {
		t.Fatalf("body required: %v", err)
	}
}

func TestX509v3TokenAndInclusivePrefixes(t *testing.T) {
	f := newFixture(t)
	sg, err := NewSigner(f.sig.Key, []*smpki.Certificate{f.sig.Cert}, WithToken(TokenX509v3), WithInclusivePrefixes("S12"))
	if err != nil {
		t.Fatal(err)
	}
	doc := parseDoc(t, userMessage)
	if _, err := sg.Sign(doc, payload); err != nil {
		t.Fatal(err)
	}
	s := serialize(t, doc)
	if !strings.Contains(s, `PrefixList="S12"`) || !strings.Contains(s, ValueTypeX509v3) {
		t.Fatalf("options not applied:\n%s", s)
	}
	v, err := NewVerifier(func(leaf *smpki.Certificate, path []*smpki.Certificate) error {
		_, err := smpki.Verify(leaf, smpki.VerifyOptions{Roots: []*smpki.Certificate{f.pki.Root.Cert}, Intermediates: []*smpki.Certificate{f.pki.SubCA.Cert}, CurrentTime: now})
		return err
	}, WithAcceptX509v3())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(parseDoc(t, s), payload); err != nil {
		t.Fatal(err)
	}
	if _, err := NewVerifier(nil); !errors.Is(err, ErrConfig) {
		t.Fatal("verifier without certificate check")
	}
}

func TestPKIPathOrder(t *testing.T) {
	f := newFixture(t)
	for _, order := range [][]*smpki.Certificate{{f.pki.SubCA.Cert, f.sig.Cert}, {f.sig.Cert, f.pki.SubCA.Cert}, {f.pki.Root.Cert, f.pki.SubCA.Cert, f.sig.Cert}, {f.sig.Cert}} {
		der, err := MarshalPKIPath(order)
		if err != nil {
			t.Fatal(err)
		}
		certs, err := ParsePKIPath(der)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := EndEntity(certs)
		if err != nil || leaf.Subject.CommonName != "lfn.EMT.MAK" {
			t.Fatalf("order %d: %v %v", len(order), leaf, err)
		}
	}
	unrelated, _ := f.pki.Issue("1", "a.EMT.MAK", 0, now, now.AddDate(1, 0, 0))
	der, _ := MarshalPKIPath([]*smpki.Certificate{f.sig.Cert, unrelated.Cert})
	certs, _ := ParsePKIPath(der)
	if _, err := EndEntity(certs); !errors.Is(err, ErrToken) {
		t.Fatalf("two end entities: %v", err)
	}
	if _, err := ParsePKIPath([]byte{0x30, 0x00}); !errors.Is(err, ErrToken) {
		t.Fatal("empty PkiPath accepted")
	}
}

// TestSignEncryptDecryptVerify runs the profile's order: sign, then encrypt the attachment for
// the receiver; the receiver decrypts, then verifies against the plaintext.
func TestSignEncryptDecryptVerify(t *testing.T) {
	f := newFixture(t)
	doc := parseDoc(t, userMessage)
	if _, err := f.signer.Sign(doc, payload); err != nil {
		t.Fatal(err)
	}
	cts, err := EncryptAttachments(doc, f.enc.Cert, []xmlenc.Attachment{{ContentID: payload[0].ContentID, MimeType: "application/octet-stream", Data: payload[0].Data}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wire := serialize(t, doc)
	if bytes.Contains(cts[0], payload[0].Data) {
		t.Fatal("ciphertext contains the plaintext")
	}
	kak, _ := xmlenc.NewKeyAgreementKey(f.enc.Key)
	keys := []DecryptionKey{{SKI: []byte("old certificate"), Key: kak}, {SKI: f.enc.Cert.SKI(), Key: kak}}
	rx := parseDoc(t, wire)
	pts, err := DecryptAttachments(rx, keys, map[string][]byte{payload[0].ContentID: cts[0]})
	if err != nil {
		t.Fatalf("%v\n%s", err, wire)
	}
	if _, err := f.verify.Verify(rx, []Attachment{{ContentID: payload[0].ContentID, Data: pts[payload[0].ContentID]}}); err != nil {
		t.Fatal(err)
	}
	// Wrong key (SKI of ours, key of someone else): decryption fails closed.
	other, _ := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	okak, _ := xmlenc.NewKeyAgreementKey(other)
	if _, err := DecryptAttachments(parseDoc(t, wire), []DecryptionKey{{SKI: f.enc.Cert.SKI(), Key: okak}}, map[string][]byte{payload[0].ContentID: cts[0]}); !errors.Is(err, xmlenc.ErrDecrypt) {
		t.Fatalf("wrong key: %v", err)
	}
	// No key for the named certificate.
	if _, err := DecryptAttachments(parseDoc(t, wire), keys[:1], map[string][]byte{payload[0].ContentID: cts[0]}); !errors.Is(err, xmlenc.ErrDecrypt) {
		t.Fatalf("unknown SKI: %v", err)
	}
	// Tampered ciphertext.
	bad := bytes.Clone(cts[0])
	bad[len(bad)-3] ^= 1
	if _, err := DecryptAttachments(parseDoc(t, wire), keys, map[string][]byte{payload[0].ContentID: bad}); !errors.Is(err, xmlenc.ErrDecrypt) {
		t.Fatalf("tampered: %v", err)
	}
	// An extra unencrypted part.
	if _, err := DecryptAttachments(parseDoc(t, wire), keys, map[string][]byte{payload[0].ContentID: cts[0], "plain@x": []byte("x")}); !errors.Is(err, ErrPolicy) {
		t.Fatalf("unencrypted part: %v", err)
	}
}

// TestPhase4Samples: the phase4 envelopes parse as SOAP 1.2 ebMS3 envelopes; the signed ones
// are refused for their non-BDEW algorithm (RSA) with ErrPolicy.
func TestPhase4Samples(t *testing.T) {
	dir := astest.SharedPath(t, "testdata/as4-phase4")
	f := newFixture(t)
	v, _ := NewVerifier(func(*smpki.Certificate, []*smpki.Certificate) error { return nil }, WithAcceptX509v3())
	for _, name := range []string{"UserMessage12.xml", "TestReceipt12.xml", "ErrorMessage.xml", "WrongSigningAlgorithm.xml"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := x.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := findEnvelope(doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, err = v.Verify(doc, nil)
		if !errors.Is(err, ErrPolicy) && !errors.Is(err, ErrToken) {
			t.Fatalf("%s: err = %v, want a policy or token refusal", name, err)
		}
	}
	_ = f
}

// TestSignP256 exercises the NIST path (crypto/ecdsa) used for xmlsec1 interop.
func TestSignP256(t *testing.T) {
	f := newFixture(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id, err := f.pki.IssueFor(key, "9900000000004", "p256.EMT.MAK", x509.KeyUsageDigitalSignature, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := NewSigner(id.Key, []*smpki.Certificate{id.Cert, f.pki.SubCA.Cert})
	doc := parseDoc(t, userMessage)
	if _, err := sg.Sign(doc, payload); err != nil {
		t.Fatal(err)
	}
	if _, err := f.verify.Verify(parseDoc(t, serialize(t, doc)), payload); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSignBrainpool(b *testing.B) {
	f := newFixture(b)
	for b.Loop() {
		doc := parseDoc(b, userMessage)
		if _, err := f.signer.Sign(doc, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyBrainpool(b *testing.B) {
	f := newFixture(b)
	s := signed(b, f)
	for b.Loop() {
		if _, err := f.verify.Verify(parseDoc(b, s), payload); err != nil {
			b.Fatal(err)
		}
	}
}

var _ crypto.Signer = (*brainpool.PrivateKey)(nil)

var base64Std = base64.StdEncoding

// hsmSigner stands for a key in an HSM: only Public and Sign, no access to the scalar.
type hsmSigner struct {
	inner crypto.Signer
	calls int
}

func (h *hsmSigner) Public() crypto.PublicKey { return h.inner.Public() }
func (h *hsmSigner) Sign(r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	h.calls++
	return h.inner.Sign(r, digest, o)
}

// TestSignerSeam: signing goes through any crypto.Signer (the PKCS#11 seam).
func TestSignerSeam(t *testing.T) {
	f := newFixture(t)
	h := &hsmSigner{inner: f.sig.Key}
	sg, err := NewSigner(h, []*smpki.Certificate{f.sig.Cert, f.pki.SubCA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseDoc(t, userMessage)
	if _, err := sg.Sign(doc, payload); err != nil {
		t.Fatal(err)
	}
	if h.calls != 1 {
		t.Fatalf("%d Sign calls", h.calls)
	}
	if _, err := f.verify.Verify(parseDoc(t, serialize(t, doc)), payload); err != nil {
		t.Fatal(err)
	}
}

// TestReferenceScope: a reference to the token (as WSS4J may add) is accepted; one to an
// element outside eb:Messaging, Body and the Security header is refused.
func TestReferenceScope(t *testing.T) {
	f := newFixture(t)
	build := func(extra func(e *envelope, sec *etree.Element) referenceSpec) *etree.Document {
		doc := parseDoc(t, userMessage)
		e, _ := findEnvelope(doc)
		sec, _ := securityHeader(e, true)
		der, _ := MarshalPKIPath([]*smpki.Certificate{f.pki.SubCA.Cert, f.sig.Cert})
		bst := sec.CreateElement("wsse:BinarySecurityToken")
		bst.CreateAttr("ValueType", ValueTypePKIPath)
		bst.CreateAttr("wsu:Id", "tok")
		bst.SetText(base64Std.EncodeToString(der))
		ki := etree.NewElement("ds:KeyInfo")
		ref := ki.CreateElement("wsse:SecurityTokenReference").CreateElement("wsse:Reference")
		ref.CreateAttr("URI", "#tok")
		specs := []referenceSpec{{uri: "#" + f.signer.ensureID(e.messaging, "m-"), target: e.messaging}, {uri: "cid:payload-1@mako", data: payload[0].Data}, extra(e, sec)}
		if _, err := buildSignature(sec, "s", specs, nil, f.sig.Key, rand.Reader, ki); err != nil {
			t.Fatal(err)
		}
		return parseDoc(t, serialize(t, doc))
	}
	tokenSigned := build(func(e *envelope, sec *etree.Element) referenceSpec {
		return referenceSpec{uri: "#tok", target: sec.SelectElement("wsse:BinarySecurityToken")}
	})
	if _, err := f.verify.Verify(tokenSigned, payload); err != nil {
		t.Fatalf("token reference: %v", err)
	}
	outside := build(func(e *envelope, sec *etree.Element) referenceSpec {
		el := e.header.CreateElement("x:Other")
		el.CreateAttr("xmlns:x", "urn:x")
		el.CreateAttr("Id", "other")
		return referenceSpec{uri: "#other", target: el}
	})
	if _, err := f.verify.Verify(outside, payload); !errors.Is(err, ErrPolicy) {
		t.Fatalf("reference outside: %v", err)
	}
}

// TestWhitespaceSurvivesTheWire: CR in text and TAB/LF in attribute values are covered by the
// signature and must reach the verifier unchanged (a parser normalizes literal ones).
func TestWhitespaceSurvivesTheWire(t *testing.T) {
	f := newFixture(t)
	msg := strings.Replace(userMessage, `<eb:Property name="BDEWDocumentType">UTILMD</eb:Property>`,
		`<eb:Property name="BDEWDocumentType">UT&#13;ILMD</eb:Property><eb:Property name="a&#9;b&#10;c">x&#13;&#10;y</eb:Property>`, 1)
	doc := parseDoc(t, msg)
	if _, err := f.signer.Sign(doc, payload); err != nil {
		t.Fatal(err)
	}
	wire := serialize(t, doc)
	if _, err := f.verify.Verify(parseDoc(t, wire), payload); err != nil {
		t.Fatalf("%v\n%s", err, wire)
	}
}

// rewriteB64 parses the envelope s and replaces the base64 text of the first element at path
// with f of its decoded bytes.
func rewriteB64(t *testing.T, s, path string, f func([]byte) []byte) *etree.Document {
	t.Helper()
	doc := parseDoc(t, s)
	el := doc.FindElement(path)
	raw, err := decodeB64(el.Text())
	if err != nil {
		t.Fatal(err)
	}
	el.SetText(base64Std.EncodeToString(f(raw)))
	return doc
}
