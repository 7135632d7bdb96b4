package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/nats-io/nats.go/jetstream"
)

// mpDead is a third market partner (valid GS1 check digit) that never answers.
const mpDead = "9900000000028"

// Events of the confirming test workflow.
type delivered struct {
	MessageID string
	Status    string
	Attempts  int
}

func (delivered) EventType() string { return "test.delivered" }

type undelivered struct {
	MessageID string
	Reason    string
}

func (undelivered) EventType() string { return "test.undelivered" }

// confirmFlow is testflow (answer every 55001 with an APERAK) that also
// registers the delivery reports and records them as events.
type confirmFlow struct{ testflow.Workflow }

func (confirmFlow) Name() string { return "test.confirm" }

func (confirmFlow) Codec() *engine.Codec {
	return testflow.Workflow{}.Codec().Event(delivered{}, 1).Event(undelivered{}, 1).
		Command(delivery.Confirmed{}).Command(delivery.Failed{})
}

func (f confirmFlow) Handle(s testflow.State, cmd engine.Command) (engine.Decision, error) {
	switch p := cmd.Payload.(type) {
	case delivery.Confirmed:
		return engine.Decision{Events: []engine.EventData{delivered{MessageID: p.MessageID, Status: p.Status, Attempts: p.Attempts}}}, nil
	case delivery.Failed:
		return engine.Decision{Events: []engine.EventData{undelivered{MessageID: p.MessageID, Reason: p.Reason}}}, nil
	}
	return f.Workflow.Handle(s, cmd)
}

func confirmConfig() app.SystemConfig {
	return app.SystemConfig{
		Tenants: []ingest.Tenant{nbTenant},
		Modules: []module.Module{{Name: "confirm",
			Definitions: []engine.AnyDefinition{engine.Define[testflow.State](confirmFlow{}, fv.MustParse("FV2604"))},
			Routes:      []routing.Route{{PID: "55001", Workflow: "test.confirm", Initiating: true}}}},
		Concurrency: 4,
	}
}

// fastDeliverer runs the deliverer with a backoff and window shortened for tests.
func fastDeliverer(window time.Duration, extra ...deliverer.Option) func(*app.System, context.Context) error {
	opts := append([]deliverer.Option{deliverer.WithBackoff(20*time.Millisecond, 150*time.Millisecond), deliverer.WithWindow(window)}, extra...)
	return func(s *app.System, ctx context.Context) error { return s.RunDelivererWith(opts...)(ctx) }
}

// gateway is an HTTP gateway that answers 500 to the first failFirst
// requests and records every request.
type gateway struct {
	mu        sync.Mutex
	failFirst int
	hang      chan struct{} // when set, requests block until it is closed
	requests  []gwRequest
	srv       *httptest.Server
}

type gwRequest struct {
	key, msgType, recipient, ref string
	body                         []byte
	accepted                     bool
}

func newGateway(t *testing.T, failFirst int) *gateway {
	g := &gateway{failFirst: failFirst}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		g.mu.Lock()
		if g.hang != nil {
			close(g.hang)
			g.hang = nil
		}
		g.mu.Unlock()
		g.srv.Close()
	})
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	hang := g.hang
	req := gwRequest{key: r.Header.Get("Idempotency-Key"), msgType: r.Header.Get("Mako-Message-Type"),
		recipient: r.Header.Get("Mako-Recipient"), ref: r.Header.Get("Mako-Interchange-Ref"), body: body}
	req.accepted = hang == nil && len(g.requests) >= g.failFirst
	g.requests = append(g.requests, req)
	g.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
		return
	}
	if !req.accepted {
		http.Error(w, "gateway busy", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("X-Message-Id", "gw-"+req.key)
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, "queued")
}

func (g *gateway) snapshot() []gwRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gwRequest(nil), g.requests...)
}

func (g *gateway) accepted() []gwRequest {
	var out []gwRequest
	for _, r := range g.snapshot() {
		if r.accepted {
			out = append(out, r)
		}
	}
	return out
}

