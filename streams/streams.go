// Package streams holds mako-engine's JetStream stream, KV bucket and
// consumer definitions and creates or updates them idempotently.
//
// The definitions are JSON files in this directory (streams/*.json, one
// JetStream API StreamConfig per file; streams/consumers/<STREAM>-<name>.json,
// one ConsumerConfig per file; durations in nanoseconds). They are the same
// files an operator feeds to the nats CLI:
//
//	nats stream add --config streams/MAKO_EVENTS.json
//	nats consumer add MAKO_INGEST --config streams/consumers/MAKO_INGEST-ingest.json
//
// The files are embedded into this package, so the workers create exactly
// what the files say (see Ensure). KV buckets are stored as the stream
// KV_<bucket> that nats.go's CreateKeyValue would make; the nats CLI's kv
// commands and jetstream.KeyValue bind to such a stream as to any bucket.
//
// Subject names are the public contract; README.md in this directory lists
// every stream with its subjects, owner and retention.
package streams

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/wire/audit"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream names. Each stream's wire contract (subjects, headers, payload)
// is one package: pkg/wire/inbound, command, outbox, deadletter, timer,
// erp and audit; the event store's is pkg/engine/natsstore. The names here are those
// packages' (checked against the definition files by TestWireContracts).
const (
	// Events is the event store: one subject per process, mako.evt.<tenant>.<process>.
	Events = "MAKO_EVENTS"
	// Ingest holds raw inbound interchanges on mako.ingest.<tenant>.
	Ingest = inbound.Stream
	// Commands is the work queue of process commands on mako.cmd.<tenant>.<process>.
	Commands = command.Stream
	// Outbox holds final outbound interchanges on mako.outbox.<tenant>.<recipient MP-ID>.
	Outbox = outbox.Stream
	// DLQ holds dead letters on mako.dlq.<tenant>.
	DLQ = deadletter.Stream
	// Timers holds deadline schedules (mako.timer.sched.<tenant>.<process>.<deadline>)
	// and their fired targets (mako.timer.fired.<tenant>.<process>.<deadline>).
	Timers = timer.Stream
	// ERP holds CloudEvents for the ERP (mako.erp.<tenant>) and its commands
	// (mako.erp.in.<tenant>).
	ERP = erp.Stream
	// Audit holds audit records of operator changes (pkg/audit) on
	// mako.audit.<tenant>.<kind>.<id>; kept forever.
	Audit = audit.Stream
)

// Message sizes of the ingest path (README "Interchange size").
const (
	// MaxInterchange is the largest raw interchange MAKO_INGEST accepts
	// (8 MiB). Its max_msg_size is MaxInterchange plus IngestHeaderAllowance;
	// the server refuses a larger publish with "message size exceeds
	// maximum allowed" (JetStream error 10054), nothing is stored, and the
	// gateway has to send such an interchange another way (split it).
	MaxInterchange = 8 << 20
	// IngestHeaderAllowance is what MAKO_INGEST allows on top of
	// MaxInterchange for the message's headers (64 KiB).
	IngestHeaderAllowance = 64 << 10
	// MaxPayload is the NATS max_payload the pipeline needs (16 MiB): an
	// interchange of MaxInterchange travels on as a command with its
	// envelope, so the server's limit must be well above it. The embedded
	// server of makod and the configurations in deploy/nats set it.
	MaxPayload = 16 << 20
)

// Subject prefixes (the public contract; tokens follow as documented on the
// stream constants).
const (
	SubjectEvents      = "mako.evt"
	SubjectIngest      = inbound.SubjectPrefix
	SubjectCommands    = command.SubjectPrefix
	SubjectOutbox      = outbox.SubjectPrefix
	SubjectDLQ         = deadletter.SubjectPrefix
	SubjectTimerSched  = timer.SchedulePrefix
	SubjectTimerFired  = timer.FiredPrefix
	SubjectERP         = erp.SubjectPrefix
	SubjectERPIn       = erp.InPrefix
	SubjectAudit       = audit.SubjectPrefix
	SubjectTimersAll   = "mako.timer.>"
	SubjectEventsAll   = SubjectEvents + ".>"
	SubjectIngestAll   = SubjectIngest + ".>"
	SubjectCommandsAll = SubjectCommands + ".>"
	SubjectOutboxAll   = SubjectOutbox + ".>"
	SubjectDLQAll      = SubjectDLQ + ".>"
	SubjectERPAll      = SubjectERP + ".>"
	SubjectAuditAll    = SubjectAudit + ".>"
)

