package erp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/mako-engine/mako/pkg/workers/relay"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The decision workflow of the race test: like a GPKE or GeLi Gas process
// it asks the ERP for a decision and, in the same commit, binds the key
// the answer is routed by.
const (
	decisionWorkflow = "test.decision"
	decisionKind     = engine.KeyKind("test-decision")
	// ceDecisionRequested is the CloudEvents type the process families use
	// for a decision request (gpke.CEDecisionRequested).
	ceDecisionRequested = "de.mako.decision.requested"
)

type askDecision struct{ Case string }

func (askDecision) CommandType() string { return "test.ask" }

type giveDecision struct {
	Case   string `json:"case"`
	Accept bool   `json:"accept"`
}

func (giveDecision) CommandType() string { return "test.decide" }

type decisionRequested struct{ Case string }

func (decisionRequested) EventType() string { return "test.decision_requested" }
func (e decisionRequested) CloudEvent() (string, string, any) {
	return ceDecisionRequested, "", map[string]string{"case": e.Case}
}

type decided struct {
	Case   string
	Accept bool
}

func (decided) EventType() string { return "test.decided" }

type decisionState struct{ Asked, Decided bool }

type decisionFlow struct{}

func (decisionFlow) Name() string { return decisionWorkflow }
func (decisionFlow) Codec() *engine.Codec {
	return engine.NewCodec().Event(decisionRequested{}, 1).Event(decided{}, 1).Command(askDecision{}).Command(giveDecision{})
}
func (decisionFlow) Initial() decisionState { return decisionState{} }
func (decisionFlow) Apply(s decisionState, ev engine.Event) decisionState {
	switch ev.Data.(type) {
	case decisionRequested:
		s.Asked = true
	case decided:
		s.Decided = true
	}
	return s
}
func (decisionFlow) Handle(s decisionState, cmd engine.Command) (engine.Decision, error) {
	switch c := cmd.Payload.(type) {
	case askDecision:
		return engine.Decision{
			Events:    []engine.EventData{decisionRequested{Case: c.Case}},
			Correlate: []engine.BusinessKey{{Kind: decisionKind, Value: c.Case}},
		}, nil
	case giveDecision:
		if !s.Asked || s.Decided {
			return engine.Decision{}, fmt.Errorf("%w: no decision pending", engine.ErrDecision)
		}
		return engine.Decision{Events: []engine.EventData{decided(c)}}, nil
	}
	return engine.Decision{}, fmt.Errorf("%w: command %T", engine.ErrDecision, cmd.Payload)
}

// decideType is the ERP command answering a decision request: routed to
// the process waiting under the decision key (erp.Target.Existing).
func decideType() erpwire.CommandType {
	return erpwire.CommandType{
		Type: "test.decide", Workflow: decisionWorkflow,
		Decode: func(data json.RawMessage) (engine.CommandData, error) {
			var c giveDecision
			if err := json.Unmarshal(data, &c); err != nil || c.Case == "" {
				return nil, fmt.Errorf("want {case, accept}: %v", err)
			}
			return c, nil
		},
		Route: func(_ context.Context, _ erpwire.Request, p engine.CommandData) (erpwire.Target, error) {
			return erpwire.Target{Existing: &engine.BusinessKey{Kind: decisionKind, Value: p.(giveDecision).Case}}, nil
		},
	}
}

