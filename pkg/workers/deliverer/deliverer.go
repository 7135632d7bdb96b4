// Package deliverer hands outbound interchanges from stream MAKO_OUTBOX to
// the market partners.
//
// It consumes `mako.outbox.<tenant>.<recipient>` with the durable consumer
// `deliverer` (pkg/worker), looks up the recipient's channel in the
// tenant's partner data (pkg/partner, KV mako_partners) and sends through the
// channel's Transport: http (POST to a gateway), file (a gateway's
// directory) or nats (another subject, e.g. another tenant's ingest).
//
// Retries: a failed send (and a missing partner or channel, which an
// operator may still add) is retried with full-jitter exponential backoff —
// delay uniform in [0, min(cap, base·2^attempt)), defaults 5 s and 5 min —
// by naking the message with that delay, so the server redelivers it and no
// handler ever sleeps. Retries stop at the end of the retry window (default
// 72 h from the outbox message's stream timestamp; as4.md §6.3 calls the
// 72 h a project choice): the message is dead-lettered with reason
// outbox_exhausted and its process is told (delivery.Failed). A transport
// that refuses the interchange itself (SendError.Permanent) is dead-lettered
// at once. A success is reported to the process (delivery.Confirmed) when
// the process's workflow registers that command.
//
// No head-of-line blocking: the worker's lanes are keyed by the outbox
// subject (tenant and recipient), every send is bounded by the channel's
// timeout, and after a failure the partner cools down: its other messages
// are naked without a send until one probe may try again, so a dead partner
// costs its lane one timeout per cool-down, not one per queued message.
// While a partner fails or a send to it hangs (longer than 1 s), its
// messages are spread over all lanes and skipped there at once, so they
// cannot fill one lane's buffer and stall the dispatcher of all lanes; and
// only one probe at a time goes to a failing partner (see breaker).
package deliverer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Consumer is the deliverer's durable consumer on MAKO_OUTBOX (outbox.Stream).
const Consumer = "deliverer"

// Defaults of the retry policy and the send timeout.
const (
	DefaultBackoffBase = 5 * time.Second
	DefaultBackoffCap  = 5 * time.Minute
	DefaultWindow      = 72 * time.Hour
	DefaultTimeout     = 30 * time.Second
	// MaxTimeout bounds every send below the consumer's ack wait (60 s,
	// streams/consumers/MAKO_OUTBOX-deliverer.json), so the server never
	// redelivers a message whose send is still running.
	MaxTimeout = 50 * time.Second
	// DefaultLanes is the number of lanes: sends wait on the network, so
	// more lanes than CPU-bound workers.
	DefaultLanes = 32
)

// DeadLetters writes dead letters (*deadletter.Sink).
type DeadLetters = worker.LetterWriter

// Deliverer is the outbox delivery worker. Build it with New.
type Deliverer struct {
	partners   partner.Store
	dlq        DeadLetters
	reporter   Reporter
	transports map[partner.Transport]Transport
	base, cap  time.Duration
	window     time.Duration
	timeout    time.Duration
	lanes      int
	now        func() time.Time
	rnd        func(int64) int64
	log        zerolog.Logger
	cool       *breaker
	sent       *sentCache
	observe    func(Event)
	skip       map[string]bool
}

// Event is what an observer (metrics, tests) sees of every handled message.
type Event struct {
	Message   outbox.Message
	Attempt   int
	CreatedAt time.Time // the outbox message's stream timestamp
	Transport partner.Transport
	// Outcome is "delivered", "retry", "skipped" (partner cooling down or busy),
	// "dead" (dead-lettered) or "reported" (the process was told).
	Outcome string
	Receipt Receipt
	Err     error
	Delay   time.Duration
}

// Option configures a Deliverer. An option with a value it cannot take
// returns an error wrapping ErrInvalidOption, and New fails with it.
type Option func(*Deliverer) error

// ErrInvalidOption reports an option value the deliverer cannot take.
var ErrInvalidOption = errors.New("deliverer: invalid option")

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

// WithBackoff sets base and cap of the full-jitter backoff (defaults 5 s,
// 5 min; 0 < base <= limit).
func WithBackoff(base, limit time.Duration) Option {
	return func(d *Deliverer) error {
		if base <= 0 || limit < base {
			return invalidOption("backoff %s..%s, want 0 < base <= limit", base, limit)
		}
		d.base, d.cap = base, limit
		return nil
	}
}

