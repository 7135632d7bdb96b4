// A System assembles the workers of mako-engine from their parts:
// streams (package streams), the engine on its JetStream stores, the PID
// router built from the workflow modules, and the handlers of packages
// ingest and processor, each run by pkg/worker on its durable consumer.
//
// A System is what every command of the design card shares: cmd/ingest runs
// System.RunIngest, cmd/processor runs RunProcessor and RunRelay, cmd/makod
// runs them all in one process. Any number of instances of each may run side
// by side against one NATS deployment; they coordinate only through
// JetStream (durable consumers, optimistic concurrency, deduplication).

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/workers/relay"

	"github.com/mako-engine/mako/pkg/commits"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/pkg/workers/processor"
	"github.com/mako-engine/mako/pkg/workers/scheduler"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// SystemConfig configures a System.
type SystemConfig struct {
	// Tenants are the market parties this deployment acts for.
	Tenants []ingest.Tenant
	// Modules are the workflow modules to run.
	Modules []module.Module
	// Replicas of streams and buckets (1 single node, 3 in a cluster); 0 = as defined.
	Replicas int
	// IngestMaxAge overrides how long raw inbound bytes are kept (0 = as defined, 90 days).
	IngestMaxAge time.Duration
	// Concurrency is the number of lanes per worker (default 16: handlers
	// mostly wait on JetStream round trips; measured with mako bench pipeline).
	Concurrency int
	// SnapshotInterval takes a snapshot every n events (0 = engine default).
	SnapshotInterval int
	// MaxDeliver bounds the deliveries of a failing command before it is
	// dead-lettered (default 5). Failures of the broker or a store are not
	// counted: they are retried for TransientWindow.
	MaxDeliver int
	// TransientWindow is how long the workers retry a message that fails
	// because NATS or a store is unavailable, counted from when the message
	// was stored (default 24 h). Only after it is the message dead-lettered.
	TransientWindow time.Duration
	// Logger receives the workers' logs.
	Logger zerolog.Logger
	// Responder builds APERAKs for transactions ingest rejects (optional).
	Responder ingest.Responder
	// IngestOptions are passed to ingest.New after the defaults (e.g.
	// ingest.WithAHBValidation(false) for a measurement).
	IngestOptions []ingest.Option
	// ProcessorOptions are passed to processor.New (observers in tests).
	ProcessorOptions []processor.Option
	// RelayOptions are passed to relay.New.
	RelayOptions []relay.Option
	// SchedulerOptions are passed to scheduler.New (an injected clock in tests).
	SchedulerOptions []scheduler.Option
	// Now is the clock of dead-letter timestamps (default time.Now).
	Now func() time.Time
	// Metrics, when set, receives the workers' counters and histograms.
	Metrics *metrics.Metrics
}

// System holds everything the workers share.
type System struct {
	cfg    SystemConfig
	js     jetstream.JetStream
	stores *natsstore.Stores
	engine *engine.Engine
	router *routing.Router
	dlq    *deadletter.Sink
}

