package engine

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// TenantID names the market participant installation a process belongs to.
// It is used as a NATS subject token and a KV key part, so it must match
// [a-z0-9][a-z0-9_-]{0,63}; see Validate.
type TenantID string

// Validate reports whether t is a well-formed tenant id.
func (t TenantID) Validate() error {
	if !isToken(string(t), 64, false) {
		return fmt.Errorf("%w: tenant %q: want [a-z0-9][a-z0-9_-]{0,63}", ErrInvalidID, string(t))
	}
	return nil
}

// ProcessID identifies one process instance within a tenant. It is used as a
// NATS subject token, so it must match [A-Za-z0-9][A-Za-z0-9_-]{0,127};
// UUID strings (NewProcessID) qualify.
type ProcessID string

// NewProcessID returns a random (version 4) UUID process id.
func NewProcessID() ProcessID { return ProcessID(NewUUIDv4().String()) }

// Validate reports whether p is a well-formed process id.
func (p ProcessID) Validate() error {
	if !isToken(string(p), 128, true) {
		return fmt.Errorf("%w: process %q: want [A-Za-z0-9][A-Za-z0-9_-]{0,127}", ErrInvalidID, string(p))
	}
	return nil
}

// EventID identifies one committed event. The engine derives it
// deterministically (EventIDFor) so that a retried commit of the same
// command produces the same ids.
type EventID string

// CommandID identifies one command. Executing a command whose id is already
// committed on the process is a no-op (see Engine.Execute).
type CommandID string

// NewCommandID returns a random (version 4) UUID command id.
func NewCommandID() CommandID { return CommandID(NewUUIDv4().String()) }

// CorrelationID groups everything caused by one inbound interchange or
// business request.
type CorrelationID string

// NewCorrelationID returns a random (version 4) UUID correlation id.
func NewCorrelationID() CorrelationID { return CorrelationID(NewUUIDv4().String()) }

// CausationID names what caused a command or event (usually an event id or
// a deadline id).
type CausationID string

// ConversationID groups the messages of one market communication dialogue.
type ConversationID string

// NewConversationID returns a random (version 4) UUID conversation id.
func NewConversationID() ConversationID { return ConversationID(NewUUIDv4().String()) }

// DeadlineID identifies one regulatory timer of a process.
type DeadlineID string

// StreamID names the event stream of one process. Both backends derive their
// storage location from it: the NATS store uses subject
// Subject("mako.evt") = "mako.evt.<tenant>.<process>".
type StreamID struct {
	Tenant  TenantID
	Process ProcessID
}

// StreamOf returns the stream of process p in tenant t.
func StreamOf(t TenantID, p ProcessID) StreamID { return StreamID{Tenant: t, Process: p} }

// String returns "<tenant>/<process>", for logs and errors.
func (s StreamID) String() string { return string(s.Tenant) + "/" + string(s.Process) }

// Validate reports whether both parts are well-formed.
func (s StreamID) Validate() error {
	if err := s.Tenant.Validate(); err != nil {
		return err
	}
	return s.Process.Validate()
}

// Subject returns prefix + "." + tenant + "." + process, the NATS subject of
// the stream under the given prefix (e.g. "mako.evt").
func (s StreamID) Subject(prefix string) string {
	return prefix + "." + string(s.Tenant) + "." + string(s.Process)
}

// StreamFromSubject inverts Subject: it parses "<prefix>.<tenant>.<process>"
// and validates both tokens.
func StreamFromSubject(prefix, subject string) (StreamID, error) {
	rest, ok := strings.CutPrefix(subject, prefix+".")
	if !ok {
		return StreamID{}, fmt.Errorf("%w: subject %q lacks prefix %q", ErrInvalidID, subject, prefix)
	}
	t, p, ok := strings.Cut(rest, ".")
	if !ok {
		return StreamID{}, fmt.Errorf("%w: subject %q: want %s.<tenant>.<process>", ErrInvalidID, subject, prefix)
	}
	s := StreamOf(TenantID(t), ProcessID(p))
	if err := s.Validate(); err != nil {
		return StreamID{}, fmt.Errorf("subject %q: %w", subject, err)
	}
	return s, nil
}

