package app

import (
	"context"
	"fmt"

	"github.com/mako-engine/mako/pkg/commits"

	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/streams"
)

// MaLoStore returns the master data store on KV bucket mako_malo (created
// by New with the other streams).
func (s *System) MaLoStore(ctx context.Context) (*malonats.NATSStore, error) {
	kv, err := s.js.KeyValue(ctx, malonats.Bucket)
	if err != nil {
		return nil, fmt.Errorf("pipeline: bucket %s: %w", malonats.Bucket, err)
	}
	return malonats.NewNATSStore(kv)
}

// RunMaLo applies the master data changes of committed workflow events
// (malo.Changer) until ctx is cancelled (durable consumer "malo" on
// MAKO_EVENTS). Commits of one tenant are handled one at a time; store
// failures are retried forever, an undecodable commit or invalid change is
// dead-lettered.
func (s *System) RunMaLo(ctx context.Context) error { return s.RunMaLoWith()(ctx) }

// RunMaLoWith is RunMaLo with applier options (observers in tests).
func (s *System) RunMaLoWith(opts ...malonats.ApplierOption) func(context.Context) error {
	return func(ctx context.Context) error {
		store, err := s.MaLoStore(ctx)
		if err != nil {
			return err
		}
		log := s.cfg.Logger.With().Str("worker", "malo").Logger()
		a, err := malonats.NewApplier(store, s.engine, s.dlq, append([]malonats.ApplierOption{malonats.WithApplierLogger(log)}, opts...)...)
		if err != nil {
			return err
		}
		cons, err := s.consumer(ctx, streams.Events, malonats.Consumer)
		if err != nil {
			return err
		}
		return worker.Run(ctx, cons, a.Handle, commits.Options(s.cfg.Concurrency, commits.ByTenant, log, a.Exhausted)...)
	}
}
