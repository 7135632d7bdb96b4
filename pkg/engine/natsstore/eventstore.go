package natsstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/engine"
)

// EventStore is the engine.EventStore on JetStream (see the package doc).
// It is safe for concurrent use. Close releases its reply subscriptions.
type EventStore struct {
	js      jetstream.JetStream
	cfg     config
	rd      *reader
	cacheMu sync.Mutex
	cache   map[engine.StreamID]cacheEntry

	// replicated is true for an R>1 stream: Direct Get may then be served
	// by a lagging replica, so Version reads through the leader and every
	// history read ends with a leader check for newer commits. Decided at
	// bind time from the stream's replica count.
	replicated bool

	// loseAck, if set (tests only), turns the outcome of publish attempt n
	// into a lost ack (nats.ErrTimeout) after the server handled it.
	loseAck func(attempt int) bool
}

// anchor is what the store knows about a process subject: the version
// after its last known commit and that commit's stream sequence. A stale
// anchor only makes an append conflict (the server checks the sequence).
type anchor struct {
	version uint64
	seq     uint64
}

// cacheEntry holds a process's latest known anchor and, optionally, an
// older one (the commit a snapshot was taken at, see SnapshotStore), from
// which a read after the snapshot can start without bisecting.
type cacheEntry struct {
	last, older anchor
}

var _ engine.EventStore = (*EventStore)(nil)

// bisectMin is the smallest LoadFrom/Fold start ("after") for which the
// store bisects the subject by stream sequence instead of reading the
// history from its first message (≈ log2(stream length) single gets).
const bisectMin = 64

// NewEventStore binds an EventStore to the event stream (default
// MAKO_EVENTS), which must exist (package streams creates it).
func NewEventStore(ctx context.Context, js jetstream.JetStream, opts ...Option) (*EventStore, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	st, err := js.Stream(ctx, cfg.eventStream)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: cfg.eventStream, Err: err}
	}
	es := newEventStore(js, cfg)
	es.replicated = st.CachedInfo().Config.Replicas > 1
	return es, nil
}

func newEventStore(js jetstream.JetStream, cfg config) *EventStore {
	return &EventStore{
		js: js, cfg: cfg,
		rd:    newReader(js.Conn(), apiPrefix(js), cfg.eventStream, cfg.timeout, 8),
		cache: make(map[engine.StreamID]cacheEntry),
	}
}

func apiPrefix(js jetstream.JetStream) string {
	if p := js.Options().APIPrefix; p != "" {
		if p[len(p)-1] != '.' {
			p += "."
		}
		return p
	}
	return "$JS.API."
}

// Close releases the store's pooled reply subscriptions. The store must
// not be used afterwards; the connection stays open.
func (s *EventStore) Close() { s.rd.close() }

// Subject returns the subject of stream's process, "<prefix>.<tenant>.<process>".
func (s *EventStore) Subject(stream engine.StreamID) string {
	return stream.Subject(s.cfg.subjectPrefix)
}

func (s *EventStore) cached(stream engine.StreamID) (anchor, bool) {
	if s.cfg.cacheSize <= 0 {
		return anchor{}, false
	}
	s.cacheMu.Lock()
	e, ok := s.cache[stream]
	s.cacheMu.Unlock()
	return e.last, ok && e.last.seq != 0
}

// startAnchor returns a cached anchor whose version is not beyond after:
// the latest if possible, else the older (snapshot) one.
func (s *EventStore) startAnchor(stream engine.StreamID, after uint64) (anchor, bool) {
	if s.cfg.cacheSize <= 0 {
		return anchor{}, false
	}
	s.cacheMu.Lock()
	e, ok := s.cache[stream]
	s.cacheMu.Unlock()
	switch {
	case !ok:
		return anchor{}, false
	case e.last.seq != 0 && e.last.version <= after:
		return e.last, true
	case e.older.seq != 0 && e.older.version <= after:
		return e.older, true
	}
	return anchor{}, false
}

