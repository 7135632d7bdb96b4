package natsstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/mako-engine/mako/pkg/engine"
)

// Version returns the process's version in O(1): the last sequence in the
// Mako-Seq header of the subject's last message, read with Direct Get on R1
// and through the stream leader on R>1 (read-after-write).
func (s *EventStore) Version(ctx context.Context, stream engine.StreamID) (uint64, error) {
	if err := stream.Validate(); err != nil {
		return 0, err
	}
	subject := s.Subject(stream)
	var m storedMsg
	var err error
	if s.replicated {
		m, err = s.rd.leaderGet(ctx, msgGetRequest{LastFor: subject})
	} else {
		m, err = s.rd.lastDirect(ctx, subject)
	}
	if errors.Is(err, errNoMsg) {
		return 0, nil
	}
	if err != nil {
		return 0, s.errorf("version", subject, 0, err)
	}
	a, err := s.anchorOf(stream, m)
	if err != nil {
		return 0, err
	}
	s.remember(stream, a)
	return a.version, nil
}

// Load returns all events of the process in order (empty for an unknown
// process).
func (s *EventStore) Load(ctx context.Context, stream engine.StreamID) ([]engine.EventEnvelope, error) {
	return s.LoadFrom(ctx, stream, 0)
}

// LoadFrom returns the events with Sequence > after, in order.
func (s *EventStore) LoadFrom(ctx context.Context, stream engine.StreamID, after uint64) ([]engine.EventEnvelope, error) {
	out := []engine.EventEnvelope{}
	err := s.Fold(ctx, stream, after, func(e engine.EventEnvelope) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errStop carries an error returned by a Fold callback through the reader.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

// Fold calls fn for each event with Sequence > after, in order, holding at
// most one read batch (≤ 4 MiB) in memory. It returns fn's first error
// unchanged. Every commit read is checked to continue the previous one
// (gap-free per-process sequences); a corrupt or foreign message is a
// *StoreError naming stream, subject and stream sequence that wraps an
// *engine.DecodeError.
func (s *EventStore) Fold(ctx context.Context, stream engine.StreamID, after uint64, fn func(engine.EventEnvelope) error) error {
	if err := stream.Validate(); err != nil {
		return err
	}
	err := s.fold(ctx, stream, after, true, fn)
	if errors.Is(err, errStaleAnchor) {
		// A cached or snapshot anchor pointed at the wrong commit (the
		// stream was purged or rebuilt): drop it and locate the start anew.
		s.forget(stream)
		err = s.fold(ctx, stream, after, false, fn)
	}
	return err
}

// errStaleAnchor reports that the first commit read from a cached anchor
// does not continue it.
var errStaleAnchor = errors.New("stale anchor")

func (s *EventStore) fold(ctx context.Context, stream engine.StreamID, after uint64, useCache bool, fn func(engine.EventEnvelope) error) error {
	subject := s.Subject(stream)
	from, wantFirst, fromCache, err := s.startFor(ctx, stream, subject, after, useCache)
	if err != nil {
		return err
	}
	first := true
	var last anchor
	visit := func(m storedMsg) (bool, error) {
		rec, err := decodeCommit(stream, s.cfg.eventStream, subject, m.Sequence, m.Data)
		if err != nil {
			return false, err
		}
		if first && fromCache && rec.First != wantFirst {
			return false, errStaleAnchor
		}
		first = false
		if wantFirst != 0 && rec.First != wantFirst {
			return false, s.errorf("load", subject, m.Sequence, &engine.DecodeError{Stream: stream, Sequence: rec.First, Type: "commit", SchemaVersion: rec.Format,
				Err: fmt.Errorf("history gap: commit starts at %d, want %d", rec.First, wantFirst)})
		}
		wantFirst = rec.last() + 1
		last = anchor{version: rec.last(), seq: m.Sequence}
		if rec.last() <= after {
			return true, nil
		}
		envs, err := rec.envelopes(stream)
		if err != nil {
			return false, s.errorf("load", subject, m.Sequence, err)
		}
		for _, e := range envs {
			if e.Sequence <= after {
				continue
			}
			if err := fn(e); err != nil {
				return false, errStop{err}
			}
		}
		return true, nil
	}
	stopped := false
	err = s.rd.scanSubject(ctx, s.js, subject, from, s.cfg.readBatch, s.cfg.consumerThreshold, func(m storedMsg) (bool, error) {
		cont, err := visit(m)
		stopped = !cont || err != nil
		return cont, err
	})
	if err == nil && !stopped && s.replicated {
		err = s.leaderTail(ctx, subject, max(last.seq+1, from), visit)
	}
	var stop errStop
	switch {
	case errors.Is(err, errStaleAnchor):
		return err
	case errors.As(err, &stop):
		return stop.err
	case err != nil:
		var se *StoreError
		if errors.As(err, &se) {
			return err
		}
		return s.errorf("load", subject, 0, err)
	}
	if last.seq != 0 {
		s.remember(stream, last)
	}
	return nil
}

// leaderTail reads, through the stream leader, the commits on subject from
// stream sequence from on that a lagging replica did not deliver: one
// request when there are none (the usual case), one per missing commit
// otherwise.
func (s *EventStore) leaderTail(ctx context.Context, subject string, from uint64, visit func(storedMsg) (bool, error)) error {
	last, err := s.rd.leaderGet(ctx, msgGetRequest{LastFor: subject})
	if errors.Is(err, errNoMsg) {
		return nil
	}
	if err != nil {
		return err
	}
	for from <= last.Sequence {
		m, err := s.rd.leaderGet(ctx, msgGetRequest{Seq: from, NextFor: subject})
		if errors.Is(err, errNoMsg) {
			return nil
		}
		if err != nil {
			return err
		}
		if cont, err := visit(m); err != nil || !cont {
			return err
		}
		from = m.Sequence + 1
	}
	return nil
}

// startFor returns the stream sequence to read from for events after
// `after`, and the per-process sequence the first commit read must start at
// (0 = unknown). It uses the cached anchor when that is not beyond after,
// reads from the subject's start for small after, and otherwise bisects
// the subject by stream sequence.
func (s *EventStore) startFor(ctx context.Context, stream engine.StreamID, subject string, after uint64, useCache bool) (from, wantFirst uint64, fromCache bool, err error) {
	if after == 0 {
		return 1, 1, false, nil
	}
	if a, ok := s.startAnchor(stream, after); ok && useCache {
		return a.seq + 1, a.version + 1, true, nil
	}
	if after < bisectMin {
		return 1, 1, false, nil
	}
	last, err := s.rd.lastDirect(ctx, subject)
	if errors.Is(err, errNoMsg) {
		return 1, 1, false, nil
	}
	if err != nil {
		return 0, 0, false, s.errorf("load", subject, 0, err)
	}
	la, err := s.anchorOf(stream, last)
	if err != nil {
		return 0, 0, false, err
	}
	if la.version <= after {
		return la.seq + 1, la.version + 1, false, nil
	}
	// Find the first commit (smallest stream sequence) whose last event is
	// > after. cand always holds such a commit; [lo, hi) is unexplored.
	cand, lo, hi := la.seq, uint64(1), la.seq
	for lo < hi {
		mid := lo + (hi-lo)/2
		var got *storedMsg
		if _, _, _, err := s.rd.directBatch(ctx, subject, mid, 1, func(m storedMsg) (bool, error) {
			got = &m
			return false, nil
		}); err != nil {
			return 0, 0, false, s.errorf("load", subject, mid, err)
		}
		if got == nil || got.Sequence >= hi {
			hi = mid
			continue
		}
		a, err := s.anchorOf(stream, *got)
		if err != nil {
			return 0, 0, false, err
		}
		if a.version > after {
			cand, hi = got.Sequence, got.Sequence
		} else {
			lo = got.Sequence + 1
		}
	}
	return cand, 0, false, nil
}
