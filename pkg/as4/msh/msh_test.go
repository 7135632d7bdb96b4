package msh_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/msh/mshtest"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/streams"
)

const (
	mpLF = "9900000000004"
	mpNB = "9900000000011"
	mpX  = "9900000000028"
)

var edi = []byte("UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'UNH+1+UTILMD:D:11A:UN:S2.1'BGM+E01+DOK1'UNT+3+1'UNZ+1+MK26112000017'")

// fixture: the NB's endpoint on a real nats-server (streams as defined), the LF's transport.
type fixture struct {
	js        jetstream.JetStream
	pki       *smpkitest.PKI
	lf, nb    *mshtest.Party
	trust     *msh.Trust
	partners  *partner.NATSStore
	reg       *prometheus.Registry
	srv       *httptest.Server
	transport *msh.Transport
	channel   partner.Channel
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	s := natstest.Start(t)
	_, js := s.JetStream()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	pki, err := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{js: js, pki: pki, reg: prometheus.NewRegistry()}
	f.lf = must(mshtest.NewParty(pki, mpLF, "lfn", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	f.nb = must(mshtest.NewParty(pki, mpNB, "nb", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	f.trust = mshtest.Trust(pki, time.Now)
	f.partners = must(partner.OpenNATS(ctx, js, 0))
	f.setRelationship(t, partner.RelationshipConfirmed)
	ids := must(msh.NewIdentities(f.nb.Identity))
	ep, err := msh.NewEndpoint(ctx, js, ids, f.trust, f.partners, []ingest.Tenant{{ID: "nb", MPIDs: []string{mpNB}}}, msh.WithRegisterer(f.reg))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(msh.DefaultPath, ep)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.transport = msh.NewTransport(must(msh.NewIdentities(f.lf.Identity)), f.trust)
	f.channel = f.nb.Channel(f.srv.URL+msh.DefaultPath, partner.RelationshipConfirmed)
	return f
}

// setRelationship writes the NB's record of the LF.
func (f *fixture) setRelationship(t testing.TB, rel string) {
	t.Helper()
	if _, err := f.partners.Put(context.Background(), "nb", partner.Partner{MPID: mpLF, Name: "LFN",
		Channels: []partner.Channel{f.lf.Channel("https://lf.example.test/as4", rel)}}); err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// serve runs the NB's endpoint with sc's listen mode and peer source over trust until the
// test ends.
func (f *fixture) serve(t *testing.T, sc msh.ServerConfig, trust *msh.Trust) net.Listener {
	t.Helper()
	src, required := sc.PeerSource(trust)
	ep := must(msh.NewEndpoint(context.Background(), f.js, must(msh.NewIdentities(f.nb.Identity)), trust, f.partners,
		[]ingest.Tenant{{ID: "nb", MPIDs: []string{mpNB}}}, msh.WithPeerCertificate(src, required)))
	ln := must(sc.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sc.Serve(ctx, ln, ep, zerolog.Nop()) }()
	t.Cleanup(func() { cancel(); <-served })
	return ln
}

func (f *fixture) delivery(id string, payload []byte) deliverer.Delivery {
	return deliverer.Delivery{Message: outbox.Message{ID: id, Tenant: "lf", Sender: mpLF, Recipient: mpNB, MessageType: "UTILMD",
		InterchangeRef: "MK26112000017", Payload: payload}, Channel: f.channel, Attempt: 1, CreatedAt: time.Now().Add(-time.Minute)}
}

func (f *fixture) ingested(t testing.TB) uint64 {
	t.Helper()
	st, err := f.js.Stream(context.Background(), streams.Ingest)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func (f *fixture) post(t *testing.T, s *ebms.Sealed) (*ebms.SignalMessage, int) {
	t.Helper()
	resp, err := http.Post(f.srv.URL+msh.DefaultPath, s.ContentType, bytes.NewReader(s.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	env, _, err := ebms.ReadMultipart(resp.Header.Get("Content-Type"), bytes.NewReader(body), 1<<20)
	if err != nil {
		t.Fatalf("answer %s: %v\n%s", resp.Status, err, body)
	}
	doc, err := parseDoc(env)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ebms.ParseSignalMessage(doc)
	if err != nil {
		t.Fatal(err)
	}
	return sig, resp.StatusCode
}

func sendErr(t *testing.T, err error) *deliverer.SendError {
	t.Helper()
	var se *deliverer.SendError
	if !errors.As(err, &se) {
		t.Fatalf("want a SendError, got %v", err)
	}
	return se
}

// TestSendReceiptDedup: a message counts as delivered on the signed receipt; it reaches
// MAKO_INGEST once with its transport id; a retry gets the receipt again and is not published
// twice; another message under a used MessageId is refused permanently with EBMS:0003.
func TestSendReceiptDedup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.delivery("out-1", edi)
	rec, err := f.transport.Send(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	wantID := msh.MessageIDFor("out-1", mpLF)
	if rec.Status != msh.StatusPositive || rec.RemoteID != wantID || !strings.Contains(rec.Body, "receipt") {
		t.Fatalf("receipt %+v", rec)
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("%d messages in MAKO_INGEST, want 1", n)
	}
	st, _ := f.js.Stream(ctx, streams.Ingest)
	raw, err := st.GetLastMsgForSubject(ctx, inbound.Subject("nb"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw.Data, edi) || raw.Header.Get(inbound.HeaderTransportID) != wantID ||
		raw.Header.Get(jetstream.MsgIDHeader) != msh.IngestMsgID(engine.TenantID("nb"), wantID, 0) {
		t.Fatalf("ingested %q headers %v", raw.Data, raw.Header)
	}
	// The retry (same outbox message, newly sealed) gets the stored receipt, nothing is published.
	rec2, err := f.transport.Send(ctx, d)
	if err != nil || rec2.Status != msh.StatusPositive {
		t.Fatalf("retry: %+v %v", rec2, err)
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("duplicate published: %d messages", n)
	}
	// Another payload under the same MessageId.
	_, err = f.transport.Send(ctx, f.delivery("out-1", []byte(strings.Replace(string(edi), "DOK1", "DOK2", 1))))
	se := sendErr(t, err)
	if !se.Permanent || se.Receipt.Status != msh.StatusNegative+" "+ebms.CodeValueInconsistent {
		t.Fatalf("reused MessageId: %v (status %q)", err, se.Receipt.Status)
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("reused MessageId published: %d messages", n)
	}
	if got := must(mshtest.Inbound(f.reg, "receipt")); got != 1 {
		t.Errorf("receipt counter %v", got)
	}
	if got := must(mshtest.Inbound(f.reg, "duplicate")); got != 1 {
		t.Errorf("duplicate counter %v", got)
	}
}

// TestSendOutcomes: receipt states and retry classes of failures.
func TestSendOutcomes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	// Relationship not confirmed on our side: not sent (retryable; an operator confirms).
	d := f.delivery("out-2", edi)
	d.Channel = f.nb.Channel(f.channel.URL, partner.RelationshipRequested)
	if _, err := f.transport.Send(ctx, d); err == nil || sendErr(t, err).Permanent || !errors.Is(err, msh.ErrConfig) {
		t.Fatalf("unconfirmed relationship: %v", err)
	}
	// The receiver has not confirmed: EBMS:0010, permanent.
	f.setRelationship(t, partner.RelationshipRequested)
	_, err := f.transport.Send(ctx, f.delivery("out-3", edi))
	if se := sendErr(t, err); !se.Permanent || se.Receipt.Status != "negative "+ebms.CodeProcessingModeMismatch {
		t.Fatalf("receiver without relationship: %v", err)
	}
	f.setRelationship(t, partner.RelationshipConfirmed)
	// Partner's encryption certificate expired: not sent (retryable until replaced).
	now := time.Now()
	old := must(mshtest.NewParty(f.pki, mpNB, "nb", now.AddDate(-1, 0, 0), now.Add(-time.Hour)))
	d = f.delivery("out-4", edi)
	d.Channel = old.Channel(f.channel.URL, partner.RelationshipConfirmed)
	if _, err := f.transport.Send(ctx, d); err == nil || sendErr(t, err).Permanent || !errors.Is(err, smpki.ErrExpired) {
		t.Fatalf("expired encryption certificate: %v", err)
	}
	// Successor in the list: the newer valid certificate is used.
	d.Channel.AS4.EncryptionCerts = append(d.Channel.AS4.EncryptionCerts, mshtest.PEM(f.nb.Enc.Cert))
	if rec, err := f.transport.Send(ctx, d); err != nil || rec.Status != msh.StatusPositive {
		t.Fatalf("with successor: %v", err)
	}
	// Encrypted for a key the receiver does not have: EBMS:0102, retryable (RzÜ §8).
	stranger := must(mshtest.NewParty(f.pki, mpNB, "nb2", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	d = f.delivery("out-5", edi)
	d.Channel = stranger.Channel(f.channel.URL, partner.RelationshipConfirmed)
	_, err = f.transport.Send(ctx, d)
	if se := sendErr(t, err); se.Permanent || se.Receipt.Status != "negative "+ebms.CodeFailedDecryption {
		t.Fatalf("wrong key: %v (%q)", err, se.Receipt.Status)
	}
	// No answer: missing, retryable.
	d = f.delivery("out-6", edi)
	d.Channel.URL = "http://127.0.0.1:1/as4"
	_, err = f.transport.Send(ctx, d)
	if se := sendErr(t, err); se.Permanent || se.Receipt.Status != msh.StatusMissing {
		t.Fatalf("no endpoint: %v", err)
	}
	// An answer that is no ebMS signal: missing; an empty 202: pending.
	for _, c := range []struct {
		status int
		body   string
		want   string
	}{{http.StatusAccepted, "", msh.StatusPending}, {http.StatusOK, "<html>gateway</html>", msh.StatusMissing}} {
		gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		d := f.delivery("out-7", edi)
		d.Channel.URL = gw.URL
		_, err := f.transport.Send(ctx, d)
		gw.Close()
		if se := sendErr(t, err); se.Permanent || se.Receipt.Status != c.want {
			t.Fatalf("HTTP %d %q: %v (%q)", c.status, c.body, err, se.Receipt.Status)
		}
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("MAKO_INGEST holds %d messages, want 1 (the successor case)", n)
	}
}

// TestEndpointRefuses: the refusals of the issue against the endpoint, each with its ebMS code,
// and nothing published.
func TestEndpointRefuses(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	seal := func(from *mshtest.Party, m *ebms.UserMessage, payload []byte, enc *smpki.Certificate) *ebms.Sealed {
		var ps []ebms.Payload
		for _, p := range m.Parts {
			ps = append(ps, ebms.Payload{ContentID: p.ContentID(), Data: payload})
		}
		return must(ebms.Seal(m, ps, from.Identity.Signer, enc, nil))
	}
	msg := func(id, service string) *ebms.UserMessage {
		return ebms.NewBDEWUserMessage(id, now, ebms.Party{ID: mpLF, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: mpNB, Type: ebms.PartyTypeBDEW}, service,
			ebms.EDIFACTPart("p1@"+id, "UTILMD", "MK1", now, ""))
	}
	expired := must(mshtest.NewParty(f.pki, mpLF, "lfold", now.AddDate(-1, 0, 0), now.Add(-time.Hour)))
	impostor := must(mshtest.NewParty(f.pki, mpX, "lfa", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	strangerEnc := must(mshtest.NewParty(f.pki, mpNB, "nbx", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))

	good := seal(f.lf, msg("m-tamper@lf", ebms.ServiceMP), edi, f.nb.Enc.Cert)
	_, parts, _ := ebms.ReadMultipart(good.ContentType, bytes.NewReader(good.Body), 1<<20)
	ct := parts[0].Data
	tampered := &ebms.Sealed{ContentType: good.ContentType, Body: bytes.Replace(good.Body, ct[40:60], bytes.Repeat([]byte{'x'}, 20), 1)}
	headerTampered := &ebms.Sealed{ContentType: good.ContentType, Body: bytes.Replace(good.Body, []byte("MK1"), []byte("MK2"), 1)}
	unsignedEnv := must(msg("m-unsigned@lf", ebms.ServiceMP).Envelope().WriteToBytes())
	var ub bytes.Buffer
	uct := must(ebms.WriteMultipart(&ub, unsignedEnv, []ebms.Part{{ContentID: "p1@m-unsigned@lf", ContentType: "application/octet-stream", Data: ebms.Compress(edi)}}))
	old := msg("m-old@lf", ebms.ServiceMP)
	old.Timestamp = now.Add(-msh.DefaultDedupWindow - time.Hour)
	toOther := ebms.NewBDEWUserMessage("m-other@lf", now, ebms.Party{ID: mpLF, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: mpX, Type: ebms.PartyTypeBDEW}, ebms.ServiceMP,
		ebms.EDIFACTPart("p1@m-other@lf", "UTILMD", "MK1", now, ""))
	fromImpostor := ebms.NewBDEWUserMessage("m-imp@lf", now, ebms.Party{ID: mpX, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: mpNB, Type: ebms.PartyTypeBDEW}, ebms.ServiceMP,
		ebms.EDIFACTPart("p1@m-imp@lf", "UTILMD", "MK1", now, ""))

	for _, c := range []struct {
		name string
		s    *ebms.Sealed
		code string
	}{
		{"tampered ciphertext", tampered, ebms.CodeFailedDecryption},
		{"tampered header", headerTampered, ebms.CodeFailedAuthentication},
		{"unsigned", &ebms.Sealed{ContentType: uct, Body: ub.Bytes()}, ebms.CodePolicyNoncompliance},
		{"wrong key", seal(f.lf, msg("m-wrongkey@lf", ebms.ServiceMP), edi, strangerEnc.Enc.Cert), ebms.CodeFailedDecryption},
		{"expired certificate", seal(expired, msg("m-expired@lf", ebms.ServiceMP), edi, f.nb.Enc.Cert), ebms.CodeFailedAuthentication},
		{"signer is not From", seal(impostor, msg("m-impostor@lf", ebms.ServiceMP), edi, f.nb.Enc.Cert), ebms.CodeFailedAuthentication},
		{"older than the dedup window", seal(f.lf, old, edi, f.nb.Enc.Cert), ebms.CodeValueInconsistent},
		{"not our party", seal(f.lf, toOther, edi, f.nb.Enc.Cert), ebms.CodeProcessingModeMismatch},
		{"no AS4 partner", seal(impostor, fromImpostor, edi, f.nb.Enc.Cert), ebms.CodeProcessingModeMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			sig, status := f.post(t, c.s)
			if len(sig.Errors) != 1 || sig.Errors[0].Code != c.code || status != http.StatusOK {
				t.Fatalf("answer %d %+v, want %s", status, sig.Errors, c.code)
			}
		})
	}
	// The test service gets a receipt and never reaches ingest.
	tm := msg("m-test@lf", ebms.ServiceTest)
	sig, _ := f.post(t, seal(f.lf, tm, edi, f.nb.Enc.Cert))
	if sig.Receipt == nil || sig.RefToMessageID != "m-test@lf" {
		t.Fatalf("test service: %+v", sig)
	}
	// Nor does a path-switch request, even without a confirmed relationship.
	f.setRelationship(t, "")
	ps := ebms.NewBDEWUserMessage("m-ps@lf", now, ebms.Party{ID: mpLF, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: mpNB, Type: ebms.PartyTypeBDEW}, ebms.ServicePathSwitch)
	ps.Action = ebms.ActionRequestSwitch
	if sig, _ := f.post(t, must(ebms.Seal(ps, nil, f.lf.Identity.Signer, nil, nil))); sig.Receipt == nil {
		t.Fatalf("path switch: %+v", sig.Errors)
	}
	if n := f.ingested(t); n != 0 {
		t.Fatalf("refused or test messages reached MAKO_INGEST: %d", n)
	}
	// GET is not AS4.
	resp, err := http.Get(f.srv.URL + msh.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %s", resp.Status)
	}
}