// anchorAt returns the stream sequence of the cached commit that ends at
// version, if the cache knows it.
func (s *EventStore) anchorAt(stream engine.StreamID, version uint64) (uint64, bool) {
	if s.cfg.cacheSize <= 0 || version == 0 {
		return 0, false
	}
	s.cacheMu.Lock()
	e := s.cache[stream]
	s.cacheMu.Unlock()
	switch {
	case e.last.seq != 0 && e.last.version == version:
		return e.last.seq, true
	case e.older.seq != 0 && e.older.version == version:
		return e.older.seq, true
	}
	return 0, false
}

// hint records an older anchor (from a snapshot) for reads after it.
func (s *EventStore) hint(stream engine.StreamID, a anchor) {
	if s.cfg.cacheSize <= 0 || a.seq == 0 {
		return
	}
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	e, ok := s.cache[stream]
	if !ok {
		s.evictLocked()
	}
	e.older = a
	s.cache[stream] = e
}

// remember records a as the latest anchor if it is not older than the
// cached one. The cache is bounded: when full, an arbitrary entry is
// evicted.
func (s *EventStore) remember(stream engine.StreamID, a anchor) {
	if s.cfg.cacheSize <= 0 {
		return
	}
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	e, ok := s.cache[stream]
	if ok && e.last.seq > a.seq {
		return
	}
	if !ok {
		s.evictLocked()
	}
	e.last = a
	s.cache[stream] = e
}

func (s *EventStore) evictLocked() {
	if len(s.cache) >= s.cfg.cacheSize {
		for k := range s.cache {
			delete(s.cache, k)
			break
		}
	}
}

func (s *EventStore) forget(stream engine.StreamID) {
	s.cacheMu.Lock()
	delete(s.cache, stream)
	s.cacheMu.Unlock()
}

func (s *EventStore) errorf(op, subject string, seq uint64, err error) error {
	return &StoreError{Op: op, Stream: s.cfg.eventStream, Subject: subject, Sequence: seq, Err: err}
}

// Append commits events as one message on the process subject (see
// engine.EventStore). The expected version is checked by the server through
// Nats-Expected-Last-Subject-Sequence; both 10071 and 10164 are reported as
// *engine.ConflictError with the actual version read through the leader.
// With engine.Any the store reads the current version and retries on a
// conflict (sequences must stay gap-free).
//
// The commit's Nats-Msg-Id is "<tenant>.<process>.<first event id>": the
// engine derives event ids from the command, so a retry of the same command
// carries the same id. If the publish ack is lost the store resends; if the
// server then reports a conflict (R1: the OCC check precedes dedup) or a
// duplicate (R>1), the store reads the message after the expected sequence
// and, when its Nats-Msg-Id is ours, returns that commit instead of writing
// it twice. The same holds for a later Append of the same events with the
// same expected version.
func (s *EventStore) Append(ctx context.Context, stream engine.StreamID, expected engine.ExpectedVersion, events []engine.NewEvent) ([]engine.EventEnvelope, error) {
	if err := stream.Validate(); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: append to %s without events", engine.ErrInvalidArgument, stream)
	}
	evs := make([]engine.NewEvent, len(events))
	copy(evs, events)
	for i := range evs {
		if (evs[i].Tenant != "" && evs[i].Tenant != stream.Tenant) || (evs[i].Process != "" && evs[i].Process != stream.Process) {
			return nil, fmt.Errorf("%w: event %d belongs to %s/%s, not %s", engine.ErrInvalidArgument, i, evs[i].Tenant, evs[i].Process, stream)
		}
		if evs[i].EventID == "" {
			evs[i].EventID = engine.EventID(engine.NewUUIDv4().String())
		}
	}
	subject := s.Subject(stream)
	msgID := string(stream.Tenant) + "." + string(stream.Process) + "." + string(evs[0].EventID)
	ts := time.Now().UTC()

	const anyAttempts = 16
	for attempt := 0; ; attempt++ {
		cur, last, err := s.anchorFor(ctx, stream, subject, expected)
		if err != nil {
			return nil, err
		}
		if !expected.IsAny() && cur.version != expected.Version() {
			// Known mismatch. If the last commit is ours, an earlier
			// Append of these events succeeded (its ack was lost).
			if last != nil && last.Header.Get(jetstream.MsgIDHeader) == msgID {
				return s.storedCommit(stream, subject, *last)
			}
			return nil, &engine.ConflictError{Stream: stream, Expected: expected, Actual: cur.version}
		}
		envs, err := s.publish(ctx, stream, subject, msgID, cur, ts, evs)
		if err == nil {
			return envs, nil
		}
		var ce *engine.ConflictError
		if expected.IsAny() && errors.As(err, &ce) && attempt < anyAttempts {
			continue
		}
		return nil, err
	}
}