// WithWindow sets the retry window, counted from the outbox message's stream
// timestamp (default 72 h; w > 0).
func WithWindow(w time.Duration) Option {
	return func(d *Deliverer) error {
		if w <= 0 {
			return invalidOption("window %s, want > 0", w)
		}
		d.window = w
		return nil
	}
}

// WithTimeout sets the send timeout for channels without one (default 30 s;
// every timeout is capped at MaxTimeout; t > 0).
func WithTimeout(t time.Duration) Option {
	return func(d *Deliverer) error {
		if t <= 0 {
			return invalidOption("timeout %s, want > 0", t)
		}
		d.timeout = t
		return nil
	}
}

// WithLanes sets the number of worker lanes (default 32; n > 0).
func WithLanes(n int) Option {
	return func(d *Deliverer) error {
		if n <= 0 {
			return invalidOption("lanes %d, want > 0", n)
		}
		d.lanes = n
		return nil
	}
}

// WithTransport adds or replaces the transport for t.Kind().
func WithTransport(t Transport) Option {
	return func(d *Deliverer) error {
		if t == nil {
			return invalidOption("nil transport")
		}
		d.transports[t.Kind()] = t
		return nil
	}
}

// WithSkipTenants names tenants whose outbox this deliverer leaves alone:
// their gateway reads `mako.outbox.<tenant>.>` itself with its own consumer
// (streams.GatewayConsumerName). Their messages are acknowledged on the
// deliverer's consumer without a send; they stay in MAKO_OUTBOX.
func WithSkipTenants(tenants ...string) Option {
	return func(d *Deliverer) error {
		for _, t := range tenants {
			d.skip[t] = true
		}
		return nil
	}
}

// WithReporter sets who tells processes about outcomes (default: nobody).
func WithReporter(r Reporter) Option { return func(d *Deliverer) error { d.reporter = r; return nil } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(d *Deliverer) error {
		if now == nil {
			return invalidOption("nil clock")
		}
		d.now = now
		return nil
	}
}

// WithRand sets the jitter source: rnd(n) in [0, n) (default math/rand/v2.Int64N).
func WithRand(rnd func(int64) int64) Option {
	return func(d *Deliverer) error {
		if rnd == nil {
			return invalidOption("nil jitter source")
		}
		d.rnd = rnd
		return nil
	}
}

// WithLogger sets the logger.
func WithLogger(l zerolog.Logger) Option { return func(d *Deliverer) error { d.log = l; return nil } }

// WithObserver calls f for every outcome (metrics, tests). f must be fast.
func WithObserver(f func(Event)) Option {
	return func(d *Deliverer) error { d.observe = f; return nil }
}

// New returns a deliverer reading partner data from partners and
// dead-lettering into dlq. js (may be nil) backs the nats transport; the
// http and file transports are always present. It fails on an invalid
// option (ErrInvalidOption).
func New(js jetstream.JetStream, partners partner.Store, dlq DeadLetters, opts ...Option) (*Deliverer, error) {
	d := &Deliverer{
		partners: partners, dlq: dlq,
		transports: map[partner.Transport]Transport{}, skip: map[string]bool{},
		base: DefaultBackoffBase, cap: DefaultBackoffCap, window: DefaultWindow, timeout: DefaultTimeout,
		lanes: DefaultLanes, now: time.Now, rnd: rand.Int64N, log: zerolog.Nop(),
	}
	d.transports[partner.TransportHTTP] = NewHTTPTransport()
	d.transports[partner.TransportFile] = NewFileTransport("")
	if js != nil {
		d.transports[partner.TransportNATS] = NewNATSTransport(js)
	}
	for _, o := range opts {
		if err := o(d); err != nil {
			return nil, err
		}
	}
	d.cool = newBreaker(d.base, d.cap)
	d.sent = newSentCache(4096)
	return d, nil
}

// Run consumes cons (the `deliverer` consumer of MAKO_OUTBOX) until ctx is
// cancelled: lanes keyed by outbox subject, no delivery limit (the retry
// window decides), dead letters through Exhausted. opts are passed to
// worker.Run after the deliverer's own.
func (d *Deliverer) Run(ctx context.Context, cons jetstream.Consumer, opts ...worker.Option) error {
	wopts := append([]worker.Option{
		worker.WithConcurrency(d.lanes),
		worker.WithKey(d.laneKey),
		// The retry window ends retries, not a delivery count: the
		// consumer's max_deliver is -1, and this bound is never reached.
		worker.WithMaxDeliver(1 << 30),
		// Only infrastructure failures (reporting to a process) use the
		// worker's own backoff; sends use Retry with the jittered delay.
		worker.WithBackoff(time.Second, 30*time.Second),
		worker.WithLogger(d.log),
		worker.WithExhausted(d.Exhausted),
	}, opts...)
	return worker.Run(ctx, cons, d.Handle, wopts...)
}

