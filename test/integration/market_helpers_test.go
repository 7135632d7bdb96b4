package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/pkg/workers/scheduler"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The market: three independent market parties on one nats-server. Each
// party is its own NATS account with its own JetStream (streams, buckets,
// consumers) and its own app.System and workers — as three companies
// running mako would be. The only link between them is the market: every
// account exports its ingest subject mako.ingest.<tenant> as a service, and
// the others import it as market.ingest.<tenant> (a local name, since the
// importer's own MAKO_INGEST captures mako.ingest.>). The parties' partner
// records point the deliverer's nats transport there, so every message
// crosses the market as EDIFACT bytes with a JetStream ack from the
// recipient's stream.

// lfx is a supplier outside the market, played by the test: it sends
// hand-built interchanges with a chosen receipt time to the NB's ingest and
// receives the NB's answers on a gateway stream of the NB's account.
const (
	mpLFX      = "9900000000035"
	lfxSubject = "gateway.lfx"
	lfxStream  = "LFX_GATEWAY"
)

// marketParty is one market party: its account connection, its System and
// its stores.
type marketParty struct {
	demo.Party
	js      jetstream.JetStream
	sys     *app.System
	malo    *malonats.NATSStore
	partner *partner.NATSStore
	rm      *readmodel.Store
}

type market struct {
	srv          *natstest.Server
	mk           demo.Market
	kind         marketKind
	lfn, nb, lfa *marketParty
	// lfxSent records LFX's interchanges sent to the NB (gas market):
	// interchange ref → gasLFX44001.
	lfxSent sync.Map
}

// marketKind is what a market runs: its three parties, the sector of their
// tenants, the process modules of a party, and the supplier outside the
// market the test plays (LFX). stromMarket is the GPKE market; the gas
// market (gas_market_test.go) is the same harness with GeLi Gas.
type marketKind struct {
	mk     demo.Market
	sector catalog.Sector
	// lfx is LFX's MP-ID: the NB's partner record sends LFX's answers to
	// the gateway stream lfxStream.
	lfx string
	// modules returns a party's process modules over its master data and
	// its registry (bound late: valid once the party's workers run).
	modules func(t *testing.T, store malo.Reader, lookup processLookup) []module.Module
	// record completes the master data seed writes for the sector (nil:
	// as it is).
	record func(r *malo.Record)
}

// processLookup reads a tenant's processes by business key (the party's
// engine.Registry, for the families' pending-process checks).
type processLookup func(ctx context.Context, tenant engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error)

// stromMarket is the GPKE market of docs/gpke.md.
var stromMarket = marketKind{mk: demo.DefaultMarket, sector: catalog.Strom, lfx: mpLFX,
	modules: func(_ *testing.T, store malo.Reader, lookup processLookup) []module.Module {
		return []module.Module{gpke.Module(gpkeOptions(store, gpke.ProcessIndexFunc(lookup))...)}
	}}

func (m *market) parties() []*marketParty { return []*marketParty{m.lfn, m.nb, m.lfa} }