// anchorFor returns the anchor an append with expected builds on: for
// NoStream the empty subject, the cached anchor if it matches, otherwise
// the subject's last message read through the leader (returned as last;
// nil if the subject is empty or the anchor came from the cache).
func (s *EventStore) anchorFor(ctx context.Context, stream engine.StreamID, subject string, expected engine.ExpectedVersion) (anchor, *storedMsg, error) {
	if !expected.IsAny() && expected.Version() == 0 {
		return anchor{}, nil, nil
	}
	if a, ok := s.cached(stream); ok && !expected.IsAny() && a.version == expected.Version() {
		return a, nil, nil
	}
	return s.leaderLast(ctx, stream, subject)
}

// leaderLast reads the subject's last message through the stream leader
// and caches its anchor. last is nil for an empty subject.
func (s *EventStore) leaderLast(ctx context.Context, stream engine.StreamID, subject string) (anchor, *storedMsg, error) {
	m, err := s.rd.leaderGet(ctx, msgGetRequest{LastFor: subject})
	if errors.Is(err, errNoMsg) {
		s.forget(stream)
		return anchor{}, nil, nil
	}
	if err != nil {
		return anchor{}, nil, s.errorf("read last", subject, 0, err)
	}
	a, err := s.anchorOf(stream, m)
	if err != nil {
		return anchor{}, nil, err
	}
	s.forget(stream)
	s.remember(stream, a)
	return a, &m, nil
}

// anchorOf derives the anchor from a commit message: the Mako-Seq header,
// or the decoded payload if the header is missing or malformed.
func (s *EventStore) anchorOf(stream engine.StreamID, m storedMsg) (anchor, error) {
	if _, last, ok := ParseSeqHeader(m.Header.Get(HeaderSeq)); ok {
		return anchor{version: last, seq: m.Sequence}, nil
	}
	rec, err := decodeCommit(stream, s.cfg.eventStream, m.Subject, m.Sequence, m.Data)
	if err != nil {
		return anchor{}, err
	}
	return anchor{version: rec.last(), seq: m.Sequence}, nil
}