// laneKey keys the lanes by outbox subject (tenant and recipient), except
// for a partner that is failing or hanging: its messages are spread over
// all lanes, where they are skipped at once, so they never pile up in one
// lane behind a hanging send.
func (d *Deliverer) laneKey(m jetstream.Msg) string {
	tenant, recipient, err := outbox.ParseSubject(m.Subject())
	if err != nil || !d.cool.spread(partnerKey(tenant, recipient), d.now()) {
		return m.Subject()
	}
	if md, err := m.Metadata(); err == nil {
		return m.Subject() + "#" + strconv.FormatUint(md.Sequence.Stream, 10)
	}
	return m.Subject()
}

func partnerKey(tenant, recipient string) string { return tenant + "/" + recipient }

// Handle implements worker.Handler for MAKO_OUTBOX messages.
func (d *Deliverer) Handle(ctx context.Context, msg jetstream.Msg) error {
	md, err := msg.Metadata()
	if err != nil {
		return worker.Permanent(fmt.Errorf("deliverer: %s: metadata: %w", msg.Subject(), err))
	}
	m, err := outbox.FromNats(msg.Subject(), msg.Headers(), msg.Data())
	if err != nil {
		return worker.Permanent(fmt.Errorf("deliverer: seq %d: %w", md.Sequence.Stream, err))
	}
	if d.skip[m.Tenant] {
		d.log.Debug().Str("tenant", m.Tenant).Str("message_id", m.ID).Msg("tenant's gateway delivers itself; skipped")
		return nil
	}
	attempt := int(md.NumDelivered)
	created := md.Timestamp
	deadline := created.Add(d.window)
	ev := Event{Message: m, Attempt: attempt, CreatedAt: created}

	// Sent earlier by this instance; only the report is missing.
	if s, ok := d.sent.get(m.ID); ok {
		return d.confirm(ctx, m, attempt, s)
	}
	key := partnerKey(m.Tenant, m.Recipient)
	now := d.now().UTC()
	ch, tr, err := d.route(ctx, m)
	if err != nil {
		return d.retry(ev, "retry", now, deadline, 0, err)
	}
	token, wait, why := d.cool.admit(key, now)
	if wait > 0 {
		return d.retry(ev, "skipped", now, deadline, wait+d.jitterBase(), why)
	}
	ev.Transport = ch.Transport
	timeout := time.Duration(ch.Timeout)
	if timeout <= 0 {
		timeout = d.timeout
	}
	rec, err := d.send(ctx, tr, key, token, min(timeout, MaxTimeout), Delivery{Message: m, Channel: ch, Attempt: attempt, CreatedAt: created})
	now = d.now().UTC()
	if err != nil {
		if worker.IsPermanent(err) {
			d.cool.done(key, token, now, nil) // the partner answered; it is not unhealthy
			ev.Outcome, ev.Err = "dead", err
			d.emit(ev)
			return worker.Permanent(err)
		}
		d.cool.done(key, token, now, err)
		return d.retry(ev, "retry", now, deadline, 0, err)
	}
	d.cool.done(key, token, now, nil)
	s := sentEntry{transport: string(ch.Transport), receipt: rec, at: now}
	d.sent.put(m.ID, s)
	ev.Outcome, ev.Receipt = "delivered", rec
	d.emit(ev)
	d.log.Info().Str("tenant", m.Tenant).Str("recipient", m.Recipient).Str("message_id", m.ID).
		Str("transport", string(ch.Transport)).Str("status", rec.Status).Int("attempt", attempt).Msg("delivered")
	return d.confirm(ctx, m, attempt, s)
}

// send runs one bounded Send. A panicking transport still ends the
// partner's in-flight mark (the worker turns the panic into a dead letter).
func (d *Deliverer) send(ctx context.Context, tr Transport, key string, token uint64, timeout time.Duration, dl Delivery) (Receipt, error) {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			d.cool.done(key, token, d.now().UTC(), fmt.Errorf("transport panic: %v", p))
			panic(p)
		}
	}()
	return tr.Send(sctx, dl)
}

