package engine_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine/enginetest"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/memstore"
)

type stores struct {
	events    *memstore.EventStore
	snapshots *memstore.SnapshotStore
	registry  *memstore.Registry
}

func newStores() stores {
	return stores{memstore.NewEventStore(), memstore.NewSnapshotStore(), memstore.NewRegistry()}
}

func (s stores) engine(t testing.TB, opts ...engine.Option) *engine.Engine {
	t.Helper()
	base := []engine.Option{engine.WithEventStore(s.events), engine.WithSnapshotStore(s.snapshots), engine.WithRegistry(s.registry)}
	ec, err := engine.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return ec
}

func ledgerDef() *engine.Definition[ledgerState] { return engine.Define[ledgerState](ledger{}, fv2604) }

func spawn(t testing.TB, ec *engine.Engine, d *engine.Definition[ledgerState]) *enginetest.Process[ledgerState] {
	t.Helper()
	p, err := enginetest.Spawn(d, ec, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewRequiresEventStore(t *testing.T) {
	if _, err := engine.New(); !errors.Is(err, engine.ErrNotConfigured) {
		t.Fatalf("New() err = %v, want ErrNotConfigured", err)
	}
	for _, opt := range []engine.Option{engine.WithSnapshotInterval(-1), engine.WithCacheSize(-1), engine.WithRetryAttempts(0)} {
		if _, err := engine.New(engine.WithEventStore(memstore.NewEventStore()), opt); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("bad option: err = %v", err)
		}
	}
}

func TestExecuteCommitsWorkflowAndEngineEventsTogether(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	p := spawn(t, ec, ledgerDef())
	if _, err := p.ExecuteWithContext(ctx, cmdAt("c1", t0, Add{Amount: 5, Note: "a"})); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ExecuteWithContext(ctx, cmdAt("c2", t0, Arm{Label: "answer", In: time.Hour})); err != nil {
		t.Fatal(err)
	}
	res, err := p.ExecuteWithContext(ctx, cmdAt("c3", t0.Add(time.Minute), Close{Reason: "done", Recipient: "9900000000003", MaLo: "51238696781"}))
	if err != nil {
		t.Fatal(err)
	}
	types := []string{}
	for _, e := range res.Envelopes {
		types = append(types, e.Type)
		if e.CommandID != "c3" || e.Correlation != "corr-c3" || e.Conversation != "conv-1" || e.Workflow != ledgerDef().ID() || e.Tenant != tenant {
			t.Fatalf("envelope metadata %+v", e)
		}
	}
	want := []string{"Closed", engine.EventOutbound, engine.EventDeadlineCancelled, engine.EventKeyBound}
	if !reflect.DeepEqual(types, want) || res.Version != 6 {
		t.Fatalf("committed %v at version %d, want %v at 6", types, res.Version, want)
	}
	for i, e := range res.Envelopes {
		if e.Sequence != uint64(3+i) || e.EventID != engine.EventIDFor(p.Identity().Process, "c3", i) {
			t.Fatalf("event %d: seq %d id %s", i, e.Sequence, e.EventID)
		}
	}
	out, err := engine.DecodeEngineEvent(res.Envelopes[1])
	if err != nil {
		t.Fatal(err)
	}
	if m := out.(*engine.OutboundMessage); m.Recipient != "9900000000003" || m.MessageType != "APERAK" || string(m.Payload) != "UNA:+.? '" ||
		m.Headers["k"] != "v" || m.MessageID != engine.MessageIDFor(p.Identity().Process, "c3", 0) {
		t.Fatalf("outbound %+v", m)
	}
	kb, _ := engine.DecodeEngineEvent(res.Envelopes[3])
	if k := kb.(*engine.KeyBound); k.Kind != inbound.KeyMaLo || k.Value != "51238696781" {
		t.Fatalf("key %+v", k)
	}
	s, v, err := p.State(ctx)
	if err != nil || v != 6 || s.Total != 5 || !s.Closed || !s.Last.Equal(t0) {
		t.Fatalf("State = %+v, %d, %v", s, v, err)
	}
	dls, err := p.OpenDeadlines(ctx)
	if err != nil || len(dls) != 0 {
		t.Fatalf("open deadlines after close: %v, %v", dls, err)
	}
	// A rejected command appends nothing.
	if _, err := p.ExecuteWithContext(ctx, cmdAt("c4", t0, Add{Amount: 1})); !errors.Is(err, errClosed) {
		t.Fatalf("Add after close: err = %v", err)
	}
	if v, _ := st.events.Version(ctx, p.Identity().Stream()); v != 6 {
		t.Fatalf("version %d after rejected command", v)
	}
}

func TestRejectedAndEmptyDecisionsAppendNothing(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	p := spawn(t, st.engine(t), ledgerDef())
	_, err := p.Execute(ctx, Add{Amount: -1})
	var de *engine.DecisionError
	if !errors.Is(err, engine.ErrDecision) || !errors.As(err, &de) || de.Stream != p.Identity().Stream() {
		t.Fatalf("negative amount: err = %v, want a DecisionError naming the stream", err)
	}
	res, err := p.Execute(ctx, Noop{})
	if err != nil || len(res.Envelopes) != 0 || res.Duplicate {
		t.Fatalf("Noop = %+v, %v", res, err)
	}
	if v, _ := st.events.Version(ctx, p.Identity().Stream()); v != 0 {
		t.Fatalf("version %d", v)
	}
	for _, c := range []engine.Command{
		{ReceivedAt: t0, Payload: Noop{}},
		{ID: "x", Payload: Noop{}},
		{ID: "x", ReceivedAt: t0},
		{ID: "x", ReceivedAt: t0, Type: "Add", Payload: Noop{}},
	} {
		if _, err := p.ExecuteWithContext(ctx, c); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("command %+v: err = %v", c, err)
		}
	}
}