// publish sends the commit built on cur, resending on a lost ack.
func (s *EventStore) publish(ctx context.Context, stream engine.StreamID, subject, msgID string, cur anchor, ts time.Time, evs []engine.NewEvent) ([]engine.EventEnvelope, error) {
	rec := newCommitRecord(stream, cur.version+1, ts, evs)
	msg, err := rec.message(subject, msgID)
	if err != nil {
		return nil, s.errorf("append", subject, 0, fmt.Errorf("encode commit: %w", err))
	}
	msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(cur.seq, 10))
	expected := engine.Exact(cur.version)

	var lastErr error
	for attempt := 0; attempt < s.cfg.publishAttempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, s.errorf("append", subject, 0, err)
		}
		// Without a deadline on ctx, the JetStream context's default
		// timeout bounds the publish (jetstream wraps ctx itself).
		ack, err := s.js.PublishMsg(ctx, msg)
		if s.loseAck != nil && s.loseAck(attempt) {
			ack, err = nil, nats.ErrTimeout
		}
		switch {
		case err == nil && ack.Duplicate:
			// R>1: dedup precedes OCC; an earlier attempt was stored.
			m, err := s.rd.leaderGet(ctx, msgGetRequest{Seq: ack.Sequence})
			if err != nil {
				return nil, s.errorf("append", subject, ack.Sequence, fmt.Errorf("read stored commit: %w", err))
			}
			if got := m.Header.Get(jetstream.MsgIDHeader); got != msgID || m.Subject != subject {
				return nil, s.errorf("append", subject, ack.Sequence, fmt.Errorf("duplicate ack names message %q on %s, want %q", got, m.Subject, msgID))
			}
			return s.storedCommit(stream, subject, m)
		case err == nil:
			s.remember(stream, anchor{version: rec.last(), seq: ack.Sequence})
			// The envelopes Load will return: same fields, the stream's
			// tenant and process, the record's timestamp.
			ts := time.Unix(0, rec.Time).UTC()
			envs := make([]engine.EventEnvelope, len(evs))
			for i, ev := range evs {
				envs[i] = ev.Envelope(stream, rec.First+uint64(i), ts)
				envs[i].Tenant, envs[i].Process = stream.Tenant, stream.Process
			}
			return envs, nil
		case isConflict(err):
			return s.resolve(ctx, stream, subject, msgID, expected, cur)
		case isLostAck(err):
			lastErr = err
			continue // resend: same Nats-Msg-Id and expected sequence
		default:
			return nil, s.errorf("append", subject, 0, err)
		}
	}
	return nil, s.errorf("append", subject, 0, fmt.Errorf("no ack after %d attempts: %w", s.cfg.publishAttempts, lastErr))
}

// isConflict reports a failed expected-last-subject-sequence check: 10071
// on R1, 10164 from an R>1 leader (nats.md §2).
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	return false
}

// isLostAck reports a publish whose outcome is unknown: the request timed
// out (the message may or may not be stored).
func isLostAck(err error) bool {
	return errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, jetstream.ErrNoStreamResponse)
}

// resolve handles a failed sequence check of the commit msgID built on
// cur. Had an earlier attempt stored it, it would be the subject's first
// message after cur.seq (the server stores it only on that condition), so
// that one message is read through the leader: if it carries msgID, its
// envelopes are returned as the append's result. Otherwise the result is a
// *engine.ConflictError whose Actual is the version read through the leader.
func (s *EventStore) resolve(ctx context.Context, stream engine.StreamID, subject, msgID string, expected engine.ExpectedVersion, cur anchor) ([]engine.EventEnvelope, error) {
	m, err := s.rd.leaderGet(ctx, msgGetRequest{Seq: cur.seq + 1, NextFor: subject})
	switch {
	case err == nil && m.Header.Get(jetstream.MsgIDHeader) == msgID:
		return s.storedCommit(stream, subject, m)
	case err != nil && !errors.Is(err, errNoMsg):
		return nil, s.errorf("append", subject, 0, fmt.Errorf("resolve conflict: %w", err))
	}
	actual, _, err := s.leaderLast(ctx, stream, subject)
	if err != nil {
		return nil, err
	}
	return nil, &engine.ConflictError{Stream: stream, Expected: expected, Actual: actual.version}
}

// storedCommit decodes a stored commit message and returns its envelopes.
func (s *EventStore) storedCommit(stream engine.StreamID, subject string, m storedMsg) ([]engine.EventEnvelope, error) {
	rec, err := decodeCommit(stream, s.cfg.eventStream, subject, m.Sequence, m.Data)
	if err != nil {
		return nil, err
	}
	s.remember(stream, anchor{version: rec.last(), seq: m.Sequence})
	envs, err := rec.envelopes(stream)
	if err != nil {
		return nil, s.errorf("append", subject, m.Sequence, err)
	}
	return envs, nil
}
