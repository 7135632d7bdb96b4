package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/workers/relay"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/processor"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The resilience tests drive many commands through the pipeline while
// workers are cancelled, crash or lose their server, and then check the
// end state exactly: every transaction answered once on MAKO_OUTBOX (by
// RFF+TN), one workflow event per transaction in the process streams, no
// dead letters, the command work queue empty. Timeouts only guard against
// hangs; no assertion depends on timing.

// testAckWait replaces the consumers' 60 s AckWait in tests that lose
// in-flight messages (a crashed worker, a restarted server, a stopped
// node): those messages are redelivered only after AckWait, and waiting a
// minute per test would make the suite slow. It is long enough that a
// message buffered in a busy client is not redelivered while it waits.
const testAckWait = 5 * time.Second

// setAckWait changes the AckWait of the pipeline's durable consumers.
// app.New restores the definition from streams/, so call it after the
// last New.
func setAckWait(t testing.TB, js jetstream.JetStream, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	for _, sc := range [][2]string{{"MAKO_INGEST", "ingest"}, {command.Stream, "processor"}, {natsstore.DefaultEventStream, relay.Consumer}} {
		c, err := js.Consumer(ctx, sc[0], sc[1])
		if err != nil {
			t.Fatal(err)
		}
		cfg := c.CachedInfo().Config
		cfg.AckWait = d
		if _, err := js.UpdateConsumer(ctx, sc[0], cfg); err != nil {
			t.Fatalf("ack wait of %s/%s: %v", sc[0], sc[1], err)
		}
	}
}

// txID and ixRef name the i-th transaction and interchange of a run.
func txID(run string, i int) string  { return fmt.Sprintf("VG%s%05d", run, i) }
func ixRef(run string, i int) string { return fmt.Sprintf("%s%05d", run, i) }