func TestSameCommandIDAppendsOnce(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec1, ec2 := st.engine(t), st.engine(t)
	d := ledgerDef()
	p1 := spawn(t, ec1, d)
	p2, err := enginetest.Resume(d, ec2, p1.Identity())
	if err != nil {
		t.Fatal(err)
	}
	first, err := p1.ExecuteWithContext(ctx, cmdAt("dup", t0, Add{Amount: 3}))
	if err != nil {
		t.Fatal(err)
	}
	// Same instance (cache knows the id), another instance (fresh load), and
	// a stale cache in ec1 after ec2 committed another command.
	again, err := p1.ExecuteWithContext(ctx, cmdAt("dup", t0, Add{Amount: 3}))
	if err != nil || !again.Duplicate || !reflect.DeepEqual(again.Envelopes, first.Envelopes) {
		t.Fatalf("same instance: %+v, %v", again, err)
	}
	other, err := p2.ExecuteWithContext(ctx, cmdAt("dup", t0, Add{Amount: 3}))
	if err != nil || !other.Duplicate || !reflect.DeepEqual(other.Envelopes, first.Envelopes) {
		t.Fatalf("other instance: %+v, %v", other, err)
	}
	if _, err := p2.ExecuteWithContext(ctx, cmdAt("dup2", t0, Add{Amount: 4})); err != nil {
		t.Fatal(err)
	}
	stale, err := p1.ExecuteWithContext(ctx, cmdAt("dup2", t0, Add{Amount: 4}))
	if err != nil || !stale.Duplicate || stale.Envelopes[0].Sequence != 2 {
		t.Fatalf("stale cache: %+v, %v", stale, err)
	}
	s, v, _ := p1.State(ctx)
	if s.Total != 7 || v != 2 {
		t.Fatalf("total %d version %d, want 7 at 2", s.Total, v)
	}
}

func TestConcurrentExecuteWithRetryTwoEngines(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	d := ledgerDef()
	ecs := []*engine.Engine{st.engine(t, engine.WithSnapshotInterval(7)), st.engine(t, engine.WithSnapshotInterval(7))}
	id := spawn(t, ecs[0], d).Identity()
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			p, err := enginetest.Resume(d, ecs[i%2], id)
			if err != nil {
				errs <- err
				return
			}
			if _, err := p.ExecuteWithRetry(ctx, cmdAt(fmt.Sprint("cmd-", i), t0, Add{Amount: int64(i + 1), Note: fmt.Sprint(i)}), 200); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs, err := st.events.Load(ctx, id.Stream())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != n {
		t.Fatalf("%d events, want %d", len(evs), n)
	}
	seen := map[engine.CommandID]bool{}
	for i, e := range evs {
		if e.Sequence != uint64(i+1) {
			t.Fatalf("gap: event %d has sequence %d", i, e.Sequence)
		}
		if seen[e.CommandID] {
			t.Fatalf("command %s committed twice", e.CommandID)
		}
		seen[e.CommandID] = true
	}
	p, _ := enginetest.Resume(d, ecs[1], id)
	s, _, err := p.State(ctx)
	if err != nil || s.Total != n*(n+1)/2 || len(s.Notes) != n {
		t.Fatalf("state total %d notes %d err %v", s.Total, len(s.Notes), err)
	}
	snap, _, _ := p.StateWithSnapshot(ctx)
	if !reflect.DeepEqual(snap, s) {
		t.Fatal("snapshot state differs from full replay")
	}
}

