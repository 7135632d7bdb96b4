package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The ERP test workflow: an ERP command "test.start_supply" spawns a
// process that records the supply start. Its events reach the ERP as
// CloudEvents (erpwire.Event) and the master data (malo.Changer).

const (
	erpMaLo     = "51238696781"
	erpOldLF    = "9900000000028"
	erpNewLF    = "9900000000004"
	erpWorkflow = "test.erp"
)

type startSupply struct {
	MaLo     string
	Supplier string
	From     time.Time
	Master   *malo.Record
}

func (startSupply) CommandType() string                          { return "test.start_supply" }
func (c startSupply) MaLoID() string                             { return c.MaLo }
func (c startSupply) WithMaLo(r *malo.Record) engine.CommandData { c.Master = r; return c }

type supplyInitiated struct{ MaLo string }

func (supplyInitiated) EventType() string { return "test.supply_initiated" }
func (e supplyInitiated) CloudEvent() (string, string, any) {
	ml := erpwire.NewMarktlokation(e.MaLo)
	return erpwire.TypeProcessInitiated, "", erpwire.ProcessData{Workflow: erpWorkflow, Marktlokation: &ml}
}

type supplyStarted struct {
	MaLo, Supplier, Previous string
	From                     time.Time
}

func (supplyStarted) EventType() string { return "test.supply_started" }
func (e supplyStarted) CloudEvent() (string, string, any) {
	ml := erpwire.NewMarktlokation(e.MaLo)
	p := erpwire.NewMarktteilnehmer(e.Supplier, "LF")
	return erpwire.TypeProcessCompleted, "", erpwire.ProcessData{Workflow: erpWorkflow, Outcome: "accepted", Reason: "previous " + e.Previous,
		Date: e.From.Format(time.RFC3339), Marktlokation: &ml, Partner: &p}
}
func (e supplyStarted) MaLoChange() malo.Change {
	return malo.AssignSupplier(e.MaLo, e.Supplier, e.From)
}
func (supplyStarted) MakoPID() string { return "55001" }

// noteSupply is an ERP command for the running process of a MaLo.
type noteSupply struct{ MaLo, Note string }

func (noteSupply) CommandType() string { return "test.note" }

type supplyNoted struct{ MaLo, Note string }

func (supplyNoted) EventType() string { return "test.supply_noted" }
func (e supplyNoted) CloudEvent() (string, string, any) {
	ml := erpwire.NewMarktlokation(e.MaLo)
	return erpwire.TypeMaLoIdentified, "", erpwire.ProcessData{Workflow: erpWorkflow, Reason: e.Note, Marktlokation: &ml}
}

type erpState struct{ Started int }

type erpFlow struct{}

func (erpFlow) Name() string { return erpWorkflow }
func (erpFlow) Codec() *engine.Codec {
	return engine.NewCodec().Event(supplyInitiated{}, 1).Event(supplyStarted{}, 1).Event(supplyNoted{}, 1).
		Command(startSupply{}).Command(noteSupply{})
}
func (erpFlow) Initial() erpState { return erpState{} }
func (erpFlow) Apply(s erpState, ev engine.Event) erpState {
	if _, ok := ev.Data.(supplyStarted); ok {
		s.Started++
	}
	return s
}
func (erpFlow) Handle(s erpState, cmd engine.Command) (engine.Decision, error) {
	if n, ok := cmd.Payload.(noteSupply); ok {
		return engine.Decision{Events: []engine.EventData{supplyNoted(n)}}, nil
	}
	c, ok := cmd.Payload.(startSupply)
	if !ok {
		return engine.Decision{}, fmt.Errorf("unexpected %T", cmd.Payload)
	}
	prev := "none"
	if c.Master != nil {
		if p, ok := c.Master.SupplierAt(c.From.Add(-time.Nanosecond)); ok {
			prev = p.Supplier
		}
	}
	return engine.Decision{Events: []engine.EventData{
		supplyInitiated{MaLo: c.MaLo},
		supplyStarted{MaLo: c.MaLo, Supplier: c.Supplier, Previous: prev, From: c.From},
	}, Correlate: []engine.BusinessKey{{Kind: inbound.KeyMaLo, Value: c.MaLo}}}, nil
}