// route finds the partner's first channel with a transport.
func (d *Deliverer) route(ctx context.Context, m outbox.Message) (partner.Channel, Transport, error) {
	e, err := d.partners.Get(ctx, m.Tenant, m.Recipient)
	if err != nil {
		if errors.Is(err, partner.ErrNotFound) || errors.Is(err, partner.ErrInvalid) {
			return partner.Channel{}, nil, fmt.Errorf("%w: tenant %s, recipient %s", ErrNoPartner, m.Tenant, m.Recipient)
		}
		return partner.Channel{}, nil, fmt.Errorf("deliverer: partner %s/%s: %w", m.Tenant, m.Recipient, err)
	}
	var kinds []string
	for _, ch := range e.Partner.Channels {
		if tr, ok := d.transports[ch.Transport]; ok {
			return ch, tr, nil
		}
		kinds = append(kinds, string(ch.Transport))
	}
	return partner.Channel{}, nil, fmt.Errorf("%w: tenant %s, recipient %s has channels %v", ErrNoTransport, m.Tenant, m.Recipient, kinds)
}

// retry naks the message with the jittered delay (or minDelay if set), or
// gives up when the window has passed. The last retry is scheduled at the
// end of the window, so a message gets its final attempt then.
func (d *Deliverer) retry(ev Event, outcome string, now, deadline time.Time, minDelay time.Duration, cause error) error {
	if !now.Before(deadline) {
		err := fmt.Errorf("%w (%s, %d attempts): %w", ErrWindowElapsed, d.window, ev.Attempt, cause)
		ev.Outcome, ev.Err = "dead", err
		d.emit(ev)
		return worker.Permanent(err)
	}
	// A skip waits exactly minDelay (the partner's own cool-down grows);
	// a failure waits the message's jittered backoff.
	delay := minDelay
	if delay <= 0 {
		delay = Backoff(ev.Attempt-1, d.base, d.cap, d.rnd)
	}
	if left := deadline.Sub(now); delay > left {
		delay = left
	}
	ev.Outcome, ev.Err, ev.Delay = outcome, cause, delay
	d.emit(ev)
	if outcome != "skipped" {
		d.log.Warn().Err(cause).Str("tenant", ev.Message.Tenant).Str("recipient", ev.Message.Recipient).
			Str("message_id", ev.Message.ID).Int("attempt", ev.Attempt).Dur("retry_in", delay).Msg("delivery failed")
	}
	return worker.Retry(delay, cause)
}

func (d *Deliverer) jitterBase() time.Duration { return time.Duration(d.rnd(int64(d.base))) }

func (d *Deliverer) emit(ev Event) {
	if d.observe != nil {
		d.observe(ev)
	}
}

// confirm reports a delivered message to its process. A failing report is
// returned as a plain error: the worker retries it with its own backoff and
// the sent cache keeps the interchange from being sent again.
func (d *Deliverer) confirm(ctx context.Context, m outbox.Message, attempt int, s sentEntry) error {
	pid, ok := processOf(m)
	if !ok || d.reporter == nil {
		return nil
	}
	cmd := engine.Command{
		ID: delivery.ConfirmedID(m.ID), ReceivedAt: s.at, TraceParent: m.TraceParent,
		Payload: delivery.Confirmed{
			MessageID: m.ID, InterchangeRef: m.InterchangeRef, Recipient: m.Recipient, Transport: s.transport,
			Status: s.receipt.Status, RemoteID: s.receipt.RemoteID, Body: s.receipt.Body, Attempts: attempt, At: s.at,
		},
	}
	sent, err := d.reporter.Report(ctx, pid, cmd)
	if err != nil {
		return fmt.Errorf("deliverer: confirm %s to process %s: %w", m.ID, m.Process, err)
	}
	if sent {
		d.emit(Event{Message: m, Attempt: attempt, Transport: partner.Transport(s.transport), Outcome: "reported", Receipt: s.receipt})
	}
	return nil
}

