package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/commits"

	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// ERPRegistry returns the registry of the ERP command types of the
// configured modules (Module.ERPCommands). Two modules registering one
// type is an error.
func (s *System) ERPRegistry() (*erpwire.Registry, error) {
	var types []erpwire.CommandType
	for _, m := range s.cfg.Modules {
		types = append(types, m.ERPCommands...)
	}
	r, err := erpwire.NewRegistry(types...)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return r, nil
}

// RunERPPublisher publishes the CloudEvents of committed workflow events on
// mako.erp.<tenant> until ctx is cancelled (durable consumer "erp" on
// MAKO_EVENTS), each commit's business keys bound in the registry first
// (so an ERP answer routed by them finds its process without waiting for
// the relay). Like the relay it retries registry and publish failures
// forever; only an undecodable commit is dead-lettered.
func (s *System) RunERPPublisher(ctx context.Context) error { return s.RunERPPublisherWith()(ctx) }

// RunERPPublisherWith is RunERPPublisher with publisher options (observers
// in tests).
func (s *System) RunERPPublisherWith(opts ...erp.PublisherOption) func(context.Context) error {
	return func(ctx context.Context) error {
		log := s.cfg.Logger.With().Str("worker", "erp").Logger()
		p, err := erp.NewPublisher(s.js, s.engine, s.stores.Registry, s.dlq, append([]erp.PublisherOption{erp.WithPublisherLogger(log)}, opts...)...)
		if err != nil {
			return err
		}
		cons, err := s.consumer(ctx, streams.Events, erpwire.PublisherConsumer)
		if err != nil {
			return err
		}
		return worker.Run(ctx, cons, p.Handle, commits.Options(s.cfg.Concurrency, commits.BySubject, log, p.Exhausted)...)
	}
}

// RunERPReceiver executes the ERP commands of mako.erp.in.<tenant> with the
// modules' command types until ctx is cancelled (durable consumer "erp-in"
// on MAKO_ERP). Commands of one tenant are handled one at a time, in
// delivery order.
func (s *System) RunERPReceiver(ctx context.Context) error { return s.RunERPReceiverWith()(ctx) }

// RunERPReceiverWith is RunERPReceiver with receiver options (observers in
// tests).
func (s *System) RunERPReceiverWith(opts ...erp.ReceiverOption) func(context.Context) error {
	return func(ctx context.Context) error {
		reg, err := s.ERPRegistry()
		if err != nil {
			return err
		}
		log := s.cfg.Logger.With().Str("worker", "erp-in").Logger()
		r, err := erp.NewReceiver(s.js, s.engine, reg, s.dlq, append([]erp.ReceiverOption{erp.WithReceiverLogger(log)}, opts...)...)
		if err != nil {
			return err
		}
		cons, err := s.consumer(ctx, erpwire.Stream, erpwire.ReceiverConsumer)
		if err != nil {
			return err
		}
		// What the command itself can be blamed for is rejected inside
		// Handle; a failure left over is infrastructure: retry it for the
		// transient window, never turn an accepted command into a dead letter.
		return worker.Run(ctx, cons, r.Handle,
			worker.WithMiddleware(worker.BlamedInside),
			worker.WithConcurrency(s.cfg.Concurrency),
			worker.WithKey(func(m jetstream.Msg) string { return m.Subject() }),
			worker.WithMaxDeliver(10),
			worker.WithTransientWindow(s.cfg.TransientWindow),
			worker.WithBackoff(200*time.Millisecond, 30*time.Second),
			worker.WithLogger(log),
			worker.WithExhausted(r.Exhausted))
	}
}

// Environment of the ERP webhook forwarder (RunERPWebhook).
const (
	EnvERPWebhookURL     = "MAKO_ERP_WEBHOOK_URL"
	EnvERPWebhookSecret  = "MAKO_ERP_WEBHOOK_SECRET"
	EnvERPWebhookTenants = "MAKO_ERP_WEBHOOK_TENANTS"
	EnvERPWebhookWindow  = "MAKO_ERP_WEBHOOK_WINDOW"
)

// ERPWebhookFromEnv reads the webhook configuration from MAKO_ERP_WEBHOOK_URL,
// _SECRET, _TENANTS (comma-separated) and _WINDOW (a Go duration). ok is
// false when no URL is set.
func ERPWebhookFromEnv(getenv func(string) string) (cfg erp.WebhookConfig, ok bool, err error) {
	cfg.URL = strings.TrimSpace(getenv(EnvERPWebhookURL))
	if cfg.URL == "" {
		return cfg, false, nil
	}
	cfg.Secret = getenv(EnvERPWebhookSecret)
	for _, t := range strings.Split(getenv(EnvERPWebhookTenants), ",") {
		if t = strings.TrimSpace(t); t != "" {
			cfg.Tenants = append(cfg.Tenants, t)
		}
	}
	if w := strings.TrimSpace(getenv(EnvERPWebhookWindow)); w != "" {
		d, err := time.ParseDuration(w)
		if err != nil || d <= 0 {
			return cfg, false, fmt.Errorf("pipeline: %s=%q: want a positive duration", EnvERPWebhookWindow, w)
		}
		cfg.Window = d
	}
	return cfg, true, nil
}

// RunERPWebhook forwards the CloudEvents to the webhook configured in the
// environment (ERPWebhookFromEnv) until ctx is cancelled. Without
// MAKO_ERP_WEBHOOK_URL it waits for ctx and does nothing (the consumer
// "webhook" is then not created, streams.OnDemand); a bad configuration
// stops it at start.
func (s *System) RunERPWebhook(ctx context.Context) error {
	cfg, ok, err := ERPWebhookFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if !ok {
		<-ctx.Done()
		return nil
	}
	return s.RunERPWebhookWith(cfg)(ctx)
}

// RunERPWebhookWith returns a worker function forwarding to cfg's endpoint
// (durable consumer "webhook" on MAKO_ERP); wopts are applied after the
// defaults (backoff 1 s … 5 min), so tests can shorten the backoff.
func (s *System) RunERPWebhookWith(cfg erp.WebhookConfig, wopts ...worker.Option) func(context.Context) error {
	return func(ctx context.Context) error {
		log := s.cfg.Logger.With().Str("worker", "webhook").Logger()
		cfg.Logger = log
		w, err := erp.NewWebhook(cfg, s.dlq)
		if err != nil {
			return err
		}
		// Its consumer exists only where a forwarder reads it (streams.OnDemand).
		var sopts []streams.Option
		if s.cfg.Replicas > 0 {
			sopts = append(sopts, streams.WithReplicas(s.cfg.Replicas))
		}
		if err := streams.EnsureConsumer(ctx, s.js, erpwire.Stream, erpwire.WebhookConsumer, sopts...); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		cons, err := s.consumer(ctx, erpwire.Stream, erpwire.WebhookConsumer)
		if err != nil {
			return err
		}
		opts := append([]worker.Option{
			worker.WithConcurrency(1), // one request at a time; a failing event is retried later
			worker.WithMaxDeliver(1 << 30),
			worker.WithBackoff(time.Second, 5*time.Minute),
			worker.WithLogger(log),
			worker.WithExhausted(w.Exhausted),
		}, wopts...)
		return worker.Run(ctx, cons, w.Handle, opts...)
	}
}
