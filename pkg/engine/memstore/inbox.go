package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

// Inbox is an in-memory engine.Inbox. An accepted key is remembered for the
// retention period (default engine.InboxRetentionHours) and then accepted
// again; expired keys are purged lazily.
type Inbox struct {
	mu        sync.Mutex
	seen      map[tenantKey]inboxEntry
	retention time.Duration
	now       func() time.Time
	accepts   int
}

var _ engine.OriginInbox = (*Inbox)(nil)

// inboxEntry is an accepted key: when, and the origin recorded with it.
type inboxEntry struct {
	at     time.Time
	origin string
}

// InboxOption configures an Inbox.
type InboxOption func(*Inbox)

// WithRetention sets how long an accepted key is remembered (> 0).
func WithRetention(d time.Duration) InboxOption {
	return func(in *Inbox) {
		if d > 0 {
			in.retention = d
		}
	}
}

// WithClock sets the inbox clock (for retention tests).
func WithClock(now func() time.Time) InboxOption {
	return func(in *Inbox) {
		if now != nil {
			in.now = now
		}
	}
}

// NewInbox returns an empty inbox.
func NewInbox(opts ...InboxOption) *Inbox {
	in := &Inbox{seen: map[tenantKey]inboxEntry{}, retention: engine.InboxRetentionHours * time.Hour, now: time.Now}
	for _, o := range opts {
		o(in)
	}
	return in
}

// Accept implements engine.Inbox.
func (in *Inbox) Accept(ctx context.Context, tenant engine.TenantID, key string) (bool, error) {
	ok, _, err := in.AcceptOrigin(ctx, tenant, key, "")
	return ok, err
}

// AcceptOrigin implements engine.OriginInbox.
func (in *Inbox) AcceptOrigin(ctx context.Context, tenant engine.TenantID, key, origin string) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	if err := tenant.Validate(); err != nil {
		return false, "", err
	}
	if err := engine.ValidateInboxKey(key); err != nil {
		return false, "", err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	now := in.now()
	in.accepts++
	if in.accepts%1024 == 0 {
		for k, e := range in.seen {
			if now.Sub(e.at) >= in.retention {
				delete(in.seen, k)
			}
		}
	}
	k := tenantKey{tenant, key}
	if e, ok := in.seen[k]; ok && now.Sub(e.at) < in.retention {
		return false, e.origin, nil
	}
	in.seen[k] = inboxEntry{at: now, origin: origin}
	return true, origin, nil
}

// Seen implements engine.Inbox.
func (in *Inbox) Seen(ctx context.Context, tenant engine.TenantID, key string) (bool, error) {
	ok, _, err := in.Origin(ctx, tenant, key)
	return ok, err
}

// Origin implements engine.OriginInbox.
func (in *Inbox) Origin(ctx context.Context, tenant engine.TenantID, key string) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	if err := tenant.Validate(); err != nil {
		return false, "", err
	}
	if err := engine.ValidateInboxKey(key); err != nil {
		return false, "", err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	e, ok := in.seen[tenantKey{tenant, key}]
	if !ok || in.now().Sub(e.at) >= in.retention {
		return false, "", nil
	}
	return true, e.origin, nil
}
