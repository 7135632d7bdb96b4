package natsstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/engine"
)

// Inbox is the engine.Inbox on the KV bucket mako_inbox (LimitMarkerTTL
// set). Accept is a KV Create with a per-key TTL (default 96 h): the first
// Create of "<tenant>.<escaped key>" wins, ErrKeyExists means duplicate.
// After the TTL the server removes the key and the same key is new again.
type Inbox struct {
	kv        jetstream.KeyValue
	bucket    string
	retention time.Duration
}

var _ engine.Inbox = (*Inbox)(nil)

// NewInbox binds to the inbox bucket (default mako_inbox), which must
// exist with LimitMarkerTTL (per-key TTL).
func NewInbox(ctx context.Context, js jetstream.JetStream, opts ...Option) (*Inbox, error) {
	cfg := newConfig(opts)
	kv, err := js.KeyValue(ctx, cfg.inboxBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.inboxBucket, Err: err}
	}
	st, err := js.Stream(ctx, "KV_"+cfg.inboxBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.inboxBucket, Err: err}
	}
	if !st.CachedInfo().Config.AllowMsgTTL {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.inboxBucket,
			Err: errors.New("bucket has no per-key TTL (create it with LimitMarkerTTL, as streams/KV_mako_inbox.json does)")}
	}
	return &Inbox{kv: kv, bucket: cfg.inboxBucket, retention: cfg.inboxRetention}, nil
}

// Retention returns the per-key TTL of accepted keys.
func (in *Inbox) Retention() time.Duration { return in.retention }

// Accept returns true the first time key is seen for tenant within the
// retention, false afterwards. The stored value is the accept time (RFC
// 3339) for operators.
func (in *Inbox) Accept(ctx context.Context, tenant engine.TenantID, key string) (bool, error) {
	if err := tenant.Validate(); err != nil {
		return false, err
	}
	if err := engine.ValidateInboxKey(key); err != nil {
		return false, err
	}
	k := string(tenant) + "." + escapeToken(key)
	val := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	_, err := in.kv.Create(ctx, k, val, jetstream.KeyTTL(in.retention))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyExists):
		return false, nil
	}
	return false, &StoreError{Op: "inbox", Stream: "KV_" + in.bucket, Subject: "$KV." + in.bucket + "." + k,
		Err: fmt.Errorf("create with ttl %v: %w", in.retention, err)}
}

// Seen reports whether key was accepted for tenant and is still retained.
// On a replicated bucket the read may lag a concurrent Accept (Direct Get,
// nats.md §6.3); Accept stays the authority.
func (in *Inbox) Seen(ctx context.Context, tenant engine.TenantID, key string) (bool, error) {
	if err := tenant.Validate(); err != nil {
		return false, err
	}
	if err := engine.ValidateInboxKey(key); err != nil {
		return false, err
	}
	k := string(tenant) + "." + escapeToken(key)
	_, err := in.kv.Get(ctx, k)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return false, nil
	}
	return false, &StoreError{Op: "inbox", Stream: "KV_" + in.bucket, Subject: "$KV." + in.bucket + "." + k, Err: fmt.Errorf("get: %w", err)}
}