func TestRetryRetriesOnlyConflicts(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	p := spawn(t, st.engine(t), ledgerDef())
	if _, err := p.ExecuteWithRetry(ctx, cmdAt("a", t0, Add{Amount: 1}), 0); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("zero attempts: err = %v", err)
	}
	start := time.Now()
	if _, err := p.ExecuteWithRetry(ctx, cmdAt("b", t0, Add{Amount: -1}), 1000); err == nil || errors.Is(err, engine.ErrConflict) {
		t.Fatalf("workflow error: err = %v", err)
	}
	// 1000 retries with jitter would take seconds; a non-conflict is not retried.
	if time.Since(start) > 2*time.Second {
		t.Fatal("workflow error was retried")
	}
	// A conflict that persists (a rival appends before every attempt) is
	// returned after the bounded attempts.
	rival := &rivalStore{EventStore: st.events}
	ec := st.engine(t, engine.WithEventStore(rival), engine.WithCacheSize(0))
	q := spawn(t, ec, ledgerDef())
	_, err := q.ExecuteWithRetry(ctx, cmdAt("c", t0, Add{Amount: 1}), 3)
	if !errors.Is(err, engine.ErrConflict) || rival.appends != 3 {
		t.Fatalf("err = %v after %d appends, want conflict after 3", err, rival.appends)
	}
}

// rivalStore commits a foreign event right before each Append, so every
// append conflicts.
type rivalStore struct {
	engine.EventStore
	mu      sync.Mutex
	appends int
}

func (r *rivalStore) Append(ctx context.Context, s engine.StreamID, exp engine.ExpectedVersion, evs []engine.NewEvent) ([]engine.EventEnvelope, error) {
	r.mu.Lock()
	r.appends++
	n := r.appends
	r.mu.Unlock()
	rival := evs[0]
	rival.CommandID = engine.CommandID(fmt.Sprint("rival-", n))
	rival.EventID = ""
	if _, err := r.EventStore.Append(ctx, s, engine.Any(), []engine.NewEvent{rival}); err != nil {
		return nil, err
	}
	return r.EventStore.Append(ctx, s, exp, evs)
}

