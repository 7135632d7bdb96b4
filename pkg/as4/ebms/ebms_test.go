package ebms

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/wss"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
)

var now = time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)

func parse(t testing.TB, b []byte) *etree.Document {
	t.Helper()
	doc, err := x.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func reparse(t testing.TB, doc *etree.Document) *etree.Document {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, b)
}

func lfw24Message() *UserMessage {
	return NewBDEWUserMessage("5f0c6a52-2f1e-4c1f-9f54-6a3f1e2b7c10@mako", now,
		Party{"9900000000004", PartyTypeBDEW}, Party{"9900000000011", PartyTypeBDEW}, ServiceMP,
		EDIFACTPart("payload-1@mako", "UTILMD", "MK26112000017", now, "55001"))
}

func TestUserMessageRoundTrip(t *testing.T) {
	m := lfw24Message()
	m.MessageProperties = []Property{{"originalSender", "9900000000004"}}
	got, err := ParseUserMessage(reparse(t, m.Envelope()))
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID != m.MessageID || !got.Timestamp.Equal(now) || got.From != m.From || got.To != m.To ||
		got.FromRole != RoleInitiator || got.ToRole != RoleResponder || got.AgreementRef != AgreementBDEW ||
		got.Service != ServiceMP || got.Action != ActionDefault || got.ConversationID != "" ||
		len(got.Parts) != 1 || got.Parts[0].Href != "cid:payload-1@mako" || len(got.MessageProperties) != 1 {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
	}
	for name, want := range map[string]string{PropBDEWDocumentType: "UTILMD", PropBDEWDocumentNo: "MK26112000017", PropBDEWDocumentDate: "2026-03-02",
		PropCompressionType: CompressionGzip, PropBDEWApplicationReference: "55001"} {
		if v, _ := got.Parts[0].Property(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	if got.IsTest() || got.IsPathSwitch() {
		t.Fatal("business message classified as test/path switch")
	}
	test := NewBDEWUserMessage("t1", now, m.From, m.To, ServiceTest, m.Parts...)
	if !test.IsTest() || test.Validate() != nil {
		t.Fatal("test service message")
	}
	rzu := NewBDEWUserMessage("t2", now, m.From, m.To, ServiceTest, m.Parts...)
	rzu.Service = ActionTest // the RzÜ 2.0 spelling
	if !rzu.IsTest() || rzu.Validate() != nil {
		t.Fatal("RzÜ test service spelling")
	}
	ps := NewBDEWUserMessage("p1", now, m.From, m.To, ServicePathSwitch)
	ps.Action = ActionRequestSwitch
	if !ps.IsPathSwitch() || ps.Validate() != nil {
		t.Fatal("path switch")
	}
}

func TestValidateRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(m *UserMessage)
		code string
	}{
		{"no MessageId", func(m *UserMessage) { m.MessageID = "" }, CodeInvalidHeader},
		{"RefToMessageId", func(m *UserMessage) { m.RefToMessageID = "x" }, CodeInvalidHeader},
		{"ConversationId", func(m *UserMessage) { m.ConversationID = "2011-921" }, CodeInvalidHeader},
		{"role", func(m *UserMessage) { m.FromRole = "Seller" }, CodeInvalidHeader},
		{"party type", func(m *UserMessage) { m.To.Type = "urn:x" }, CodeInvalidHeader},
		{"agreement", func(m *UserMessage) { m.AgreementRef = "http://agreements.holodeckb2b.org/examples/agreement0" }, CodeValueNotRecognized},
		{"agreement pmode", func(m *UserMessage) { m.AgreementPMode = "p" }, CodeProcessingModeMismatch},
		{"service", func(m *UserMessage) { m.Service = "QuoteToCollect" }, CodeValueNotRecognized},
		{"service type", func(m *UserMessage) { m.ServiceType = "MyServiceTypes" }, CodeValueNotRecognized},
		{"action", func(m *UserMessage) { m.Action = ActionRequestSwitch }, CodeValueNotRecognized},
		{"mpc", func(m *UserMessage) { m.MPC = "urn:other" }, CodeProcessingModeMismatch},
		{"compression", func(m *UserMessage) { m.Parts[0].Properties[1].Value = "application/rar" }, CodeDecompressionFailure},
		{"body payload", func(m *UserMessage) { m.Parts[0].Href = "#body" }, CodeValueNotRecognized},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := lfw24Message()
			c.mod(m)
			// Through the wire format, so that parse and validate work together.
			got, err := ParseUserMessage(reparse(t, m.Envelope()))
			if err != nil {
				t.Fatal(err)
			}
			var e *Error
			if err := got.Validate(); !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("Validate = %v, want %s", err, c.code)
			}
		})
	}
}