// NewSystem creates or updates the streams, buckets and consumers from package
// streams, opens the engine stores and builds the engine and router. It fails
// on conflicting routes; a route to a workflow no module defines is refused
// when the ingest worker starts (RunIngest).
func NewSystem(ctx context.Context, js jetstream.JetStream, cfg SystemConfig) (*System, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.MaxDeliver <= 0 {
		cfg.MaxDeliver = 5
	}
	if cfg.TransientWindow <= 0 {
		cfg.TransientWindow = 24 * time.Hour
	}
	var sopts []streams.Option
	if cfg.Replicas > 0 {
		sopts = append(sopts, streams.WithReplicas(cfg.Replicas))
	}
	if cfg.IngestMaxAge > 0 {
		sopts = append(sopts, streams.WithMaxAge(streams.Ingest, cfg.IngestMaxAge))
	}
	if err := streams.Ensure(ctx, js, sopts...); err != nil {
		return nil, fmt.Errorf("pipeline: streams: %w", err)
	}
	stores, err := natsstore.Open(ctx, js)
	if err != nil {
		return nil, fmt.Errorf("pipeline: stores: %w", err)
	}
	var defs []engine.AnyDefinition
	var routes []routing.Route
	for _, m := range cfg.Modules {
		defs = append(defs, m.Definitions...)
		for _, r := range m.Routes {
			if r.Module == "" {
				r.Module = m.Name
			}
			routes = append(routes, r)
		}
	}
	eopts := []engine.Option{
		engine.WithEventStore(stores.Events), engine.WithSnapshotStore(stores.Snapshots),
		engine.WithRegistry(stores.Registry), engine.WithInbox(stores.Inbox),
		engine.WithWorkflows(defs...), engine.WithLogger(cfg.Logger),
	}
	if cfg.SnapshotInterval > 0 {
		eopts = append(eopts, engine.WithSnapshotInterval(cfg.SnapshotInterval))
	}
	ec, err := engine.New(eopts...)
	if err != nil {
		stores.Close()
		return nil, fmt.Errorf("pipeline: engine: %w", err)
	}
	router, err := routing.New(routes...)
	if err != nil {
		stores.Close()
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	var sinkOpts []deadletter.SinkOption
	if cfg.Metrics != nil {
		m := cfg.Metrics
		sinkOpts = append(sinkOpts, deadletter.OnWrite(func(l deadletter.Letter) { m.DeadLetters.WithLabelValues(string(l.Reason)).Inc() }))
	}
	dlq, err := deadletter.NewSink(js, cfg.Now, sinkOpts...)
	if err != nil {
		stores.Close()
		return nil, err
	}
	return &System{cfg: cfg, js: js, stores: stores, engine: ec, router: router, dlq: dlq}, nil
}

// Close releases the stores.
func (s *System) Close() { s.stores.Close() }

// Engine returns the engine (for reads and tests).
func (s *System) Engine() *engine.Engine { return s.engine }

// Router returns the PID router.
func (s *System) Router() *routing.Router { return s.router }

// JetStream returns the JetStream context the system uses.
func (s *System) JetStream() jetstream.JetStream { return s.js }

func (s *System) consumer(ctx context.Context, stream, name string) (jetstream.Consumer, error) {
	c, err := s.js.Consumer(ctx, stream, name)
	if err != nil {
		return nil, fmt.Errorf("pipeline: consumer %s/%s: %w", stream, name, err)
	}
	return c, nil
}

// RunIngest runs the ingest worker until ctx is cancelled.
func (s *System) RunIngest(ctx context.Context) error {
	opts := []ingest.Option{ingest.WithLogger(s.cfg.Logger.With().Str("worker", "ingest").Logger())}
	if s.cfg.Responder != nil {
		opts = append(opts, ingest.WithResponder(s.cfg.Responder))
	}
	if s.cfg.Metrics != nil {
		opts = append(opts, ingest.WithMetrics(s.cfg.Metrics))
	}
	opts = append(opts, s.cfg.IngestOptions...)
	in, err := ingest.New(s.js, s.engine, s.router, ingest.StaticTenants(s.cfg.Tenants...), s.dlq, opts...)
	if err != nil {
		return err
	}
	cons, err := s.consumer(ctx, streams.Ingest, "ingest")
	if err != nil {
		return err
	}
	return worker.Run(ctx, cons, in.Handle,
		worker.WithConcurrency(s.cfg.Concurrency),
		worker.WithMaxDeliver(10),
		worker.WithTransientWindow(s.cfg.TransientWindow),
		worker.WithLogger(s.cfg.Logger.With().Str("worker", "ingest").Logger()),
		worker.WithExhausted(worker.DeadLetter(s.dlq, inbound.Stream, ingest.ExhaustedLetter)))
}

// RunProcessor runs the command processor until ctx is cancelled.
func (s *System) RunProcessor(ctx context.Context) error {
	opts := append([]processor.Option{processor.WithLogger(s.cfg.Logger.With().Str("worker", "processor").Logger())}, s.cfg.ProcessorOptions...)
	if s.cfg.Metrics != nil {
		opts = append(opts, processor.WithMetrics(s.cfg.Metrics))
	}
	for _, m := range s.cfg.Modules {
		if m.Enrich == nil {
			continue
		}
		for _, d := range m.Definitions {
			opts = append(opts, processor.WithEnricher(d.ID().Name, m.Enrich))
		}
	}
	p, err := processor.New(ctx, s.js, s.engine, s.dlq, opts...)
	if err != nil {
		return err
	}
	cons, err := s.consumer(ctx, command.Stream, "processor")
	if err != nil {
		return err
	}
	return worker.Run(ctx, cons, p.Handle,
		worker.WithConcurrency(s.cfg.Concurrency),
		worker.WithKey(processor.Key),
		worker.WithDoubleAck(), // the order gate relies on acked commands being gone
		worker.WithMaxDeliver(s.cfg.MaxDeliver),
		worker.WithTransientWindow(s.cfg.TransientWindow),
		worker.WithLogger(s.cfg.Logger.With().Str("worker", "processor").Logger()),
		worker.WithExhausted(p.Exhausted))
}

// RunRelay runs the effect relay until ctx is cancelled. It never gives up
// on a transient failure: effects of committed decisions are retried with
// backoff until they succeed; only an undecodable commit is dead-lettered.
func (s *System) RunRelay(ctx context.Context) error {
	opts := append([]relay.Option{relay.WithLogger(s.cfg.Logger.With().Str("worker", "relay").Logger())}, s.cfg.RelayOptions...)
	if s.cfg.Metrics != nil {
		opts = append(opts, relay.WithMetrics(s.cfg.Metrics))
	}
	r, err := relay.New(s.js, s.stores.Registry, s.dlq, opts...)
	if err != nil {
		return err
	}
	cons, err := s.consumer(ctx, natsstore.DefaultEventStream, relay.Consumer)
	if err != nil {
		return err
	}
	// A plain ack: a lost one only redelivers a commit whose effects are
	// idempotent (deterministic message ids, create-only keys).
	return worker.Run(ctx, cons, r.Handle,
		commits.Options(s.cfg.Concurrency, commits.BySubject, s.cfg.Logger.With().Str("worker", "relay").Logger(), r.Exhausted)...)
}

// RunScheduler runs the deadline scheduler until ctx is cancelled. It
// refuses to start when MAKO_TIMERS cannot hold message schedules.
func (s *System) RunScheduler(ctx context.Context) error {
	sch, err := scheduler.New(ctx, s.js, s.cfg.SchedulerOptions...)
	if err != nil {
		return err
	}
	cons, err := s.consumer(ctx, timer.Stream, scheduler.Consumer)
	if err != nil {
		return err
	}
	return worker.Run(ctx, cons, sch.Handle,
		worker.WithConcurrency(s.cfg.Concurrency),
		worker.WithMaxDeliver(1<<30), // a fired deadline is retried until its command is stored
		worker.WithBackoff(100*time.Millisecond, 10*time.Second),
		worker.WithLogger(s.cfg.Logger.With().Str("worker", "scheduler").Logger()),
		worker.WithExhausted(worker.DeadLetter(s.dlq, timer.Stream, func(m jetstream.Msg, cause error) deadletter.Letter {
			tenant, _ := timer.TenantFromSubject(m.Subject()) // "" (unknown) if malformed
			return deadletter.Letter{Reason: deadletter.ReasonMalformed, Detail: "fired timer cannot be handled: " + cause.Error(),
				Audit: deadletter.Audit{Tenant: string(tenant)}}
		})))
}