func decodeStartSupply(data json.RawMessage) (engine.CommandData, error) {
	var in struct {
		MaLo     string    `json:"malo"`
		Supplier string    `json:"supplier"`
		From     time.Time `json:"from"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, err
	}
	if err := ident.ValidateMaLo(in.MaLo); err != nil {
		return nil, err
	}
	if err := ident.ValidateMPID(in.Supplier); err != nil {
		return nil, err
	}
	if in.From.IsZero() {
		return nil, errors.New("from is missing")
	}
	return startSupply{MaLo: in.MaLo, Supplier: in.Supplier, From: in.From}, nil
}

func decodeNote(data json.RawMessage) (engine.CommandData, error) {
	var in struct {
		MaLo string `json:"malo"`
		Note string `json:"note"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, err
	}
	return noteSupply{MaLo: in.MaLo, Note: in.Note}, ident.ValidateMaLo(in.MaLo)
}

func erpConfig(store malo.Reader) app.SystemConfig {
	cfg := defaultConfig()
	cfg.Modules = []module.Module{{
		Name:        "test-erp",
		Definitions: []engine.AnyDefinition{engine.Define[erpState](erpFlow{}, fv.MustParse("FV2604"))},
		Enrich:      malo.Enricher(store),
		ERPCommands: []erpwire.CommandType{
			{Type: "test.start_supply", Workflow: erpWorkflow, Decode: decodeStartSupply},
			{Type: "test.note", Decode: decodeNote, Route: func(_ context.Context, _ erpwire.Request, p engine.CommandData) (erpwire.Target, error) {
				return erpwire.Target{Existing: &engine.BusinessKey{Kind: inbound.KeyMaLo, Value: p.(noteSupply).MaLo}}, nil
			}},
		},
	}}
	return cfg
}

var erpWorkers = []func(*app.System, context.Context) error{
	(*app.System).RunProcessor, (*app.System).RunERPPublisher, (*app.System).RunERPReceiver, (*app.System).RunMaLo,
}

// erpSetup starts a server, opens the master data (the NB knows the old
// supplier) and builds the system.
func erpSetup(t *testing.T) (jetstream.JetStream, *malonats.NATSStore, *app.System) {
	t.Helper()
	_, js := startServer(t)
	ctx := context.Background()
	store, err := malonats.OpenNATS(ctx, js, 0)
	must(t, err)
	rec := malo.Apply(malo.Apply(malo.Record{}, malo.SetGrid(erpMaLo, "NG-1", mpNB)), malo.AssignSupplier(erpMaLo, erpOldLF, time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)))
	_, err = store.Put(ctx, "nb", rec)
	must(t, err)
	return js, store, newSystem(t, js, erpConfig(store))
}

func erpCommand(t *testing.T, js jetstream.JetStream, tenant, body string) {
	t.Helper()
	msg := nats.NewMsg(erpwire.InSubject(engine.TenantID(tenant)))
	msg.Data = []byte(body)
	_, err := js.PublishMsg(context.Background(), msg)
	must(t, err)
}

func startCommand(key string) string {
	return `{"idempotency_key":"` + key + `","type":"test.start_supply","tenant":"nb","data":{"malo":"` + erpMaLo + `","supplier":"` + erpNewLF + `","from":"2026-11-30T23:00:00Z"}}`
}

func cloudEvents(t *testing.T, js jetstream.JetStream, tenant string, want int) []erpwire.CloudEvent {
	t.Helper()
	var out []erpwire.CloudEvent
	for _, m := range collect(t, js, erpwire.Stream, erpwire.Subject(engine.TenantID(tenant)), want, 15*time.Second) {
		if m.Headers().Get("Content-Type") != erpwire.ContentType {
			t.Errorf("content type %q", m.Headers().Get("Content-Type"))
		}
		ce, err := erpwire.ParseCloudEvent(m.Data())
		must(t, err)
		out = append(out, ce)
	}
	if len(out) != want {
		t.Fatalf("%d CloudEvents on %s, want %d: %+v", len(out), erpwire.Subject(engine.TenantID(tenant)), want, out)
	}
	return out
}

