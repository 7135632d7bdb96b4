// Package worker runs a handler over a durable JetStream pull consumer.
//
// It is the one consume loop every mako worker (ingest, processor, relay,
// deliverer, scheduler, projector) shares. The contract:
//
//   - A message is acknowledged only after its handler returned nil
//     (at-least-once; handlers must be idempotent).
//   - A handler error naks the message with a bounded exponential delay, so
//     the server redelivers it. An error wrapped with [Retry] naks with the
//     delay it names. An error wrapped with [Transient] (the broker or a
//     store is unavailable) is retried with backoff until the transient
//     window since the message was stored has passed (default 24 h), however
//     many deliveries that takes: an outage never turns accepted work into
//     dead letters. Other errors count towards MaxDeliver. (The server's
//     delivery count includes naks for Retry and busy lanes, so a message that
//     waited may reach MaxDeliver sooner.)
//   - When a failing message has been delivered MaxDeliver times (or the
//     handler returned a [Permanent] error), the Exhausted callback is called
//     (for example to write a dead letter) and, only if that succeeded, the
//     message is terminated. A message is never dropped silently.
//   - With a key function, messages with the same key are handled one at a
//     time and in delivery order within this worker instance; different keys
//     run concurrently on up to Concurrency lanes.
//   - Run returns when ctx is cancelled, after the handlers in flight have
//     finished and their messages were acknowledged or naked; messages
//     received but not started yet are naked at once (handed back), and a
//     handler that finished is acknowledged even after the grace period.
//     Nothing waits for the consumer's AckWait after a graceful stop.
package worker

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Handler handles one message. It must be idempotent: a message can be
// delivered more than once.
type Handler func(ctx context.Context, msg jetstream.Msg) error

// ExhaustedFunc is called for a message that will not be retried any more,
// with the last handler error. If it returns an error, the message is naked
// and the call is repeated on the next delivery.
type ExhaustedFunc func(ctx context.Context, msg jetstream.Msg, cause error) error

// KeyFunc returns the ordering key of a message (for example the process
// subject). Messages with equal keys are handled sequentially.
type KeyFunc func(msg jetstream.Msg) string

type retryError struct {
	delay time.Duration
	err   error
}

func (e *retryError) Error() string { return fmt.Sprintf("retry after %s: %v", e.delay, e.err) }
func (e *retryError) Unwrap() error { return e.err }

// Retry wraps err so that the message is redelivered after delay without
// counting as a handler failure (for example: an earlier command of the same
// process is still in flight elsewhere).
func Retry(delay time.Duration, err error) error { return &retryError{delay: delay, err: err} }

type transientError struct{ err error }

func (e *transientError) Error() string { return "transient: " + e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// Transient wraps err so that the message is retried with backoff until the
// transient window has passed (WithTransientWindow), regardless of
// MaxDeliver: the failure is in infrastructure (the broker, a store), not
// in the message.
func Transient(err error) error { return &transientError{err: err} }

// IsTransient reports whether err was wrapped with Transient.
func IsTransient(err error) bool {
	var t *transientError
	return errors.As(err, &t)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the message goes to the Exhausted callback at
// once instead of being retried.
func Permanent(err error) error { return &permanentError{err: err} }

// IsPermanent reports whether err was wrapped with Permanent or wraps an
// error whose PermanentFailure method returns true (see Classify).
func IsPermanent(err error) bool {
	var p *permanentError
	if errors.As(err, &p) {
		return true
	}
	var pf permanentFailure
	return errors.As(err, &pf) && pf.PermanentFailure()
}

type config struct {
	concurrency int
	key         KeyFunc
	maxDeliver  int
	exhausted   ExhaustedFunc
	backoffBase time.Duration
	backoffCap  time.Duration
	pullMax     int
	log         zerolog.Logger
	doubleAck   bool
	busyDelay   time.Duration
	transient   time.Duration
	grace       time.Duration
	middleware  []Middleware
}

// Option configures Run. An option with a value it cannot take returns an
// error wrapping ErrInvalidOption, and Run fails with it before consuming.
type Option func(*config) error

// ErrInvalidOption reports an option value Run cannot take.
var ErrInvalidOption = errors.New("worker: invalid option")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

// WithConcurrency sets the number of lanes handling messages in parallel
// (default 4; n > 0).
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalid("concurrency %d, want > 0", n)
		}
		c.concurrency = n
		return nil
	}
}

// WithKey orders messages by key: equal keys are handled sequentially, in
// delivery order.
func WithKey(f KeyFunc) Option { return func(c *config) error { c.key = f; return nil } }