// Exhausted dead-letters a message that will not be retried (worker.WithExhausted)
// with reason outbox_exhausted (malformed for a message that is not an
// outbox message) and tells its process (delivery.Failed).
func (d *Deliverer) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	attempt := 0
	if md, err := msg.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	m, merr := outbox.FromNats(msg.Subject(), msg.Headers(), msg.Data())
	err := worker.DeadLetter(d.dlq, outbox.Stream, func(msg jetstream.Msg, cause error) deadletter.Letter {
		reason := deadletter.ReasonOutboxExhausted
		if merr != nil {
			reason = deadletter.ReasonMalformed
		}
		return deadletter.Letter{
			Reason: reason, Detail: cause.Error(),
			Audit: deadletter.Audit{Tenant: m.Tenant, MessageType: m.MessageType, Sender: m.Sender, Receiver: m.Recipient,
				InterchangeRef: m.InterchangeRef, MessageRef: m.ID, Process: m.Process},
			Payload: msg.Data(),
		}
	})(ctx, msg, cause)
	if err != nil {
		return err
	}
	pid, ok := processOf(m)
	if merr != nil || !ok || d.reporter == nil {
		return nil
	}
	at := d.now().UTC()
	cmd := engine.Command{
		ID: delivery.FailedID(m.ID), ReceivedAt: at, TraceParent: m.TraceParent,
		Payload: delivery.Failed{MessageID: m.ID, InterchangeRef: m.InterchangeRef, Recipient: m.Recipient,
			Reason: cause.Error(), Attempts: attempt, At: at},
	}
	sent, err := d.reporter.Report(ctx, pid, cmd)
	if err != nil {
		return fmt.Errorf("deliverer: report failure of %s to process %s: %w", m.ID, m.Process, err)
	}
	if sent {
		d.emit(Event{Message: m, Attempt: attempt, Outcome: "reported", Err: cause})
	}
	return nil
}

// Environment variables read by EnvOptions.
const (
	EnvBackoffBase = "MAKO_DELIVER_BACKOFF_BASE" // Go duration, default 5s
	EnvBackoffCap  = "MAKO_DELIVER_BACKOFF_CAP"  // Go duration, default 5m
	EnvWindow      = "MAKO_DELIVER_WINDOW"       // Go duration, default 72h
	EnvTimeout     = "MAKO_DELIVER_TIMEOUT"      // Go duration, default 30s (max 50s)
	EnvLanes       = "MAKO_DELIVER_LANES"        // integer, default 32
	EnvFilePattern = "MAKO_DELIVER_FILE_PATTERN" // default DefaultFilePattern
	EnvSkipTenants = "MAKO_DELIVER_SKIP_TENANTS" // comma-separated tenant ids (WithSkipTenants)
)

// EnvOptions reads the deliverer's settings from the environment (getenv,
// e.g. os.Getenv); unset variables keep the defaults. It fails on a value
// that does not parse or makes no sense, naming the variable.
func EnvOptions(getenv func(string) string) ([]Option, error) {
	var opts []Option
	var errs []error
	dur := func(k string) time.Duration {
		v := getenv(k)
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive Go duration", k, v))
			return 0
		}
		return d
	}
	base, limit := dur(EnvBackoffBase), dur(EnvBackoffCap)
	if base > 0 || limit > 0 {
		if base == 0 {
			base = DefaultBackoffBase
		}
		if limit == 0 {
			limit = DefaultBackoffCap
		}
		if limit < base {
			errs = append(errs, fmt.Errorf("%s %s is below %s %s", EnvBackoffCap, limit, EnvBackoffBase, base))
		}
		opts = append(opts, WithBackoff(base, limit))
	}
	if w := dur(EnvWindow); w > 0 {
		opts = append(opts, WithWindow(w))
	}
	if t := dur(EnvTimeout); t > 0 {
		if t > MaxTimeout {
			errs = append(errs, fmt.Errorf("%s %s exceeds %s (the consumer's ack wait is 60 s)", EnvTimeout, t, MaxTimeout))
		}
		opts = append(opts, WithTimeout(t))
	}
	if v := getenv(EnvLanes); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive integer", EnvLanes, v))
		} else {
			opts = append(opts, WithLanes(n))
		}
	}
	if p := getenv(EnvFilePattern); p != "" {
		if _, err := FileName(p, Delivery{Message: outbox.Message{ID: "x", MessageType: "X", Sender: "s", Recipient: "r", InterchangeRef: "d"}}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvFilePattern, err))
		}
		opts = append(opts, WithTransport(NewFileTransport(p)))
	}
	if v := getenv(EnvSkipTenants); v != "" {
		var ts []string
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if err := engine.TenantID(t).Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvSkipTenants, err))
			}
			ts = append(ts, t)
		}
		opts = append(opts, WithSkipTenants(ts...))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return opts, nil
}