func TestErasedExecuteAndWorkflowRegistry(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	old := engine.Define[ledgerState](ledger{}, fv2510)
	cur := ledgerDef()
	pinned := engine.Define[ledgerState](ledger{name: "test.pinned", policy: engine.Pinned()}, fv2510)
	ec := st.engine(t, engine.WithWorkflows(old, cur, pinned))
	if err := ec.RegisterWorkflow(ledgerDef()); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("duplicate registration: %v", err)
	}
	for _, tc := range []struct {
		name string
		v    string
		want string
	}{
		{"test.ledger", "FV2510", "test.ledger@FV2510"},
		{"test.ledger", "FV2604", "test.ledger@FV2604"},
		{"test.ledger", "FV2610", "test.ledger@FV2604"},
		{"test.ledger", "FV2504", ""},
		{"test.pinned", "FV2510", "test.pinned@FV2510"},
		{"test.pinned", "FV2604", ""},
		{"nope", "FV2604", ""},
	} {
		d, err := ec.Lookup(tc.name, mustFV(tc.v))
		switch {
		case tc.want == "" && !errors.Is(err, engine.ErrUnknownWorkflow):
			t.Errorf("Lookup(%s, %s) = %v, %v; want ErrUnknownWorkflow", tc.name, tc.v, d, err)
		case tc.want != "" && (err != nil || d.ID().String() != tc.want):
			t.Errorf("Lookup(%s, %s) = %v, %v; want %s", tc.name, tc.v, d, err, tc.want)
		}
	}
	id, err := engine.NewIdentity(tenant, cur.ID())
	if err != nil {
		t.Fatal(err)
	}
	res, err := ec.Execute(ctx, id, cmdAt("e1", t0, Add{Amount: 2}))
	if err != nil || len(res.Envelopes) != 1 {
		t.Fatalf("Execute = %+v, %v", res, err)
	}
	// A command decoded from the wire by the definition's codec.
	d, _ := ec.Lookup("test.ledger", fv2604)
	wire, err := d.Codec().MarshalCommand(cmdAt("e2", t0, Add{Amount: 3, Note: "wire"}))
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := d.Codec().UnmarshalCommand(wire)
	if err != nil || cmd.Payload != (Add{Amount: 3, Note: "wire"}) || cmd.ID != "e2" || !cmd.ReceivedAt.Equal(t0) {
		t.Fatalf("UnmarshalCommand = %+v, %v", cmd, err)
	}
	if _, err := ec.Execute(ctx, id, cmd, engine.Retry(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Codec().DecodeCommand("Nope", nil); !errors.Is(err, engine.ErrDecode) {
		t.Fatalf("unknown command type: %v", err)
	}
	p, _ := enginetest.Resume(cur, ec, id)
	if s, _, _ := p.State(ctx); s.Total != 5 {
		t.Fatalf("total %d", s.Total)
	}
	for w, want := range map[string]string{"test.ledger@FV2510": "test.ledger@FV2510", "test.ledger@FV2504": "test.ledger@FV2604", "test.pinned@FV2504": ""} {
		wid, _ := engine.ParseWorkflowID(w)
		got, err := ec.Resolve(wid)
		if want == "" && !errors.Is(err, engine.ErrUnknownWorkflow) || want != "" && (err != nil || got.ID().String() != want) {
			t.Errorf("Resolve(%s) = %v, %v; want %q", w, got, err, want)
		}
	}
	// A process of an unregistered workflow.
	unknown := id
	unknown.Workflow.Name = "other"
	if _, err := ec.Execute(ctx, unknown, cmdAt("e3", t0, Add{Amount: 1})); !errors.Is(err, engine.ErrUnknownWorkflow) {
		t.Fatalf("unknown workflow: %v", err)
	}
}

func TestVersionPolicy(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	forward := engine.Define[ledgerState](ledger{}, fv2604)
	created2510 := engine.ProcessIdentity{Tenant: tenant, Process: engine.NewProcessID(), Workflow: engine.WorkflowID{Name: "test.ledger", FormatVersion: fv2510}}
	if _, err := enginetest.Resume(forward, ec, created2510); err != nil {
		t.Fatalf("forward-compatible FV2604 definition must run an FV2510 process: %v", err)
	}
	pinned := engine.Define[ledgerState](ledger{policy: engine.Pinned()}, fv2604)
	if _, err := enginetest.Resume(pinned, ec, created2510); !errors.Is(err, engine.ErrVersionRejected) {
		t.Fatalf("pinned: err = %v", err)
	}
	p := spawn(t, ec, forward) // created under FV2604
	for _, tc := range []struct {
		def    *engine.Definition[ledgerState]
		cmdFV  string
		accept bool
	}{
		{forward, "FV2604", true},
		{forward, "FV2610", true},
		{forward, "FV2510", false},
		{pinned, "FV2604", true},
		{pinned, "FV2610", false},
		{engine.Define[ledgerState](ledger{policy: engine.Explicit(fv2604, fv2610)}, fv2604), "FV2610", true},
		{engine.Define[ledgerState](ledger{policy: engine.Explicit(fv2510)}, fv2604), "FV2610", false},
	} {
		q, err := enginetest.Resume(tc.def, ec, p.Identity())
		if err != nil {
			t.Fatal(err)
		}
		c := cmdAt(string(engine.NewCommandID()), t0, Add{Amount: 1})
		c.FormatVersion = mustFV(tc.cmdFV)
		_, err = q.ExecuteWithContext(ctx, c)
		if tc.accept && err != nil || !tc.accept && !errors.Is(err, engine.ErrVersionRejected) {
			t.Errorf("%s command under %s: err = %v, accept %v", tc.cmdFV, tc.def.Policy(), err, tc.accept)
		}
	}
}

func TestSpawnRaceOnOneKeyMakesOneProcess(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	d := ledgerDef()
	key := engine.CorrelationKey("corr-77")
	const n = 20
	type out struct {
		id      engine.ProcessIdentity
		spawned bool
		err     error
	}
	res := make([]out, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ec := st.engine(t) // one instance per contender
			p, spawned, err := enginetest.SpawnOrResume(ctx, d, ec, tenant, key)
			if err == nil {
				_, err = p.ExecuteWithRetry(ctx, cmdAt(fmt.Sprint("first-", i), t0, Add{Amount: 1}), 100)
				res[i] = out{p.Identity(), spawned, err}
				return
			}
			res[i] = out{err: err}
		})
	}
	wg.Wait()
	spawned := 0
	for _, r := range res {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.spawned {
			spawned++
		}
		if r.id != res[0].id {
			t.Fatalf("two processes: %v and %v", r.id, res[0].id)
		}
	}
	if spawned != 1 {
		t.Fatalf("%d spawned, want 1", spawned)
	}
	if v, _ := st.events.Version(ctx, res[0].id.Stream()); v != n {
		t.Fatalf("the one process has %d events, want %d", v, n)
	}
	if _, _, err := (stores{events: st.events}).engineNoRegistry(t).SpawnOrResume(ctx, tenant, key, d.ID()); !errors.Is(err, engine.ErrNotConfigured) {
		t.Fatalf("without registry: %v", err)
	}
}

