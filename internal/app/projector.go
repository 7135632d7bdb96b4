package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/commits"

	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
)

// RunProjector runs the projector until ctx is cancelled: the "projector"
// consumers of MAKO_EVENTS (process overviews, business-key index) and
// MAKO_DLQ (dead letters) build the read models of pkg/workers/readmodel.
//
// A projection failure never affects the write path, also not in a process
// that runs every worker (cmd/makod): RunProjector does not return on a
// failure. A message that fails is retried with backoff; when the projector
// cannot start or its consumers cannot be read (a bucket or consumer
// missing, the connection gone), it logs the error and starts over after a
// pause (1 s, doubling up to 30 s). It returns nil when ctx is cancelled.
func (s *System) RunProjector(ctx context.Context) error {
	log := s.cfg.Logger.With().Str("worker", "projector").Logger()
	pause := time.Second
	for {
		err := s.runProjectorOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		log.Error().Err(err).Dur("restart_in", pause).Msg("projector stopped; the write path is not affected")
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

func (s *System) runProjectorOnce(ctx context.Context) error {
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
	// Both consumers retry like every commit consumer; dead letters need no
	// per-process order.
	evOpts := commits.Options(s.cfg.Concurrency, readmodel.LaneKey, log, p.Exhausted)
	dlqOpts := commits.Options(s.cfg.Concurrency, nil, log, p.Exhausted)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() {
		errs[0] = worker.Run(ctx, events, p.HandleEvent, evOpts...)
		cancel()
	})
	wg.Go(func() {
		errs[1] = worker.Run(ctx, dlq, p.HandleDeadLetter, dlqOpts...)
		cancel()
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return errors.New("projector: a consumer stopped")
}

// ReadAPI returns the HTTP read API over the read models, with timelines
// from the engine's event store decoded by the registered workflows. Mount
// it on a mux (api.Server.Mount); it serves whatever the projectors built.
func (s *System) ReadAPI() (*api.Server, error) {
	return api.NewServer(readmodel.NewStore(s.js), s.engine.EventStore(), s.engine,
		api.WithLogger(s.cfg.Logger.With().Str("worker", "api").Logger()))
}