// TestDecisionAnsweredAtOnceFindsItsProcess reproduces the race between
// the relay and the ERP publisher: both read the commit that requests a
// decision and binds its decision key. Here the relay does not run at all
// (the extreme of a relay that lags), and the ERP answers every decision
// request the moment it sees it. The answer must be accepted by the
// process that asked — not rejected with no_process and dead-lettered —
// because the publisher binds the commit's keys before it publishes the
// request. A relay started afterwards binds the same keys again without
// adding an index entry.
func TestDecisionAnsweredAtOnceFindsItsProcess(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(streams.Ensure(ctx, js))
	st, err := natsstore.Open(ctx, js)
	must(err)
	t.Cleanup(st.Close)
	def := engine.Define[decisionState](decisionFlow{}, fv.MustParse("FV2604"))
	ec, err := engine.New(engine.WithEventStore(st.Events), engine.WithSnapshotStore(st.Snapshots), engine.WithRegistry(st.Registry),
		engine.WithInbox(st.Inbox), engine.WithWorkflows(def))
	must(err)
	dlq, err := deadletter.NewSink(js, time.Now)
	must(err)

	var mu sync.Mutex
	var outcomes []erp.Outcome
	pub, err := erp.NewPublisher(js, ec, st.Registry, dlq)
	must(err)
	cmds, err := erpwire.NewRegistry(decideType())
	must(err)
	rcv, err := erp.NewReceiver(js, ec, cmds, dlq, erp.WithOutcome(func(o erp.Outcome) { mu.Lock(); outcomes = append(outcomes, o); mu.Unlock() }))
	must(err)
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	t.Cleanup(func() { stop(); wg.Wait() })
	run := func(stream, name string, h worker.Handler, opts ...worker.Option) {
		cons, err := js.Consumer(ctx, stream, name)
		must(err)
		wg.Go(func() {
			if err := worker.Run(wctx, cons, h, opts...); err != nil {
				t.Error(err)
			}
		})
	}
	run(streams.Events, erpwire.PublisherConsumer, pub.Handle, worker.WithExhausted(pub.Exhausted))
	// No resend window to hide behind: one delivery, then the dead letter.
	run(erpwire.Stream, erpwire.ReceiverConsumer, rcv.Handle, worker.WithMaxDeliver(1), worker.WithExhausted(rcv.Exhausted))

	// The ERP: answers each decision request as soon as it is stored.
	const tenant = engine.TenantID("nb")
	erpIn, err := js.OrderedConsumer(ctx, erpwire.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{erpwire.Subject(tenant)}})
	must(err)
	var ids []engine.ProcessIdentity
	const n = 5
	for i := range n {
		id, err := engine.NewIdentity(tenant, def.ID())
		must(err)
		ids = append(ids, id)
		_, err = ec.Execute(ctx, id, engine.Command{ID: engine.CommandID(fmt.Sprint("ask-", i)), ReceivedAt: time.Now(), Payload: askDecision{Case: fmt.Sprint("case-", i)}})
		must(err)
	}
	requests := map[string]erpwire.CloudEvent{} // by subject (process)
	for len(requests) < n {
		m, err := erpIn.Next(jetstream.FetchMaxWait(15 * time.Second))
		must(err)
		ce, err := erpwire.ParseCloudEvent(m.Data())
		must(err)
		if ce.Type != ceDecisionRequested {
			continue
		}
		var d map[string]string
		must(json.Unmarshal(ce.Data, &d))
		req := fmt.Sprintf(`{"idempotency_key":"answer-%s","type":"test.decide","tenant":"%s","data":{"case":%q,"accept":true}}`, d["case"], tenant, d["case"])
		msg := nats.NewMsg(erpwire.InSubject(tenant))
		msg.Data = []byte(req)
		_, err = js.PublishMsg(ctx, msg)
		must(err)
		requests[ce.Subject] = ce
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		got := append([]erp.Outcome(nil), outcomes...)
		mu.Unlock()
		if len(got) == n {
			for _, o := range got {
				if o.Result != "accepted" {
					t.Fatalf("answer %s: %s %+v, want accepted (the decision key was not bound when the request was published)", o.IdempotencyKey, o.Result, o.Rejection)
				}
			}
			for _, id := range ids {
				found := false
				for _, o := range got {
					found = found || o.Process == id
				}
				if !found || requests[string(id.Process)].ID == "" {
					t.Fatalf("process %s: request %v, answers %+v", id, requests[string(id.Process)], got)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d answers handled: %+v", len(got), n, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if letters := deadLetters(ctx, t, js); len(letters) != 0 {
		t.Fatalf("dead letters: %v", letters)
	}

	// The relay, late, binds the same keys: still one index entry each.
	rel, err := relay.New(js, st.Registry, dlq)
	must(err)
	run(streams.Events, relay.Consumer, rel.Handle, worker.WithExhausted(rel.Exhausted))
	waitAcked(ctx, t, js, streams.Events, relay.Consumer)
	for i, id := range ids {
		found, err := st.Registry.LookupAll(ctx, tenant, engine.BusinessKey{Kind: decisionKind, Value: fmt.Sprint("case-", i)})
		must(err)
		if len(found) != 1 || found[0] != id {
			t.Fatalf("case-%d: %v, want [%v]", i, found, id)
		}
	}
}

// deadLetters returns the subjects of the messages in MAKO_DLQ.
func deadLetters(ctx context.Context, t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	st, err := js.Stream(ctx, deadletter.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m.Subject+": "+string(m.Data))
	}
	return out
}

// waitAcked waits until the durable consumer has acknowledged every
// message of its stream.
func waitAcked(ctx context.Context, t *testing.T, js jetstream.JetStream, stream, name string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := js.Consumer(ctx, stream, name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s: %d pending, %d unacknowledged", stream, name, info.NumPending, info.NumAckPending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
