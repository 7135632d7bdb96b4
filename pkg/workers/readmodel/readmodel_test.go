package readmodel_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// flow is a small workflow touching every part of the overview.
type flow struct{}

type start struct {
	MaLo, PID string
	Due       time.Time
}

func (start) CommandType() string { return "rm.start" }

type finish struct{}

func (finish) CommandType() string { return "rm.finish" }

// started names the MaLo in its fields as well as binding it as a key (as
// gpke does once it binds the MaLo): the overview lists it once.
type started struct{ PID, MaLo string }

func (started) EventType() string { return "rm.started" }
func (e started) ProjectionFields() module.Fields {
	return module.Fields{State: "waiting", PIDs: []string{e.PID}, MaLo: []string{e.MaLo}}
}

type finished struct{}

func (finished) EventType() string               { return "rm.finished" }
func (finished) ProcessOutcome() string          { return "accepted" }
func (finished) ProjectionFields() module.Fields { return module.Fields{State: "done"} }

type noted struct{}

func (noted) EventType() string { return "rm.noted" }

func (flow) Name() string { return "rm.flow" }
func (flow) Codec() *engine.Codec {
	return engine.NewCodec().Event(started{}, 1).Event(finished{}, 1).Event(noted{}, 1).
		Command(start{}).Command(finish{}).Command(delivery.Confirmed{}).Command(delivery.Failed{})
}
func (flow) Initial() int                    { return 0 }
func (flow) Apply(s int, _ engine.Event) int { return s + 1 }
func (flow) Handle(s int, cmd engine.Command) (engine.Decision, error) {
	switch c := cmd.Payload.(type) {
	case start:
		return engine.Decision{
			Events:       []engine.EventData{started{PID: c.PID, MaLo: c.MaLo}},
			Outbound:     []engine.Outbound{{Recipient: "9900000000004", MessageType: "APERAK", Payload: []byte("UNA")}},
			SetDeadlines: []engine.DeadlineRequest{{Label: "answer", Due: c.Due}, {Label: "remind", Due: c.Due.Add(-time.Hour)}},
			Correlate:    []engine.BusinessKey{{Kind: inbound.KeyMaLo, Value: c.MaLo}, {Kind: inbound.KeyConversation, Value: "9900000000004:TX/1"}},
		}, nil
	case finish:
		return engine.Decision{Events: []engine.EventData{finished{}}, CancelDeadlines: []string{"answer"}}, nil
	case delivery.Confirmed, delivery.Failed:
		return engine.Decision{Events: []engine.EventData{noted{}}}, nil
	}
	return engine.Decision{}, fmt.Errorf("unexpected %T", cmd.Payload)
}

type env struct {
	js  jetstream.JetStream
	ec  *engine.Engine
	def *engine.Definition[int]
}

func setup(t *testing.T) env {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	st, err := natsstore.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	def := engine.Define[int](flow{}, fv.MustParse("FV2604"))
	ec, err := engine.New(engine.WithEventStore(st.Events), engine.WithWorkflows(def))
	if err != nil {
		t.Fatal(err)
	}
	return env{js: js, ec: ec, def: def}
}

var t0 = time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)

func (e env) exec(t *testing.T, id engine.ProcessIdentity, cmdID string, p engine.CommandData) engine.Result {
	t.Helper()
	res, err := e.ec.Execute(context.Background(), id, engine.Command{ID: engine.CommandID(cmdID), ReceivedAt: t0, Payload: p})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// commits returns the raw commit messages of a process subject in order.
func (e env) commits(t *testing.T, id engine.ProcessIdentity) []*jetstream.RawStreamMsg {
	t.Helper()
	ctx := context.Background()
	st, err := e.js.Stream(ctx, "MAKO_EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	var seq uint64 = 1
	for {
		m, err := st.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(id.Stream().Subject("mako.evt")))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
		seq = m.Sequence + 1
	}
}

func project(t *testing.T, p *readmodel.Projector, m *jetstream.RawStreamMsg) error {
	t.Helper()
	return p.ProjectCommit(context.Background(), m.Subject, m.Sequence, m.Time, m.Header.Get(natsstore.HeaderSeq), m.Data)
}

func TestKeyValueEncoding(t *testing.T) {
	for _, v := range []string{"51234567895", "9900000000004:TX/1", "a_b.c d*>", "ü", "-"} {
		enc := readmodel.EncodeKeyValue(v)
		for _, c := range enc {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Fatalf("%q encodes to %q with %q", v, enc, c)
			}
		}
		dec, err := readmodel.DecodeKeyValue(enc)
		if err != nil || dec != v {
			t.Fatalf("%q -> %q -> %q %v", v, enc, dec, err)
		}
	}
	if readmodel.EncodeKeyValue("a_") == readmodel.EncodeKeyValue("a_5F") {
		t.Fatal("not injective")
	}
	if _, err := readmodel.DecodeKeyValue("a_5"); err == nil {
		t.Fatal("truncated escape accepted")
	}
}