// marketConf is the server configuration of the three accounts.
func marketConf(mk demo.Market) string {
	var b strings.Builder
	b.WriteString("accounts {\n")
	for _, p := range mk.Parties() {
		fmt.Fprintf(&b, "  %s {\n    jetstream: enabled\n    users: [{user: %q, password: %q}]\n    exports: [{service: %q}]\n    imports: [\n",
			strings.ToUpper(p.Tenant), p.Tenant, p.Tenant, "mako.ingest."+p.Tenant)
		for _, o := range mk.Parties() {
			if o.Tenant != p.Tenant {
				fmt.Fprintf(&b, "      {service: {account: %s, subject: %q}, to: %q}\n", strings.ToUpper(o.Tenant), "mako.ingest."+o.Tenant, marketSubject(o.Tenant))
			}
		}
		b.WriteString("    ]\n  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// marketSubject is the subject under which the other parties reach tenant.
func marketSubject(tenant string) string { return "market.ingest." + tenant }

// withAccounts applies the accounts of conf to the test server.
func withAccounts(t *testing.T, conf string) natstest.Option {
	path := filepath.Join(t.TempDir(), "market.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	parsed, err := server.ProcessConfigFile(path)
	if err != nil {
		t.Fatalf("market config: %v\n%s", err, conf)
	}
	return func(o *server.Options) {
		o.Accounts, o.Users = parsed.Accounts, parsed.Users
	}
}

// gpkeOptions are the module options of every party: real deadlines of
// pkg/fristen; the scenarios steer time through receipt times. Pending
// Anmeldungen (E_0622 step 70) come from the party's registry. The
// Vorlauffrist of a 55007 (E_0609 step 40, no default: unverified) is set
// to a maximum of one year, so that a Zuordnungsbeginn two years ahead
// reaches step 40's A03 through the pipeline. ix may be nil (no step 70).
// The receipt times set the NB's receipt of LFX's Anmeldung
// (Mako-Received-At) but not the LFA's receipt of the NB's Anfrage, which is
// always now: E_0624 step 5 (A43 after 07:00 of the Werktag after the ÜT)
// would see a weeks-late Anfrage, so it is off here and tested in pkg/gpke
// (TestE0624Step5).
func gpkeOptions(store malo.Reader, ix gpke.ProcessIndex) []gpke.Option {
	opts := []gpke.Option{gpke.WithMasterData(gpke.FromMaLo(store)), gpke.WithAnfrageCutoff(-1, 0),
		gpke.WithBeendigungLeadTime(func(_ *fristen.Calendar, received, end time.Time) bool {
			return !end.After(received.AddDate(1, 0, 0))
		})}
	if ix != nil {
		opts = append(opts, gpke.WithProcessIndex(ix))
	}
	return opts
}

var marketWorkers = []func(*app.System, context.Context) error{
	(*app.System).RunIngest, (*app.System).RunProcessor, (*app.System).RunRelay,
	(*app.System).RunScheduler, (*app.System).RunProjector, (*app.System).RunERPPublisher,
	(*app.System).RunERPReceiver, (*app.System).RunMaLo,
}

// startMarket starts the server, the three parties and their workers, and
// the partner records of the market.
func startMarket(t *testing.T) *market { return startMarketWith(t, marketHooks{}) }

// marketHooks change how startMarketWith links the parties (the AS4 market
// of as4_test.go): deliverer options per party and the partner records.
type marketHooks struct {
	// deliverer returns extra options of a party's deliverer.
	deliverer func(p demo.Party) []deliverer.Option
	// partners writes a party's partner records (default: nats channels to
	// the others' market subjects).
	partners func(t *testing.T, p *marketParty)
	// kind is the market (default stromMarket).
	kind *marketKind
}

// startMarketWith is startMarket with hooks.
func startMarketWith(t *testing.T, h marketHooks) *market {
	t.Helper()
	ctx := context.Background()
	kind := stromMarket
	if h.kind != nil {
		kind = *h.kind
	}
	mk := kind.mk
	srv := natstest.Start(t, withAccounts(t, marketConf(mk)))
	m := &market{srv: srv, mk: mk, kind: kind}
	for _, p := range mk.Parties() {
		_, js := srv.JetStream(nats.UserInfo(p.Tenant, p.Tenant))
		role := routing.RoleLF
		if p.Role == "NB" {
			role = routing.RoleNB
		}
		st, err := malonats.OpenNATS(ctx, js, 0)
		must(t, err)
		// The module exists before the system; its registry is bound late
		// (the enricher runs only once the workers run).
		var sys *app.System
		lookup := func(ctx context.Context, tenant engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error) {
			return sys.Engine().Registry().LookupAll(ctx, tenant, k)
		}
		cfg := app.SystemConfig{
			Tenants:     []ingest.Tenant{{ID: engine.TenantID(p.Tenant), MPIDs: []string{p.MPID}, Roles: []routing.Role{role}, Sector: kind.sector}},
			Modules:     kind.modules(t, st, lookup),
			Concurrency: 4,
		}
		sys = newSystem(t, js, cfg)
		pst, err := partner.OpenNATS(ctx, js, 0)
		must(t, err)
		mp := &marketParty{Party: p, js: js, sys: sys, malo: st, partner: pst, rm: readmodel.NewStore(js)}
		// The deliverer with the system's defaults (nats transport included).
		var dopts []deliverer.Option
		if h.deliverer != nil {
			dopts = h.deliverer(p)
		}
		startWorkers(t, sys, append(slices.Clone(marketWorkers), func(s *app.System, ctx context.Context) error {
			return s.RunDelivererWith(dopts...)(ctx)
		})...)
		switch p.Tenant {
		case mk.LFN.Tenant:
			m.lfn = mp
		case mk.NB.Tenant:
			m.nb = mp
		default:
			m.lfa = mp
		}
		if h.partners != nil {
			h.partners(t, mp)
			continue
		}
		_, err = demo.SeedPartners(ctx, pst, mk, marketSubject)
		must(t, err)
	}
	// LFX, outside the market, receives the NB's answers on a gateway stream.
	_, err := m.nb.js.CreateStream(ctx, jetstream.StreamConfig{Name: lfxStream, Subjects: []string{lfxSubject}, Storage: jetstream.MemoryStorage})
	must(t, err)
	_, err = m.nb.partner.Put(ctx, m.nb.Tenant, partner.Partner{MPID: kind.lfx, Name: "LFX (test)", Roles: []string{"LF"},
		Channels: []partner.Channel{{Transport: partner.TransportNATS, Subject: lfxSubject}}})
	must(t, err)
	return m
}

// seedSwitch gives the MaLo the master data of docs/gpke.md: in the NB's
// grid, supplied by the LFA since 2026-01-01 (NB and LFA records).
func (m *market) seedSwitch(t *testing.T, maloID string) {
	t.Helper()
	m.seed(t, maloID, m.mk.NB.MPID)
}

// seed writes the NB's and the LFA's record of the MaLo (grid operator
// gridOp, supplied by the LFA since 2026-01-01), each in its own account.
func (m *market) seed(t *testing.T, maloID, gridOp string) {
	t.Helper()
	rec := malo.Record{MaLo: maloID, GridOperator: gridOp, Sector: m.kind.sector.String(),
		Periods: []malo.Period{{Supplier: m.mk.LFA.MPID, From: deDay(2026, 1, 1)}},
		MeLos:   []string{demo.DemoMeLo(maloID)}, MSB: m.mk.NB.MPID, MSBRole: "Z39"}
	if m.kind.record != nil {
		m.kind.record(&rec)
	}
	for _, p := range []*marketParty{m.nb, m.lfa} {
		r := rec
		if p == m.lfa {
			kwh := int64(3200) // the LFA's previous-year consumption (55017)
			r.AnnualConsumption = &kwh
		}
		_, err := p.malo.Put(context.Background(), p.Tenant, r)
		must(t, err)
	}
}

// editRecord changes the party's master data of the MaLo with edit.
func (p *marketParty) editRecord(t *testing.T, maloID string, edit func(r *malo.Record)) {
	t.Helper()
	ctx := context.Background()
	r, err := p.malo.Lookup(ctx, p.Tenant, maloID)
	must(t, err)
	if r == nil {
		t.Fatalf("%s: no master data of %s", p.Tenant, maloID)
	}
	edit(r)
	_, err = p.malo.Put(ctx, p.Tenant, *r)
	must(t, err)
}

// deDay is 00:00 German local time of a date.
func deDay(y int, mo time.Month, d int) time.Time { return fristen.Date(y, mo, d) }

// maloSeq hands out valid MaLo-IDs, one per scenario (scenarios may start
// concurrently).
var maloSeq atomic.Int64

func nextMaLo(t *testing.T) string {
	t.Helper()
	first := fmt.Sprintf("5%09d", 700000000+maloSeq.Add(1))
	c, err := ident.MaLoCheckDigit(first)
	must(t, err)
	return first + string(c)
}

// erpCommand publishes an ERP command on the party's mako.erp.in.<tenant>.
func (p *marketParty) erpCommand(t *testing.T, key, typ string, data any) {
	t.Helper()
	raw, err := json.Marshal(data)
	must(t, err)
	b, err := json.Marshal(erp.Request{IdempotencyKey: key, Type: typ, Tenant: p.Tenant, Data: raw})
	must(t, err)
	_, err = p.js.Publish(context.Background(), erp.InSubject(engine.TenantID(p.Tenant)), b)
	must(t, err)
}

// outbox reads every message on the party's outbox so far.
func (p *marketParty) outbox(t *testing.T) []demo.Message {
	t.Helper()
	return p.outboxUpTo(t, p.outboxSeq(t))
}

// outboxSeq is the last sequence of the party's outbox (0: empty).
func (p *marketParty) outboxSeq(t *testing.T) uint64 {
	t.Helper()
	st, err := p.js.Stream(context.Background(), streams.Outbox)
	must(t, err)
	info, err := st.Info(context.Background())
	must(t, err)
	if info.State.Msgs == 0 {
		return 0
	}
	return info.State.LastSeq
}

// outboxUpTo reads the party's outbox up to sequence last: an empty fetch
// is no proof of the end (a consumer can be slow to deliver on a loaded
// machine).
func (p *marketParty) outboxUpTo(t *testing.T, last uint64) []demo.Message {
	t.Helper()
	var out []demo.Message
	if last == 0 {
		return out
	}
	cons, err := p.js.OrderedConsumer(context.Background(), streams.Outbox, jetstream.OrderedConsumerConfig{})
	must(t, err)
	deadline := time.Now().Add(20 * time.Second)
	for {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(100*time.Millisecond))
		must(t, err)
		for msg := range batch.Messages() {
			md, err := msg.Metadata()
			must(t, err)
			if md.Sequence.Stream > last {
				return out
			}
			dm, err := demo.Decode(msg.Subject(), msg.Headers(), msg.Data(), md.Timestamp)
			if err != nil {
				t.Errorf("outbox of %s: %v", p.Tenant, err)
			} else {
				out = append(out, dm)
			}
			if md.Sequence.Stream == last {
				return out
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox of %s: not read up to sequence %d", p.Tenant, last)
		}
	}
}

// messages reads the outboxes of all three parties, ordered by time, as
// one snapshot: the outboxes are read up to the sequences they had before
// reading began, and again if any of them grew meanwhile (an answer read
// from one outbox must not lack its request, sent earlier by another
// party whose outbox was read first).
func (m *market) messages(t *testing.T) []demo.Message {
	t.Helper()
	seqs := func() []uint64 {
		var out []uint64
		for _, p := range m.parties() {
			out = append(out, p.outboxSeq(t))
		}
		return out
	}
	for attempt := 0; ; attempt++ {
		before := seqs()
		var all []demo.Message
		for i, p := range m.parties() {
			all = append(all, p.outboxUpTo(t, before[i])...)
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].At.Before(all[j].At) })
		if attempt == 20 || slices.Equal(before, seqs()) {
			return all
		}
	}
}

// waitConversation polls the outboxes until done holds for the MaLo's
// conversation (20 s as a failure guard only).
func (m *market) waitConversation(t *testing.T, maloID string, what string, done func(demo.Conversation) bool) demo.Conversation {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		// LFX's Anmeldung (lfxAnmeldung) is in no outbox; its transaction
		// TX<MaLo> starts the NB's answers, which (55003) carry no MaLo.
		c := demo.Select(m.messages(t), maloID, "TX"+maloID)
		if done(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("MaLo %s: %s did not happen; conversation so far:\n%sCloudEvents: LFN %v, NB %v, LFA %v", maloID, what, conversationText(c, m.mk),
				failures(m.lfn.events(t, maloID)), failures(m.nb.events(t, maloID)), failures(m.lfa.events(t, maloID)))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func conversationText(c demo.Conversation, mk demo.Market) string {
	names := mk.Names()
	names[mpLFX], names[mpGasLFX] = "LFX", "LFX"
	var b strings.Builder
	for _, msg := range c.Messages {
		b.WriteString("  " + msg.Line(names) + "\n")
	}
	return b.String()
}

// convComplete: every request answered, every UTILMD acknowledged.
func convComplete(c demo.Conversation) bool { return len(c.Messages) > 0 && len(c.Open()) == 0 }

// events reads the party's CloudEvents about the MaLo so far.
func (p *marketParty) events(t *testing.T, maloID string) []demo.ReceivedEvent {
	t.Helper()
	ctx := context.Background()
	cons, err := p.js.OrderedConsumer(ctx, erp.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{erp.Subject(engine.TenantID(p.Tenant))}})
	must(t, err)
	var out []demo.ReceivedEvent
	for {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(100*time.Millisecond))
		must(t, err)
		n := 0
		for msg := range batch.Messages() {
			n++
			ce, err := erp.ParseCloudEvent(msg.Data())
			if err != nil {
				t.Errorf("CloudEvent of %s: %v", p.Tenant, err)
				continue
			}
			var d erp.ProcessData
			if len(ce.Data) > 0 {
				_ = json.Unmarshal(ce.Data, &d)
			}
			if d.Marktlokation != nil && d.Marktlokation.MarktlokationsID == maloID {
				out = append(out, demo.ReceivedEvent{Tenant: p.Tenant, Event: ce, Data: d})
			}
		}
		if n == 0 {
			return out
		}
	}
}

// waitEvent polls the party's CloudEvents until one of type typ (and pid,
// if given) about the MaLo appears.
func (p *marketParty) waitEvent(t *testing.T, maloID, typ, pid string) demo.ReceivedEvent {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, ev := range p.events(t, maloID) {
			if ev.Event.Type == typ && (pid == "" || ev.Data.PID == pid) {
				return ev
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no CloudEvent %s %s for MaLo %s; have %v", p.Tenant, typ, pid, maloID, eventTypes(p.events(t, maloID)))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func eventTypes(evs []demo.ReceivedEvent) []string {
	var out []string
	for _, ev := range evs {
		s := strings.TrimPrefix(ev.Event.Type, "de.mako.")
		if ev.Data.PID != "" {
			s += " " + ev.Data.PID
		}
		if ev.Data.Code != "" {
			s += " " + ev.Data.Code
		}
		out = append(out, s)
	}
	return out
}

// failures lists the CloudEvents (eventTypes) with the reason of a failed
// process, for a failure message.
func failures(evs []demo.ReceivedEvent) []string {
	out := eventTypes(evs)
	for i, ev := range evs {
		if ev.Event.Type == erp.TypeProcessFailed {
			out[i] += " (" + ev.Data.Reason + ")"
		}
	}
	return out
}

// process waits until the read model has the process with an outcome and
// returns it with the event types of its history (event store).
func (p *marketParty) process(t *testing.T, id string) (readmodel.Process, []string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rp, err := p.rm.Process(ctx, p.Tenant, id)
		if err == nil && rp.Outcome != "" {
			envs, err := p.sys.Engine().EventStore().Load(ctx, engine.StreamOf(engine.TenantID(p.Tenant), engine.ProcessID(id)))
			must(t, err)
			var types []string
			for _, e := range envs {
				types = append(types, e.Type)
			}
			return rp, types
		}
		if err != nil && !errors.Is(err, readmodel.ErrNotFound) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: process %s has no outcome in the read model (%+v, %v)", p.Tenant, id, rp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// record waits until check holds for the party's master data of the MaLo.
func (p *marketParty) record(t *testing.T, maloID, what string, check func(*malo.Record) bool) *malo.Record {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := p.malo.Lookup(context.Background(), p.Tenant, maloID)
		must(t, err)
		if check(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: master data of %s: %s not reached: %+v", p.Tenant, maloID, what, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// supplierAt returns the supplier of the record at t ("" if none).
func supplierAt(r *malo.Record, at time.Time) string {
	if r == nil {
		return ""
	}
	p, _ := r.SupplierAt(at)
	return p.Supplier
}

// checkMessages asserts what every message of the market must satisfy: a
// clean edifact.Check, a PID known for the format version of its date, and
// APERAKs that reference a transaction.
func checkMessages(t *testing.T, c demo.Conversation) {
	t.Helper()
	for _, msg := range c.Messages {
		checkAHB(t, msg)
		if len(msg.Findings) > 0 {
			t.Errorf("%s %s %s of %s: edifact.Check findings %v", msg.Type, msg.PID, msg.Interchange, msg.Tenant, msg.Findings)
		}
		switch msg.Type {
		case "UTILMD":
			v, err := fv.Resolve(msg.At)
			must(t, err)
			if !catalog.KnownPID("UTILMD", v, msg.PID) {
				t.Errorf("UTILMD %s of %s: PID %s not known for %s", msg.Transaction, msg.Tenant, msg.PID, v)
			}
		case "APERAK":
			if msg.RefTN == "" || msg.RefDocument == "" {
				t.Errorf("APERAK %s of %s references no transaction/document", msg.Interchange, msg.Tenant)
			}
		}
	}
}

// onePID returns the single message of a PID in the conversation.
func onePID(t *testing.T, c demo.Conversation, pid string, mk demo.Market) demo.Message {
	t.Helper()
	ms := c.UTILMD(pid)
	if len(ms) != 1 {
		t.Fatalf("want one %s, have %d:\n%s", pid, len(ms), conversationText(c, mk))
	}
	return ms[0]
}

// aperakOf returns the single APERAK for a transaction and checks its code.
func aperakOf(t *testing.T, c demo.Conversation, msg demo.Message, code string, mk demo.Market) demo.Message {
	t.Helper()
	as := c.AperakFor(msg.Transaction)
	if len(as) != 1 {
		t.Fatalf("want one APERAK for %s %s, have %d:\n%s", msg.PID, msg.Transaction, len(as), conversationText(c, mk))
	}
	a := as[0]
	if a.DocCode != code || a.From != msg.To || a.To != msg.From || a.RefDocument != msg.Document {
		t.Errorf("APERAK for %s %s: %s from %s to %s for doc %s, want %s from %s to %s for doc %s", msg.PID, msg.Transaction,
			a.DocCode, a.From, a.To, a.RefDocument, code, msg.To, msg.From, msg.Document)
	}
	return a
}

// checkAnswer checks an answer UTILMD: sender, recipient, code:EBD and RFF+TN.
func checkAnswer(t *testing.T, got demo.Message, req demo.Message, code, ebd string) {
	t.Helper()
	if got.From != req.To || got.To != req.From || got.RefTN != req.Transaction || got.Code != code || got.EBD != ebd {
		t.Errorf("%s: from %s to %s answers %s with %s:%s; want from %s to %s answering %s with %s:%s", got.PID,
			got.From, got.To, got.RefTN, got.Code, got.EBD, req.To, req.From, req.Transaction, code, ebd)
	}
}

// registerSupplyStart sends the LFN's ERP command (idempotency key key)
// starting a GPKE Anmeldung of maloID at start in the NB's grid, with the
// demo customer data (supplyStart) and the fields of extra (e.g. "reason").
func (m *market) registerSupplyStart(t *testing.T, key, maloID string, start time.Time, extra map[string]any) {
	t.Helper()
	cmd := map[string]any{"malo": maloID, "start": start, "nb": m.mk.NB.MPID, "lfn": m.mk.LFN.MPID}
	for k, v := range extra {
		cmd[k] = v
	}
	m.lfn.erpCommand(t, key, gpke.ERPRegisterSupplyStart, supplyStart(cmd))
}

// supplyStart adds the customer and product data the 55001 AHB requires to
// an ERP command gpke.lfn.register_supply_start.
func supplyStart(cmd map[string]any) map[string]any {
	for k, v := range demo.CustomerData() {
		cmd[k] = v
	}
	return cmd
}

// checkAHB validates a sent interchange against the AHB of its PIDs (pkg/ahb,
// FV from its DTM+137): the UTILMDs and APERAKs of the workflows must have no
// finding at all, a CONTRL (built by ingest) no rejecting one — in Gas,
// where every interchange gets one, no finding at all either.
func checkAHB(t *testing.T, msg demo.Message) {
	t.Helper()
	ix, err := edifact.Parse(msg.Raw)
	if err != nil {
		t.Errorf("%s %s of %s: %v", msg.Type, msg.Interchange, msg.Tenant, err)
		return
	}
	for i := range ix.Messages {
		rep, err := ahb.Validate(&ix.Messages[i])
		if err != nil {
			t.Errorf("%s %s of %s: ahb: %v", msg.Type, msg.Interchange, msg.Tenant, err)
			continue
		}
		bad := rep.Findings
		if msg.Type == "CONTRL" && !msg.IsGas() {
			bad = rep.Rejecting()
		}
		for _, f := range bad {
			t.Errorf("%s %v %s of %s: AHB finding %s: %s", msg.Type, rep.PIDs, msg.Interchange, msg.Tenant, f.Rule, f.Text)
		}
	}
}

// forceLFADeadline fires the NB's "lfa" deadline (its wait for the LFA's
// answer) of process now, as operator alice would with `mako deadline
// fire` (scheduler.Force, through the command stream), and checks that the
// deadline lay in the future. It returns the fire time and the deadline.
func (m *market) forceLFADeadline(t *testing.T, process string) (time.Time, engine.DeadlineFired) {
	t.Helper()
	at := time.Now()
	fired, err := scheduler.Force(context.Background(), m.nb.js, m.nb.sys.Engine().EventStore(), scheduler.ForceRequest{
		Tenant: engine.TenantID(m.mk.NB.Tenant), Process: engine.ProcessID(process), Label: "lfa", By: "alice", Reason: "Klärfall: LFA silent", At: at})
	must(t, err)
	if !fired.Due.After(at) {
		t.Errorf("the lfa deadline was due already (%s); the scenario needs one in the future", fired.Due)
	}
	return at, fired
}

// checkForcedAudit checks that the NB's history of process records who
// fired its "lfa" deadline and why (forceLFADeadline).
func (m *market) checkForcedAudit(t *testing.T, process string) {
	t.Helper()
	envs, err := m.nb.sys.Engine().EventStore().Load(context.Background(), engine.StreamOf(engine.TenantID(m.mk.NB.Tenant), engine.ProcessID(process)))
	must(t, err)
	audited := false
	for _, env := range envs {
		if env.Type == engine.EventDeadlineFired {
			v, err := engine.DecodeEngineEvent(env)
			must(t, err)
			f := v.(*engine.DeadlineFired)
			audited = f.Label == "lfa" && f.By == "alice" && f.Reason == "Klärfall: LFA silent"
		}
	}
	if !audited {
		t.Error("the NB's history does not record who fired the deadline and why")
	}
}