// ProcessIdentity is everything needed to resume a process: its tenant, its
// id and the workflow (name and creation format version) it runs.
type ProcessIdentity struct {
	Tenant   TenantID
	Process  ProcessID
	Workflow WorkflowID
}

// Stream returns the identity's event stream.
func (id ProcessIdentity) Stream() StreamID { return StreamOf(id.Tenant, id.Process) }

// Validate reports whether all three parts are well-formed.
func (id ProcessIdentity) Validate() error {
	if err := id.Stream().Validate(); err != nil {
		return err
	}
	return id.Workflow.Validate()
}

// String returns "<tenant>/<process>(<workflow>)".
func (id ProcessIdentity) String() string {
	return id.Stream().String() + "(" + id.Workflow.String() + ")"
}

// isToken checks s against [a-z0-9][a-z0-9_-]{0,max-1}, or with upper-case
// letters allowed when upper is true.
func isToken(s string, max int, upper bool) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case upper && c >= 'A' && c <= 'Z':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// UUID is an RFC 9562 UUID.
type UUID [16]byte

// NewUUIDv4 returns a random (version 4) UUID from crypto/rand.
func NewUUIDv4() UUID {
	var u UUID
	_, _ = rand.Read(u[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// NewUUIDv5 returns the name-based (SHA-1, version 5) UUID of name in
// namespace ns, as specified in RFC 9562 §5.5.
func NewUUIDv5(ns UUID, name string) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// ParseUUID parses the canonical 8-4-4-4-12 hex form.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("%w: uuid %q", ErrInvalidID, s)
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return UUID{}, fmt.Errorf("%w: uuid %q", ErrInvalidID, s)
	}
	return u, nil
}

// String returns the canonical lower-case 8-4-4-4-12 form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// namespaceMako is the root namespace of every deterministic (version 5)
// id the engine derives. It is a fixed random UUID; changing it would change
// every derived id. Never modified.
var namespaceMako = UUID{0x3b, 0x1e, 0x6c, 0x52, 0x9a, 0x0d, 0x4f, 0x7e, 0x8c, 0x41, 0x5d, 0x2a, 0x77, 0xe0, 0x13, 0xc9}

// Derive returns the deterministic (version 5) id of kind and parts in the
// engine's namespace: the same kind and parts always give the same id, and
// parts are length-prefixed, so ("a:b","c") and ("a","b:c") differ. Layers
// above the engine derive their own ids with it (for example the
// correlation id of an inbound interchange, pkg/wire/inbound).
func Derive(kind string, parts ...string) UUID { return derive(kind, parts...) }

func derive(kind string, parts ...string) UUID {
	var b strings.Builder
	b.WriteString(kind)
	for _, p := range parts {
		b.WriteByte(0) // length-prefixed parts keep the name unambiguous
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return NewUUIDv5(namespaceMako, b.String())
}

// EventIDFor returns the deterministic id of the index-th event (0-based,
// counting workflow and engine events in append order) committed for command
// c on process p. A retried commit of the same command therefore carries the
// same event ids, which lets a store detect a duplicate write.
func EventIDFor(p ProcessID, c CommandID, index int) EventID {
	return EventID(derive("event", string(p), string(c), strconv.Itoa(index)).String())
}

// DeadlineIDFor returns the deterministic id of the index-th deadline set by
// command c on process p.
func DeadlineIDFor(p ProcessID, c CommandID, index int) DeadlineID {
	return DeadlineID(derive("deadline", string(p), string(c), strconv.Itoa(index)).String())
}

// MessageIDFor returns the deterministic id of the index-th outbound message
// decided by command c on process p; the relay uses it as its idempotency
// key.
func MessageIDFor(p ProcessID, c CommandID, index int) string {
	return derive("outbound", string(p), string(c), strconv.Itoa(index)).String()
}

// FireCommandID returns the deterministic command id under which the firing
// of deadline d is committed, so that a deadline fired twice commits once.
func FireCommandID(d DeadlineID) CommandID {
	return CommandID(derive("fire", string(d)).String())
}