func erpWait(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// resetConsumer deletes a durable consumer and creates it again from its
// definition: it redelivers the whole stream, as after a lost ack state.
func resetConsumer(t *testing.T, js jetstream.JetStream, stream, name string) {
	t.Helper()
	ctx := context.Background()
	must(t, js.DeleteConsumer(ctx, stream, name))
	must(t, streams.EnsureConsumer(ctx, js, stream, name))
}

func TestERPCommandToEventsAndMasterData(t *testing.T) {
	js, store, sys := erpSetup(t)
	var mu sync.Mutex
	outcomes := map[string]int{}
	w := startWorkers(t, sys, (*app.System).RunProcessor, (*app.System).RunERPPublisher, (*app.System).RunMaLo,
		func(s *app.System, ctx context.Context) error {
			return s.RunERPReceiverWith(erp.WithOutcome(func(o erp.Outcome) { mu.Lock(); outcomes[o.Result]++; mu.Unlock() }))(ctx)
		})

	erpCommand(t, js, "nb", startCommand("order-1"))
	// accepted, initiated, completed.
	ces := cloudEvents(t, js, "nb", 3)
	byType := map[string]erpwire.CloudEvent{}
	for _, ce := range ces {
		byType[ce.Type] = ce
	}
	acc, ok := byType[erpwire.TypeCommandAccepted]
	if !ok {
		t.Fatalf("no acceptance in %+v", ces)
	}
	var ans erp.CommandAnswer
	must(t, json.Unmarshal(acc.Data, &ans))
	if ans.IdempotencyKey != "order-1" || ans.Process == "" || !ans.Spawned || acc.Subject != ans.Process || acc.ID != erpwire.AcceptedID("nb", "order-1") {
		t.Fatalf("acceptance %+v %+v", acc, ans)
	}
	done, ok := byType[erpwire.TypeProcessCompleted]
	if !ok || done.Subject != ans.Process || done.Source != "urn:mako:makod:tenant:nb" || done.MakoPID != "55001" || done.MakoConvID != "order-1" ||
		done.DataSchema != erpwire.BO4ESchemaURL("bo/Marktlokation") {
		t.Fatalf("completion %+v", done)
	}
	var pd erpwire.ProcessData
	must(t, json.Unmarshal(done.Data, &pd))
	// The enricher gave the workflow the master data: the previous supplier.
	if pd.Marktlokation == nil || pd.Marktlokation.MarktlokationsID != erpMaLo || pd.Partner.Rollencodenummer != erpNewLF || pd.Reason != "previous "+erpOldLF {
		t.Fatalf("completion data %+v", pd)
	}
	if _, ok := byType[erpwire.TypeProcessInitiated]; !ok {
		t.Fatalf("no initiation in %+v", ces)
	}

	// Master data: the MaLo is assigned to the new supplier from the start date, once.
	var e malo.Entry
	erpWait(t, 10*time.Second, "master data", func() bool {
		var err error
		e, err = store.Get(context.Background(), "nb", erpMaLo)
		return err == nil && len(e.Record.Applied) == 1
	})
	from := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	if p, ok := e.Record.SupplierAt(from); !ok || p.Supplier != erpNewLF {
		t.Fatalf("supplier at %s: %+v", from, e.Record.Periods)
	}
	if p, ok := e.Record.SupplierAt(from.Add(-time.Hour)); !ok || p.Supplier != erpOldLF || p.To == nil || !p.To.Equal(from) {
		t.Fatalf("previous period: %+v", e.Record.Periods)
	}

	// The same command again (another message, same idempotency key): not
	// executed, answered as a duplicate.
	erpCommand(t, js, "nb", startCommand("order-1"))
	erpWait(t, 10*time.Second, "duplicate handled", func() bool { mu.Lock(); defer mu.Unlock(); return outcomes["duplicate"] == 1 })

	// Malformed commands and invalid data: rejection events and dead letters.
	erpCommand(t, js, "nb", `{"idempotency_key":"order-2","type":"test.start_supply"`)
	erpCommand(t, js, "nb", `{"idempotency_key":"order-3","type":"test.start_supply","tenant":"nb","data":{"malo":"51238696780","supplier":"`+erpNewLF+`","from":"2026-11-30T23:00:00Z"}}`)
	erpCommand(t, js, "nb", `{"idempotency_key":"order-4","type":"test.unknown","tenant":"nb","data":{}}`)
	erpCommand(t, js, "nb", `{"idempotency_key":"order-5","type":"test.start_supply","tenant":"nb"}`)
	ces = cloudEvents(t, js, "nb", 8)
	codes := map[string]string{}
	for _, ce := range ces[3:] {
		if ce.Type != erpwire.TypeCommandRejected {
			t.Fatalf("expected rejections, got %+v", ce)
		}
		var a erp.CommandAnswer
		must(t, json.Unmarshal(ce.Data, &a))
		if a.Reason == "" {
			t.Errorf("rejection without reason: %+v", a)
		}
		codes[a.IdempotencyKey] = a.Code
	}
	// A command that is not JSON has no idempotency key to quote.
	if codes["order-1"] != erp.RejectDuplicate || codes[""] != erp.RejectMalformed || codes["order-3"] != erp.RejectInvalidData ||
		codes["order-4"] != erp.RejectUnknownType || codes["order-5"] != erp.RejectMalformed {
		t.Fatalf("rejection codes %v", codes)
	}
	dl := collect(t, js, streams.DLQ, deadletter.Subject("nb"), 5, 10*time.Second)
	if len(dl) != 5 {
		t.Fatalf("%d dead letters, want 5", len(dl))
	}
	reasons := map[deadletter.Reason]int{}
	for _, m := range dl {
		l, err := deadletter.Decode(m.Data())
		must(t, err)
		reasons[l.Reason]++
		if l.Source.Stream != erpwire.Stream || len(l.Payload) == 0 {
			t.Errorf("dead letter %+v", l)
		}
	}
	if reasons[deadletter.ReasonMalformed] != 4 || reasons[deadletter.ReasonDuplicate] != 1 {
		t.Errorf("dead letter reasons %v", reasons)
	}
	// The process ran once: one commit.
	if n := count(t, js, streams.Events, "mako.evt.nb."+ans.Process); n != 1 {
		t.Fatalf("%d commits on the process, want 1", n)
	}
	mu.Lock()
	if outcomes["accepted"] != 1 || outcomes["rejected"] != 4 {
		t.Errorf("outcomes %v", outcomes)
	}
	mu.Unlock()

	// Restart the publisher and the master data consumer from the beginning
	// of MAKO_EVENTS: nothing is published or applied twice.
	w.stop()
	rev := e.Revision
	resetConsumer(t, js, streams.Events, erpwire.PublisherConsumer)
	resetConsumer(t, js, streams.Events, malonats.Consumer)
	var nPub, nApp int
	startWorkers(t, sys,
		func(s *app.System, ctx context.Context) error {
			return s.RunERPPublisherWith(erp.WithPublished(func(erpwire.CloudEvent) { mu.Lock(); nPub++; mu.Unlock() }))(ctx)
		},
		func(s *app.System, ctx context.Context) error {
			return s.RunMaLoWith(malonats.WithApplied(func(a malonats.Applied) {
				mu.Lock()
				defer mu.Unlock()
				nApp++
				if a.Fresh {
					t.Errorf("change %s applied again", a.EventID)
				}
			}))(ctx)
		})
	// The commit's two CloudEvents are published again (the stream drops
	// them as duplicates) and its change is seen again (and skipped).
	erpWait(t, 10*time.Second, "replay", func() bool { mu.Lock(); defer mu.Unlock(); return nPub == 2 && nApp == 1 })
	if n := count(t, js, erpwire.Stream, erpwire.Subject("nb")); n != 8 {
		t.Fatalf("%d CloudEvents after the replay, want 8", n)
	}
	got, err := store.Get(context.Background(), "nb", erpMaLo)
	must(t, err)
	if got.Revision != rev {
		t.Fatalf("master data rewritten by the replay: revision %d → %d", rev, got.Revision)
	}
}

func TestERPCommandToExistingProcess(t *testing.T) {
	js, _, sys := erpSetup(t)
	startWorkers(t, sys, append(erpWorkers, (*app.System).RunRelay)...)
	erpCommand(t, js, "nb", startCommand("order-20"))
	ces := cloudEvents(t, js, "nb", 3)
	var process string
	for _, ce := range ces {
		if ce.Type == erpwire.TypeProcessCompleted {
			process = ce.Subject
		}
	}
	// The relay binds the MaLo key; then a note finds the process by it.
	erpWait(t, 10*time.Second, "business key", func() bool {
		ids, err := sys.Engine().Registry().LookupAll(context.Background(), "nb", engine.BusinessKey{Kind: inbound.KeyMaLo, Value: erpMaLo})
		return err == nil && len(ids) == 1
	})
	erpCommand(t, js, "nb", `{"idempotency_key":"note-1","type":"test.note","tenant":"nb","data":{"malo":"`+erpMaLo+`","note":"customer called"}}`)
	erpCommand(t, js, "nb", `{"idempotency_key":"note-2","type":"test.note","tenant":"nb","data":{"malo":"41373559241","note":"unknown"}}`)
	erpCommand(t, js, "nb", `{"idempotency_key":"note-3","type":"test.note","tenant":"lf","data":{"malo":"`+erpMaLo+`","note":"wrong tenant"}}`)
	ces = cloudEvents(t, js, "nb", 7)
	seen := map[string]erpwire.CloudEvent{}
	for _, ce := range ces[3:] {
		var a erp.CommandAnswer
		_ = json.Unmarshal(ce.Data, &a)
		seen[ce.Type+"/"+a.IdempotencyKey] = ce
		if ce.Type == erpwire.TypeMaLoIdentified {
			seen[ce.Type] = ce
		}
	}
	acc, ok := seen[erpwire.TypeCommandAccepted+"/note-1"]
	if !ok || acc.Subject != process {
		t.Fatalf("note-1 not accepted for %s: %+v", process, ces[3:])
	}
	if n, ok := seen[erpwire.TypeMaLoIdentified]; !ok || n.Subject != process {
		t.Fatalf("note not executed by %s: %+v", process, ces[3:])
	}
	rej, ok := seen[erpwire.TypeCommandRejected+"/note-2"]
	var a erp.CommandAnswer
	if !ok || json.Unmarshal(rej.Data, &a) != nil || a.Code != erp.RejectNoProcess {
		t.Fatalf("note-2: %+v", ces[3:])
	}
	rej, ok = seen[erpwire.TypeCommandRejected+"/note-3"]
	if !ok || json.Unmarshal(rej.Data, &a) != nil || a.Code != erp.RejectTenant {
		t.Fatalf("note-3: %+v", ces[3:])
	}
}

func TestERPWebhookRetriesAndSigns(t *testing.T) {
	js, _, sys := erpSetup(t)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	key, err := erp.SecretKey(secret)
	must(t, err)
	var mu sync.Mutex
	calls := 0
	delivered := map[string]int{}
	var bad []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= 2 { // the endpoint is down at first
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := erp.Verify(key, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			bad = append(bad, err.Error())
		}
		ce, err := erpwire.ParseCloudEvent(body)
		if err != nil || r.Header.Get("Content-Type") != erpwire.ContentType || r.Header.Get(erp.HeaderIdempotencyKey) != ce.ID {
			bad = append(bad, fmt.Sprintf("request %v %v", err, r.Header))
		}
		delivered[ce.ID]++
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	run := append([]func(*app.System, context.Context) error{}, erpWorkers...)
	run = append(run, func(s *app.System, ctx context.Context) error {
		return s.RunERPWebhookWith(erp.WebhookConfig{URL: srv.URL, Secret: secret, Tenants: []string{"nb"}},
			worker.WithBackoff(20*time.Millisecond, 100*time.Millisecond))(ctx)
	})
	startWorkers(t, sys, run...)
	erpCommand(t, js, "nb", startCommand("order-9"))
	ces := cloudEvents(t, js, "nb", 3)
	erpWait(t, 15*time.Second, "webhook deliveries", func() bool { mu.Lock(); defer mu.Unlock(); return len(delivered) == 3 })
	time.Sleep(200 * time.Millisecond) // a second delivery would arrive within the backoff
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("bad requests: %v", bad)
	}
	for _, ce := range ces {
		if delivered[ce.ID] != 1 {
			t.Errorf("%s (%s) delivered %d times", ce.ID, ce.Type, delivered[ce.ID])
		}
	}
	if calls != 5 {
		t.Errorf("%d calls, want 2 failures + 3 deliveries", calls)
	}
}

func TestERPWebhookDeadLettersAfterWindow(t *testing.T) {
	js, _, sys := erpSetup(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	t.Cleanup(srv.Close)
	run := append([]func(*app.System, context.Context) error{}, erpWorkers...)
	run = append(run, func(s *app.System, ctx context.Context) error {
		return s.RunERPWebhookWith(erp.WebhookConfig{URL: srv.URL, Window: 300 * time.Millisecond},
			worker.WithBackoff(20*time.Millisecond, 50*time.Millisecond))(ctx)
	})
	startWorkers(t, sys, run...)
	erpCommand(t, js, "nb", startCommand("order-10"))
	dl := collect(t, js, streams.DLQ, deadletter.Subject("nb"), 3, 15*time.Second)
	if len(dl) != 3 {
		t.Fatalf("%d dead letters, want 3", len(dl))
	}
	for _, m := range dl {
		l, err := deadletter.Decode(m.Data())
		must(t, err)
		if l.Reason != deadletter.ReasonOutboxExhausted {
			t.Errorf("dead letter %+v", l)
		}
	}
}

// TestERPRedeliveryAfterCrashIsNotADuplicate: after a crash the inbox may
// hold an ERP command's key while the command comes back with a delivery
// count of 1. The entry records the MAKO_ERP sequence that accepted it, so
// the command is handled as the redelivery it is; the ERP's resend under
// the same key (another sequence) is a duplicate.
func TestERPRedeliveryAfterCrashIsNotADuplicate(t *testing.T) {
	js, _, sys := erpSetup(t)
	ctx := context.Background()
	erpCommand(t, js, "nb", startCommand("order-crash"))
	st, err := js.Stream(ctx, erpwire.Stream)
	must(t, err)
	info, err := st.Info(ctx)
	must(t, err)
	oi, ok := sys.Engine().Inbox().(engine.OriginInbox)
	if !ok {
		t.Fatal("the pipeline's inbox records no origins")
	}
	if fresh, _, err := oi.AcceptOrigin(ctx, "nb", "erp:order-crash", fmt.Sprintf("erp:%d", info.State.LastSeq)); !fresh || err != nil {
		t.Fatalf("accept: %v, %v", fresh, err)
	}
	var mu sync.Mutex
	outcomes := map[string]int{}
	startWorkers(t, sys, (*app.System).RunProcessor, func(s *app.System, ctx context.Context) error {
		return s.RunERPReceiverWith(erp.WithOutcome(func(o erp.Outcome) { mu.Lock(); outcomes[o.Result]++; mu.Unlock() }))(ctx)
	})
	erpWait(t, 10*time.Second, "redelivered command accepted", func() bool { mu.Lock(); defer mu.Unlock(); return outcomes["accepted"] == 1 })
	erpCommand(t, js, "nb", startCommand("order-crash"))
	erpWait(t, 10*time.Second, "resend reported as duplicate", func() bool { mu.Lock(); defer mu.Unlock(); return outcomes["duplicate"] == 1 })
	mu.Lock()
	defer mu.Unlock()
	if outcomes["accepted"] != 1 || outcomes["duplicate"] != 1 {
		t.Fatalf("outcomes %v", outcomes)
	}
}
