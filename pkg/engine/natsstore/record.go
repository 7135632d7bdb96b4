package natsstore

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/wire"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/mako-engine/mako/pkg/engine"
)

// recordFormat is the version of the commit record layout. Readers reject
// other versions with a decode error naming stream and sequence.
const recordFormat = 1

// Headers set on every commit message besides Nats-Msg-Id and
// Nats-Expected-Last-Subject-Sequence. They duplicate metadata of the
// msgpack payload for operators (`nats stream view MAKO_EVENTS`) and for
// consumers that route on headers; the store itself reads only HeaderSeq
// (O(1) Version) and Nats-Msg-Id back. Conversation id, trace context and
// the payload format version are in the payload only (every header costs on
// each append: measured in BenchmarkAppendHotVsRaw).
const (
	// HeaderTenant is the tenant id.
	HeaderTenant = wire.HeaderTenant
	// HeaderProcess is the process id.
	HeaderProcess = wire.HeaderProcess
	// HeaderWorkflow is the workflow id ("name@FV2604") of the first event.
	HeaderWorkflow = wire.HeaderWorkflow
	// HeaderEventType lists the event types of the commit, comma-joined in
	// append order.
	HeaderEventType = "Mako-Event-Type"
	// HeaderSeq is "<first>-<last>", the per-process sequences the commit
	// holds ("7-7" for a single event).
	HeaderSeq = "Mako-Seq"
	// HeaderCommand is the command id of the first event.
	HeaderCommand = "Mako-Command"
	// HeaderCorrelation is the correlation id of the first event.
	HeaderCorrelation = wire.HeaderCorrelation
	// HeaderCausation is the causation id of the first event, if any.
	HeaderCausation = "Mako-Causation"
)

// commitRecord is the msgpack payload of one commit message: the events of
// one EventStore.Append with their per-process sequences First..First+n-1.
type commitRecord struct {
	Format  int           `msgpack:"f"`
	Tenant  string        `msgpack:"t"`
	Process string        `msgpack:"p"`
	First   uint64        `msgpack:"s"`
	Time    int64         `msgpack:"ts"` // unix nanoseconds, UTC, assigned at append
	Events  []eventRecord `msgpack:"e"`
}

// eventRecord is one event inside a commitRecord.
type eventRecord struct {
	ID           string `msgpack:"id"`
	Type         string `msgpack:"ty"`
	Schema       int    `msgpack:"v"`
	Workflow     string `msgpack:"wf,omitempty"`
	Correlation  string `msgpack:"co,omitempty"`
	Causation    string `msgpack:"ca,omitempty"`
	Conversation string `msgpack:"cv,omitempty"`
	Command      string `msgpack:"cm,omitempty"`
	TraceParent  string `msgpack:"tp,omitempty"`
	Payload      []byte `msgpack:"d"`
}

// newCommitRecord builds the record of events appended at version+1.
func newCommitRecord(stream engine.StreamID, first uint64, ts time.Time, events []engine.NewEvent) commitRecord {
	rec := commitRecord{
		Format: recordFormat, Tenant: string(stream.Tenant), Process: string(stream.Process),
		First: first, Time: ts.UnixNano(), Events: make([]eventRecord, len(events)),
	}
	for i, ev := range events {
		var wf string
		if !ev.Workflow.IsZero() {
			wf = ev.Workflow.String()
		}
		rec.Events[i] = eventRecord{
			ID: string(ev.EventID), Type: ev.Type, Schema: ev.SchemaVersion, Workflow: wf,
			Correlation: string(ev.Correlation), Causation: string(ev.Causation),
			Conversation: string(ev.Conversation), Command: string(ev.CommandID),
			TraceParent: ev.TraceParent, Payload: ev.Payload,
		}
	}
	return rec
}

// last returns the per-process sequence of the record's last event.
func (r commitRecord) last() uint64 { return r.First + uint64(len(r.Events)) - 1 }

// message encodes the record as the commit message on subject with msgID.
// The header map is built directly (keys are already canonical), which
// saves the per-key canonicalisation of Header.Set on the append path.
func (r commitRecord) message(subject, msgID string) (*nats.Msg, error) {
	buf := bytes.NewBuffer(make([]byte, 0, 256+r.payloadBytes()))
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(buf)
	if err := enc.Encode(&r); err != nil {
		return nil, err
	}
	types := make([]string, len(r.Events))
	for i, e := range r.Events {
		types[i] = e.Type
	}
	// Sized for every header of a commit, including the expected-sequence
	// header publish adds: no map growth on the append path.
	h := make(nats.Header, 10)
	h[jetstream.MsgIDHeader] = []string{msgID}
	h[HeaderTenant] = []string{r.Tenant}
	h[HeaderProcess] = []string{r.Process}
	h[HeaderSeq] = []string{strconv.FormatUint(r.First, 10) + "-" + strconv.FormatUint(r.last(), 10)}
	h[HeaderEventType] = []string{strings.Join(types, ",")}
	first := r.Events[0]
	setIf(h, HeaderWorkflow, first.Workflow)
	setIf(h, HeaderCommand, first.Command)
	setIf(h, HeaderCorrelation, first.Correlation)
	setIf(h, HeaderCausation, first.Causation)
	return &nats.Msg{Subject: subject, Header: h, Data: buf.Bytes()}, nil
}