func putPartner(t *testing.T, st partner.Store, mpid string, ch partner.Channel) {
	t.Helper()
	if _, err := st.Put(context.Background(), "nb", partner.Partner{MPID: mpid, Name: "partner " + mpid, Roles: []string{"LF"}, Channels: []partner.Channel{ch}}); err != nil {
		t.Fatal(err)
	}
}

func partners(t *testing.T, js jetstream.JetStream) *partner.NATSStore {
	t.Helper()
	st, err := partner.OpenNATS(context.Background(), js, 0)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processEvents returns the events of type typ of a process, decoded.
func processEvents(t *testing.T, sys *app.System, process, typ string) []engine.EventData {
	t.Helper()
	envs, err := sys.Engine().EventStore().Load(context.Background(), engine.StreamOf("nb", engine.ProcessID(process)))
	must(t, err)
	var out []engine.EventData
	for _, env := range envs {
		if env.Type == typ {
			ev, err := confirmFlow{}.Codec().DecodeEvent(env.Type, env.Payload)
			must(t, err)
			out = append(out, ev)
		}
	}
	return out
}

func outboxMessages(t *testing.T, js jetstream.JetStream, filter string, want int) []outbox.Message {
	t.Helper()
	msgs := collect(t, js, "MAKO_OUTBOX", filter, want, 10*time.Second)
	if len(msgs) != want {
		t.Fatalf("%d outbox messages on %s, want %d", len(msgs), filter, want)
	}
	var out []outbox.Message
	for _, m := range msgs {
		om, err := outbox.FromNats(m.Subject(), m.Headers(), m.Data())
		must(t, err)
		out = append(out, om)
	}
	return out
}

// A gateway that fails the first two attempts: the APERAK is accepted
// exactly once, on the third POST, every POST carries the outbox message id
// as idempotency key and the exact outbox bytes, and the process records
// the confirmation (delivery.Confirmed reached it as a command).
func TestDeliverHTTPAfterRetriesConfirmsToProcess(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, confirmConfig())
	gw := newGateway(t, 2)
	putPartner(t, partners(t, js), mpLF, partner.Channel{Transport: partner.TransportHTTP, URL: gw.srv.URL + "/as4/out", Timeout: partner.Duration(2 * time.Second)})
	startWorkers(t, sys, append(allWorkers, fastDeliverer(time.Minute))...)

	publishIngest(t, js, "nb", utilmd55001("MK26112000101", "VG101"))
	m := outboxMessages(t, js, "mako.outbox.nb."+mpLF, 1)[0]
	var evs []engine.EventData
	waitUntil(t, 15*time.Second, "the delivery confirmation in the process", func() bool {
		evs = processEvents(t, sys, m.Process, "test.delivered")
		return len(evs) > 0
	})
	reqs := gw.snapshot()
	if len(reqs) != 3 || len(gw.accepted()) != 1 || !reqs[2].accepted {
		t.Fatalf("gateway saw %d requests, %d accepted; want 3 and the last one accepted", len(reqs), len(gw.accepted()))
	}
	for i, r := range reqs {
		if r.key != m.ID || r.msgType != "APERAK" || r.recipient != mpLF || r.ref != m.InterchangeRef || !bytes.Equal(r.body, m.Payload) {
			t.Fatalf("request %d: key %q type %q recipient %q ref %q, body equal %v", i, r.key, r.msgType, r.recipient, r.ref, bytes.Equal(r.body, m.Payload))
		}
	}
	d := evs[0].(delivered)
	if len(evs) != 1 || d.MessageID != m.ID || d.Status != "202 Accepted" || d.Attempts < 3 {
		t.Fatalf("confirmation events %+v", evs)
	}
	// Nothing further arrives: delivered once.
	time.Sleep(300 * time.Millisecond)
	if n := len(gw.snapshot()); n != 3 {
		t.Fatalf("gateway got %d requests after the delivery", n)
	}
}

