// Package erp is the wire contract between mako-engine and the ERP systems of
// its tenants (docs/erp.md).
//
// Out: every committed workflow event whose data implements Event becomes a
// CloudEvents 1.0 JSON message (structured mode) on `mako.erp.<tenant>` in
// stream MAKO_ERP, exactly once (Nats-Msg-Id = the CloudEvent id, derived
// from the event id). pkg/workers/erp.Publisher is that consumer of MAKO_EVENTS; its Webhook
// optionally forwards the stream to an HTTP endpoint with Standard-Webhooks
// signatures.
//
// In: the ERP publishes commands as JSON (Request) on
// `mako.erp.in.<tenant>`. pkg/workers/erp.Receiver decodes them with the CommandTypes the
// workflow modules register, spawns or finds the process, publishes the
// command to it (pkg/wire/command) and answers with a CloudEvent
// de.mako.command.accepted or de.mako.command.rejected (with the reason) on
// `mako.erp.<tenant>`. A command is executed at most once per idempotency
// key.
package erp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mako-engine/mako/pkg/wire"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/module"
)

// Stream, subjects and consumers of the ERP contract (streams/MAKO_ERP.json,
// streams/consumers/MAKO_ERP-*.json, MAKO_EVENTS-erp.json).
const (
	// Stream holds both directions: events out, commands in.
	Stream = "MAKO_ERP"
	// SubjectPrefix + "." + tenant is the subject of outbound CloudEvents.
	SubjectPrefix = "mako.erp"
	// InPrefix + "." + tenant is the subject of inbound ERP commands.
	InPrefix = "mako.erp.in"
	// PublisherConsumer is the durable consumer on MAKO_EVENTS that
	// publishes CloudEvents.
	PublisherConsumer = "erp"
	// ReceiverConsumer is the durable consumer on MAKO_ERP (mako.erp.in.>)
	// that executes ERP commands.
	ReceiverConsumer = "erp-in"
	// WebhookConsumer is the durable consumer on MAKO_ERP (mako.erp.*) of
	// the webhook forwarder.
	WebhookConsumer = "webhook"
)

// Header names of the messages on MAKO_ERP (besides Nats-Msg-Id).
const (
	HeaderContentType = "Content-Type"
	HeaderTenant      = wire.HeaderTenant
	HeaderEventType   = "Mako-Event-Type"
)

// Subject returns `mako.erp.<tenant>`, where the tenant's CloudEvents go.
// The tenant id "in" is reserved (its subject would be the inbound prefix).
func Subject(tenant engine.TenantID) string { return SubjectPrefix + "." + string(tenant) }

// InSubject returns `mako.erp.in.<tenant>`, where the ERP sends commands.
func InSubject(tenant engine.TenantID) string { return InPrefix + "." + string(tenant) }

// CloudEvent types (seed.md, erp: the event-to-type table).
const (
	TypeProcessInitiated = "de.mako.process.initiated"
	TypeProcessCompleted = "de.mako.process.completed"
	TypeProcessFailed    = "de.mako.process.failed"
	TypeAperakAccepted   = "de.mako.aperak.accepted"
	TypeAperakRejected   = "de.mako.aperak.rejected"
	TypeAperakTimeout    = "de.mako.aperak.timeout"
	TypeContrlReceived   = "de.mako.contrl.received"
	TypeMaLoIdentified   = "de.mako.malo.identified"
	// TypeCommandAccepted answers an ERP command that was handed to its process.
	TypeCommandAccepted = "de.mako.command.accepted"
	// TypeCommandRejected answers an ERP command that was not executed.
	TypeCommandRejected = "de.mako.command.rejected"
)

// Event is implemented by workflow event data that the ERP must learn
// about (gpke-contract.md §7). CloudEvent returns the CloudEvents type (one
// of the Type… constants), the subject ("" = the process id) and the data,
// which is marshalled with encoding/json (BO4E-shaped structs of this
// package, or the workflow's own JSON types). The method must be pure.
type Event interface {
	CloudEvent() (eventType, subject string, data any)
}

// PIDEvent is optionally implemented by Event data to fill the CloudEvent
// extension makopid (the Prüfidentifikator the event concerns).
type PIDEvent interface {
	MakoPID() string
}

// Schema is optionally implemented by CloudEvent data: the CloudEvent's
// dataschema is BO4ESchemaURL(BO4ESchema()). The BO4E types of this package
// implement it.
type Schema interface {
	BO4ESchema() string
}

