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