// WithMaxDeliver sets after how many deliveries a failing message is handed
// to the Exhausted callback (default 5; n > 0). It should not exceed the
// consumer's MaxDeliver, or the server gives up first.
func WithMaxDeliver(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalid("max deliver %d, want > 0", n)
		}
		c.maxDeliver = n
		return nil
	}
}

// WithExhausted sets the callback for messages that will not be retried.
// Without it, such messages are logged and terminated. See DeadLetter for
// the callback every mako worker uses.
func WithExhausted(f ExhaustedFunc) Option {
	return func(c *config) error { c.exhausted = f; return nil }
}

// WithBackoff sets the nak delay after a failure: base·2^(deliveries-1),
// capped (defaults 200 ms and 30 s; 0 < base <= limit).
func WithBackoff(base, limit time.Duration) Option {
	return func(c *config) error {
		if base <= 0 || limit < base {
			return invalid("backoff %s..%s, want 0 < base <= limit", base, limit)
		}
		c.backoffBase, c.backoffCap = base, limit
		return nil
	}
}

// WithLogger sets the logger.
func WithLogger(l zerolog.Logger) Option { return func(c *config) error { c.log = l; return nil } }

// WithDoubleAck makes every acknowledgement synchronous: when the handler's
// ack returns, the server has recorded it (needed where a later step relies
// on the message being gone, as in a work queue).
func WithDoubleAck() Option { return func(c *config) error { c.doubleAck = true; return nil } }

// WithTransientWindow sets how long Transient failures are retried, counted
// from the message's stream timestamp (default 24 h; d > 0).
func WithTransientWindow(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("transient window %s, want > 0", d)
		}
		c.transient = d
		return nil
	}
}

// WithShutdownGrace sets how long handlers in flight may run on after Run's
// context is cancelled before their own context is cancelled too (default
// 15 s; d > 0): in-flight work is finished, a hanging handler does not block
// the shutdown forever.
func WithShutdownGrace(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("shutdown grace %s, want > 0", d)
		}
		c.grace = d
		return nil
	}
}

// WithNakWhenBusy hands a message back to the server (nak with delay d)
// when its lane is full, instead of waiting for the lane. Use it where no
// per-key order is needed and one slow key must not stall the others (the
// deliverer); never with WithKey where order matters.
func WithNakWhenBusy(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("nak-when-busy delay %s, want > 0", d)
		}
		c.busyDelay = d
		return nil
	}
}

// WithPullMax sets how many messages the client buffers (default 2 × lanes × 16; n > 0).
func WithPullMax(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalid("pull max %d, want > 0", n)
		}
		c.pullMax = n
		return nil
	}
}

// Middleware wraps a Handler with behaviour of its own (logging, metrics,
// tracing …) and returns the wrapped handler.
type Middleware func(Handler) Handler

// WithMiddleware wraps the handler with mw; the first one is the outermost.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		for _, m := range mw {
			if m == nil {
				return invalid("nil middleware")
			}
		}
		c.middleware = append(c.middleware, mw...)
		return nil
	}
}