func (s stores) engineNoRegistry(t *testing.T) *engine.Engine {
	ec, err := engine.New(engine.WithEventStore(s.events))
	if err != nil {
		t.Fatal(err)
	}
	return ec
}

func TestDeadlinesSetFireCancel(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	p := spawn(t, ec, ledgerDef())
	for i, c := range []engine.CommandData{Arm{Label: "answer", In: time.Hour}, Arm{Label: "silent", In: 2 * time.Hour}, Arm{Label: "gone", In: 3 * time.Hour}} {
		if _, err := p.ExecuteWithContext(ctx, cmdAt(fmt.Sprint("arm-", i), t0, c)); err != nil {
			t.Fatal(err)
		}
	}
	open, err := p.OpenDeadlines(ctx)
	if err != nil || len(open) != 3 || open[0].Label != "answer" || !open[0].Due.Equal(t0.Add(time.Hour)) ||
		open[0].ID != engine.DeadlineIDFor(p.Identity().Process, "arm-0", 0) {
		t.Fatalf("open = %+v, %v", open, err)
	}
	if _, err := p.ExecuteWithContext(ctx, cmdAt("disarm", t0, Disarm{Label: "gone"})); err != nil {
		t.Fatal(err)
	}
	firedAt := t0.Add(61 * time.Minute)
	res, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: open[0].ID, FiredAt: firedAt})
	if err != nil || len(res.Envelopes) != 2 || res.Envelopes[0].Type != "Expired" || res.Envelopes[1].Type != engine.EventDeadlineFired {
		t.Fatalf("fire = %+v, %v", res, err)
	}
	if e := res.Envelopes[0]; e.CommandID != engine.FireCommandID(open[0].ID) || e.Causation != engine.CausationID(open[0].ID) || e.Correlation != "corr-arm-0" {
		t.Fatalf("fired command metadata %+v", e)
	}
	f, _ := engine.DecodeEngineEvent(res.Envelopes[1])
	if f := f.(*engine.DeadlineFired); f.Label != "answer" || !f.FiredAt.Equal(firedAt) || !f.Due.Equal(open[0].Due) {
		t.Fatalf("fired payload %+v", f)
	}
	again, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: open[0].ID, FiredAt: firedAt.Add(time.Minute)})
	if err != nil || !again.Duplicate {
		t.Fatalf("fire twice = %+v, %v", again, err)
	}
	cancelled, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: open[2].ID, FiredAt: firedAt})
	if err != nil || len(cancelled.Envelopes) != 0 || cancelled.Duplicate {
		t.Fatalf("fire cancelled = %+v, %v", cancelled, err)
	}
	silent, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: open[1].ID, FiredAt: firedAt})
	if err != nil || len(silent.Envelopes) != 1 || silent.Envelopes[0].Type != engine.EventDeadlineFired {
		t.Fatalf("fire without command = %+v, %v", silent, err)
	}
	s, _, _ := p.State(ctx)
	if !reflect.DeepEqual(s.Expired, []string{"answer"}) {
		t.Fatalf("expired %v", s.Expired)
	}
	if open, _ := p.OpenDeadlines(ctx); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
	if _, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: "x"}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("no FiredAt: %v", err)
	}
}

