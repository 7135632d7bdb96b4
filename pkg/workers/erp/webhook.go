package erp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	erpwire "github.com/mako-engine/mako/pkg/wire/erp"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Webhook headers (Standard Webhooks specification: webhook-id,
// webhook-timestamp, webhook-signature) and the idempotency header.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
	HeaderIdempotencyKey   = "X-Idempotency-Key"
)

// ErrSignature reports a webhook signature that does not verify.
var ErrSignature = errors.New("erp: webhook signature invalid")

// ErrWindow reports an event that could not be delivered within the
// webhook's retry window.
var ErrWindow = errors.New("erp: webhook retry window exceeded")

// SecretKey returns the HMAC key of a webhook secret: a "whsec_" prefixed
// secret is base64 (the Standard Webhooks form), any other string is used
// as is.
func SecretKey(secret string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		k, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, fmt.Errorf("erp: webhook secret: whsec_ part is not base64: %w", err)
		}
		return k, nil
	}
	return []byte(secret), nil
}

// Sign returns the webhook-signature header value for a message: "v1," and
// the base64 HMAC-SHA256 of "<id>.<unix seconds>.<body>" under key.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a received webhook as a receiver should: the timestamp
// header within tolerance of now, and one of the space-separated "v1,…"
// signatures matching (constant-time). It returns an error wrapping
// ErrSignature otherwise.
func Verify(key []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsStr, sigs := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp), h.Get(HeaderWebhookSignature)
	if id == "" || tsStr == "" || sigs == "" {
		return fmt.Errorf("%w: missing %s, %s or %s", ErrSignature, HeaderWebhookID, HeaderWebhookTimestamp, HeaderWebhookSignature)
	}
	sec, err := strconv.ParseInt(tsStr, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrSignature, tsStr)
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %s outside ±%s of now", ErrSignature, ts.UTC().Format(time.RFC3339), tolerance)
	}
	want := []byte(Sign(key, id, ts, body))
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no matching v1 signature", ErrSignature)
}

// WebhookConfig configures the webhook forwarder.
type WebhookConfig struct {
	// URL receives a POST per CloudEvent. Required.
	URL string
	// Secret, when set, signs every request (SecretKey, Sign).
	Secret string
	// Tenants limits forwarding to these tenants (empty = all).
	Tenants []string
	// Window is how long after it was stored an event is retried before it
	// is dead-lettered (default 72 h).
	Window time.Duration
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
	// Client sends the requests (default: a client with Timeout).
	Client *http.Client
	// Now is the clock of the timestamp header and the window (default time.Now).
	Now func() time.Time
	// Logger receives delivery logs.
	Logger zerolog.Logger
}

// Webhook forwards the CloudEvents of MAKO_ERP to an HTTP endpoint: the
// handler of durable consumer "webhook" (run it with pkg/worker, with
// worker.WithExhausted(w.Exhausted), a large MaxDeliver and a backoff). A
// non-2xx answer or a transport error is retried with the worker's backoff
// until Window has passed since the event was stored; then the event is
// dead-lettered (reason outbox_exhausted). The body is the stored
// structured-mode CloudEvent, Content-Type application/cloudevents+json,
// X-Idempotency-Key and webhook-id the CloudEvent id (stable across
// retries), webhook-timestamp the attempt time, webhook-signature the
// Standard Webhooks HMAC-SHA256 signature when a secret is set.
type Webhook struct {
	cfg     WebhookConfig
	key     []byte
	tenants map[string]bool
	dlq     *deadletter.Sink
}

// NewWebhook checks cfg and returns the forwarder.
func NewWebhook(cfg WebhookConfig, dlq *deadletter.Sink) (*Webhook, error) {
	if cfg.URL == "" || !(strings.HasPrefix(cfg.URL, "http://") || strings.HasPrefix(cfg.URL, "https://")) {
		return nil, fmt.Errorf("erp: webhook URL %q: want http(s)://…", cfg.URL)
	}
	if cfg.Window <= 0 {
		cfg.Window = 72 * time.Hour
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Webhook{cfg: cfg, dlq: dlq}
	if cfg.Secret != "" {
		k, err := SecretKey(cfg.Secret)
		if err != nil {
			return nil, err
		}
		w.key = k
	}
	if len(cfg.Tenants) > 0 {
		w.tenants = map[string]bool{}
		for _, t := range cfg.Tenants {
			if err := engine.TenantID(t).Validate(); err != nil {
				return nil, fmt.Errorf("erp: webhook: %w", err)
			}
			w.tenants[t] = true
		}
	}
	return w, nil
}

// Handle implements worker.Handler for messages on mako.erp.<tenant>.
func (w *Webhook) Handle(ctx context.Context, msg jetstream.Msg) error {
	md, err := msg.Metadata()
	if err != nil {
		return worker.Permanent(fmt.Errorf("erp: webhook: %s: metadata: %w", msg.Subject(), err))
	}
	tenant, ok := strings.CutPrefix(msg.Subject(), erpwire.SubjectPrefix+".")
	if !ok || strings.Contains(tenant, ".") {
		return nil // not an outbound event (the consumer filters mako.erp.*)
	}
	if w.tenants != nil && !w.tenants[tenant] {
		return nil
	}
	ce, err := erpwire.ParseCloudEvent(msg.Data())
	if err != nil {
		return worker.Permanent(err)
	}
	now := w.cfg.Now()
	if now.Sub(md.Timestamp) > w.cfg.Window {
		return worker.Permanent(fmt.Errorf("%w: %s (%s) stored %s", ErrWindow, ce.ID, ce.Type, md.Timestamp.UTC().Format(time.RFC3339)))
	}
	rctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, w.cfg.URL, bytes.NewReader(msg.Data()))
	if err != nil {
		return worker.Permanent(fmt.Errorf("erp: webhook: %w", err))
	}
	req.Header.Set("Content-Type", erpwire.ContentType)
	req.Header.Set(HeaderIdempotencyKey, ce.ID)
	req.Header.Set(HeaderWebhookID, ce.ID)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	if w.key != nil {
		req.Header.Set(HeaderWebhookSignature, Sign(w.key, ce.ID, now, msg.Data()))
	}
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("erp: webhook %s: %w", ce.ID, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("erp: webhook %s (%s): HTTP %d", ce.ID, ce.Type, resp.StatusCode)
	}
	w.cfg.Logger.Debug().Str("id", ce.ID).Str("type", ce.Type).Int("status", resp.StatusCode).Msg("erp: webhook delivered")
	return nil
}

// Exhausted dead-letters an event that was not delivered within the window
// (or is not a CloudEvent), with reason outbox_exhausted (worker.WithExhausted).
func (w *Webhook) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	return worker.DeadLetter(w.dlq, erpwire.Stream, func(msg jetstream.Msg, cause error) deadletter.Letter {
		tenant, _ := erpwire.TenantFromSubject(msg.Subject()) // "" (unknown) if malformed
		reason := deadletter.ReasonOutboxExhausted
		if !errors.Is(cause, ErrWindow) && worker.IsPermanent(cause) {
			reason = deadletter.ReasonMalformed
		}
		return deadletter.Letter{
			Reason: reason, Detail: "erp webhook to " + w.cfg.URL + ": " + cause.Error(),
			Audit: deadletter.Audit{Tenant: string(tenant)}, Payload: msg.Data(),
		}
	})(ctx, msg, cause)
}
