package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/streams"
)

// RunDeliverer runs the outbox deliverer until ctx is cancelled, with the
// defaults of package deliverer adjusted by the MAKO_DELIVER_* environment
// (deliverer.EnvOptions); a bad value stops it at start.
func (s *System) RunDeliverer(ctx context.Context) error {
	opts, err := deliverer.EnvOptions(os.Getenv)
	if err != nil {
		return fmt.Errorf("pipeline: deliverer: %w", err)
	}
	return s.RunDelivererWith(opts...)(ctx)
}

// RunDelivererWith returns a worker function running the deliverer with
// opts applied after the system's own (logger, process reporter, metrics):
// tests shorten backoff and window here.
func (s *System) RunDelivererWith(opts ...deliverer.Option) func(context.Context) error {
	return func(ctx context.Context) error {
		kv, err := s.js.KeyValue(ctx, streams.BucketPartners)
		if err != nil {
			return fmt.Errorf("pipeline: deliverer: bucket %s: %w", streams.BucketPartners, err)
		}
		log := s.cfg.Logger.With().Str("worker", "deliverer").Logger()
		base := []deliverer.Option{
			deliverer.WithLogger(log),
			deliverer.WithReporter(deliverer.NewProcessReporter(s.js, s.engine)),
		}
		if m := s.cfg.Metrics; m != nil {
			base = append(base, deliverer.WithObserver(func(ev deliverer.Event) {
				tr := string(ev.Transport)
				if tr == "" {
					tr = "none"
				}
				switch ev.Outcome {
				case "delivered":
					m.OutboxDeliveryAttempts.WithLabelValues(tr, "delivered").Inc()
					if !ev.CreatedAt.IsZero() {
						m.CommitToDelivered.Observe(time.Since(ev.CreatedAt).Seconds())
					}
				case "retry":
					m.OutboxDeliveryAttempts.WithLabelValues(tr, "retry").Inc()
				case "dead":
					m.OutboxDeliveryAttempts.WithLabelValues(tr, "exhausted").Inc()
				}
			}))
		}
		partners, err := partner.NewNATSStore(kv)
		if err != nil {
			return err
		}
		d, err := deliverer.New(s.js, partners, s.dlq, append(base, opts...)...)
		if err != nil {
			return err
		}
		cons, err := s.consumer(ctx, outbox.Stream, deliverer.Consumer)
		if err != nil {
			return err
		}
		// A full lane (a partner that hangs on its first send) hands the
		// message back instead of stalling the dispatcher of all lanes.
		return d.Run(ctx, cons, worker.WithNakWhenBusy(time.Second))
	}
}