// KV bucket names. Each bucket is stored as the stream KVStream(bucket).
const (
	// BucketSnapshots holds process snapshots (history 1).
	BucketSnapshots = "mako_snapshots"
	// BucketRegistry maps business keys to processes (history 1).
	BucketRegistry = "mako_registry"
	// BucketInbox holds accept-once keys with per-key TTL (history 1,
	// LimitMarkerTTL set so jetstream.KeyTTL works on Create).
	BucketInbox = "mako_inbox"
	// BucketPartners holds market partner data (history 5).
	BucketPartners = "mako_partners"
)

// Durable consumer names.
const (
	// ConsumerIngest is the ingest worker's pull consumer on MAKO_INGEST.
	ConsumerIngest = "ingest"
	// ConsumerProcessor is the processor's pull consumer on MAKO_COMMANDS.
	ConsumerProcessor = "processor"
	// ConsumerDeliverer is the deliverer's pull consumer on MAKO_OUTBOX.
	ConsumerDeliverer = "deliverer"
	// ConsumerScheduler is the scheduler's pull consumer on MAKO_TIMERS,
	// filtered on mako.timer.fired.>.
	ConsumerScheduler = "scheduler"
	// ConsumerRelay is the processor's effect relay on MAKO_EVENTS.
	ConsumerRelay = "relay"
)

// kvStreamPrefix is the stream name prefix of a KV bucket (ADR-8).
const kvStreamPrefix = "KV_"

// KVStream returns the name of the stream that stores bucket.
func KVStream(bucket string) string { return kvStreamPrefix + bucket }

// EngineStreams returns the streams the engine's NATS stores need: the event
// stream and the snapshot, registry and inbox buckets.
func EngineStreams() []string {
	return []string{Events, KVStream(BucketSnapshots), KVStream(BucketRegistry), KVStream(BucketInbox)}
}

// Errors returned (wrapped) by this package.
var (
	// ErrUnknownStream means no definition file exists for the stream.
	ErrUnknownStream = errors.New("streams: unknown stream")
	// ErrUnknownConsumer means no definition file exists for the consumer.
	ErrUnknownConsumer = errors.New("streams: unknown consumer")
	// ErrNotKeyValue means the stream is not a KV bucket.
	ErrNotKeyValue = errors.New("streams: not a KV bucket")
	// ErrInvalidOption means an Option has a value the definition cannot take.
	ErrInvalidOption = errors.New("streams: invalid option")
	// ErrInvalidDefinition means an embedded file is malformed (a build defect).
	ErrInvalidDefinition = errors.New("streams: invalid definition file")
)

// Error is the error of an operation on one stream or consumer. It wraps the
// cause, so errors.Is and errors.As see through it.
type Error struct {
	// Op is the operation: "load", "create", "update", "info".
	Op string
	// Stream is the stream concerned.
	Stream string
	// Consumer is the consumer concerned, empty for stream operations.
	Consumer string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Consumer != "" {
		return fmt.Sprintf("streams: %s consumer %s on %s: %v", e.Op, e.Consumer, e.Stream, e.Err)
	}
	return fmt.Sprintf("streams: %s stream %s: %v", e.Op, e.Stream, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

//go:embed *.json consumers/*.json templates/*.json
var files embed.FS

const (
	consumerDir = "consumers"
	templateDir = "templates"
)

// Names returns the names of all defined streams (including the KV_ streams
// of the buckets), sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	sort.Strings(names)
	return names
}

// Consumers returns the names of the durable consumers defined on stream,
// sorted. It returns none for an unknown stream.
func Consumers(stream string) []string {
	entries, err := fs.ReadDir(files, consumerDir)
	if err != nil {
		return nil
	}
	var names []string
	prefix := stream + "-"
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".json") {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(n, prefix), ".json"))
		}
	}
	sort.Strings(names)
	return names
}