func TestOverviewOrderAndIdempotency(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := engine.NewIdentity("nb", e.def.ID())
	res := e.exec(t, id, "c1", start{MaLo: "51234567895", PID: "55001", Due: t0.Add(48 * time.Hour)})
	var msgID string
	for _, env := range res.Envelopes {
		if env.Type == engine.EventOutbound {
			v, _ := engine.DecodeEngineEvent(env)
			msgID = v.(*engine.OutboundMessage).MessageID
		}
	}
	e.exec(t, id, string(delivery.ConfirmedID(msgID)), delivery.Confirmed{MessageID: msgID, Transport: "http", Status: "202 Accepted", At: t0})
	e.exec(t, id, "c3", finish{})
	cs := e.commits(t, id)
	if len(cs) != 3 {
		t.Fatalf("%d commits", len(cs))
	}
	// The second commit first: it waits for its predecessor.
	err = project(t, p, cs[1])
	if !errors.Is(err, readmodel.ErrGap) {
		t.Fatalf("out of order commit: %v", err)
	}
	var rerr *readmodel.Error
	if !errors.As(err, &rerr) || rerr.Sequence != cs[1].Sequence {
		t.Fatalf("error does not name the message: %v", err)
	}
	store := readmodel.NewStore(e.js)
	if _, err := store.Process(ctx, "nb", string(id.Process)); !errors.Is(err, readmodel.ErrNotFound) {
		t.Fatalf("gap commit wrote an overview: %v", err)
	}
	for _, m := range []*jetstream.RawStreamMsg{cs[0], cs[0], cs[1], cs[0], cs[2], cs[1]} {
		if err := project(t, p, m); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.Process(ctx, "nb", string(id.Process))
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "done" || got.StateSource != readmodel.StateFromWorkflow || got.Outcome != "accepted" ||
		got.Workflow != "rm.flow" || got.FormatVersion != "FV2604" {
		t.Fatalf("overview %+v", got)
	}
	if !slices.Equal(got.MaLo, []string{"51234567895"}) || !slices.Equal(got.PIDs, []string{"55001"}) || len(got.Keys) != 2 {
		t.Fatalf("keys %+v", got)
	}
	if len(got.OpenDeadlines) != 1 || got.OpenDeadlines[0].Label != "remind" || !got.OpenDeadlines[0].Due.Equal(t0.Add(47*time.Hour)) {
		t.Fatalf("deadlines %+v", got.OpenDeadlines)
	}
	if len(got.Outbound) != 1 || got.Outbound[0].Status != readmodel.DeliveryDelivered || got.Outbound[0].MessageID != msgID || got.Outbound[0].ReportedAt == nil {
		t.Fatalf("outbound %+v", got.Outbound)
	}
	envs, err := e.ec.EventStore().Load(ctx, id.Stream())
	if err != nil {
		t.Fatal(err)
	}
	if got.EventCount != uint64(len(envs)) || got.LastCommitSeq != cs[2].Sequence || !got.CreatedAt.Equal(envs[0].Timestamp) || !got.LastEventAt.Equal(envs[len(envs)-1].Timestamp) {
		t.Fatalf("counters %+v (events %d)", got, len(envs))
	}
	k, err := store.Key(ctx, "nb", "conversation", "9900000000004:TX/1")
	if err != nil || !slices.Equal(k.Processes, []string{string(id.Process)}) {
		t.Fatalf("index %+v %v", k, err)
	}
	// Any tenant finds it too; a bad id is a query error.
	if p2, err := store.Process(ctx, "", string(id.Process)); err != nil || p2.ProcessID != got.ProcessID {
		t.Fatalf("lookup without tenant: %v", err)
	}
	if _, err := store.Process(ctx, "nb", "a.b"); !errors.Is(err, readmodel.ErrInvalidQuery) {
		t.Fatalf("bad id: %v", err)
	}
}

func TestUndecodableCommitIsRecorded(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	subj := "mako.evt.nb.broken-1"
	msg := nats.NewMsg(subj)
	msg.Data = []byte("not msgpack")
	msg.Header.Set(natsstore.HeaderSeq, "1-2")
	ack, err := e.js.PublishMsg(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ProjectCommit(ctx, subj, ack.Sequence, t0, "1-2", msg.Data); err != nil {
		t.Fatal(err)
	}
	got, err := readmodel.NewStore(e.js).Process(ctx, "nb", "broken-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.EventCount != 2 || len(got.Errors) != 1 || got.Errors[0].CommitSeq != ack.Sequence || got.Errors[0].Sequence != 1 {
		t.Fatalf("overview %+v", got)
	}
	// Without the header nothing tells where the commit belongs: permanent.
	if err := p.ProjectCommit(ctx, "mako.evt.nb.broken-2", ack.Sequence+1, t0, "", []byte("x")); !worker.IsPermanent(err) {
		t.Fatalf("headerless garbage: %v", err)
	}
}

func TestDeadLettersAndListing(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := deadletter.NewSink(e.js, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range []deadletter.Reason{deadletter.ReasonUnknownPID, deadletter.ReasonSyntax, deadletter.ReasonUnknownPID} {
		if err := sink.Write(ctx, deadletter.Letter{Reason: r, Detail: fmt.Sprint("d", i), Audit: deadletter.Audit{Tenant: "nb", PID: "55001"}, Payload: []byte("UNA:+")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.js.Publish(ctx, "mako.dlq.lf", []byte("{broken")); err != nil {
		t.Fatal(err)
	}
	cons, err := e.js.Consumer(ctx, "MAKO_DLQ", readmodel.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- worker.Run(wctx, cons, p.HandleDeadLetter) }()
	store := readmodel.NewStore(e.js)
	var all []readmodel.DeadLetter
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(all) < 4; time.Sleep(20 * time.Millisecond) {
		if all, err = store.DeadLetters(ctx, readmodel.DeadLetterQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[0].Tenant != "lf" || all[0].Reason != "undecodable" || all[3].Detail != "d0" || all[3].PID != "55001" || all[3].PayloadSize != 5 {
		b, _ := json.Marshal(all)
		t.Fatalf("dead letters %s", b)
	}
	pids, err := store.DeadLetters(ctx, readmodel.DeadLetterQuery{Tenant: "nb", Reason: string(deadletter.ReasonUnknownPID), Limit: 1})
	if err != nil || len(pids) != 1 || pids[0].Detail != "d2" {
		t.Fatalf("filtered %+v %v", pids, err)
	}
	if _, err := store.DeadLetters(ctx, readmodel.DeadLetterQuery{Limit: -1}); !errors.Is(err, readmodel.ErrInvalidQuery) {
		t.Fatalf("limit -1: %v", err)
	}
}

func TestPagingAndRebuild(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	const n = 7
	for i := range n {
		id, _ := engine.NewIdentity("nb", e.def.ID())
		e.exec(t, id, "s", start{MaLo: fmt.Sprint("5123456789", i%2), PID: "55001", Due: t0.Add(time.Duration(i) * time.Hour)})
		if i%3 == 0 {
			e.exec(t, id, "f", finish{})
		}
	}
	cons, err := e.js.Consumer(ctx, "MAKO_EVENTS", readmodel.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_ = worker.Run(wctx, cons, p.HandleEvent, worker.WithKey(readmodel.LaneKey), worker.WithConcurrency(3))
	}()
	wait, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := readmodel.WaitCaughtUp(wait, e.js, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	store := readmodel.NewStore(e.js)
	var ids []string
	q := readmodel.ProcessQuery{Tenant: "nb", Limit: 3}
	for range 10 {
		page, err := store.Processes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range page.Processes {
			ids = append(ids, pr.ProcessID)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	all, err := store.Processes(ctx, readmodel.ProcessQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, pr := range all.Processes {
		want = append(want, pr.ProcessID)
	}
	if len(ids) != n || !slices.Equal(ids, want) {
		t.Fatalf("paged %v, all %v", ids, want)
	}
	done, err := store.Processes(ctx, readmodel.ProcessQuery{State: "done", Workflow: "rm.flow@FV2604"})
	if err != nil || len(done.Processes) != 3 {
		t.Fatalf("state filter: %d %v", len(done.Processes), err)
	}
	malo, err := store.Processes(ctx, readmodel.ProcessQuery{MaLo: "51234567891"})
	if err != nil || len(malo.Processes) != 3 {
		t.Fatalf("malo filter: %d %v", len(malo.Processes), err)
	}
	dl, err := store.Deadlines(ctx, "nb", t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Each start sets answer(+i h) and remind(+i-1 h); finish (i=0,3,6) cancels answer.
	// Due before +3 h: remind of i=0..3 and answer of i=1,2.
	if len(dl) != 6 || !slices.IsSortedFunc(dl, func(a, b readmodel.DueDeadline) int { return a.Due.Compare(b.Due) }) {
		t.Fatalf("deadlines %+v", dl)
	}
	if _, err := store.Processes(ctx, readmodel.ProcessQuery{Cursor: "%%"}); !errors.Is(err, readmodel.ErrInvalidQuery) {
		t.Fatalf("bad cursor: %v", err)
	}

	before, err := readmodel.Dump(ctx, e.js)
	if err != nil {
		t.Fatal(err)
	}
	if len(before[readmodel.BucketProcesses]) != n || len(before[readmodel.BucketKeys]) != 3 {
		t.Fatalf("dump sizes %d %d", len(before[readmodel.BucketProcesses]), len(before[readmodel.BucketKeys]))
	}
	if err := readmodel.Reset(ctx, e.js); err != nil {
		t.Fatal(err)
	}
	if err := readmodel.WaitCaughtUp(wait, e.js, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	after, err := readmodel.Dump(ctx, e.js)
	if err != nil {
		t.Fatal(err)
	}
	for b, m := range before {
		if len(after[b]) != len(m) {
			t.Fatalf("%s: %d values before, %d after", b, len(m), len(after[b]))
		}
		for k, v := range m {
			if string(after[b][k]) != string(v) {
				t.Fatalf("%s/%s differs:\n%s\n%s", b, k, v, after[b][k])
			}
		}
	}
}

// A failure report marks the message failed; a later confirmation (a copy
// re-driven from the dead-letter queue got through) makes it delivered; a
// failure reported after a confirmation changes nothing.
func TestDeliveryFailedThenRedriven(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	begin := func() (engine.ProcessIdentity, string) {
		t.Helper()
		id, _ := engine.NewIdentity("nb", e.def.ID())
		res := e.exec(t, id, "c1", start{MaLo: "51234567895", PID: "55001", Due: t0.Add(48 * time.Hour)})
		for _, env := range res.Envelopes {
			if env.Type == engine.EventOutbound {
				v, _ := engine.DecodeEngineEvent(env)
				return id, v.(*engine.OutboundMessage).MessageID
			}
		}
		t.Fatal("no outbound message")
		return id, ""
	}
	status := func(id engine.ProcessIdentity) string {
		t.Helper()
		for _, m := range e.commits(t, id) {
			if err := project(t, p, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := readmodel.NewStore(e.js).Process(ctx, "nb", string(id.Process))
		if err != nil || len(got.Outbound) != 1 {
			t.Fatalf("overview %+v, %v", got, err)
		}
		return got.Outbound[0].Status
	}
	failed := func(id engine.ProcessIdentity, msgID string) {
		e.exec(t, id, string(delivery.FailedID(msgID)), delivery.Failed{MessageID: msgID, Reason: "retry window elapsed", At: t0})
	}
	confirmed := func(id engine.ProcessIdentity, msgID string) {
		e.exec(t, id, string(delivery.ConfirmedID(msgID)), delivery.Confirmed{MessageID: msgID, Transport: "nats", At: t0.Add(time.Hour)})
	}

	id, msgID := begin()
	failed(id, msgID)
	if s := status(id); s != readmodel.DeliveryFailed {
		t.Fatalf("after the failure report: %s", s)
	}
	confirmed(id, msgID)
	if s := status(id); s != readmodel.DeliveryDelivered {
		t.Fatalf("after the re-driven copy's confirmation: %s", s)
	}

	id, msgID = begin()
	confirmed(id, msgID)
	failed(id, msgID)
	if s := status(id); s != readmodel.DeliveryDelivered {
		t.Fatalf("a failure report overrode the confirmation: %s", s)
	}
}
