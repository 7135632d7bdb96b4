package natsstore

import (
	"time"

	"github.com/mako-engine/mako/streams"
)

// Defaults of the options.
const (
	// DefaultEventStream is the JetStream stream of the event store.
	DefaultEventStream = streams.Events
	// DefaultSubjectPrefix is the subject prefix of process streams.
	DefaultSubjectPrefix = streams.SubjectEvents
	// DefaultCacheSize bounds the OCC anchor cache (entries, ≈ 100 B each).
	DefaultCacheSize = 100_000
	// DefaultTimeout bounds one request when the context has no deadline.
	DefaultTimeout = 5 * time.Second
	// DefaultReadBatch is the Direct Get batch size for history reads.
	DefaultReadBatch = 256
	// DefaultConsumerThreshold is the number of pending messages after the
	// first Direct Get batch above which a read switches to an ordered
	// consumer (faster from ≈ 1,000 messages on, see docs/event-store.md).
	DefaultConsumerThreshold = 1000
	// DefaultPublishAttempts is how often Append sends a commit whose ack
	// was lost (timeout) before giving up.
	DefaultPublishAttempts = 3
	// DefaultInboxRetention is the inbox key TTL: the 72 h AS4 retry window
	// plus 24 h (seed.md, inbox; inbound.InboxRetention of pkg/wire/inbound).
	DefaultInboxRetention = 96 * time.Hour
)

// Option configures the stores of this package. Options that do not
// concern a store are ignored by it.
type Option func(*config)

type config struct {
	eventStream       string
	subjectPrefix     string
	cacheSize         int
	timeout           time.Duration
	readBatch         int
	consumerThreshold int
	publishAttempts   int
	snapshotBucket    string
	registryBucket    string
	inboxBucket       string
	inboxRetention    time.Duration
	ensure            bool
	replicas          int
}

func newConfig(opts []Option) config {
	c := config{
		eventStream: DefaultEventStream, subjectPrefix: DefaultSubjectPrefix,
		cacheSize: DefaultCacheSize, timeout: DefaultTimeout, readBatch: DefaultReadBatch,
		consumerThreshold: DefaultConsumerThreshold, publishAttempts: DefaultPublishAttempts,
		snapshotBucket: "mako_snapshots", registryBucket: "mako_registry", inboxBucket: "mako_inbox",
		inboxRetention: DefaultInboxRetention,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithEventStream sets the JetStream stream and subject prefix of the event
// store (default MAKO_EVENTS and mako.evt). The stream must capture
// "<prefix>.>".
func WithEventStream(stream, subjectPrefix string) Option {
	return func(c *config) {
		if stream != "" {
			c.eventStream = stream
		}
		if subjectPrefix != "" {
			c.subjectPrefix = subjectPrefix
		}
	}
}

// WithCacheSize bounds the OCC anchor cache of the event store (process →
// version and stream sequence of its last commit). n ≤ 0 disables the cache:
// every Exact append then reads the subject's last message first.
func WithCacheSize(n int) Option { return func(c *config) { c.cacheSize = n } }

// WithTimeout bounds each read request when the caller's context has no
// deadline (default 5 s). Publishes are bounded by the JetStream context's
// default timeout (jetstream.WithDefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithReadBatch sets the Direct Get batch size of history reads (default
// 256).
func WithReadBatch(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readBatch = n
		}
	}
}

// WithConsumerThreshold sets how many messages must still be pending after
// the first read batch for a read to switch to an ordered consumer; n ≤ 0
// never switches.
func WithConsumerThreshold(n int) Option { return func(c *config) { c.consumerThreshold = n } }

// WithPublishAttempts sets how often Append sends a commit whose ack timed
// out (default 3, minimum 1). Every attempt carries the same Nats-Msg-Id and
// expected sequence, so a commit is written at most once.
func WithPublishAttempts(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.publishAttempts = n
		}
	}
}

// WithBuckets sets the KV bucket names of the snapshot store, registry and
// inbox (defaults mako_snapshots, mako_registry, mako_inbox); empty names
// keep the default.
func WithBuckets(snapshots, registry, inbox string) Option {
	return func(c *config) {
		if snapshots != "" {
			c.snapshotBucket = snapshots
		}
		if registry != "" {
			c.registryBucket = registry
		}
		if inbox != "" {
			c.inboxBucket = inbox
		}
	}
}

// WithInboxRetention sets how long the inbox remembers an accepted key
// (default 96 h). It must be at least 1 s (the server's minimum TTL).
func WithInboxRetention(d time.Duration) Option {
	return func(c *config) {
		if d >= time.Second {
			c.inboxRetention = d
		}
	}
}

// WithEnsure makes Open create or update the streams and buckets from the
// definitions of package streams (with the given replica count, 0 = as
// defined) before binding. Without it Open only binds and fails on a
// missing stream.
func WithEnsure(replicas int) Option {
	return func(c *config) {
		c.ensure = true
		c.replicas = replicas
	}
}