// OnDemand reports whether the durable consumer name on stream is created
// by its worker when that worker runs (EnsureConsumer), not by Ensure: the
// webhook forwarder's consumer, whose worker reads only when a webhook is
// configured. No durable consumer exists without a reader; since the file
// says deliver_policy "all", a forwarder configured later still forwards
// every event MAKO_ERP retains.
func OnDemand(stream, name string) bool { return stream == ERP && name == erp.WebhookConsumer }

// File returns the raw JSON of the stream's definition file.
func File(stream string) ([]byte, error) {
	b, err := files.ReadFile(stream + ".json")
	if err != nil {
		return nil, &Error{Op: "load", Stream: stream, Err: fmt.Errorf("%w: %s", ErrUnknownStream, stream)}
	}
	return b, nil
}

// ConsumerFile returns the raw JSON of the consumer's definition file.
func ConsumerFile(stream, name string) ([]byte, error) {
	b, err := files.ReadFile(path.Join(consumerDir, stream+"-"+name+".json"))
	if err != nil {
		return nil, &Error{Op: "load", Stream: stream, Consumer: name, Err: fmt.Errorf("%w: %s", ErrUnknownConsumer, name)}
	}
	return b, nil
}

// decodeStrict decodes b into v, rejecting fields v does not have, and
// returns the set of top-level keys b sets.
func decodeStrict(b []byte, v any) (map[string]bool, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDefinition, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDefinition, err)
	}
	keys := make(map[string]bool, len(raw))
	for k := range raw {
		keys[k] = true
	}
	return keys, nil
}

// streamDef is a decoded stream file with the keys it sets.
type streamDef struct {
	cfg  jetstream.StreamConfig
	keys map[string]bool
}

func loadStream(name string, s *settings) (streamDef, error) {
	b, err := File(name)
	if err != nil {
		return streamDef{}, err
	}
	var d streamDef
	d.keys, err = decodeStrict(b, &d.cfg)
	if err != nil {
		return streamDef{}, &Error{Op: "load", Stream: name, Err: err}
	}
	if d.cfg.Name != name {
		return streamDef{}, &Error{Op: "load", Stream: name, Err: fmt.Errorf("%w: file names stream %q", ErrInvalidDefinition, d.cfg.Name)}
	}
	if err := s.applyStream(&d); err != nil {
		return streamDef{}, &Error{Op: "load", Stream: name, Err: err}
	}
	return d, nil
}

// consumerDef is a decoded consumer file with the keys it sets.
type consumerDef struct {
	cfg  jetstream.ConsumerConfig
	keys map[string]bool
}

func loadConsumer(stream, name string) (consumerDef, error) {
	if _, err := File(stream); err != nil {
		return consumerDef{}, err
	}
	b, err := ConsumerFile(stream, name)
	if err != nil {
		return consumerDef{}, err
	}
	var d consumerDef
	d.keys, err = decodeStrict(b, &d.cfg)
	if err != nil {
		return consumerDef{}, &Error{Op: "load", Stream: stream, Consumer: name, Err: err}
	}
	if d.cfg.Durable != name {
		return consumerDef{}, &Error{Op: "load", Stream: stream, Consumer: name, Err: fmt.Errorf("%w: file names durable %q", ErrInvalidDefinition, d.cfg.Durable)}
	}
	return d, nil
}

// Config returns the stream's configuration as defined by its file, with
// the options applied. The error wraps ErrUnknownStream for an unknown name.
func Config(name string, opts ...Option) (jetstream.StreamConfig, error) {
	s, err := newSettings(opts)
	if err != nil {
		return jetstream.StreamConfig{}, err
	}
	d, err := loadStream(name, s)
	return d.cfg, err
}

// ConsumerConfig returns the durable consumer's configuration as defined by
// its file. The error wraps ErrUnknownStream or ErrUnknownConsumer.
func ConsumerConfig(stream, name string) (jetstream.ConsumerConfig, error) {
	d, err := loadConsumer(stream, name)
	return d.cfg, err
}

