package integration

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/msh/mshtest"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/streams"
)

// as4Deployment is one party's AS4 side: its identity, its endpoint on loopback and its
// transport.
type as4Deployment struct {
	party   *mshtest.Party
	srv     *httptest.Server
	handler atomic.Pointer[http.Handler]
	reg     *prometheus.Registry
}

func (d *as4Deployment) url() string { return d.srv.URL + msh.DefaultPath }

// as4Market is the market of market_test.go with every message over AS4: three deployments
// (NATS accounts with their own streams and workers), each with its own AS4 endpoint on
// loopback, identity from one test SM-PKI (brainpoolP384r1 root, brainpoolP256r1 Sub-CA and
// end-entity keys), and the deliverer's as4 transport. The NATS service imports of the market
// exist but no partner record points to them: the only way between the parties is AS4.
type as4Market struct {
	*market
	pki   *smpkitest.PKI
	trust *msh.Trust
	dep   map[string]*as4Deployment // by tenant
}

func startAS4Market(t *testing.T) *as4Market {
	t.Helper()
	now := time.Now()
	pki, err := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	must(t, err)
	am := &as4Market{pki: pki, trust: mshtest.Trust(pki, time.Now), dep: map[string]*as4Deployment{}}
	for _, p := range demo.DefaultMarket.Parties() {
		party, err := mshtest.NewParty(pki, p.MPID, p.Tenant, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
		must(t, err)
		d := &as4Deployment{party: party, reg: prometheus.NewRegistry()}
		mux := http.NewServeMux()
		mux.HandleFunc(msh.DefaultPath, func(w http.ResponseWriter, r *http.Request) {
			h := d.handler.Load()
			if h == nil {
				http.Error(w, "starting", http.StatusServiceUnavailable)
				return
			}
			(*h).ServeHTTP(w, r)
		})
		d.srv = httptest.NewServer(mux)
		t.Cleanup(d.srv.Close)
		am.dep[p.Tenant] = d
	}
	am.market = startMarketWith(t, marketHooks{
		deliverer: func(p demo.Party) []deliverer.Option {
			ids, err := msh.NewIdentities(am.dep[p.Tenant].party.Identity)
			must(t, err)
			return []deliverer.Option{deliverer.WithTransport(msh.NewTransport(ids, am.trust)), deliverer.WithBackoff(200*time.Millisecond, time.Second)}
		},
		partners: func(t *testing.T, mp *marketParty) {
			ctx := context.Background()
			for _, o := range demo.DefaultMarket.Parties() {
				if o.MPID == mp.MPID {
					continue
				}
				_, err := mp.partner.Put(ctx, mp.Tenant, partner.Partner{MPID: o.MPID, Name: "AS4 " + o.Name, Roles: []string{o.Role},
					Channels: []partner.Channel{am.dep[o.Tenant].party.Channel(am.dep[o.Tenant].url(), partner.RelationshipConfirmed)}})
				must(t, err)
			}
			d := am.dep[mp.Tenant]
			ids, err := msh.NewIdentities(d.party.Identity)
			must(t, err)
			ep, err := msh.NewEndpoint(ctx, mp.js, ids, am.trust, mp.partner,
				[]ingest.Tenant{{ID: engine.TenantID(mp.Tenant), MPIDs: []string{mp.MPID}}}, msh.WithRegisterer(d.reg))
			must(t, err)
			var h http.Handler = ep
			d.handler.Store(&h)
		},
	})
	return am
}

// inbound reads a deployment's counter mako_as4_inbound_messages_total{result}.
func (d *as4Deployment) inbound(t *testing.T, result string) float64 {
	t.Helper()
	n, err := mshtest.Inbound(d.reg, result)
	must(t, err)
	return n
}

// TestAS4Market: the LFW24 supplier switch (55001 … 55008 with every APERAK) between three
// mako deployments, every interchange signed, encrypted and receipted over AS4 on loopback;
// then the refusals of the issue against the NB's endpoint, none of which reaches MAKO_INGEST.
func TestAS4Market(t *testing.T) {
	am := startAS4Market(t)
	m, mk := am.market, am.mk
	now := time.Now()
	okStart := fristen.AddDays(fristen.Default().LFW24(now.Add(10*time.Minute)).EarliestZuordnungsbeginn, 2)

	maloID := nextMaLo(t)
	m.seedSwitch(t, maloID)
	m.registerSupplyStart(t, "switch-"+maloID, maloID, okStart, nil)
	req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
	m.lfa.erpCommand(t, "decide-"+maloID, gpke.ERPDecide, map[string]any{
		"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": false})
	c := m.waitConversation(t, maloID, "the whole switch over AS4", convComplete)
	checkMessages(t, c)
	want := []string{"55001", "APERAK 312", "55010", "APERAK 312", "55011", "APERAK 312", "55002", "55007", "APERAK 312", "APERAK 312", "55008", "APERAK 312"}
	if got := c.Sequence(); !sameMultiset(got, want) {
		t.Fatalf("conversation %v, want the messages of %v", got, want)
	}
	// Every interchange crossed AS4: each receiver answered with a receipt per message it got.
	got := map[string]int{}
	for _, msg := range c.Messages {
		got[msg.To]++
	}
	for _, p := range m.parties() {
		var n float64
		waitUntil(t, 10*time.Second, "receipts of "+p.Tenant, func() bool {
			n = am.dep[p.Tenant].inbound(t, "receipt")
			return int(n) >= got[p.MPID]
		})
		if int(n) != got[p.MPID] {
			t.Errorf("%s answered %v receipts for %d messages", p.Tenant, n, got[p.MPID])
		}
	}
	// The LFN's 55001 arrived at the NB with the AS4 MessageId as transport id.
	anm := onePID(t, c, "55001", mk)
	st, err := m.nb.js.Stream(context.Background(), streams.Ingest)
	must(t, err)
	first, err := st.GetMsg(context.Background(), 1)
	must(t, err)
	if tid := first.Header.Get(inbound.HeaderTransportID); !strings.HasSuffix(tid, "@"+mk.LFN.MPID+".mako") || !bytes.Contains(first.Data, []byte(anm.Transaction)) {
		t.Errorf("NB's first ingest message: transport id %q", tid)
	}

	t.Run("refusals", func(t *testing.T) { am.refusals(t) })
}

// refusals posts bad messages to the NB's endpoint: each is refused with its ebMS code, and
// MAKO_INGEST of the NB is untouched (nothing reaches a workflow).
func (am *as4Market) refusals(t *testing.T) {
	mk := am.mk
	nb := am.dep[mk.NB.Tenant]
	lfn := am.dep[mk.LFN.Tenant]
	ctx := context.Background()
	st, err := am.nb.js.Stream(ctx, streams.Ingest)
	must(t, err)
	info, err := st.Info(ctx)
	must(t, err)
	before := info.State.LastSeq

	now := time.Now()
	payload := utilmd55001("AS4REFUSE1", "TXREFUSE1")
	msg := func(id string) *ebms.UserMessage {
		return ebms.NewBDEWUserMessage(id, now, ebms.Party{ID: mk.LFN.MPID, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: mk.NB.MPID, Type: ebms.PartyTypeBDEW},
			ebms.ServiceMP, ebms.EDIFACTPart("p1."+id, "UTILMD", "AS4REFUSE1", now, ""))
	}
	seal := func(signer *mshtest.Party, m *ebms.UserMessage, enc *smpki.Certificate) *ebms.Sealed {
		s, err := ebms.Seal(m, []ebms.Payload{{ContentID: "p1." + m.MessageID, Data: payload}}, signer.Identity.Signer, enc, nil)
		must(t, err)
		return s
	}
	good := seal(lfn.party, msg("refuse-tamper@lfn"), nb.party.Enc.Cert)
	_, parts, err := ebms.ReadMultipart(good.ContentType, bytes.NewReader(good.Body), 1<<20)
	must(t, err)
	tampered := &ebms.Sealed{ContentType: good.ContentType, Body: bytes.Replace(good.Body, parts[0].Data[32:48], bytes.Repeat([]byte{0}, 16), 1)}
	other, err := mshtest.NewParty(am.pki, mk.NB.MPID, "nbother", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	must(t, err)
	expired, err := mshtest.NewParty(am.pki, mk.LFN.MPID, "lfnold", now.AddDate(-1, 0, 0), now.Add(-time.Minute))
	must(t, err)
	env, err := msg("refuse-unsigned@lfn").Envelope().WriteToBytes()
	must(t, err)
	var ub bytes.Buffer
	uct, err := ebms.WriteMultipart(&ub, env, []ebms.Part{{ContentID: "p1.refuse-unsigned@lfn", ContentType: "application/octet-stream", Data: ebms.Compress(payload)}})
	must(t, err)
	// A replay: a message that was received once, sent again with other content under its id.
	first := seal(lfn.party, msg("refuse-replay@lfn"), nb.party.Enc.Cert)
	firstAnswer := post(t, nb.url(), first)
	if firstAnswer.Receipt == nil {
		t.Fatalf("first message of the replay case: %+v", firstAnswer.Errors)
	}
	before++ // that one message reached MAKO_INGEST
	replay := msg("refuse-replay@lfn")
	replayAltered := &ebms.Sealed{}
	{
		s, err := ebms.Seal(replay, []ebms.Payload{{ContentID: "p1.refuse-replay@lfn", Data: utilmd55001("AS4REFUSE2", "TXREFUSE2")}}, lfn.party.Identity.Signer, nb.party.Enc.Cert, nil)
		must(t, err)
		replayAltered = s
	}

	for _, c := range []struct {
		name string
		s    *ebms.Sealed
		code string
	}{
		{"tampered", tampered, ebms.CodeFailedDecryption},
		{"wrong key", seal(lfn.party, msg("refuse-wrongkey@lfn"), other.Enc.Cert), ebms.CodeFailedDecryption},
		{"expired certificate", seal(expired, msg("refuse-expired@lfn"), nb.party.Enc.Cert), ebms.CodeFailedAuthentication},
		{"unsigned", &ebms.Sealed{ContentType: uct, Body: ub.Bytes()}, ebms.CodePolicyNoncompliance},
		{"replayed MessageId with other content", replayAltered, ebms.CodeValueInconsistent},
	} {
		t.Run(c.name, func(t *testing.T) {
			sig := post(t, nb.url(), c.s)
			if sig.Receipt != nil || len(sig.Errors) != 1 || sig.Errors[0].Code != c.code {
				t.Fatalf("answer: receipt %v errors %+v, want %s", sig.Receipt != nil, sig.Errors, c.code)
			}
		})
	}
	// The identical replay gets the same receipt again and is not delivered twice.
	again := post(t, nb.url(), first)
	if again.Receipt == nil || again.MessageID != firstAnswer.MessageID {
		t.Fatalf("replayed message: receipt %v id %s, want %s", again.Receipt != nil, again.MessageID, firstAnswer.MessageID)
	}
	info, err = st.Info(ctx)
	must(t, err)
	if info.State.LastSeq != before {
		t.Fatalf("MAKO_INGEST of the NB went from %d to %d: a refused or replayed message was published", before, info.State.LastSeq)
	}
}

// post sends a sealed message and parses the signal answered.
func post(t *testing.T, url string, s *ebms.Sealed) *ebms.SignalMessage {
	t.Helper()
	resp, err := http.Post(url, s.ContentType, bytes.NewReader(s.Body))
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	env, _, err := ebms.ReadMultipart(resp.Header.Get("Content-Type"), bytes.NewReader(body), 1<<20)
	if err != nil {
		t.Fatalf("answer %s: %v\n%s", resp.Status, err, body)
	}
	doc := etree.NewDocument()
	must(t, doc.ReadFromBytes(env))
	sig, err := ebms.ParseSignalMessage(doc)
	must(t, err)
	return sig
}

// The receipt status of an AS4 delivery reaches the sending process: a positive receipt as
// delivery.Confirmed (status "positive"), an ebMS error that refuses the message (EBMS:0010:
// the receiver has not confirmed the relationship) as a dead letter and delivery.Failed naming
// the negative status. The LF's endpoint runs on a second nats-server.
func TestAS4ReceiptStatusReachesProcess(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, confirmConfig())
	now := time.Now()
	pki, err := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	must(t, err)
	trust := mshtest.Trust(pki, time.Now)
	nbParty, err := mshtest.NewParty(pki, mpNB, "nb", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	must(t, err)
	lfParty, err := mshtest.NewParty(pki, mpLF, "lf", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	must(t, err)

	// The LF's deployment: its own server, streams and endpoint.
	_, lfJS := startServer(t)
	must(t, streams.Ensure(context.Background(), lfJS))
	lfPartners := partners(t, lfJS)
	setNB := func(rel string) {
		_, err := lfPartners.Put(context.Background(), "lf", partner.Partner{MPID: mpNB, Channels: []partner.Channel{nbParty.Channel("https://nb.example.test/as4", rel)}})
		must(t, err)
	}
	setNB(partner.RelationshipConfirmed)
	lfIDs, err := msh.NewIdentities(lfParty.Identity)
	must(t, err)
	ep, err := msh.NewEndpoint(context.Background(), lfJS, lfIDs, trust, lfPartners, []ingest.Tenant{{ID: "lf", MPIDs: []string{mpLF}}})
	must(t, err)
	mux := http.NewServeMux()
	mux.Handle(msh.DefaultPath, ep)
	lfSrv := httptest.NewServer(mux)
	t.Cleanup(lfSrv.Close)

	// The NB sends its APERAKs over AS4.
	putPartner(t, partners(t, js), mpLF, lfParty.Channel(lfSrv.URL+msh.DefaultPath, partner.RelationshipConfirmed))
	nbIDs, err := msh.NewIdentities(nbParty.Identity)
	must(t, err)
	startWorkers(t, sys, append(allWorkers, fastDeliverer(time.Minute, deliverer.WithTransport(msh.NewTransport(nbIDs, trust))))...)

	publishIngest(t, js, "nb", utilmd55001("MKAS4STATUS1", "VGAS41"))
	m := outboxMessages(t, js, outbox.Subject("nb", mpLF), 1)[0]
	var evs []engine.EventData
	waitUntil(t, 15*time.Second, "the positive receipt in the process", func() bool {
		evs = processEvents(t, sys, m.Process, "test.delivered")
		return len(evs) > 0
	})
	if d := evs[0].(delivered); d.Status != msh.StatusPositive || d.MessageID != m.ID {
		t.Fatalf("delivered %+v", d)
	}
	if n := count(t, lfJS, streams.Ingest, inbound.Subject("lf")); n != 1 {
		t.Fatalf("LF's MAKO_INGEST: %d", n)
	}

	setNB(partner.RelationshipRequested)
	publishIngest(t, js, "nb", utilmd55001("MKAS4STATUS2", "VGAS42"))
	m2 := outboxMessages(t, js, outbox.Subject("nb", mpLF), 2)[1]
	waitUntil(t, 15*time.Second, "the negative receipt in the process", func() bool {
		evs = processEvents(t, sys, m2.Process, "test.undelivered")
		return len(evs) > 0
	})
	if u := evs[0].(undelivered); !strings.Contains(u.Reason, "receipt status negative "+ebms.CodeProcessingModeMismatch) {
		t.Fatalf("undelivered %+v", u)
	}
	if n := count(t, lfJS, streams.Ingest, inbound.Subject("lf")); n != 1 {
		t.Fatalf("LF's MAKO_INGEST after the refusal: %d", n)
	}
}