func TestSnapshotsTakenAtIntervalAndFailuresDoNotFailCommands(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	p := spawn(t, st.engine(t, engine.WithSnapshotInterval(10)), ledgerDef())
	for i := range 25 {
		if _, err := p.Execute(ctx, Add{Amount: 1}); err != nil {
			t.Fatal(err, i)
		}
	}
	snap, ok, _ := st.snapshots.Load(ctx, p.Identity().Stream())
	if !ok || snap.Sequence != 20 || snap.SchemaVersion != 1 {
		t.Fatalf("snapshot %+v ok %v, want sequence 20", snap, ok)
	}
	off := newStores()
	q := spawn(t, off.engine(t, engine.WithSnapshotInterval(0)), ledgerDef())
	for range 25 {
		if _, err := q.Execute(ctx, Add{Amount: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := off.snapshots.Load(ctx, q.Identity().Stream()); ok {
		t.Fatal("snapshot taken with interval 0")
	}
	broken := newStores()
	ec, _ := engine.New(engine.WithEventStore(broken.events), engine.WithSnapshotStore(failingSnapshots{}), engine.WithSnapshotInterval(1))
	r := spawn(t, ec, ledgerDef())
	for range 3 {
		if _, err := r.Execute(ctx, Add{Amount: 1}); err != nil {
			t.Fatalf("snapshot failure failed the command: %v", err)
		}
	}
	if s, _, err := r.StateWithSnapshot(ctx); err != nil || s.Total != 3 {
		t.Fatalf("StateWithSnapshot with failing store = %+v, %v", s, err)
	}
}

type failingSnapshots struct{}

func (failingSnapshots) Save(context.Context, engine.Snapshot) error { return errors.New("disk full") }
func (failingSnapshots) Load(context.Context, engine.StreamID) (engine.Snapshot, bool, error) {
	return engine.Snapshot{}, false, errors.New("disk gone")
}

// ledgerV2 has another state schema version: its snapshots of v1 are ignored.
type ledgerV2 struct{ ledger }

func (ledgerV2) StateSchemaVersion() int { return 2 }

func TestSnapshotOfOtherStateSchemaIsIgnored(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	p := spawn(t, st.engine(t, engine.WithSnapshotInterval(2)), ledgerDef())
	for range 4 {
		if _, err := p.Execute(ctx, Add{Amount: 1}); err != nil {
			t.Fatal(err)
		}
	}
	// Corrupt the stored v1 snapshot: a v2 reader must not even look at it.
	snap, _, _ := st.snapshots.Load(ctx, p.Identity().Stream())
	snap.State = []byte{0xc1}
	_ = st.snapshots.Save(ctx, snap)
	d2 := engine.Define[ledgerState](ledgerV2{}, fv2604)
	q, _ := enginetest.Resume(d2, st.engine(t), p.Identity())
	if s, v, err := q.StateWithSnapshot(ctx); err != nil || s.Total != 4 || v != 4 {
		t.Fatalf("v2 StateWithSnapshot = %+v, %d, %v", s, v, err)
	}
	// The v1 reader falls back to full replay on an undecodable snapshot.
	if s, _, err := p.StateWithSnapshot(ctx); err != nil || s.Total != 4 {
		t.Fatalf("v1 StateWithSnapshot on corrupt snapshot = %+v, %v", s, err)
	}
}

func TestCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t, engine.WithCacheSize(2))
	for range 5 {
		if _, err := spawn(t, ec, ledgerDef()).Execute(ctx, Add{Amount: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := ec.CachedProcesses(); n != 2 {
		t.Fatalf("cache holds %d, want 2", n)
	}
}

func mustFV(s string) (v fvVersion) {
	v, err := parseFV(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestStaleCacheIsReloadedOnConflict(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	d := ledgerDef()
	ec1, ec2 := st.engine(t), st.engine(t)
	p1 := spawn(t, ec1, d)
	p2, _ := enginetest.Resume(d, ec2, p1.Identity())
	if _, err := p1.Execute(ctx, Add{Amount: 1}); err != nil { // ec1 caches version 1
		t.Fatal(err)
	}
	if _, err := p2.Execute(ctx, Add{Amount: 10}); err != nil { // version 2 behind ec1's back
		t.Fatal(err)
	}
	res, err := p1.Execute(ctx, Add{Amount: 100}) // plain Execute, no retry
	if err != nil || res.Version != 3 || res.Envelopes[0].Sequence != 3 {
		t.Fatalf("Execute on stale cache = %+v, %v", res, err)
	}
	if s, _, _ := p1.State(ctx); s.Total != 111 {
		t.Fatalf("total %d, want 111", s.Total)
	}
}

// AssumeNew on a process that does have events (a wrong belief) costs a
// conflict and a reload, never a wrong decision or a duplicate event.
func TestAssumeNewIsOnlyAnOptimisation(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	a := st.engine(t)
	p := spawn(t, a, ledgerDef())
	for i := range 3 {
		if _, err := p.ExecuteWithContext(ctx, engine.Command{ID: engine.CommandID(fmt.Sprint("c", i)), ReceivedAt: t0, Payload: Add{Amount: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	b := st.engine(t) // another instance: nothing cached
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.RegisterWorkflow(ledgerDef()))
	must(b.AssumeNew(p.Identity()))
	res, err := b.Execute(ctx, p.Identity(), engine.Command{ID: "c3", ReceivedAt: t0, Payload: Add{Amount: 1}}, engine.Retry(3))
	must(err)
	if res.Version != 4 || res.Envelopes[0].Sequence != 4 {
		t.Fatalf("decided on the assumed empty state: %+v", res)
	}
	// A command already committed stays committed once.
	must(b.AssumeNew(p.Identity()))
	b.Evict(p.Identity().Stream())
	must(b.AssumeNew(p.Identity()))
	if _, err := b.Execute(ctx, p.Identity(), engine.Command{ID: "c1", ReceivedAt: t0, Payload: Add{Amount: 1}}, engine.Retry(3)); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.events.Version(ctx, p.Identity().Stream()); v != 4 {
		t.Fatalf("version %d after a repeated command, want 4", v)
	}
	// A truly new process is decided without a load, and correctly.
	q, err := engine.NewIdentity("t1", p.Identity().Workflow)
	must(err)
	must(b.AssumeNew(q))
	res, err = b.Execute(ctx, q, engine.Command{ID: "n1", ReceivedAt: t0, Payload: Add{Amount: 5}}, engine.Retry(3))
	must(err)
	if res.Version != 1 {
		t.Fatalf("new process: %+v", res)
	}
}

// TestOpenDeadlinesIsTheEngineFold checks engine.OpenDeadlines (the
// definition-free view operator tools use) against the engine's own state:
// the same open deadlines as State, in the order they were set, with the
// identity and version of the stream.
func TestOpenDeadlinesIsTheEngineFold(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t, engine.WithSnapshotInterval(2))
	p := spawn(t, ec, ledgerDef())
	for i, c := range []engine.CommandData{Arm{Label: "answer", In: time.Hour}, Arm{Label: "silent", In: 2 * time.Hour},
		Arm{Label: "gone", In: 3 * time.Hour}, Arm{Label: "answer", In: 30 * time.Minute}, Disarm{Label: "gone"}} {
		if _, err := p.ExecuteWithContext(ctx, cmdAt(fmt.Sprint("c-", i), t0, c)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: engine.DeadlineIDFor(p.Identity().Process, "c-1", 0), FiredAt: t0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	id, version, open, err := engine.OpenDeadlines(ctx, st.events, p.Identity().Stream())
	if err != nil {
		t.Fatal(err)
	}
	first, second := engine.DeadlineIDFor(p.Identity().Process, "c-0", 0), engine.DeadlineIDFor(p.Identity().Process, "c-3", 0)
	if id != p.Identity() || len(open) != 2 || open[0].ID != first || open[1].ID != second || !open[1].Due.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("OpenDeadlines = %v %d %+v", id, version, open)
	}
	for _, snap := range []bool{false, true} {
		_, v, byDue, err := ec.State(ctx, ledgerDef(), p.Identity(), snap)
		if err != nil || v != version || len(byDue) != 2 || byDue[0] != open[1] || byDue[1] != open[0] {
			t.Fatalf("State (snapshot %v) = %d %+v, %v; OpenDeadlines %d %+v", snap, v, byDue, err, version, open)
		}
	}
	if id, v, open, err := engine.OpenDeadlines(ctx, st.events, engine.StreamOf(tenant, engine.NewProcessID())); err != nil || v != 0 || len(open) != 0 || id != (engine.ProcessIdentity{}) {
		t.Fatalf("empty stream: %v %d %+v %v", id, v, open, err)
	}
	if _, _, _, err := engine.OpenDeadlines(ctx, nil, p.Identity().Stream()); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("no store: %v", err)
	}
}

// TestDeadlineBookIsTheEngineFold folds a process's events envelope by
// envelope through an exported DeadlineBook — once in one go, and once per
// prefix restored from what Open returned (as a projection that stores its
// open deadlines does) — and checks both against the engine's State. A
// deadline event that does not decode is an error and changes nothing.
func TestDeadlineBookIsTheEngineFold(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	p := spawn(t, ec, ledgerDef())
	for i, c := range []engine.CommandData{Arm{Label: "answer", In: time.Hour}, Add{Amount: 1}, Arm{Label: "silent", In: 2 * time.Hour},
		Arm{Label: "gone", In: 3 * time.Hour}, Arm{Label: "answer", In: 30 * time.Minute}, Disarm{Label: "gone"}} {
		if _, err := p.ExecuteWithContext(ctx, cmdAt(fmt.Sprint("c-", i), t0, c)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: engine.DeadlineIDFor(p.Identity().Process, "c-2", 0), FiredAt: t0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var envs []engine.EventEnvelope
	if err := st.events.Fold(ctx, p.Identity().Stream(), 0, func(env engine.EventEnvelope) error {
		envs = append(envs, env)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, _, want, err := ec.State(ctx, ledgerDef(), p.Identity(), false)
	if err != nil || len(want) != 2 {
		t.Fatalf("State: %+v %v", want, err)
	}
	kinds := map[string]int{}
	whole := engine.NewDeadlineBook()
	for _, env := range envs {
		kinds[env.Type]++
		if err := whole.Fold(env); err != nil {
			t.Fatal(err)
		}
	}
	if kinds[engine.EventDeadlineSet] != 4 || kinds[engine.EventDeadlineCancelled] != 1 || kinds[engine.EventDeadlineFired] != 1 || len(kinds) < 4 {
		t.Fatalf("the stream does not exercise every deadline event and others: %v", kinds)
	}
	if got := whole.Open(); !slices.Equal(got, want) {
		t.Fatalf("DeadlineBook.Open = %+v, State %+v", got, want)
	}
	for cut := range len(envs) + 1 {
		b := engine.NewDeadlineBook()
		for _, env := range envs[:cut] {
			if err := b.Fold(env); err != nil {
				t.Fatal(err)
			}
		}
		b = engine.NewDeadlineBook(b.Open()...)
		for _, env := range envs[cut:] {
			if err := b.Fold(env); err != nil {
				t.Fatal(err)
			}
		}
		if got := b.Open(); !slices.Equal(got, want) {
			t.Fatalf("restored after %d envelopes: %+v, want %+v", cut, got, want)
		}
	}
	for _, env := range envs {
		if engine.IsDeadlineEventType(env.Type) != (env.Type == engine.EventDeadlineSet || env.Type == engine.EventDeadlineCancelled || env.Type == engine.EventDeadlineFired) {
			t.Fatalf("IsDeadlineEventType(%q)", env.Type)
		}
		if env.Type != engine.EventDeadlineCancelled {
			continue
		}
		broken := env
		broken.Payload = []byte{0xc1}
		var de *engine.DecodeError
		if err := whole.Fold(broken); !errors.As(err, &de) || de.Sequence != env.Sequence {
			t.Fatalf("undecodable deadline event: %v", err)
		}
		if got := whole.Open(); !slices.Equal(got, want) {
			t.Fatalf("an undecodable event changed the book: %+v", got)
		}
	}
}

// TestResultCarriesTheDecision: a commit returns the decision's typed
// workflow events and the fired deadline; a duplicate or an empty decision
// returns neither.
func TestResultCarriesTheDecision(t *testing.T) {
	ctx := context.Background()
	p := spawn(t, newStores().engine(t), ledgerDef())
	res, err := p.ExecuteWithContext(ctx, cmdAt("add", t0, Add{Amount: 3, Note: "n"}))
	if err != nil || !reflect.DeepEqual(res.Decided, []engine.EventData{Added{Amount: 3, Note: "n", At: t0}}) || res.Fired != nil {
		t.Fatalf("add: %+v, %v", res, err)
	}
	if res, err = p.ExecuteWithContext(ctx, cmdAt("add", t0, Add{Amount: 3, Note: "n"})); err != nil || !res.Duplicate || res.Decided != nil || res.Fired != nil {
		t.Fatalf("duplicate: %+v, %v", res, err)
	}
	if res, err = p.ExecuteWithContext(ctx, cmdAt("noop", t0, Noop{})); err != nil || res.Decided != nil || len(res.Envelopes) != 0 {
		t.Fatalf("noop: %+v, %v", res, err)
	}
	for i, label := range []string{"answer", "silent"} {
		if res, err = p.ExecuteWithContext(ctx, cmdAt(fmt.Sprint("arm-", i), t0, Arm{Label: label, In: time.Hour})); err != nil || len(res.Decided) != 0 {
			t.Fatalf("arm: %+v, %v", res, err)
		}
	}
	open, _ := p.OpenDeadlines(ctx)
	for _, d := range open {
		res, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: d.ID, FiredAt: d.Due})
		var want []engine.EventData
		if d.Label == "answer" {
			want = []engine.EventData{Expired{Label: "answer"}}
		}
		if err != nil || !reflect.DeepEqual(res.Decided, want) || res.Fired == nil || res.Fired.ID != d.ID || res.Fired.Label != d.Label || !res.Fired.FiredAt.Equal(d.Due) {
			t.Fatalf("fire %s: %+v, %v", d.Label, res, err)
		}
	}
}
