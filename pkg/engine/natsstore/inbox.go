package natsstore

import (
	"context"
	"encoding/json"
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

var _ engine.OriginInbox = (*Inbox)(nil)

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
// retention, false afterwards (AcceptOrigin without an origin).
func (in *Inbox) Accept(ctx context.Context, tenant engine.TenantID, key string) (bool, error) {
	ok, _, err := in.AcceptOrigin(ctx, tenant, key, "")
	return ok, err
}

// inboxValue is the stored value of an accepted key: the origin recorded
// with it and, for operators, the accept time (RFC 3339). Entries written
// before origins existed hold only the time; their origin is "".
type inboxValue struct {
	Origin string `json:"origin,omitempty"`
	At     string `json:"at"`
}

// AcceptOrigin implements engine.OriginInbox: a KV Create with the per-key
// TTL; for an existing key it reads the origin recorded with it.
func (in *Inbox) AcceptOrigin(ctx context.Context, tenant engine.TenantID, key, origin string) (bool, string, error) {
	if err := tenant.Validate(); err != nil {
		return false, "", err
	}
	if err := engine.ValidateInboxKey(key); err != nil {
		return false, "", err
	}
	k := string(tenant) + "." + escapeToken(key)
	val, err := json.Marshal(inboxValue{Origin: origin, At: time.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return false, "", err
	}
	_, err = in.kv.Create(ctx, k, val, jetstream.KeyTTL(in.retention))
	switch {
	case err == nil:
		return true, origin, nil
	case errors.Is(err, jetstream.ErrKeyExists):
		_, recorded, err := in.Origin(ctx, tenant, key)
		return false, recorded, err
	}
	return false, "", &StoreError{Op: "inbox", Stream: "KV_" + in.bucket, Subject: "$KV." + in.bucket + "." + k,
		Err: fmt.Errorf("create with ttl %v: %w", in.retention, err)}
}

// Seen reports whether key was accepted for tenant and is still retained.
// On a replicated bucket the read may lag a concurrent Accept (Direct Get,
// nats.md §6.3); Accept stays the authority.
func (in *Inbox) Seen(ctx context.Context, tenant engine.TenantID, key string) (bool, error) {
	ok, _, err := in.Origin(ctx, tenant, key)
	return ok, err
}

// Origin implements engine.OriginInbox (a read, with Seen's caveat).
func (in *Inbox) Origin(ctx context.Context, tenant engine.TenantID, key string) (bool, string, error) {
	if err := tenant.Validate(); err != nil {
		return false, "", err
	}
	if err := engine.ValidateInboxKey(key); err != nil {
		return false, "", err
	}
	k := string(tenant) + "." + escapeToken(key)
	e, err := in.kv.Get(ctx, k)
	switch {
	case err == nil:
		var v inboxValue
		if json.Unmarshal(e.Value(), &v) != nil {
			return true, "", nil // an entry of an older version: the accept time only
		}
		return true, v.Origin, nil
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return false, "", nil
	}
	return false, "", &StoreError{Op: "inbox", Stream: "KV_" + in.bucket, Subject: "$KV." + in.bucket + "." + k, Err: fmt.Errorf("get: %w", err)}
}