// A partner that never answers is retried until the (shortened) window ends,
// then dead-lettered with reason outbox_exhausted, and each process learns
// it (delivery.Failed). Meanwhile a healthy partner gets all its messages —
// published after the dead partner's — before the first dead letter.
func TestDeadPartnerDoesNotBlockOthers(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, confirmConfig())
	dead := newGateway(t, 0)
	dead.hang = make(chan struct{})
	healthy := newGateway(t, 0)
	st := partners(t, js)
	putPartner(t, st, mpDead, partner.Channel{Transport: partner.TransportHTTP, URL: dead.srv.URL, Timeout: partner.Duration(300 * time.Millisecond)})
	putPartner(t, st, mpLF, partner.Channel{Transport: partner.TransportHTTP, URL: healthy.srv.URL})
	const n = 3
	const window = 4 * time.Second
	startWorkers(t, sys, append(allWorkers, fastDeliverer(window))...)

	for i := range n {
		publishIngest(t, js, "nb", bytes.ReplaceAll(utilmd55001(fmt.Sprintf("MKDEAD%d", i), fmt.Sprintf("VGD%d", i)), []byte(mpLF), []byte(mpDead)))
	}
	for i := range n {
		publishIngest(t, js, "nb", utilmd55001(fmt.Sprintf("MKLIVE%d", i), fmt.Sprintf("VGL%d", i)))
	}
	deadMsgs := outboxMessages(t, js, "mako.outbox.nb."+mpDead, n)
	liveMsgs := outboxMessages(t, js, "mako.outbox.nb."+mpLF, n)

	waitUntil(t, window, "the healthy partner's deliveries", func() bool { return len(healthy.accepted()) == n })
	if c := count(t, js, "MAKO_DLQ", "mako.dlq.nb"); c != 0 {
		t.Fatalf("%d dead letters before the healthy partner was served: the dead partner blocked it", c)
	}
	if len(dead.snapshot()) == 0 {
		t.Fatal("the dead partner was never tried")
	}
	keys := map[string]bool{}
	for _, r := range healthy.accepted() {
		keys[r.key] = true
	}
	for _, m := range liveMsgs {
		if !keys[m.ID] {
			t.Fatalf("healthy partner missed %s", m.ID)
		}
	}

	letters := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", n, window+10*time.Second)
	if len(letters) != n {
		t.Fatalf("%d dead letters, want %d", len(letters), n)
	}
	byID := map[string]outbox.Message{}
	for _, m := range deadMsgs {
		byID[m.ID] = m
	}
	for _, raw := range letters {
		l, err := deadletter.Decode(raw.Data())
		must(t, err)
		m, ok := byID[l.Audit.MessageRef]
		if !ok || l.Reason != deadletter.ReasonOutboxExhausted || l.Audit.Receiver != mpDead || l.Audit.Process != m.Process ||
			l.Source.Stream != "MAKO_OUTBOX" || !bytes.Equal(l.Payload, m.Payload) || !strings.Contains(l.Detail, "retry window elapsed") {
			t.Fatalf("dead letter %+v", l)
		}
	}
	for _, m := range deadMsgs {
		waitUntil(t, 10*time.Second, "the failure report in process "+m.Process, func() bool {
			return len(processEvents(t, sys, m.Process, "test.undelivered")) == 1
		})
		u := processEvents(t, sys, m.Process, "test.undelivered")[0].(undelivered)
		if u.MessageID != m.ID || !strings.Contains(u.Reason, "retry window elapsed") {
			t.Fatalf("failure report %+v", u)
		}
		if len(processEvents(t, sys, m.Process, "test.delivered")) != 0 {
			t.Fatal("a dead partner's message was confirmed")
		}
	}
}