// TestPhase4Samples: the phase4 sample messages parse, in the shapes this package produces.
func TestPhase4Samples(t *testing.T) {
	um, err := ParseUserMessage(parse(t, astest.SharedFile(t, "testdata/as4-phase4/UserMessage12.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if um.MessageID != "2011-921@5209999001264.example.com" || um.From.ID != "5209999001264" || um.To.Type != PartyTypeGLN || um.ConversationID != "2011-921" {
		t.Fatalf("UserMessage12: %+v", um)
	}
	var e *Error
	if err := um.Validate(); !errors.As(err, &e) || e.Code != CodeInvalidHeader {
		t.Fatalf("UserMessage12 (not BDEW) validated: %v", err)
	}

	errSig, err := ParseSignalMessage(parse(t, astest.SharedFile(t, "testdata/as4-phase4/ErrorMessage.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if len(errSig.Errors) != 1 || errSig.Errors[0].Code != CodeValueNotRecognized || errSig.Errors[0].RefToMessageInError != "ph-as4@42ec020f-9553-4b6d-ba8e-265cf1f6fd34" || errSig.Errors[0].Severity != "failure" || !strings.Contains(errSig.Errors[0].Detail, "well formed") {
		t.Fatalf("ErrorMessage: %+v", errSig.Errors)
	}

	rc, err := ParseSignalMessage(parse(t, astest.SharedFile(t, "testdata/as4-phase4/TestReceipt12.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Receipt == nil || len(rc.Receipt.References) != 3 || rc.RefToMessageID != "035e0a83-6dc5-427b-bcee-483475c65153@phase4" || rc.Receipt.References[2].URI != "cid:phase4-att-a9297596-e9df-4740-9245-2c069712326f@cid" {
		t.Fatalf("TestReceipt12: %+v", rc)
	}
	sent := make([]wss.Reference, len(rc.Receipt.References))
	for i, r := range rc.Receipt.References {
		sent[i] = wss.Reference{URI: r.URI, Digest: r.Digest}
	}
	if err := CheckReceipt(rc, "035e0a83-6dc5-427b-bcee-483475c65153@phase4", sent); err != nil {
		t.Fatal(err)
	}
	sent[2].Digest = bytes.Repeat([]byte{1}, 32)
	if err := CheckReceipt(rc, "035e0a83-6dc5-427b-bcee-483475c65153@phase4", sent); !errors.As(err, &e) || e.Code != CodeInvalidReceipt {
		t.Fatalf("digest mismatch: %v", err)
	}

	raw := astest.SharedFile(t, "testdata/as4-phase4/WrongCompression.mime")
	hdrEnd := bytes.Index(raw, []byte("\n\n"))
	ct := ""
	for _, l := range strings.Split(strings.ReplaceAll(string(raw[:hdrEnd]), "\n\t", " "), "\n") {
		if v, ok := strings.CutPrefix(l, "Content-Type:"); ok {
			ct = strings.TrimSpace(v)
		}
	}
	envBytes, parts, err := ReadMultipart(ct, bytes.NewReader(raw[hdrEnd+2:]), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	wm, err := ParseUserMessage(parse(t, envBytes))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckParts(wm, parts); err != nil {
		t.Fatal(err)
	}
	if _, err := Decompress(parts[0].Data, 1<<20, wm.MessageID); err != nil {
		t.Fatalf("the sample's part is gzip: %v", err)
	}
	wm.AgreementRef, wm.AgreementPMode, wm.Service, wm.ServiceType, wm.Action, wm.ConversationID = AgreementBDEW, "", ServiceMP, "", ActionDefault, ""
	wm.FromRole, wm.ToRole, wm.From.Type, wm.To.Type = RoleInitiator, RoleResponder, PartyTypeBDEW, PartyTypeBDEW
	if err := wm.Validate(); !errors.As(err, &e) || e.Code != CodeDecompressionFailure {
		t.Fatalf("CompressionType application/rar: %v", err)
	}
}

func TestMultipartAndGzip(t *testing.T) {
	var buf bytes.Buffer
	edi := []byte("UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'")
	ct, err := WriteMultipart(&buf, []byte("<env/>"), []Part{{ContentID: "p1@mako", Data: Compress(edi)}})
	if err != nil {
		t.Fatal(err)
	}
	env, parts, err := ReadMultipart(ct, bytes.NewReader(buf.Bytes()), 1<<20)
	if err != nil || string(env) != "<env/>" || len(parts) != 1 || parts[0].ContentID != "p1@mako" || parts[0].ContentType != "application/octet-stream" {
		t.Fatalf("%v %q %+v", err, env, parts)
	}
	back, err := Decompress(parts[0].Data, 1<<20, "m")
	if err != nil || !bytes.Equal(back, edi) {
		t.Fatal(err)
	}
	var e *Error
	if _, err := Decompress([]byte("not gzip"), 100, "m"); !errors.As(err, &e) || e.Code != CodeDecompressionFailure {
		t.Fatalf("broken gzip: %v", err)
	}
	if _, err := Decompress(Compress(make([]byte, 1000)), 999, "m"); !errors.As(err, &e) || e.Code != CodeDecompressionFailure {
		t.Fatalf("bomb limit: %v", err)
	}
	if _, _, err := ReadMultipart(ct, bytes.NewReader(buf.Bytes()), 10); !errors.As(err, &e) || e.Code != CodeMimeInconsistency {
		t.Fatalf("part limit: %v", err)
	}
	if _, _, err := ReadMultipart("text/plain", strings.NewReader("x"), 10); !errors.As(err, &e) || e.Code != CodeMimeInconsistency {
		t.Fatalf("wrong type: %v", err)
	}
	m := lfw24Message()
	if err := CheckParts(m, nil); !errors.As(err, &e) || e.Code != CodeMimeInconsistency {
		t.Fatalf("missing part: %v", err)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		code string
	}{
		{fmt.Errorf("x: %w", wss.ErrPolicy), CodePolicyNoncompliance},
		{wss.ErrDigest, CodeFailedAuthentication},
		{wss.ErrSignature, CodeFailedAuthentication},
		{fmt.Errorf("%w: %w", wss.ErrToken, smpki.ErrExpired), CodeFailedAuthentication},
		{xmlenc.ErrDecrypt, CodeFailedDecryption},
		{xmlenc.ErrUnsupported, CodePolicyNoncompliance},
		{NewError(CodeMimeInconsistency, "", ""), CodeMimeInconsistency},
		{errors.New("disk full"), CodeOther},
	} {
		if got := Classify(c.err, "m1"); got.Code != c.code || got.RefToMessageInError != "m1" {
			t.Errorf("Classify(%v) = %s, want %s", c.err, got.Code, c.code)
		}
	}
	sig := BuildErrorSignal("e1", now, Classify(wss.ErrDigest, "m1"))
	parsed, err := ParseSignalMessage(reparse(t, sig))
	if err != nil || parsed.RefToMessageID != "m1" || parsed.Errors[0].Code != CodeFailedAuthentication || parsed.Errors[0].ShortDescription != "FailedAuthentication" || parsed.Errors[0].Category != "Processing" {
		t.Fatalf("%v %+v", err, parsed)
	}
}
