package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"
)

// Server serves the read API. Build it with NewServer; mount it with Mount.
type Server struct {
	store   *readmodel.Store
	events  engine.EventStore
	defs    engine.Resolver
	log     zerolog.Logger
	timeout time.Duration
}

// Option configures a Server. An option that is invalid returns an error,
// which NewServer returns.
type Option func(*Server) error

// WithLogger sets the logger (server errors are logged).
func WithLogger(l zerolog.Logger) Option { return func(s *Server) error { s.log = l; return nil } }

// WithTimeout bounds the work of one request (default 30 s); d must be
// positive.
func WithTimeout(d time.Duration) Option {
	return func(s *Server) error {
		if d <= 0 {
			return fmt.Errorf("api: request timeout %v: must be positive", d)
		}
		s.timeout = d
		return nil
	}
}

// NewServer returns a server answering from store; events (may be nil: no
// timelines) gives the timeline of a process, decoded with defs (usually
// the *engine.Engine; nil shows workflow events raw). It fails if an
// option is invalid.
func NewServer(store *readmodel.Store, events engine.EventStore, defs engine.Resolver, opts ...Option) (*Server, error) {
	s := &Server{store: store, events: events, defs: defs, log: zerolog.Nop(), timeout: 30 * time.Second}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Mount registers the routes on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/processes", s.listProcesses)
	mux.HandleFunc("GET /v1/processes/{id}", s.showProcess)
	mux.HandleFunc("GET /v1/deadlines", s.listDeadlines)
	mux.HandleFunc("GET /v1/deadletters", s.listDeadLetters)
	mux.HandleFunc("GET /v1/keys", s.showKey)
}

// Handler returns a new mux with the routes mounted.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Mount(mux)
	return mux
}

func (s *Server) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.timeout)
}

func (s *Server) reply(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error().Err(err).Msg("api: encode answer")
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(ErrorBody{Error: "encode answer: " + err.Error(), Status: status})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, errBadQuery), errors.Is(err, readmodel.ErrInvalidQuery):
		status = http.StatusBadRequest
	case errors.Is(err, readmodel.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, jetstream.ErrBucketNotFound), errors.Is(err, jetstream.ErrStreamNotFound),
		errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		s.log.Error().Err(err).Str("path", r.URL.Path).Msg("api: request failed")
	}
	s.reply(w, status, ErrorBody{Error: err.Error(), Status: status})
}

var errBadQuery = errors.New("bad query")

func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s=%q: not a number", errBadQuery, name, v)
	}
	return n, nil
}

func (s *Server) listProcesses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := intParam(r, "limit")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	page, err := s.store.Processes(ctx, readmodel.ProcessQuery{
		Tenant: q.Get("tenant"), Workflow: q.Get("workflow"), State: q.Get("state"), MaLo: q.Get("malo"),
		Limit: limit, Cursor: q.Get("cursor"),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, ProcessList{Processes: page.Processes, NextCursor: page.NextCursor})
}