// The file and nats transports deliver byte-identical interchanges: the
// file in the gateway directory and the message on another tenant's ingest
// subject hold exactly the outbox bytes.
func TestFileAndNATSTransportsAreByteIdentical(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	dir := t.TempDir()
	st := partners(t, js)
	putPartner(t, st, mpLF, partner.Channel{Transport: partner.TransportFile, Dir: dir})
	putPartner(t, st, mpDead, partner.Channel{Transport: partner.TransportNATS, Subject: "mako.ingest.other"})
	startWorkers(t, sys, fastDeliverer(time.Minute))

	ctx := context.Background()
	fileMsg := outbox.Message{ID: "file-1", Tenant: "nb", Sender: mpNB, Recipient: mpLF, MessageType: "UTILMD", InterchangeRef: "MK26112000201",
		Payload: utilmd55001("MK26112000201", "VG201")}
	natsMsg := outbox.Message{ID: "nats-1", Tenant: "nb", Sender: mpNB, Recipient: mpDead, MessageType: "UTILMD", InterchangeRef: "MK26112000202",
		Payload: bytes.ReplaceAll(utilmd55001("MK26112000202", "VG202"), []byte(mpLF), []byte(mpDead))}
	for _, m := range []outbox.Message{fileMsg, natsMsg} {
		if _, err := outbox.Publish(ctx, js, m); err != nil {
			t.Fatal(err)
		}
	}

	// file: named by the EDI@Energy convention from the interchange's UNB.
	name := "UTILMD__" + mpLF + "_" + mpNB + "_20261120_MK26112000201.txt"
	var got []byte
	waitUntil(t, 10*time.Second, "the file "+name, func() bool {
		b, err := os.ReadFile(filepath.Join(dir, name))
		got = b
		return err == nil
	})
	if !bytes.Equal(got, fileMsg.Payload) {
		t.Fatal("file bytes differ from the outbox bytes")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want the one file", len(entries))
	}

	// nats: on MAKO_INGEST for tenant "other", with the outbox id as Nats-Msg-Id.
	in := collect(t, js, "MAKO_INGEST", "mako.ingest.other", 1, 10*time.Second)
	if len(in) != 1 {
		t.Fatal("nothing republished to mako.ingest.other")
	}
	if !bytes.Equal(in[0].Data(), natsMsg.Payload) || in[0].Headers().Get("Nats-Msg-Id") != "nats-1" || in[0].Headers().Get(inbound.HeaderTransportID) != "nats-1" {
		t.Fatalf("republished message %v differs", in[0].Headers())
	}
}

// A message for a partner nobody has configured yet is retried; once an
// operator adds the partner it is delivered, once.
func TestMissingPartnerIsRetriedUntilConfigured(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	gw := newGateway(t, 0)
	var mu sync.Mutex
	missing := 0
	startWorkers(t, sys, fastDeliverer(time.Minute, deliverer.WithObserver(func(ev deliverer.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Outcome == "retry" && ev.Err != nil && strings.Contains(ev.Err.Error(), "no partner record") {
			missing++
		}
	})))
	m := outbox.Message{ID: "late-1", Tenant: "nb", Sender: mpNB, Recipient: mpLF, MessageType: "APERAK", InterchangeRef: "LATE1",
		Payload: utilmd55001("LATE1", "VG301")}
	if _, err := outbox.Publish(context.Background(), js, m); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "two retries for the missing partner", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return missing >= 2
	})
	if len(gw.snapshot()) != 0 {
		t.Fatal("delivered without a partner record")
	}
	putPartner(t, partners(t, js), mpLF, partner.Channel{Transport: partner.TransportHTTP, URL: gw.srv.URL})
	waitUntil(t, 10*time.Second, "the delivery after the partner was added", func() bool { return len(gw.accepted()) == 1 })
	time.Sleep(300 * time.Millisecond)
	if reqs := gw.snapshot(); len(reqs) != 1 || reqs[0].key != "late-1" || !bytes.Equal(reqs[0].body, m.Payload) {
		t.Fatalf("gateway requests %+v", reqs)
	}
	if c := count(t, js, "MAKO_DLQ", "mako.dlq.nb"); c != 0 {
		t.Fatalf("%d dead letters", c)
	}
}
