package ebms

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/as4/wss"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
)

type party struct {
	mpID     string
	sig, enc smpkitest.Identity
	signer   *wss.Signer
	keys     []wss.DecryptionKey
}

func newParty(t testing.TB, p *smpkitest.PKI, mpID, name string, notAfter time.Time) *party {
	t.Helper()
	sig, err := p.Issue(mpID, name+".EMT.MAK", x509.KeyUsageDigitalSignature, now.AddDate(0, -1, 0), notAfter)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := p.Issue(mpID, name+".EMT.MAK", x509.KeyUsageKeyAgreement, now.AddDate(0, -1, 0), notAfter)
	if err != nil {
		t.Fatal(err)
	}
	s, err := wss.NewSigner(sig.Key, []*smpki.Certificate{sig.Cert, p.SubCA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	kak, _ := xmlenc.NewKeyAgreementKey(enc.Key)
	return &party{mpID: mpID, sig: sig, enc: enc, signer: s, keys: []wss.DecryptionKey{{SKI: enc.Cert.SKI(), Key: kak}}}
}

type world struct {
	pki      *smpkitest.PKI
	lf, nb   *party
	policy   CheckSigner
	receiver *Receiver
}

func newWorld(t testing.TB) *world {
	t.Helper()
	pki, err := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{pki: pki, lf: newParty(t, pki, "9900000000004", "lfn", now.AddDate(1, 0, 0)), nb: newParty(t, pki, "9900000000011", "nb", now.AddDate(1, 0, 0))}
	w.policy = SignerPolicy([]*smpki.Certificate{pki.Root.Cert}, nil, func() time.Time { return now })
	w.receiver = &Receiver{Keys: w.nb.keys, CheckSigner: w.policy, MaxPart: 1 << 20, MaxPayload: 1 << 20}
	return w
}

var edi = []byte("UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'UNH+1+UTILMD:D:11A:UN:S2.1'")

func (w *world) seal(t testing.TB, from *party, m *UserMessage) *Sealed {
	t.Helper()
	var payloads []Payload
	for _, p := range m.Parts {
		payloads = append(payloads, Payload{ContentID: p.ContentID(), Data: edi})
	}
	s, err := Seal(m, payloads, from.signer, w.nb.enc.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExchange runs one BDEW exchange through every layer of pkg/as4 (no HTTP): the LF seals a
// UTILMD (gzip, sign, encrypt, MIME); the NB opens it (unpack, validate, decrypt, verify with
// chain, EMT.MAK and OU = From/PartyId, decompress) and answers with a signed NRR receipt; the LF
// accepts the receipt only from the NB and only when it repeats its references.
func TestExchange(t *testing.T) {
	w := newWorld(t)
	m := lfw24Message()
	sent := w.seal(t, w.lf, m)
	if bytes.Contains(sent.Body, []byte("UTILMD:D:11A")) {
		t.Fatal("payload travels in clear")
	}
	o, e := w.receiver.Open(sent.ContentType, bytes.NewReader(sent.Body))
	if e != nil {
		t.Fatal(e)
	}
	if o.Message.MessageID != m.MessageID || len(o.Payloads) != 1 || !bytes.Equal(o.Payloads[0].Data, edi) || o.Signer.Subject.CommonName != "lfn.EMT.MAK" {
		t.Fatalf("opened %+v", o)
	}
	rc, err := SealReceipt(o, "receipt-1@mako", now.Add(time.Second), w.nb.signer)
	if err != nil {
		t.Fatal(err)
	}
	sig, e := ReadResponse(sent, "9900000000011", rc.ContentType, bytes.NewReader(rc.Body), w.policy, 1<<20)
	if e != nil {
		t.Fatal(e)
	}
	if sig.Receipt == nil || len(sig.Receipt.References) != 3 || sig.RefToMessageID != m.MessageID {
		t.Fatalf("receipt %+v", sig)
	}
	// The receipt must come from the addressee.
	if _, e := ReadResponse(sent, "9900000000028", rc.ContentType, bytes.NewReader(rc.Body), w.policy, 1<<20); e == nil || e.Code != CodeInvalidReceipt {
		t.Fatalf("receipt from another party: %v", e)
	}
	// A receipt for another message is invalid; so is one whose digests differ from what we
	// signed (same MessageId, other payload).
	om := lfw24Message()
	om.MessageID = "other@mako"
	if _, e := ReadResponse(w.seal(t, w.lf, om), "9900000000011", rc.ContentType, bytes.NewReader(rc.Body), w.policy, 1<<20); e == nil || e.Code != CodeInvalidReceipt {
		t.Fatalf("receipt for another message: %v", e)
	}
	changed, err := Seal(lfw24Message(), []Payload{{ContentID: "payload-1@mako", Data: []byte("UNB+other")}}, w.lf.signer, w.nb.enc.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, e := ReadResponse(changed, "9900000000011", rc.ContentType, bytes.NewReader(rc.Body), w.policy, 1<<20); e == nil || e.Code != CodeInvalidReceipt {
		t.Fatalf("receipt with other digests: %v", e)
	}
	// An error response is reported with its code.
	er, _ := ErrorResponse(NewError(CodeFailedDecryption, m.MessageID, "x"), "err-1@mako", now)
	if _, e := ReadResponse(sent, "9900000000011", er.ContentType, bytes.NewReader(er.Body), w.policy, 1<<20); e == nil || e.Code != CodeFailedDecryption {
		t.Fatalf("error response: %v", e)
	}
}

// TestOpenRefuses: every refusal the issue lists, with its ebMS code.
func TestOpenRefuses(t *testing.T) {
	w := newWorld(t)
	m := lfw24Message()
	sent := w.seal(t, w.lf, m)
	ct, body := sent.ContentType, sent.Body

	expired := newParty(t, w.pki, "9900000000004", "old", now.Add(-time.Hour))
	impostor := newParty(t, w.pki, "9900000000028", "lfa", now.AddDate(1, 0, 0))
	stranger := newParty(t, w.pki, "9900000000099", "x", now.AddDate(1, 0, 0))
	foreignPKI, _ := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	foreign := newParty(t, foreignPKI, "9900000000004", "lfn", now.AddDate(1, 0, 0))

	unsignedEnv, _ := m.Envelope().WriteToBytes()
	var unsigned bytes.Buffer
	unsignedCT, _ := WriteMultipart(&unsigned, unsignedEnv, []Part{{ContentID: "payload-1@mako", Data: Compress(edi)}})

	ciphertext := func() []byte {
		_, parts, _ := ReadMultipart(ct, bytes.NewReader(body), 1<<20)
		return parts[0].Data
	}()

	for _, c := range []struct {
		name     string
		ct       string
		body     []byte
		receiver *Receiver
		code     string
	}{
		{"tampered ciphertext", ct, bytes.Replace(body, ciphertext[30:50], bytes.Repeat([]byte{'A'}, 20), 1), nil, CodeFailedDecryption},
		{"tampered header", ct, bytes.Replace(body, []byte("MK26112000017"), []byte("MK26112000018"), 1), nil, CodeFailedAuthentication},
		{"unsigned", unsignedCT, unsigned.Bytes(), nil, CodePolicyNoncompliance},
		{"wrong decryption key", ct, body, &Receiver{Keys: []wss.DecryptionKey{{SKI: w.nb.enc.Cert.SKI(), Key: stranger.keys[0].Key}}, CheckSigner: w.policy, MaxPart: 1 << 20, MaxPayload: 1 << 20}, CodeFailedDecryption},
		{"not for us", ct, body, &Receiver{Keys: stranger.keys, CheckSigner: w.policy, MaxPart: 1 << 20, MaxPayload: 1 << 20}, CodeFailedDecryption},
		{"expired certificate", "", nil, nil, CodeFailedAuthentication},
		{"From is not the signer", "", nil, nil, CodeFailedAuthentication},
		{"foreign PKI", "", nil, nil, CodeFailedAuthentication},
		{"payload too large", ct, body, &Receiver{Keys: w.nb.keys, CheckSigner: w.policy, MaxPart: 1 << 20, MaxPayload: 10}, CodeDecompressionFailure},
		{"not MIME", "text/plain", []byte("hello"), nil, CodeMimeInconsistency},
		{"conversation id", "", nil, nil, CodeInvalidHeader},
	} {
		t.Run(c.name, func(t *testing.T) {
			switch c.name {
			case "expired certificate":
				s := w.seal(t, expired, lfw24Message())
				c.ct, c.body = s.ContentType, s.Body
			case "From is not the signer":
				s := w.seal(t, impostor, lfw24Message()) // signed by 9900000000028, From says 9900000000004
				c.ct, c.body = s.ContentType, s.Body
			case "foreign PKI":
				s := w.seal(t, foreign, lfw24Message())
				c.ct, c.body = s.ContentType, s.Body
			case "conversation id":
				mm := lfw24Message()
				mm.ConversationID = "2011-921"
				s := w.seal(t, w.lf, mm)
				c.ct, c.body = s.ContentType, s.Body
			}
			r := c.receiver
			if r == nil {
				r = w.receiver
			}
			o, e := r.Open(c.ct, bytes.NewReader(c.body))
			if e == nil || e.Code != c.code {
				t.Fatalf("got %v (opened %v), want %s", e, o != nil, c.code)
			}
			if c.code != CodeMimeInconsistency && e.RefToMessageInError == "" {
				t.Fatalf("error without RefToMessageInError: %v", e)
			}
		})
	}
}

// TestTestServiceAndPathSwitch: a test-service message opens (full security) and is marked as
// test; a path-switch request without payload travels as a signed envelope in MIME.
func TestTestServiceAndPathSwitch(t *testing.T) {
	w := newWorld(t)
	tm := NewBDEWUserMessage("test-1@mako", now, Party{"9900000000004", PartyTypeBDEW}, Party{"9900000000011", PartyTypeBDEW}, ServiceTest,
		EDIFACTPart("payload-1@mako", "UTILMD", "T1", now, ""))
	ts := w.seal(t, w.lf, tm)
	o, e := w.receiver.Open(ts.ContentType, bytes.NewReader(ts.Body))
	if e != nil || !o.Message.IsTest() {
		t.Fatalf("test message: %v", e)
	}
	ps := NewBDEWUserMessage("ps-1@mako", now, Party{"9900000000004", PartyTypeBDEW}, Party{"9900000000011", PartyTypeBDEW}, ServicePathSwitch)
	ps.Action = ActionRequestSwitch
	s, err := Seal(ps, nil, w.lf.signer, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, e = w.receiver.Open(s.ContentType, bytes.NewReader(s.Body))
	if e != nil || !o.Message.IsPathSwitch() || len(o.Payloads) != 0 {
		t.Fatalf("path switch: %v", e)
	}
	if !strings.Contains(s.ContentType, "multipart/related") {
		t.Fatalf("content type %s", s.ContentType)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	w := newWorld(b)
	for b.Loop() {
		s := w.seal(b, w.lf, lfw24Message())
		if _, e := w.receiver.Open(s.ContentType, bytes.NewReader(s.Body)); e != nil {
			b.Fatal(e)
		}
	}
}
