package natsstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
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
// concern a store are ignored by it; an invalid option returns an error
// (wrapping engine.ErrInvalidArgument), which the constructor returns.
type Option func(*config) error

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

func newConfig(opts []Option) (config, error) {
	c := config{
		eventStream: DefaultEventStream, subjectPrefix: DefaultSubjectPrefix,
		cacheSize: DefaultCacheSize, timeout: DefaultTimeout, readBatch: DefaultReadBatch,
		consumerThreshold: DefaultConsumerThreshold, publishAttempts: DefaultPublishAttempts,
		snapshotBucket: "mako_snapshots", registryBucket: "mako_registry", inboxBucket: "mako_inbox",
		inboxRetention: DefaultInboxRetention,
	}
	for _, o := range opts {
		if o != nil {
			if err := o(&c); err != nil {
				return config{}, err
			}
		}
	}
	return c, nil
}

// invalid is the error of an invalid option.
func invalid(format string, args ...any) error {
	return fmt.Errorf("natsstore: %s: %w", fmt.Sprintf(format, args...), engine.ErrInvalidArgument)
}

// validName reports whether name is usable as a stream or bucket name: no
// whitespace, '.', '*', '>', path separators or control characters.
func validName(name string) bool {
	return !strings.ContainsFunc(name, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(".*>/\\", r)
	})
}

// validPrefix reports whether prefix is a literal subject prefix: dot-
// separated non-empty tokens without wildcards or whitespace.
func validPrefix(prefix string) bool {
	for _, tok := range strings.Split(prefix, ".") {
		if tok == "" || tok == "*" || tok == ">" || !validName(tok) {
			return false
		}
	}
	return true
}

// WithEventStream sets the JetStream stream and subject prefix of the event
// store (default MAKO_EVENTS and mako.evt); an empty argument keeps its
// default. The stream must capture "<prefix>.>". A stream name with '.',
// '*', '>' or whitespace, or a prefix with an empty or wildcard token, is
// an error.
func WithEventStream(stream, subjectPrefix string) Option {
	return func(c *config) error {
		if stream != "" {
			if !validName(stream) {
				return invalid("event stream name %q", stream)
			}
			c.eventStream = stream
		}
		if subjectPrefix != "" {
			if !validPrefix(subjectPrefix) {
				return invalid("subject prefix %q", subjectPrefix)
			}
			c.subjectPrefix = subjectPrefix
		}
		return nil
	}
}

// WithCacheSize bounds the OCC anchor cache of the event store (process →
// version and stream sequence of its last commit). n ≤ 0 disables the cache:
// every Exact append then reads the subject's last message first.
func WithCacheSize(n int) Option { return func(c *config) error { c.cacheSize = n; return nil } }

// WithTimeout bounds each read request when the caller's context has no
// deadline (default 5 s; d must be positive). Publishes are bounded by the
// JetStream context's default timeout (jetstream.WithDefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("timeout %v: must be positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithReadBatch sets the Direct Get batch size of history reads (default
// 256; n must be positive).
func WithReadBatch(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalid("read batch %d: must be positive", n)
		}
		c.readBatch = n
		return nil
	}
}

// WithConsumerThreshold sets how many messages must still be pending after
// the first read batch for a read to switch to an ordered consumer; n ≤ 0
// never switches.
func WithConsumerThreshold(n int) Option {
	return func(c *config) error { c.consumerThreshold = n; return nil }
}

// WithPublishAttempts sets how often Append sends a commit whose ack timed
// out (default 3, minimum 1). Every attempt carries the same Nats-Msg-Id and
// expected sequence, so a commit is written at most once.
func WithPublishAttempts(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalid("publish attempts %d: minimum 1", n)
		}
		c.publishAttempts = n
		return nil
	}
}

// WithBuckets sets the KV bucket names of the snapshot store, registry and
// inbox (defaults mako_snapshots, mako_registry, mako_inbox); empty names
// keep the default. A name with '.', '*', '>', a slash or whitespace is an
// error.
func WithBuckets(snapshots, registry, inbox string) Option {
	return func(c *config) error {
		for _, b := range []struct {
			name string
			dst  *string
		}{{snapshots, &c.snapshotBucket}, {registry, &c.registryBucket}, {inbox, &c.inboxBucket}} {
			if b.name == "" {
				continue
			}
			if !validName(b.name) {
				return invalid("bucket name %q", b.name)
			}
			*b.dst = b.name
		}
		return nil
	}
}

// WithInboxRetention sets how long the inbox remembers an accepted key
// (default 96 h). It must be at least 1 s (the server's minimum TTL).
func WithInboxRetention(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Second {
			return invalid("inbox retention %v: minimum 1s", d)
		}
		c.inboxRetention = d
		return nil
	}
}

// WithEnsure makes Open create or update the streams and buckets from the
// definitions of package streams (with the given replica count, 0 = as
// defined; negative is an error) before binding. Without it Open only
// binds and fails on a missing stream.
func WithEnsure(replicas int) Option {
	return func(c *config) error {
		if replicas < 0 {
			return invalid("replicas %d: must not be negative", replicas)
		}
		c.ensure = true
		c.replicas = replicas
		return nil
	}
}
