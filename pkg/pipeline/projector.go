package pipeline

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/readmodel"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/streams"
)

// RunProjector runs the projector until ctx is cancelled: the "projector"
// consumers of MAKO_EVENTS (process overviews, business-key index) and
// MAKO_DLQ (dead letters) build the read models of pkg/readmodel. It never
// gives up on a transient failure (a missing bucket, a lost connection):
// messages are retried with backoff, and the write path never waits for it.
func (s *System) RunProjector(ctx context.Context) error {
	log := s.cfg.Logger.With().Str("worker", "projector").Logger()
	p, err := readmodel.NewProjector(ctx, s.js, s.engine, readmodel.WithLogger(log))
	if err != nil {
		return err
	}
	events, err := s.consumer(ctx, streams.Events, readmodel.Consumer)
	if err != nil {
		return err
	}
	dlq, err := s.consumer(ctx, streams.DLQ, readmodel.Consumer)
	if err != nil {
		return err
	}
	common := []worker.Option{
		worker.WithConcurrency(s.cfg.Concurrency),
		worker.WithMaxDeliver(1 << 30),
		worker.WithBackoff(100*time.Millisecond, 10*time.Second),
		worker.WithLogger(log),
		worker.WithExhausted(p.Exhausted),
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() {
		errs[0] = worker.Run(ctx, events, p.HandleEvent, append(common, worker.WithKey(readmodel.LaneKey))...)
		cancel()
	})
	wg.Go(func() {
		errs[1] = worker.Run(ctx, dlq, p.HandleDeadLetter, common...)
		cancel()
	})
	wg.Wait()
	return errors.Join(errs...)
}

// ReadAPI returns the HTTP read API over the read models, with timelines
// from the engine's event store decoded by the registered workflows. Mount
// it on a mux (api.Server.Mount); it serves whatever the projectors built.
func (s *System) ReadAPI() *api.Server {
	return api.NewServer(readmodel.NewStore(s.js), s.engine.EventStore(), s.engine,
		api.WithLogger(s.cfg.Logger.With().Str("worker", "api").Logger()))
}