// Request is an ERP command as JSON on `mako.erp.in.<tenant>`:
//
//	{"idempotency_key": "…", "type": "gpke.lfn.register_supply_start", "tenant": "lf", "data": {…}}
//
// IdempotencyKey (1..200 bytes, no NUL) makes the command execute once;
// Tenant must equal the subject's tenant; Type names a registered
// CommandType; Data is decoded by it. The type is defined by the module
// contract (module.ERPRequest), so a process family needs no wire import.
type Request = module.ERPRequest

// MaxIdempotencyKeyLen is the longest idempotency key in bytes.
const MaxIdempotencyKeyLen = 200

// Target names the process an ERP command goes to (module.ERPTarget).
type Target = module.ERPTarget

// CommandType is one ERP command a workflow module accepts. Modules list
// them in module.Module.ERPCommands (module.ERPCommand).
type CommandType = module.ERPCommand

// DefaultKey is the registry key of the process an ERP command spawns when
// its Target has no Key: one process per idempotency key.
func DefaultKey(idempotencyKey string) string { return "erp:" + idempotencyKey }

// ErrRegistry reports a bad command registration.
var ErrRegistry = errors.New("erp: invalid command registration")

// Registry maps Request.Type to CommandTypes. It is read-only after
// NewRegistry and safe for concurrent use.
type Registry struct {
	types map[string]CommandType
}

// NewRegistry checks and indexes the command types: each needs a Type, a
// Decode, and a Workflow or a Route; a Type may be registered once.
func NewRegistry(types ...CommandType) (*Registry, error) {
	r := &Registry{types: map[string]CommandType{}}
	var errs []error
	for _, t := range types {
		switch {
		case t.Type == "":
			errs = append(errs, fmt.Errorf("%w: command type without a name", ErrRegistry))
		case t.Decode == nil:
			errs = append(errs, fmt.Errorf("%w: %s: no Decode", ErrRegistry, t.Type))
		case t.Workflow == "" && t.Route == nil:
			errs = append(errs, fmt.Errorf("%w: %s: neither Workflow nor Route", ErrRegistry, t.Type))
		case r.types[t.Type].Type != "":
			errs = append(errs, fmt.Errorf("%w: %s registered twice", ErrRegistry, t.Type))
		default:
			r.types[t.Type] = t
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Lookup returns the command type registered under name.
func (r *Registry) Lookup(name string) (CommandType, bool) {
	t, ok := r.types[name]
	return t, ok
}

// Types returns the registered type names, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.types))
	for k := range r.types {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TenantFromSubject returns the tenant of `mako.erp.in.<tenant>` (a
// command) or `mako.erp.<tenant>` (an outbound CloudEvent), validated as a
// tenant id.
func TenantFromSubject(subject string) (engine.TenantID, error) {
	tok, err := wire.SoleTenantToken(InPrefix, subject)
	if err != nil {
		if tok, err = wire.SoleTenantToken(SubjectPrefix, subject); err != nil {
			return "", fmt.Errorf("subject %q: want %s.<tenant> or %s.<tenant>", subject, InPrefix, SubjectPrefix)
		}
	}
	t := engine.TenantID(tok)
	return t, t.Validate()
}

// DecodeRequest parses an ERP command strictly (unknown fields rejected)
// and checks the envelope fields.
func DecodeRequest(b []byte) (Request, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return Request{}, fmt.Errorf("not a JSON command: %v", err)
	}
	if dec.More() {
		return req, errors.New("trailing data after the JSON command")
	}
	switch {
	case req.IdempotencyKey == "":
		return req, errors.New("idempotency_key is missing")
	case len(req.IdempotencyKey) > MaxIdempotencyKeyLen:
		return req, fmt.Errorf("idempotency_key of %d bytes exceeds %d", len(req.IdempotencyKey), MaxIdempotencyKeyLen)
	case strings.IndexByte(req.IdempotencyKey, 0) >= 0:
		return req, errors.New("idempotency_key contains NUL")
	case req.Type == "":
		return req, errors.New("type is missing")
	case req.Tenant == "":
		return req, errors.New("tenant is missing")
	case len(bytes.TrimSpace(req.Data)) == 0 || string(bytes.TrimSpace(req.Data)) == "null":
		return req, errors.New("data is missing")
	}
	return req, nil
}
