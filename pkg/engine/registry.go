package engine

import (
	"context"
	"fmt"
	"strings"
)

// MaxRegistryKeyLen is the longest registry key or business-key value in
// bytes.
const MaxRegistryKeyLen = 256

// Registry routes inbound messages to processes. Every operation is scoped
// to a tenant.
//
// 1:1 keys (built with ConversationKey, CorrelationKey, ProcessKey) map to
// exactly one ProcessIdentity. 1:n business keys (MaLo, MeLo, document
// number, …) map to the live processes correlated with them.
//
// Contract (checked by enginetest.RunRegistry):
//   - Register is create-only: if the key is free it stores id and returns
//     (id, nil); if it is taken it returns the stored identity and an error
//     matching ErrKeyExists. Of any number of concurrent Registers for one
//     key exactly one wins, and all others see the winner's identity.
//   - Lookup returns (id, true, nil) or (zero, false, nil) for a missing key.
//   - Remove deletes a key; removing a missing key is not an error.
//   - Correlate adds id to the business key's set (idempotent per process);
//     LookupAll returns the set's identities (empty, no error, if none);
//     Retire removes one process from the set (missing is not an error).
//   - Keys that fail ValidateRegistryKey / BusinessKey.Validate and invalid
//     identities are rejected with ErrInvalidKey / ErrInvalidID.
type Registry interface {
	Register(ctx context.Context, tenant TenantID, key string, id ProcessIdentity) (ProcessIdentity, error)
	Lookup(ctx context.Context, tenant TenantID, key string) (ProcessIdentity, bool, error)
	Remove(ctx context.Context, tenant TenantID, key string) error
	Correlate(ctx context.Context, tenant TenantID, key BusinessKey, id ProcessIdentity) error
	LookupAll(ctx context.Context, tenant TenantID, key BusinessKey) ([]ProcessIdentity, error)
	Retire(ctx context.Context, tenant TenantID, key BusinessKey, process ProcessID) error
}

// CorrelationKey is the 1:1 registry key of a correlation id.
func CorrelationKey(c CorrelationID) string { return "corr:" + string(c) }

// ProcessKey is the 1:1 registry key of a process id.
func ProcessKey(p ProcessID) string { return "proc:" + string(p) }

// ValidateRegistryKey requires 1..MaxRegistryKeyLen bytes without NUL.
// Backends encode keys as their storage needs; callers need not.
func ValidateRegistryKey(key string) error {
	if key == "" || len(key) > MaxRegistryKeyLen || strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: registry key %q: want 1..%d bytes without NUL", ErrInvalidKey, key, MaxRegistryKeyLen)
	}
	return nil
}

// KeyKind is the kind of a business key (the MaKo kinds — MaLo, document,
// conversation, interchange … — are defined by the inbound contract,
// pkg/wire/inbound).
type KeyKind string

// BusinessKey is a 1:n correlation key: several processes may carry the
// same MaLo over time.
type BusinessKey struct {
	Kind  KeyKind
	Value string
}

// String returns "<kind>:<value>".
func (k BusinessKey) String() string { return string(k.Kind) + ":" + k.Value }

// Validate requires a kind matching [a-z0-9][a-z0-9_-]{0,31} and a value of
// 1..MaxRegistryKeyLen bytes without NUL.
func (k BusinessKey) Validate() error {
	if !isToken(string(k.Kind), 32, false) {
		return fmt.Errorf("%w: business key kind %q: want [a-z0-9][a-z0-9_-]{0,31}", ErrInvalidKey, string(k.Kind))
	}
	if k.Value == "" || len(k.Value) > MaxRegistryKeyLen || strings.IndexByte(k.Value, 0) >= 0 {
		return fmt.Errorf("%w: business key %s value: want 1..%d bytes without NUL", ErrInvalidKey, k.Kind, MaxRegistryKeyLen)
	}
	return nil
}