func (s *Server) showProcess(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	p, err := s.store.Process(ctx, r.URL.Query().Get("tenant"), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	letters, err := s.store.ProcessDeadLetters(ctx, p.Tenant, p.ProcessID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	markFailed(&p, letters)
	d := ProcessDetail{Process: p, Timeline: []TimelineEvent{}, DeadLetters: letters}
	if s.events == nil {
		d.TimelineError = "no event store configured"
	} else {
		envs, err := s.events.Load(ctx, engine.StreamOf(engine.TenantID(p.Tenant), engine.ProcessID(p.ProcessID)))
		if err != nil {
			d.TimelineError = err.Error()
		}
		d.Timeline = Timeline(envs, s.defs)
	}
	s.reply(w, http.StatusOK, d)
}

func (s *Server) listDeadlines(w http.ResponseWriter, r *http.Request) {
	var before time.Time
	if v := r.URL.Query().Get("due_before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.fail(w, r, fmt.Errorf("%w: due_before=%q: want RFC 3339", errBadQuery, v))
			return
		}
		before = t
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	ds, err := s.store.Deadlines(ctx, r.URL.Query().Get("tenant"), before)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, DeadlineList{Deadlines: ds})
}

func (s *Server) listDeadLetters(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	q := r.URL.Query()
	ls, err := s.store.DeadLetters(ctx, readmodel.DeadLetterQuery{Tenant: q.Get("tenant"), Reason: q.Get("reason"), Limit: limit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, DeadLetterList{DeadLetters: ls})
}

func (s *Server) showKey(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	q := r.URL.Query()
	k, err := s.store.Key(ctx, q.Get("tenant"), q.Get("kind"), q.Get("value"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, k)
}

// Timeline decodes envelopes for the API: engine events into the
// documented shapes, workflow events with the definition defs resolves for
// their workflow id, anything else generically with a note.
func Timeline(envs []engine.EventEnvelope, defs engine.Resolver) []TimelineEvent {
	out := make([]TimelineEvent, 0, len(envs))
	for _, env := range envs {
		te := TimelineEvent{
			Sequence: env.Sequence, EventID: string(env.EventID), Type: env.Type, SchemaVersion: env.SchemaVersion,
			Kind: KindWorkflow, Timestamp: env.Timestamp.UTC(), CommandID: string(env.CommandID),
			Correlation: string(env.Correlation), Causation: string(env.Causation), Conversation: string(env.Conversation),
		}
		if !env.Workflow.IsZero() {
			te.Workflow = env.Workflow.String()
		}
		if env.IsEngineEvent() {
			te.Kind = KindEngine
			data, err := engineData(env)
			if err != nil {
				rawData(&te, env, err.Error())
			} else {
				te.Data = data
			}
			out = append(out, te)
			continue
		}
		if defs == nil {
			rawData(&te, env, "no workflow definitions configured")
			out = append(out, te)
			continue
		}
		def, err := defs.Resolve(env.Workflow)
		if err != nil {
			rawData(&te, env, err.Error())
			out = append(out, te)
			continue
		}
		ev, err := def.DecodeEvent(env)
		if err != nil {
			rawData(&te, env, err.Error())
			out = append(out, te)
			continue
		}
		if _, err := json.Marshal(ev.Data); err != nil {
			rawData(&te, env, "event data not representable as JSON: "+err.Error())
		} else {
			te.Data = ev.Data
		}
		out = append(out, te)
	}
	return out
}

func engineData(env engine.EventEnvelope) (any, error) {
	v, err := engine.DecodeEngineEvent(env)
	if err != nil {
		return nil, err
	}
	switch e := v.(type) {
	case *engine.OutboundMessage:
		return OutboundData{MessageID: e.MessageID, Recipient: e.Recipient, Sender: e.Sender, MessageType: e.MessageType,
			InterchangeRef: e.InterchangeRef, PayloadSize: len(e.Payload), Headers: e.Headers}, nil
	case *engine.DeadlineSet:
		due := e.Due.UTC()
		return DeadlineData{DeadlineID: string(e.ID), Label: e.Label, Due: &due}, nil
	case *engine.DeadlineCancelled:
		return DeadlineData{DeadlineID: string(e.ID), Label: e.Label}, nil
	case *engine.DeadlineFired:
		due, at := e.Due.UTC(), e.FiredAt.UTC()
		return DeadlineData{DeadlineID: string(e.ID), Label: e.Label, Due: &due, FiredAt: &at}, nil
	case *engine.KeyBound:
		return KeyData{Kind: string(e.Kind), Value: e.Value}, nil
	}
	return nil, fmt.Errorf("engine event %s: unexpected payload %T", env.Type, v)
}

// rawData decodes the msgpack payload generically (maps, arrays, scalars;
// byte strings become base64 in JSON) and adds the note.
func rawData(te *TimelineEvent, env engine.EventEnvelope, note string) {
	te.Raw, te.Note = true, note
	var v any
	if err := msgpack.Unmarshal(env.Payload, &v); err != nil {
		te.Note += "; payload is not msgpack: " + err.Error()
		te.Data = env.Payload
		return
	}
	if _, err := json.Marshal(v); err != nil {
		te.Data = env.Payload
		return
	}
	te.Data = v
}

// markFailed sets status "failed" on queued outbound messages the deliverer
// dead-lettered (reason outbox_exhausted, message_ref = message id).
func markFailed(p *readmodel.Process, letters []readmodel.DeadLetter) {
	for i := range p.Outbound {
		o := &p.Outbound[i]
		for _, l := range letters {
			if l.Reason == string(deadletter.ReasonOutboxExhausted) && l.MessageRef == o.MessageID {
				o.DeadLetterSeq = l.Sequence
				if o.Status == readmodel.DeliveryQueued {
					o.Status = readmodel.DeliveryFailed
				}
			}
		}
	}
}