// KeyValueConfig returns the jetstream.KeyValueConfig that makes
// jetstream.CreateKeyValue produce the same stream as the bucket's file
// (with the options applied). The error wraps ErrUnknownStream for an
// unknown bucket and ErrNotKeyValue if the file is not a KV stream.
func KeyValueConfig(bucket string, opts ...Option) (jetstream.KeyValueConfig, error) {
	cfg, err := Config(KVStream(bucket), opts...)
	if err != nil {
		return jetstream.KeyValueConfig{}, err
	}
	if len(cfg.Subjects) != 1 || cfg.Subjects[0] != "$KV."+bucket+".>" {
		return jetstream.KeyValueConfig{}, &Error{Op: "load", Stream: cfg.Name, Err: ErrNotKeyValue}
	}
	kv := jetstream.KeyValueConfig{
		Bucket:         bucket,
		Description:    cfg.Description,
		History:        uint8(cfg.MaxMsgsPerSubject),
		TTL:            cfg.MaxAge,
		Storage:        cfg.Storage,
		Replicas:       cfg.Replicas,
		Placement:      cfg.Placement,
		RePublish:      cfg.RePublish,
		Compression:    cfg.Compression == jetstream.S2Compression,
		Metadata:       cfg.Metadata,
		LimitMarkerTTL: cfg.SubjectDeleteMarkerTTL,
	}
	if cfg.MaxBytes > 0 {
		kv.MaxBytes = cfg.MaxBytes
	}
	if cfg.MaxMsgSize > 0 {
		kv.MaxValueSize = cfg.MaxMsgSize
	}
	return kv, nil
}

// Option adjusts the definitions at run time without editing the files.
type Option func(*settings) error

type settings struct {
	replicas int // 0: not overridden
	maxAge   map[string]time.Duration
	onChange func(Change)
}

func newSettings(opts []Option) (*settings, error) {
	s := &settings{maxAge: map[string]time.Duration{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			return nil, err
		}
	}
	for st := range s.maxAge {
		if _, err := files.ReadFile(st + ".json"); err != nil {
			return nil, fmt.Errorf("%w: max age for %w %s", ErrInvalidOption, ErrUnknownStream, st)
		}
	}
	return s, nil
}

// WithReplicas sets the replica count of every stream (and so of the
// consumers, which inherit it); use 3 in a 3-node cluster. n must be 1..5.
// Zero keeps the files' value.
func WithReplicas(n int) Option {
	return func(s *settings) error {
		if n < 0 || n > 5 {
			return fmt.Errorf("%w: replicas %d not in 1..5", ErrInvalidOption, n)
		}
		s.replicas = n
		return nil
	}
}

// WithMaxAge overrides the MaxAge (retention) of one stream, for example
// WithMaxAge(streams.Ingest, 30*24*time.Hour) for the ingest audit period.
// Zero means unlimited. A positive value must not be below the stream's
// duplicate window; the error then wraps ErrInvalidOption.
func WithMaxAge(stream string, d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("%w: negative max age %v for %s", ErrInvalidOption, d, stream)
		}
		s.maxAge[stream] = d
		return nil
	}
}

// OnChange registers fn to be told what Ensure did for each stream and
// consumer (created, updated or unchanged), for logging.
func OnChange(fn func(Change)) Option {
	return func(s *settings) error {
		s.onChange = fn
		return nil
	}
}

func (s *settings) applyStream(d *streamDef) error {
	if s.replicas > 0 {
		d.cfg.Replicas = s.replicas
		d.keys["num_replicas"] = true
	}
	if age, ok := s.maxAge[d.cfg.Name]; ok {
		if age > 0 && d.cfg.Duplicates > age {
			return fmt.Errorf("%w: max age %v below the duplicate window %v", ErrInvalidOption, age, d.cfg.Duplicates)
		}
		d.cfg.MaxAge = age
		d.keys["max_age"] = true
	}
	return nil
}

func (s *settings) report(c Change) {
	if s.onChange != nil {
		s.onChange(c)
	}
}
