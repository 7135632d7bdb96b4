// Package bench measures the pipeline end to end: raw UTILMD interchanges
// published to `mako.ingest.<tenant>` flow through the ingest, processor and
// relay workers (package pipeline) and the test workflow (package testflow)
// answers each with an APERAK on `mako.outbox.<tenant>.<recipient>`.
//
// One run (RunPipeline) has three phases on the same server:
//
//  1. raw: the same payload published with JetStream async publish into a
//     scratch stream, the reference rate of the server and client;
//  2. throughput: N interchanges published as fast as possible (async);
//     messages/s = N / (last answer seen on the outbox − first publish);
//  3. latency: interchanges published at a fixed rate; per message the time
//     from its publish call to its answer arriving through an ordered
//     consumer on MAKO_OUTBOX (answers are matched by their RFF+TN, the
//     transaction id of the request); p50 and p99.
//
// Without a NATS URL the server is embedded (JetStream, file store in a
// temporary directory removed afterwards), in the same process as the
// workers, as in `makod`. With a URL, the pipeline's streams are created
// or updated there and the run's messages stay in them; interchange
// references are unique per run, so runs can repeat against one server.
package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mako-engine/mako/pkg/wire/outbox"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Market partner ids of the worked example (edifact.md §13; valid check
// digits): the supplier sends, the grid operator (the tenant) answers.
const (
	SenderMPID   = "9900000000004"
	ReceiverMPID = "9900000000011"
)

// Tenant is the tenant the benchmark runs as.
const Tenant = "bench"

// receivedAt is the receipt time set on every interchange (Mako-Received-At),
// so the answers do not depend on the clock.
const receivedAt = "2026-11-20T10:15:00+01:00"

// Config configures a run. Zero values take the defaults.
type Config struct {
	// N is the number of interchanges of the throughput phase (default 5000).
	N int
	// Rate is the publish rate of the latency phase in messages/s (default 1000).
	Rate int
	// LatencyN is the number of interchanges of the latency phase
	// (default 2 × Rate, at least 500).
	LatencyN int
	// Warmup interchanges run through the pipeline before measuring
	// (0: 200, negative: none).
	Warmup int
	// NATSURL selects an external server; empty embeds one.
	NATSURL string
	// Concurrency is the number of lanes per worker (default 16, as the pipeline's).
	Concurrency int
	// Replicas of the streams on an external cluster (0 = as defined).
	Replicas int
	// Timeout bounds each phase (default 2 minutes).
	Timeout time.Duration
	// Logger receives the workers' logs (default: none).
	Logger zerolog.Logger
	// NoAHB switches ingest's AHB validation of every transaction off
	// (ingest.WithAHBValidation(false)), to measure what it costs.
	NoAHB bool
}

