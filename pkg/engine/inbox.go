package engine

import (
	"context"
	"fmt"
	"strings"
)

// MaxInboxKeyLen is the longest inbox key in bytes.
const MaxInboxKeyLen = 509

// InboxRetentionHours is how long a backend must remember an accepted key:
// the 72 h AS4 retry window plus 24 h (seed.md, inbox).
const InboxRetentionHours = 96

// Inbox deduplicates inbound messages (AS4 retries, ERP commands).
//
// Contract (checked by enginetest.RunInbox): Accept is an atomic
// check-and-set per tenant: it returns true the first time a key is seen and
// false for every later call, also under concurrency (exactly one of many
// concurrent callers gets true). Seen reports whether a key was accepted
// (and is still retained) without accepting it. Keys failing
// ValidateInboxKey are rejected with ErrInvalidKey. Retention
// (InboxRetentionHours) is the backend's job.
//
// Callers that must not lose a message check Seen first and Accept only
// after the message's work is durable, so that a message whose first
// handling failed is not mistaken for a duplicate when it is sent again.
type Inbox interface {
	Accept(ctx context.Context, tenant TenantID, key string) (bool, error)
	Seen(ctx context.Context, tenant TenantID, key string) (bool, error)
}

// OriginInbox is an Inbox that also records where an accepted key came
// from, so that a caller can tell a redelivery of the very message it
// accepted from a second message with the same key — without relying on a
// delivery count, which a server crash may reset. Ingest records the
// MAKO_INGEST stream sequence: the same sequence is a redelivery, another
// sequence with the same key is the partner's resend.
//
// Contract (checked by enginetest.RunOriginInbox): AcceptOrigin is Accept
// that records origin with a new key; for a key accepted before it returns
// false and the origin recorded then ("" for a key accepted by Accept).
// Origin reports whether a key was accepted and its recorded origin.
type OriginInbox interface {
	Inbox
	AcceptOrigin(ctx context.Context, tenant TenantID, key, origin string) (accepted bool, recorded string, err error)
	Origin(ctx context.Context, tenant TenantID, key string) (seen bool, origin string, err error)
}

// AcceptedElsewhere reports whether key was accepted for tenant by another
// message than origin (the one being handled, e.g. "ingest:<stream
// sequence>"). A key accepted by origin itself means a redelivery of that
// message (after a crash or a lost ack), which is handled again
// idempotently. Where no origin was recorded (an Inbox that is no
// OriginInbox, an entry of an older version) redelivered — the delivery
// count's verdict, which a server crash may lose — decides.
func AcceptedElsewhere(ctx context.Context, in Inbox, tenant TenantID, key, origin string, redelivered bool) (bool, error) {
	seen, recorded := false, ""
	var err error
	if oi, ok := in.(OriginInbox); ok {
		seen, recorded, err = oi.Origin(ctx, tenant, key)
	} else {
		seen, err = in.Seen(ctx, tenant, key)
	}
	if err != nil || !seen {
		return false, err
	}
	return elsewhereOf(recorded, origin, redelivered), nil
}

// AcceptFrom accepts key for tenant, recording origin where in records
// origins. elsewhere is true when another message than origin had accepted
// it (see AcceptedElsewhere).
func AcceptFrom(ctx context.Context, in Inbox, tenant TenantID, key, origin string, redelivered bool) (elsewhere bool, err error) {
	fresh, recorded := false, ""
	if oi, ok := in.(OriginInbox); ok {
		fresh, recorded, err = oi.AcceptOrigin(ctx, tenant, key, origin)
	} else {
		fresh, err = in.Accept(ctx, tenant, key)
	}
	if err != nil || fresh {
		return false, err
	}
	return elsewhereOf(recorded, origin, redelivered), nil
}

// elsewhereOf decides for an accepted key with recorded origin.
func elsewhereOf(recorded, origin string, redelivered bool) bool {
	if recorded != "" {
		return recorded != origin
	}
	return !redelivered
}

// ValidateInboxKey requires "<sender>:<message ref>" (split at the first
// colon) with both parts non-empty, no NUL, and at most MaxInboxKeyLen bytes.
func ValidateInboxKey(key string) error {
	s, r, ok := strings.Cut(key, ":")
	switch {
	case !ok || s == "" || r == "":
		return fmt.Errorf("%w: inbox key %q: want <sender>:<message ref>, both non-empty", ErrInvalidKey, key)
	case len(key) > MaxInboxKeyLen:
		return fmt.Errorf("%w: inbox key of %d bytes exceeds %d", ErrInvalidKey, len(key), MaxInboxKeyLen)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("%w: inbox key contains NUL", ErrInvalidKey)
	}
	return nil
}