// publishInterchanges publishes the 55001 interchanges from..to-1 of run to
// tenant nb and returns their transaction ids. Each publish carries its
// interchange reference as Nats-Msg-Id and is retried until acknowledged
// (a server restart or leader change in between): a retry after a lost ack
// is stored once.
func publishInterchanges(t testing.TB, js jetstream.JetStream, run string, from, to int) []string {
	t.Helper()
	txs, err := tryPublishInterchanges(js, run, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return txs
}

// tryPublishInterchanges is publishInterchanges for other goroutines than
// the test's.
func tryPublishInterchanges(js jetstream.JetStream, run string, from, to int) ([]string, error) {
	var txs []string
	for i := from; i < to; i++ {
		msg := nats.NewMsg("mako.ingest.nb")
		msg.Data = utilmd55001(ixRef(run, i), txID(run, i))
		msg.Header.Set("Mako-Received-At", receivedAt)
		msg.Header.Set(jetstream.MsgIDHeader, "ingest."+ixRef(run, i))
		if err := publishRetry(js, msg); err != nil {
			return txs, err
		}
		txs = append(txs, txID(run, i))
	}
	return txs, nil
}

// publishRetry publishes msg until the stream acknowledges it (30 s at most).
func publishRetry(js jetstream.JetStream, msg *nats.Msg) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := js.PublishMsg(ctx, msg)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("publish %s: %w", msg.Subject, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pipelineState reports whether every consumer of the pipeline has
// handled and acknowledged everything, and describes the state.
func pipelineState(ctx context.Context, js jetstream.JetStream) (idle bool, desc string, err error) {
	idle = true
	var b strings.Builder
	for _, sc := range [][2]string{{"MAKO_INGEST", "ingest"}, {command.Stream, "processor"}, {natsstore.DefaultEventStream, relay.Consumer}} {
		c, err := js.Consumer(ctx, sc[0], sc[1])
		if err != nil {
			return false, "", err
		}
		info := c.CachedInfo()
		fmt.Fprintf(&b, "%s: pending %d, ack pending %d, redelivered %d, waiting pulls %d; ", sc[1], info.NumPending, info.NumAckPending, info.NumRedelivered, info.NumWaiting)
		if info.NumPending != 0 || info.NumAckPending != 0 {
			idle = false
		}
	}
	st, err := js.Stream(ctx, command.Stream)
	if err != nil {
		return false, "", err
	}
	fmt.Fprintf(&b, "commands queued %d", st.CachedInfo().State.Msgs)
	if st.CachedInfo().State.Msgs != 0 {
		idle = false
	}
	return idle, b.String(), nil
}

// waitAnswered waits until the outbox of tenant nb holds at least want
// messages and the pipeline is idle. Errors of single polls (a leader
// election in progress) are tolerated until the timeout.
func waitAnswered(t testing.TB, js jetstream.JetStream, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	lastLog := time.Now()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		n, err := subjectCount(ctx, js, "MAKO_OUTBOX", "mako.outbox.nb.>")
		if err == nil && n >= uint64(want) {
			var idle bool
			var desc string
			idle, desc, err = pipelineState(ctx, js)
			if err == nil && idle {
				cancel()
				return
			}
			last = fmt.Sprintf("outbox %d; %s", n, desc)
		} else if err == nil {
			_, desc, _ := pipelineState(ctx, js)
			last = fmt.Sprintf("outbox %d of %d; %s", n, want, desc)
		}
		if err != nil {
			last = err.Error()
		}
		cancel()
		if time.Now().After(deadline) {
			t.Fatalf("pipeline not done after %v: %s", timeout, last)
		}
		if time.Since(lastLog) > 5*time.Second {
			t.Logf("waiting: %s", last)
			lastLog = time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitOutbox waits until the outbox of tenant nb holds at least n messages.
func waitOutbox(t testing.TB, js jetstream.JetStream, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		got, err := subjectCount(ctx, js, "MAKO_OUTBOX", "mako.outbox.nb.>")
		cancel()
		if err == nil && got >= uint64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox has %d messages after %v, want %d (%v)", got, timeout, n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func subjectCount(ctx context.Context, js jetstream.JetStream, stream, filter string) (uint64, error) {
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return 0, err
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n, nil
}

// readAll returns every message of stream on filter (an ordered consumer),
// expecting exactly the count the stream reports.
func readAll(t testing.TB, js jetstream.JetStream, stream, filter string) []jetstream.Msg {
	t.Helper()
	n, err := subjectCount(context.Background(), js, stream, filter)
	if err != nil {
		t.Fatal(err)
	}
	msgs := collect(t, js, stream, filter, int(n), 30*time.Second)
	if len(msgs) != int(n) {
		t.Fatalf("read %d of %d messages of %s", len(msgs), n, filter)
	}
	return msgs
}

// checkExactlyOnce asserts the end state of a run over the transactions
// txs of testflow: one APERAK per transaction on the outbox (matched by
// RFF+TN), one test.received event per transaction in the event streams,
// gap-free process sequences, no dead letters, no queued command.
func checkExactlyOnce(t testing.TB, js jetstream.JetStream, txs []string) {
	t.Helper()
	want := make(map[string]bool, len(txs))
	for _, tx := range txs {
		want[tx] = true
	}

	answered := map[string]int{}
	out := readAll(t, js, "MAKO_OUTBOX", "mako.outbox.>")
	for _, m := range out {
		if typ := m.Headers().Get("Mako-Message-Type"); typ != "APERAK" {
			t.Fatalf("outbox message of type %q on %s", typ, m.Subject())
		}
		ix, err := edifact.Parse(m.Data())
		if err != nil {
			t.Fatalf("outbox message does not parse: %v", err)
		}
		tn, _ := ix.Messages[0].Find(0, "RFF", "TN")
		if tn == nil {
			t.Fatal("APERAK without RFF+TN")
		}
		answered[tn.Value(0, 1)]++
	}
	var missing, doubled []string
	for tx := range want {
		switch answered[tx] {
		case 0:
			missing = append(missing, tx)
		case 1:
		default:
			doubled = append(doubled, fmt.Sprintf("%s×%d", tx, answered[tx]))
		}
	}
	for tx := range answered {
		if !want[tx] {
			doubled = append(doubled, "unexpected "+tx)
		}
	}
	if len(missing) > 0 || len(doubled) > 0 || len(out) != len(txs) {
		sort.Strings(missing)
		sort.Strings(doubled)
		t.Fatalf("outbox: %d messages for %d transactions; unanswered %v; answered more than once %v", len(out), len(txs), head(missing), head(doubled))
	}

	recorded := map[string]int{}
	perProcess := map[string]int{}
	for _, m := range readAll(t, js, natsstore.DefaultEventStream, "mako.evt.>") {
		md, err := m.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		envs, err := natsstore.EnvelopesFromMsg(natsstore.DefaultEventStream, natsstore.DefaultSubjectPrefix, m.Subject(), md.Sequence.Stream, m.Data())
		if err != nil {
			t.Fatal(err)
		}
		for _, env := range envs {
			if env.Type != (testflow.Received{}).EventType() {
				continue
			}
			var r testflow.Received
			if err := env.DecodeInto(&r); err != nil {
				t.Fatal(err)
			}
			recorded[r.TransactionID]++
			perProcess[string(env.Process)]++
		}
	}
	for tx := range want {
		if recorded[tx] != 1 {
			t.Errorf("transaction %s recorded %d times in the event streams", tx, recorded[tx])
		}
	}
	if len(recorded) != len(want) {
		t.Errorf("%d transactions recorded, want %d", len(recorded), len(want))
	}
	for p, n := range perProcess {
		if n != 1 {
			t.Errorf("process %s holds %d workflow events, want 1 (one transaction each)", p, n)
		}
	}
	checkGapFree(t, js)

	if n := count(t, js, "MAKO_DLQ", "mako.dlq.>"); n != 0 {
		for _, m := range readAll(t, js, "MAKO_DLQ", "mako.dlq.>") {
			l, err := deadletter.Decode(m.Data())
			if err != nil {
				t.Errorf("dead letter: %v", err)
				continue
			}
			t.Errorf("dead letter: %s: %s (interchange %s, source %s #%d)", l.Reason, l.Detail, l.Audit.InterchangeRef, l.Source.Stream, l.Source.Sequence)
		}
	}
	st, err := js.Stream(context.Background(), command.Stream)
	must(t, err)
	if q := st.CachedInfo().State.Msgs; q != 0 {
		t.Errorf("%d commands left in the work queue", q)
	}
}

// checkGapFree asserts that every process stream's event sequences are
// 1, 2, 3, … without gaps or repeats.
func checkGapFree(t testing.TB, js jetstream.JetStream) {
	t.Helper()
	next := map[string]uint64{}
	for _, m := range readAll(t, js, natsstore.DefaultEventStream, "mako.evt.>") {
		md, err := m.Metadata()
		must(t, err)
		envs, err := natsstore.EnvelopesFromMsg(natsstore.DefaultEventStream, natsstore.DefaultSubjectPrefix, m.Subject(), md.Sequence.Stream, m.Data())
		must(t, err)
		for _, env := range envs {
			if env.Sequence != next[m.Subject()]+1 {
				t.Fatalf("%s: event sequence %d after %d", m.Subject(), env.Sequence, next[m.Subject()])
			}
			next[m.Subject()] = env.Sequence
		}
	}
}

func head(s []string) []string {
	if len(s) > 10 {
		return append(s[:10:10], fmt.Sprintf("… %d more", len(s)-10))
	}
	return s
}

// instance is one worker process of the test: its own connection, System
// and workers.
type instance struct {
	nc  *nats.Conn
	sys *app.System
	w   *workers
}

// Cancel one processor gracefully after a few hundred commits, crash the
// next one between a commit and its acknowledgement (its connection is
// closed from inside the commit observer), and let a third, fresh one
// finish: every one of 1,000 commands has its effects exactly once.
func TestProcessorCancelAndCrashEffectsExactlyOnce(t *testing.T) {
	srv, js := startServer(t)
	const n = 1000
	const stopAfter = 200

	front := newSystem(t, js, defaultConfig())

	var commits [3]atomic.Int64
	cancelA := make(chan struct{})
	var closeA sync.Once
	inst := make([]*instance, 3)
	for i := range inst {
		nc, jsi := srv.JetStream()
		cfg := defaultConfig()
		cfg.ProcessorOptions = []processor.Option{processor.WithObserver(func(engine.ProcessIdentity, engine.Result) {
			c := commits[i].Add(1)
			switch {
			case i == 0 && c == stopAfter:
				closeA.Do(func() { close(cancelA) })
			case i == 1 && c == stopAfter:
				// Committed, not yet acknowledged: crash now.
				nc.Close()
			}
		})}
		inst[i] = &instance{nc: nc, sys: newSystem(t, jsi, cfg)}
	}
	setAckWait(t, js, testAckWait)

	startWorkers(t, front, (*app.System).RunIngest, (*app.System).RunRelay)
	txs := publishInterchanges(t, js, "CR", 0, n)

	// A: graceful cancellation.
	inst[0].w = startWorkers(t, inst[0].sys, (*app.System).RunProcessor)
	select {
	case <-cancelA:
	case <-time.After(60 * time.Second):
		t.Fatalf("processor A committed only %d commands", commits[0].Load())
	}
	inst[0].w.stop()

	// B: crash between commit and acknowledgement.
	inst[1].w = startWorkers(t, inst[1].sys, (*app.System).RunProcessor)
	deadline := time.Now().Add(60 * time.Second)
	for !inst[1].nc.IsClosed() {
		if time.Now().After(deadline) {
			t.Fatalf("processor B committed only %d commands", commits[1].Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	inst[1].w.stop()

	// C: a fresh processor on a new connection finishes the work.
	inst[2].w = startWorkers(t, inst[2].sys, (*app.System).RunProcessor)
	waitAnswered(t, js, n, 60*time.Second)

	t.Logf("commits observed: A %d, B %d, C %d", commits[0].Load(), commits[1].Load(), commits[2].Load())
	if commits[0].Load() < stopAfter || commits[1].Load() < stopAfter || commits[2].Load() == 0 {
		t.Fatalf("each instance should have worked: A %d, B %d, C %d", commits[0].Load(), commits[1].Load(), commits[2].Load())
	}
	checkExactlyOnce(t, js, txs)
}

// Step is the command of the seq workflow: the n-th step of a process.
type Step struct{ N int }

// CommandType implements engine.CommandData.
func (Step) CommandType() string { return "test.step" }

// Stepped records that step N was applied.
type Stepped struct{ N int }

// EventType implements engine.EventData.
func (Stepped) EventType() string { return "test.stepped" }

// seqState is the last step applied.
type seqState struct{ Last int }

// seqWorkflow records every step it is given, in the order it is given
// them, so the event stream shows the order commands were applied in.
type seqWorkflow struct{}

func (seqWorkflow) Name() string { return "test.seq" }
func (seqWorkflow) Codec() *engine.Codec {
	return engine.NewCodec().Event(Stepped{}, 1).Command(Step{})
}
func (seqWorkflow) Initial() seqState { return seqState{} }
func (seqWorkflow) Apply(s seqState, ev engine.Event) seqState {
	if st, ok := ev.Data.(Stepped); ok {
		s.Last = st.N
	}
	return s
}
func (seqWorkflow) Handle(_ seqState, cmd engine.Command) (engine.Decision, error) {
	st, ok := cmd.Payload.(Step)
	if !ok {
		return engine.Decision{}, fmt.Errorf("seq: unexpected command %T", cmd.Payload)
	}
	return engine.Decision{Events: []engine.EventData{Stepped(st)}}, nil
}

var seqDef = engine.Define[seqState](seqWorkflow{}, fv.MustParse("FV2604"))

func seqModule() module.Module {
	return module.Module{Name: "seq", Definitions: []engine.AnyDefinition{seqDef}}
}

// Two processor instances on their own connections consume the same
// durable consumer. Four processes get 250 commands each, interleaved:
// both instances execute commands, and every process's events are its
// steps 1…250 in publication order, gap-free, without duplicates.
func TestTwoProcessorsKeepOrderPerProcess(t *testing.T) {
	srv, js := startServer(t)
	const procs, steps = 4, 250

	cfg := defaultConfig()
	cfg.Modules = append(cfg.Modules, seqModule())
	var executed [2]atomic.Int64
	var sys [2]*app.System
	for i := range sys {
		_, jsi := srv.JetStream()
		c := cfg
		c.ProcessorOptions = []processor.Option{processor.WithObserver(func(_ engine.ProcessIdentity, res engine.Result) {
			if !res.Duplicate {
				executed[i].Add(1)
			}
		})}
		sys[i] = newSystem(t, jsi, c)
	}
	front := newSystem(t, js, cfg)
	startWorkers(t, front, (*app.System).RunIngest, (*app.System).RunRelay)
	for _, s := range sys {
		startWorkers(t, s, (*app.System).RunProcessor)
	}
	// Both instances must have their pull requests parked before the
	// commands arrive, so the server hands messages to both.
	waitWaiting(t, js, command.Stream, "processor", 2)

	ids := make([]engine.ProcessIdentity, procs)
	for p := range ids {
		ids[p] = engine.ProcessIdentity{Tenant: "nb", Process: engine.ProcessID(fmt.Sprintf("seq-%d", p)), Workflow: seqDef.ID()}
	}
	at, _ := time.Parse(time.RFC3339, receivedAt)
	for n := 1; n <= steps; n++ {
		for p, id := range ids {
			cmd := engine.Command{ID: engine.CommandID(fmt.Sprintf("p%d-step-%04d", p, n)), ReceivedAt: at, Payload: Step{N: n}}
			msg, err := command.Encode(id, seqDef.Codec(), cmd)
			must(t, err)
			if _, err := js.PublishMsgAsync(msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		t.Fatal("publishing commands did not complete")
	}
	waitAnswered(t, js, 0, 60*time.Second)

	t.Logf("executed: instance 1 %d, instance 2 %d", executed[0].Load(), executed[1].Load())
	if executed[0].Load() == 0 || executed[1].Load() == 0 {
		t.Fatalf("one instance did all the work: %d / %d", executed[0].Load(), executed[1].Load())
	}
	if got := executed[0].Load() + executed[1].Load(); got != procs*steps {
		t.Fatalf("%d commands executed, want %d", got, procs*steps)
	}
	for _, id := range ids {
		envs, err := front.Engine().EventStore().Load(context.Background(), id.Stream())
		must(t, err)
		if len(envs) != steps {
			t.Fatalf("%s: %d events, want %d", id.Process, len(envs), steps)
		}
		for i, env := range envs {
			var st Stepped
			must(t, env.DecodeInto(&st))
			if env.Sequence != uint64(i+1) || st.N != i+1 {
				t.Fatalf("%s: event %d has sequence %d and step %d; want step %d", id.Process, i, env.Sequence, st.N, i+1)
			}
		}
	}
	if n := count(t, js, "MAKO_DLQ", "mako.dlq.>"); n != 0 {
		t.Fatalf("%d dead letters", n)
	}
}

// waitWaiting waits until the consumer has at least n parked pull requests.
func waitWaiting(t testing.TB, js jetstream.JetStream, stream, consumer string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := js.Consumer(context.Background(), stream, consumer)
		must(t, err)
		if c.CachedInfo().NumWaiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s: %d pull requests waiting, want %d", stream, consumer, c.CachedInfo().NumWaiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// withFixedPort makes the server listen on a fixed loopback port, so
// clients can reconnect to the same URL after natstest.Restart.
func withFixedPort(t testing.TB) natstest.Option {
	t.Helper()
	var port int
	for range 50 {
		p := 20000 + rand.IntN(12000) // below the Linux ephemeral range
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			_ = l.Close()
			port = p
			break
		}
	}
	if port == 0 {
		t.Fatal("no free port")
	}
	return func(o *server.Options) {
		o.DontListen = false
		o.Host = "127.0.0.1"
		o.Port = port
	}
}

// reconnecting opens a TCP connection that reconnects forever.
func reconnecting(t testing.TB, url, name string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond), nats.ReconnectJitter(0, 0),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			t.Logf("connection %s: %v (subscription %q)", name, err, subj)
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// The server restarts in the middle of a run: the workers reconnect and
// nothing is lost or doubled.
func TestServerRestartMidRun(t *testing.T) {
	srv := natstest.Start(t, withFixedPort(t))
	const n = 600

	_, js := reconnecting(t, srv.ClientURL(), "test")
	_, wjs := reconnecting(t, srv.ClientURL(), "workers")
	sys := newSystem(t, wjs, defaultConfig())
	setAckWait(t, js, testAckWait)
	startWorkers(t, sys, allWorkers...)

	txs := publishInterchanges(t, js, "RS", 0, n/2)
	waitOutbox(t, js, n/6, 60*time.Second)
	srv.Restart()
	txs = append(txs, publishInterchanges(t, js, "RS", n/2, n)...)

	waitAnswered(t, js, n, 60*time.Second)
	checkExactlyOnce(t, js, txs)
}