func (r commitRecord) payloadBytes() int {
	n := 0
	for _, e := range r.Events {
		n += len(e.Payload) + 160
	}
	return n
}

func setIf(h nats.Header, k, v string) {
	if v != "" {
		h[k] = []string{v}
	}
}

// decodeCommit decodes the payload of the commit message at stream sequence
// seq and checks it belongs to stream. Every failure is an
// *engine.DecodeError naming the process stream, wrapped in a
// *StoreError naming the JetStream stream, subject and sequence.
func decodeCommit(stream engine.StreamID, jsStream, subject string, seq uint64, data []byte) (commitRecord, error) {
	var rec commitRecord
	fail := func(err error) (commitRecord, error) {
		return commitRecord{}, &StoreError{
			Op: "decode", Stream: jsStream, Subject: subject, Sequence: seq,
			Err: &engine.DecodeError{Stream: stream, Sequence: rec.First, Type: "commit", SchemaVersion: rec.Format, Err: err},
		}
	}
	dec := msgpack.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields(true)
	if err := safeDecode(dec, &rec); err != nil {
		return fail(fmt.Errorf("corrupt commit record: %w", err))
	}
	switch {
	case rec.Format != recordFormat:
		return fail(fmt.Errorf("unsupported commit record format %d", rec.Format))
	case rec.Tenant != string(stream.Tenant) || rec.Process != string(stream.Process):
		return fail(fmt.Errorf("commit record belongs to %s/%s", rec.Tenant, rec.Process))
	case rec.First == 0 || len(rec.Events) == 0:
		return fail(fmt.Errorf("commit record without events (first %d, %d events)", rec.First, len(rec.Events)))
	}
	return rec, nil
}

// safeDecode turns a decoder panic on hostile input into an error.
func safeDecode(dec *msgpack.Decoder, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("msgpack: %v", r)
		}
	}()
	return dec.Decode(v)
}

// envelopes converts the record to committed envelopes. It fails (naming
// the event) if a workflow id does not parse.
func (r commitRecord) envelopes(stream engine.StreamID) ([]engine.EventEnvelope, error) {
	out := make([]engine.EventEnvelope, len(r.Events))
	ts := time.Unix(0, r.Time).UTC()
	for i, e := range r.Events {
		env, err := e.envelope(stream, r.First+uint64(i), ts)
		if err != nil {
			return nil, err
		}
		out[i] = env
	}
	return out, nil
}

func (e eventRecord) envelope(stream engine.StreamID, seq uint64, ts time.Time) (engine.EventEnvelope, error) {
	var wf engine.WorkflowID
	if e.Workflow != "" {
		var err error
		if wf, err = engine.ParseWorkflowID(e.Workflow); err != nil {
			return engine.EventEnvelope{}, &engine.DecodeError{Stream: stream, Sequence: seq, Type: e.Type, SchemaVersion: e.Schema, Err: err}
		}
	}
	return engine.EventEnvelope{
		EventID: engine.EventID(e.ID), Stream: stream, Sequence: seq,
		Tenant: stream.Tenant, Process: stream.Process, Workflow: wf,
		Type: e.Type, SchemaVersion: e.Schema,
		Correlation: engine.CorrelationID(e.Correlation), Causation: engine.CausationID(e.Causation),
		Conversation: engine.ConversationID(e.Conversation), CommandID: engine.CommandID(e.Command),
		TraceParent: e.TraceParent, Timestamp: ts, Payload: e.Payload,
	}, nil
}

// ParseSeqHeader parses HeaderSeq "<first>-<last>": the per-process
// sequences of the events a commit message holds; ok is false unless
// 0 < first <= last.
func ParseSeqHeader(v string) (first, last uint64, ok bool) {
	a, b, found := strings.Cut(v, "-")
	if !found {
		return 0, 0, false
	}
	f, err1 := strconv.ParseUint(a, 10, 64)
	l, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil || f == 0 || l < f {
		return 0, 0, false
	}
	return f, l, true
}

// StoreError is an error of a JetStream operation of this package. It names
// the JetStream stream, the subject and (if known) the stream sequence, and
// wraps the cause, so errors.Is/As see engine.ErrDecode, engine.ErrConflict,
// jetstream errors and so on.
type StoreError struct {
	Op       string // "append", "load", "version", "decode", "snapshot", "registry", "inbox"
	Stream   string // JetStream stream (e.g. MAKO_EVENTS or KV_mako_registry)
	Subject  string
	Sequence uint64 // stream sequence, 0 if none
	Err      error
}

// Error implements error.
func (e *StoreError) Error() string {
	var b strings.Builder
	b.WriteString("natsstore: ")
	b.WriteString(e.Op)
	b.WriteString(" ")
	b.WriteString(e.Stream)
	if e.Subject != "" {
		b.WriteString(" subject ")
		b.WriteString(e.Subject)
	}
	if e.Sequence != 0 {
		b.WriteString(" seq ")
		b.WriteString(strconv.FormatUint(e.Sequence, 10))
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *StoreError) Unwrap() error { return e.Err }

// TransientFailure reports that a store operation failed in the
// infrastructure, so a retry may succeed (worker.Classify).
func (e *StoreError) TransientFailure() bool { return true }