// Run consumes cons until ctx is cancelled. It returns nil on cancellation
// and an error if the consumer cannot be read.
func Run(ctx context.Context, cons jetstream.Consumer, h Handler, opts ...Option) error {
	c := config{
		concurrency: 4,
		maxDeliver:  5,
		backoffBase: 200 * time.Millisecond,
		backoffCap:  30 * time.Second,
		log:         zerolog.Nop(),
		transient:   24 * time.Hour,
		grace:       15 * time.Second,
	}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return err
		}
	}
	for i := len(c.middleware) - 1; i >= 0; i-- {
		h = c.middleware[i](h)
	}
	if c.pullMax == 0 {
		c.pullMax = c.concurrency * 32
	}
	// Short pull expiry and heartbeat: after a leader change a lost pull
	// request is noticed in seconds, not after nats.go's default 30 s.
	it, err := cons.Messages(jetstream.PullMaxMessages(c.pullMax), jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second))
	if err != nil {
		return fmt.Errorf("worker: open consumer: %w", err)
	}
	lanes := make([]chan jetstream.Msg, c.concurrency)
	var wg sync.WaitGroup
	// Handlers get a context that outlives ctx so in-flight work can finish
	// and acknowledge during shutdown, for at most the grace period.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(c.grace, hcancel) })
	defer stopGrace()
	for i := range lanes {
		lanes[i] = make(chan jetstream.Msg, 16)
		wg.Go(func() {
			for m := range lanes[i] {
				if ctx.Err() != nil {
					// Stopping: a message not started yet is handed back
					// (redelivered elsewhere or after a restart), not worked
					// on under the grace period nor left to AckWait. The
					// short delay keeps the server from offering it again to
					// this draining instance, and the server redelivers
					// expired delays in stream order, so per-key order holds.
					_ = m.NakWithDelay(handBackDelay)
					continue
				}
				c.handle(hctx, m, h)
			}
		})
	}
	stop := context.AfterFunc(ctx, it.Drain)
	defer stop()
	var rr int
	var runErr error
	for {
		m, err := it.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) || ctx.Err() != nil {
				break
			}
			if errors.Is(err, jetstream.ErrNoHeartbeat) {
				c.log.Warn().Err(err).Msg("worker: missed heartbeat, continuing")
				continue
			}
			runErr = fmt.Errorf("worker: next: %w", err)
			break
		}
		// Drained after cancellation, a message still goes to its lane,
		// which hands it back after the ones before it.
		idx := 0
		if c.key != nil {
			hsh := fnv.New32a()
			hsh.Write([]byte(c.key(m)))
			idx = int(hsh.Sum32() % uint32(len(lanes)))
		} else {
			idx = rr % len(lanes)
			rr++
		}
		if c.busyDelay > 0 {
			select {
			case lanes[idx] <- m:
			default:
				_ = m.NakWithDelay(c.busyDelay)
			}
			continue
		}
		lanes[idx] <- m
	}
	it.Stop()
	for _, l := range lanes {
		close(l)
	}
	wg.Wait()
	return runErr
}

func (c *config) handle(ctx context.Context, m jetstream.Msg, h Handler) {
	err := safeCall(ctx, m, h)
	if err == nil {
		if c.doubleAck {
			// Work that finished is acknowledged even when the grace
			// period has just cancelled ctx: otherwise the server keeps it
			// pending for the whole AckWait and then delivers it again.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
			aerr := m.DoubleAck(actx)
			cancel()
			if aerr != nil {
				c.log.Warn().Err(aerr).Str("subject", m.Subject()).Msg("worker: ack failed; message will be redelivered")
			}
			return
		}
		if aerr := m.Ack(); aerr != nil {
			c.log.Warn().Err(aerr).Str("subject", m.Subject()).Msg("worker: ack failed; message will be redelivered")
		}
		return
	}
	var r *retryError
	if errors.As(err, &r) {
		_ = m.NakWithDelay(r.delay)
		return
	}
	delivered := uint64(1)
	var stored time.Time
	if md, merr := m.Metadata(); merr == nil {
		delivered, stored = md.NumDelivered, md.Timestamp
	}
	switch {
	case IsPermanent(err):
		c.exhaust(ctx, m, err, delivered)
		return
	case IsTransient(err):
		if !stored.IsZero() && time.Since(stored) > c.transient {
			c.exhaust(ctx, m, fmt.Errorf("still failing after the transient window of %s: %w", c.transient, err), delivered)
			return
		}
	case delivered >= uint64(c.maxDeliver):
		c.exhaust(ctx, m, err, delivered)
		return
	}
	delay := c.backoffBase << min(delivered-1, 20)
	if delay > c.backoffCap || delay <= 0 {
		delay = c.backoffCap
	}
	c.log.Warn().Err(err).Str("subject", m.Subject()).Uint64("delivered", delivered).Dur("retry_in", delay).Msg("worker: handler failed")
	_ = m.NakWithDelay(delay)
}

// ackTimeout bounds a synchronous acknowledgement (WithDoubleAck), and
// handBackDelay is the nak delay of messages handed back on stop.
const (
	ackTimeout    = 5 * time.Second
	handBackDelay = time.Second
)

func (c *config) exhaust(ctx context.Context, m jetstream.Msg, cause error, delivered uint64) {
	c.log.Error().Err(cause).Str("subject", m.Subject()).Uint64("delivered", delivered).Msg("worker: giving up on message")
	if c.exhausted != nil {
		if err := c.exhausted(ctx, m, cause); err != nil {
			c.log.Error().Err(err).Str("subject", m.Subject()).Msg("worker: dead-lettering failed; message kept for redelivery")
			_ = m.NakWithDelay(c.backoffCap)
			return
		}
	}
	_ = m.TermWithReason(truncate(cause.Error(), 200))
}

func safeCall(ctx context.Context, m jetstream.Msg, h Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("handler panic: %v", p))
		}
	}()
	return h(ctx, m)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