func (c *Config) defaults() {
	if c.N <= 0 {
		c.N = 5000
	}
	if c.Rate <= 0 {
		c.Rate = 1000
	}
	if c.LatencyN <= 0 {
		c.LatencyN = max(2*c.Rate, 500)
	}
	if c.Warmup == 0 {
		c.Warmup = 200
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.Timeout <= 0 {
		c.Timeout = 2 * time.Minute
	}
}

// Result is the outcome of a run. Its JSON form has exactly the keys n,
// msgs_per_s, p50_ms, p99_ms, raw_async_per_s and ratio.
type Result struct {
	// N is the number of interchanges of the throughput phase.
	N int `json:"n"`
	// MsgsPerS is the end-to-end throughput (interchanges answered per second).
	MsgsPerS float64 `json:"msgs_per_s"`
	// P50Ms and P99Ms are the latency percentiles at Rate, in milliseconds.
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	// RawAsyncPerS is the JetStream async publish rate of the same payload.
	RawAsyncPerS float64 `json:"raw_async_per_s"`
	// Ratio is MsgsPerS / RawAsyncPerS.
	Ratio float64 `json:"ratio"`

	// CPUPerMsg is the CPU time (user + system) this process spent per
	// interchange of the throughput phase: workers, publisher, outbox reader
	// and, when embedded, the server. Unlike MsgsPerS it hardly depends on
	// other load on the machine; 0 where it cannot be measured.
	CPUPerMsg time.Duration `json:"-"`
	// Rate and LatencyN describe the latency phase; Max is its slowest message.
	Rate      int           `json:"-"`
	LatencyN  int           `json:"-"`
	MaxMs     float64       `json:"-"`
	Elapsed   time.Duration `json:"-"`
	PayloadSz int           `json:"-"`
}

// Interchange returns the benchmark's UTILMD 55001 (the worked example's
// Anmeldung, edifact.md §13, completed to conform to the FV2610 AHB) with
// the given interchange reference and transaction id.
func Interchange(ref, tx string) []byte {
	return []byte(strings.Join([]string{
		"UNA:+.? '",
		"UNB+UNOC:3+" + SenderMPID + ":500+" + ReceiverMPID + ":500+261120:0915+" + ref + "'",
		"UNH+1+UTILMD:D:11A:UN:S2.2'",
		"BGM+E01+DOK" + tx + "'",
		"DTM+137:202611200915?+00:303'",
		"NAD+MS+" + SenderMPID + "::293'",
		"NAD+MR+" + ReceiverMPID + "::293'",
		"IDE+24+" + tx + "'",
		"DTM+92:202611232300?+00:303'",
		"STS+7++E03+ZW4'",
		"LOC+Z16+51234567895'",
		"RFF+Z13:55001'",
		// The product package, MaLo and customer data the 55001 AHB requires
		// (pkg/ahb/testdata/fv2610/utilmd-55001.edi): ingest validates it.
		"SEQ+Z79+1'",
		"PIA+5+9991000002082:Z11'",
		"CCI+Z66'",
		"CAV+ZV4:::11XDE-BKV-0001'",
		"SEQ+ZH0+1'",
		"CCI+Z65+++Z01'",
		"SEQ+Z01'",
		"CCI+++Z15'",
		"SEQ+Z75'",
		"CCI+Z61++ZG0'",
		"NAD+Z09+++Mustermann:Erika::::Z01'",
		"NAD+Z04+++Mustermann:Erika::::Z01+Musterstrasse::1+Musterstadt++12345+DE'",
		"UNT+23+1'",
		"UNZ+1+" + ref + "'",
	}, ""))
}

// PipelineConfig is the pipeline configuration the benchmark runs: the
// tenant Tenant (grid operator ReceiverMPID, Strom) and the test workflow.
func PipelineConfig(concurrency, replicas int, log zerolog.Logger) app.SystemConfig {
	return app.SystemConfig{
		Tenants: []ingest.Tenant{{ID: engine.TenantID(Tenant), MPIDs: []string{ReceiverMPID},
			Roles: []routing.Role{routing.RoleNB}, Sector: catalog.Strom}},
		Modules:     []module.Module{testflow.Module(fv.MustParse("FV2604"))},
		Concurrency: concurrency,
		Replicas:    replicas,
		Logger:      log,
	}
}

// Env is a running pipeline to measure: a server (embedded or external),
// the workers, a publisher and a reader of the outbox.
type Env struct {
	cfg    Config
	run    string
	srv    *server.Server
	dir    string
	conns  []*nats.Conn
	pubJS  jetstream.JetStream
	sys    *app.System
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error
	outbox jetstream.ConsumeContext
	phase  atomic.Pointer[phase]
	seq    int
	refs   int
	// cpu is the process CPU time of the last Throughput call.
	cpu time.Duration
	// asyncErrs counts async publishes the server did not acknowledge.
	asyncErrs atomic.Int64
}

// Start starts the server (unless cfg.NATSURL is set), creates the streams
// and runs the ingest, processor and relay workers. Close stops everything.
func Start(ctx context.Context, cfg Config) (_ *Env, err error) {
	cfg.defaults()
	e := &Env{cfg: cfg, errs: make(chan error, 3), run: runID()}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	connect := func() (*nats.Conn, error) {
		var nc *nats.Conn
		var err error
		if e.srv != nil {
			nc, err = nats.Connect(e.srv.ClientURL(), nats.InProcessServer(e.srv))
		} else {
			nc, err = nats.Connect(cfg.NATSURL, nats.MaxReconnects(-1))
		}
		if err != nil {
			return nil, fmt.Errorf("bench: connect: %w", err)
		}
		e.conns = append(e.conns, nc)
		return nc, nil
	}
	if cfg.NATSURL == "" {
		if e.srv, e.dir, err = startEmbedded(); err != nil {
			return nil, err
		}
	}
	wnc, err := connect()
	if err != nil {
		return nil, err
	}
	wjs, err := jetstream.New(wnc)
	if err != nil {
		return nil, err
	}
	sc := PipelineConfig(cfg.Concurrency, cfg.Replicas, cfg.Logger)
	if cfg.NoAHB {
		sc.IngestOptions = append(sc.IngestOptions, ingest.WithAHBValidation(false))
	}
	e.sys, err = app.NewSystem(ctx, wjs, sc)
	if err != nil {
		return nil, err
	}
	pnc, err := connect()
	if err != nil {
		return nil, err
	}
	if e.pubJS, err = jetstream.New(pnc, jetstream.WithPublishAsyncMaxPending(1024),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) { e.asyncErrs.Add(1) })); err != nil {
		return nil, err
	}
	cons, err := e.pubJS.OrderedConsumer(ctx, outbox.Stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{outbox.SubjectPrefix + "." + Tenant + ".>"},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("bench: outbox reader: %w", err)
	}
	if e.outbox, err = cons.Consume(e.answer); err != nil {
		return nil, fmt.Errorf("bench: outbox reader: %w", err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	for _, run := range []func(*app.System, context.Context) error{
		(*app.System).RunIngest, (*app.System).RunProcessor, (*app.System).RunRelay,
	} {
		e.wg.Go(func() {
			if err := run(e.sys, wctx); err != nil {
				e.errs <- err
			}
		})
	}
	if cfg.Warmup > 0 {
		if _, err := e.Throughput(ctx, cfg.Warmup); err != nil {
			return nil, fmt.Errorf("bench: warm-up: %w", err)
		}
	}
	return e, nil
}

// Close stops the workers, closes the connections and, for an embedded
// server, shuts it down and removes its store.
func (e *Env) Close() {
	if e.outbox != nil {
		e.outbox.Stop()
	}
	if e.cancel != nil {
		e.cancel()
		e.wg.Wait()
	}
	if e.sys != nil {
		e.sys.Close()
	}
	for _, nc := range e.conns {
		nc.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}

func startEmbedded() (*server.Server, string, error) {
	dir, err := os.MkdirTemp("", "mako-bench-")
	if err != nil {
		return nil, "", fmt.Errorf("bench: store dir: %w", err)
	}
	s, err := server.NewServer(&server.Options{
		ServerName: "mako-bench", JetStream: true, StoreDir: dir,
		DontListen: true, Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", fmt.Errorf("bench: server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		_ = os.RemoveAll(dir)
		return nil, "", errors.New("bench: embedded server not ready within 10s")
	}
	return s, dir, nil
}

func runID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// phase collects the answers to the interchanges of one phase.
type phase struct {
	prefix string
	recv   []time.Time
	mu     sync.Mutex
	got    int
	done   chan struct{}
}

// tx returns the transaction id of message i of the phase (an..35).
func (p *phase) tx(i int) string { return p.prefix + strconv.Itoa(i) }

// answer is the outbox reader's callback: it records when the answer to a
// transaction of the current phase arrived (the first time).
func (e *Env) answer(m jetstream.Msg) {
	now := time.Now()
	p := e.phase.Load()
	if p == nil {
		return
	}
	tx := transactionRef(m.Data())
	rest, ok := strings.CutPrefix(tx, p.prefix)
	if !ok {
		return
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 || i >= len(p.recv) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.recv[i].IsZero() {
		p.recv[i] = now
		p.got++
		if p.got == len(p.recv) {
			close(p.done)
		}
	}
}

// transactionRef returns the value of the first RFF+TN of an answer (the
// transaction id it answers), or "".
func transactionRef(b []byte) string {
	i := bytes.Index(b, []byte("RFF+TN:"))
	if i < 0 {
		return ""
	}
	b = b[i+len("RFF+TN:"):]
	if j := bytes.IndexAny(b, "':+"); j >= 0 {
		b = b[:j]
	}
	return string(b)
}

func (e *Env) newPhase(n int) *phase {
	e.seq++
	p := &phase{prefix: fmt.Sprintf("B%sP%dN", e.run, e.seq), recv: make([]time.Time, n), done: make(chan struct{})}
	if n == 0 {
		close(p.done)
	}
	e.phase.Store(p)
	return p
}

// message returns the ingest message of transaction i of phase p.
func (e *Env) message(p *phase, i int) *nats.Msg {
	// UNB 0020 is an..14: the run id and a counter over the run.
	e.refs++
	ref := fmt.Sprintf("%s%08d", e.run, e.refs)
	msg := nats.NewMsg(inbound.Subject(engine.TenantID(Tenant)))
	msg.Data = Interchange(ref, p.tx(i))
	msg.Header.Set(inbound.HeaderReceivedAt, receivedAt)
	return msg
}

// publishAsync publishes msg without waiting for the ack, waiting for room
// when too many acks are outstanding.
func (e *Env) publishAsync(ctx context.Context, msg *nats.Msg) error {
	for {
		_, err := e.pubJS.PublishMsgAsync(msg)
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
			return fmt.Errorf("bench: publish: %w", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (e *Env) wait(ctx context.Context, p *phase) error {
	t := time.NewTimer(e.cfg.Timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case err := <-e.errs:
		return fmt.Errorf("bench: worker stopped: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		p.mu.Lock()
		defer p.mu.Unlock()
		return fmt.Errorf("bench: %d of %d answers after %v", p.got, len(p.recv), e.cfg.Timeout)
	}
}

// Throughput publishes n interchanges as fast as possible and returns the
// answered interchanges per second, from the first publish to the last
// answer.
func (e *Env) Throughput(ctx context.Context, n int) (float64, error) {
	p := e.newPhase(n)
	msgs := make([]*nats.Msg, n)
	for i := range msgs {
		msgs[i] = e.message(p, i)
	}
	cpu0 := processCPU()
	start := time.Now()
	for _, m := range msgs {
		if err := e.publishAsync(ctx, m); err != nil {
			return 0, err
		}
	}
	if err := e.wait(ctx, p); err != nil {
		return 0, err
	}
	e.cpu = processCPU() - cpu0
	return float64(n) / slices.MaxFunc(p.recv, time.Time.Compare).Sub(start).Seconds(), nil
}

// Latency publishes n interchanges at rate messages/s and returns the
// latency of each (publish call to answer on the outbox), sorted.
func (e *Env) Latency(ctx context.Context, n, rate int) ([]time.Duration, error) {
	p := e.newPhase(n)
	msgs := make([]*nats.Msg, n)
	for i := range msgs {
		msgs[i] = e.message(p, i)
	}
	sent := make([]time.Time, n)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i, m := range msgs {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		sent[i] = time.Now()
		if err := e.publishAsync(ctx, m); err != nil {
			return nil, err
		}
	}
	if err := e.wait(ctx, p); err != nil {
		return nil, err
	}
	lat := make([]time.Duration, n)
	for i := range lat {
		lat[i] = p.recv[i].Sub(sent[i])
	}
	slices.Sort(lat)
	return lat, nil
}

// RawAsync publishes n copies of payload with JetStream async publish into
// a scratch stream (file storage, deleted afterwards) and returns the
// acknowledged messages per second.
func (e *Env) RawAsync(ctx context.Context, n int, payload []byte) (float64, error) {
	name := "BENCH_RAW_" + e.run
	subject := "mako.bench.raw." + e.run
	cfg := jetstream.StreamConfig{Name: name, Subjects: []string{subject}, Storage: jetstream.FileStorage}
	if e.cfg.Replicas > 0 {
		cfg.Replicas = e.cfg.Replicas
	}
	if _, err := e.pubJS.CreateStream(ctx, cfg); err != nil {
		return 0, fmt.Errorf("bench: scratch stream: %w", err)
	}
	defer func() { _ = e.pubJS.DeleteStream(context.WithoutCancel(ctx), name) }()
	failedBefore := e.asyncErrs.Load()
	start := time.Now()
	for range n {
		msg := nats.NewMsg(subject)
		msg.Data = payload
		if err := e.publishAsync(ctx, msg); err != nil {
			return 0, err
		}
	}
	select {
	case <-e.pubJS.PublishAsyncComplete():
	case <-time.After(e.cfg.Timeout):
		return 0, errors.New("bench: raw async publish did not complete")
	}
	elapsed := time.Since(start)
	if f := e.asyncErrs.Load() - failedBefore; f > 0 {
		return 0, fmt.Errorf("bench: %d raw publishes failed", f)
	}
	return float64(n) / elapsed.Seconds(), nil
}

// RunPipeline runs the three phases (raw, throughput, latency) on one
// environment and returns the result.
func RunPipeline(ctx context.Context, cfg Config) (Result, error) {
	cfg.defaults()
	began := time.Now()
	e, err := Start(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer e.Close()
	sample := e.message(&phase{prefix: fmt.Sprintf("B%sP%dN", e.run, e.seq+1)}, cfg.N/2).Data
	raw, err := e.RawAsync(ctx, cfg.N, sample)
	if err != nil {
		return Result{}, err
	}
	tput, err := e.Throughput(ctx, cfg.N)
	if err != nil {
		return Result{}, err
	}
	lat, err := e.Latency(ctx, cfg.LatencyN, cfg.Rate)
	if err != nil {
		return Result{}, err
	}
	r := Result{
		N: cfg.N, MsgsPerS: tput, RawAsyncPerS: raw, Ratio: tput / raw,
		P50Ms: ms(percentile(lat, 0.50)), P99Ms: ms(percentile(lat, 0.99)), MaxMs: ms(lat[len(lat)-1]),
		CPUPerMsg: e.cpu / time.Duration(cfg.N),
		Rate:      cfg.Rate, LatencyN: cfg.LatencyN, PayloadSz: len(sample), Elapsed: time.Since(began),
	}
	return r, nil
}

// percentile returns the q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
