package erp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	erpwire "github.com/mako-engine/mako/pkg/wire/erp"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Rejection codes of de.mako.command.rejected (CommandAnswer.Code).
const (
	// RejectMalformed: the message is not a JSON Request, or a field is missing.
	RejectMalformed = "malformed"
	// RejectTenant: Request.Tenant differs from the subject's tenant.
	RejectTenant = "tenant_mismatch"
	// RejectUnknownType: no module registered Request.Type.
	RejectUnknownType = "unknown_type"
	// RejectInvalidData: the command type's Decode or Route refused the data.
	RejectInvalidData = "invalid_data"
	// RejectNoProcess: the Target's business key names no live process.
	RejectNoProcess = "no_process"
	// RejectUnknownWorkflow: no workflow definition serves the target.
	RejectUnknownWorkflow = "unknown_workflow"
	// RejectFailed: the command could not be handed on after repeated attempts.
	RejectFailed = "failed"
	// RejectDuplicate: a command with this idempotency key was already
	// accepted (within the inbox retention of 96 h); it is not executed
	// again. The first command's answer has the id AcceptedID.
	RejectDuplicate = "duplicate"
)

// CommandAnswer is the data of de.mako.command.accepted and
// de.mako.command.rejected.
type CommandAnswer struct {
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	CommandType    string `json:"command_type,omitempty"`
	// Process and Workflow name the process that got the command (accepted).
	Process  string `json:"process,omitempty"`
	Workflow string `json:"workflow,omitempty"`
	// Spawned is true when the command started a new process.
	Spawned bool `json:"spawned,omitempty"`
	// Code and Reason say why a command was rejected.
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Rejection is the error of a command that is not executed: the ERP gets a
// de.mako.command.rejected with Code and Reason, and a dead letter is
// written.
type Rejection struct {
	Code   string
	Reason string
}

// Error implements error.
func (r *Rejection) Error() string { return "erp: command rejected (" + r.Code + "): " + r.Reason }

func reject(code, format string, args ...any) *Rejection {
	return &Rejection{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// inboxKey is the engine inbox key of an ERP command.
func inboxKey(idempotencyKey string) string { return "erp:" + idempotencyKey }

// Engine is what the Receiver needs of the engine (engine.Engine).
type Engine interface {
	Lookup(name string, v fv.Version) (engine.AnyDefinition, error)
	Resolve(w engine.WorkflowID) (engine.AnyDefinition, error)
	SpawnOrResume(ctx context.Context, tenant engine.TenantID, key string, w engine.WorkflowID) (engine.ProcessIdentity, bool, error)
	Registry() engine.Registry
	Inbox() engine.Inbox
}

// Outcome reports what the Receiver did with one ERP command message.
type Outcome struct {
	Tenant         engine.TenantID
	IdempotencyKey string
	// Result is "accepted", "duplicate" (rejected with RejectDuplicate) or
	// "rejected".
	Result string
	// Process is the target process (accepted).
	Process engine.ProcessIdentity
	// Rejection is set for "rejected".
	Rejection *Rejection
}

// Receiver executes ERP commands: the handler of durable consumer "erp-in"
// on MAKO_ERP (run it with pkg/worker, worker.WithExhausted(r.Exhausted)).
// Build it with NewReceiver.
//
// For each message on `mako.erp.in.<tenant>` it decodes the Request,
// checks tenant and type, decodes the data and routes it with the
// registered CommandType (a rejection is answered with
// de.mako.command.rejected and dead-lettered, without spending the
// idempotency key), then accepts the idempotency key in the engine inbox
// (`erp:<key>`, 96 h; a second message with an accepted key is not executed
// and is answered with a rejection of code "duplicate"),
// spawns or finds the process, publishes the command (id CommandID,
// ReceivedAt = the message's stream timestamp) and answers with
// de.mako.command.accepted. Every step is idempotent, so a redelivery
// completes what a crash interrupted.
type Receiver struct {
	js      jetstream.JetStream
	ec      Engine
	reg     *erpwire.Registry
	dlq     *deadletter.Sink
	log     zerolog.Logger
	observe func(Outcome)
}

// ReceiverOption configures a Receiver.
type ReceiverOption func(*Receiver) error

// WithReceiverLogger sets the logger.
func WithReceiverLogger(l zerolog.Logger) ReceiverOption {
	return func(r *Receiver) error { r.log = l; return nil }
}

// WithOutcome calls f after each handled message.
func WithOutcome(f func(Outcome)) ReceiverOption {
	return func(r *Receiver) error { r.observe = f; return nil }
}

// NewReceiver returns a receiver for the registered command types. ec must
// have a registry and an inbox.
func NewReceiver(js jetstream.JetStream, ec Engine, reg *erpwire.Registry, dlq *deadletter.Sink, opts ...ReceiverOption) (*Receiver, error) {
	if ec.Registry() == nil || ec.Inbox() == nil {
		return nil, fmt.Errorf("erp: receiver: %w: the engine needs a registry and an inbox", engine.ErrNotConfigured)
	}
	if reg == nil {
		reg, _ = erpwire.NewRegistry()
	}
	r := &Receiver{js: js, ec: ec, reg: reg, dlq: dlq, log: zerolog.Nop()}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Handle implements worker.Handler for messages on mako.erp.in.<tenant>.
func (r *Receiver) Handle(ctx context.Context, msg jetstream.Msg) error {
	md, err := msg.Metadata()
	if err != nil {
		return worker.Permanent(fmt.Errorf("erp: %s: metadata: %w", msg.Subject(), err))
	}
	tenant, err := erpwire.TenantFromSubject(msg.Subject())
	if err != nil {
		// No tenant to answer to: a dead letter only.
		return r.dead(ctx, msg, "", deadletter.ReasonMalformed, "erp command on a malformed subject: "+err.Error())
	}
	req, err := erpwire.DecodeRequest(msg.Data())
	if err != nil {
		return r.rejected(ctx, msg, md, tenant, req, reject(RejectMalformed, "%v", err))
	}
	if req.Tenant != string(tenant) {
		return r.rejected(ctx, msg, md, tenant, req, reject(RejectTenant, "command names tenant %q but was sent to %s", req.Tenant, msg.Subject()))
	}
	ct, ok := r.reg.Lookup(req.Type)
	if !ok {
		return r.rejected(ctx, msg, md, tenant, req, reject(RejectUnknownType, "unknown command type %q (known: %s)", req.Type, strings.Join(r.reg.Types(), ", ")))
	}
	payload, err := ct.Decode(req.Data)
	if err != nil {
		return r.rejected(ctx, msg, md, tenant, req, reject(RejectInvalidData, "%s: %v", req.Type, err))
	}
	if payload == nil {
		return r.rejected(ctx, msg, md, tenant, req, reject(RejectInvalidData, "%s: no command", req.Type))
	}
	receivedAt := md.Timestamp.UTC()
	target := erpwire.Target{Workflow: ct.Workflow}
	if ct.Route != nil {
		if target, err = ct.Route(ctx, req, payload); err != nil {
			var rej *Rejection
			if errors.As(err, &rej) {
				return r.rejected(ctx, msg, md, tenant, req, rej)
			}
			return r.rejected(ctx, msg, md, tenant, req, reject(RejectInvalidData, "%s: %v", req.Type, err))
		}
	}
	id, codec, rej, err := r.resolveTarget(ctx, tenant, req, target, receivedAt)
	if err != nil {
		return err
	}
	if rej != nil {
		return r.rejected(ctx, msg, md, tenant, req, rej)
	}
	// The key is only looked at here and accepted once the command is
	// stored and answered (below): a command whose first handling failed is
	// not a duplicate when the ERP sends it again.
	// The inbox entry records the MAKO_ERP sequence that was accepted: the
	// same sequence is a redelivery (whatever the delivery count, which a
	// server crash may lose), another one the ERP's resend.
	origin := "erp:" + strconv.FormatUint(md.Sequence.Stream, 10)
	dup, err := engine.AcceptedElsewhere(ctx, r.ec.Inbox(), tenant, inboxKey(req.IdempotencyKey), origin, md.NumDelivered > 1)
	if err != nil {
		return worker.Transient(fmt.Errorf("erp: %s: inbox %s: %w", tenant, req.IdempotencyKey, err))
	}
	if dup {
		return r.rejected(ctx, msg, md, tenant, req, reject(RejectDuplicate, "idempotency key %q was already accepted (answer %s); not executed again",
			req.IdempotencyKey, erpwire.AcceptedID(tenant, req.IdempotencyKey)))
	}
	spawned := false
	if id.Process == "" { // spawn or resume under the registry key
		key := target.Key
		if key == "" {
			key = erpwire.DefaultKey(req.IdempotencyKey)
		}
		id, spawned, err = r.ec.SpawnOrResume(ctx, tenant, key, id.Workflow)
		if err != nil {
			return fmt.Errorf("erp: %s: spawn %s under %q: %w", tenant, id.Workflow, key, err)
		}
		if def, err := r.ec.Resolve(id.Workflow); err == nil {
			codec = def.Codec()
		} else {
			return worker.Permanent(fmt.Errorf("erp: %s: %w", id, err))
		}
	}
	cmd := engine.Command{
		ID:            erpwire.CommandID(tenant, req.IdempotencyKey),
		ReceivedAt:    receivedAt,
		FormatVersion: id.Workflow.FormatVersion,
		Correlation:   erpwire.CorrelationID(tenant, req.IdempotencyKey),
		Conversation:  engine.ConversationID(req.IdempotencyKey),
		TraceParent:   msg.Headers().Get(command.HeaderTraceParent),
		Payload:       payload,
	}
	if err := command.Publish(ctx, r.js, id, codec, cmd); err != nil {
		if errors.Is(err, engine.ErrInvalidArgument) {
			// The payload type is not in the workflow's codec: a registration defect.
			return r.rejected(ctx, msg, md, tenant, req, reject(RejectInvalidData, "%s: %v", req.Type, err))
		}
		return err
	}
	ans := CommandAnswer{IdempotencyKey: req.IdempotencyKey, CommandType: req.Type, Process: string(id.Process), Workflow: id.Workflow.String(), Spawned: spawned}
	if err := r.answer(ctx, tenant, erpwire.AcceptedID(tenant, req.IdempotencyKey), erpwire.TypeCommandAccepted, string(id.Process), req.IdempotencyKey, receivedAt, ans); err != nil {
		return err
	}
	// A concurrent copy that got here first changes nothing: the command
	// id is derived from the key, so the process executes it once.
	if _, err := engine.AcceptFrom(ctx, r.ec.Inbox(), tenant, inboxKey(req.IdempotencyKey), origin, md.NumDelivered > 1); err != nil {
		return worker.Transient(fmt.Errorf("erp: %s: inbox %s: %w", tenant, req.IdempotencyKey, err))
	}
	r.log.Info().Str("tenant", string(tenant)).Str("idempotency_key", req.IdempotencyKey).Str("process", id.String()).Msg("erp: command accepted")
	r.report(Outcome{Tenant: tenant, IdempotencyKey: req.IdempotencyKey, Result: "accepted", Process: id})
	return nil
}

// resolveTarget picks the workflow definition and, for an Existing target,
// the process. For a spawn target the returned identity has no process yet.
func (r *Receiver) resolveTarget(ctx context.Context, tenant engine.TenantID, req erpwire.Request, t erpwire.Target, at time.Time) (engine.ProcessIdentity, *engine.Codec, *Rejection, error) {
	if t.Existing != nil {
		if err := t.Existing.Validate(); err != nil {
			return engine.ProcessIdentity{}, nil, reject(RejectInvalidData, "%s: %v", req.Type, err), nil
		}
		found, err := r.ec.Registry().LookupAll(ctx, tenant, *t.Existing)
		if err != nil {
			return engine.ProcessIdentity{}, nil, nil, fmt.Errorf("erp: %s: lookup %s: %w", tenant, t.Existing, err)
		}
		if len(found) == 0 {
			return engine.ProcessIdentity{}, nil, reject(RejectNoProcess, "no live process for %s", t.Existing), nil
		}
		id := found[len(found)-1]
		def, err := r.ec.Resolve(id.Workflow)
		if err != nil {
			return engine.ProcessIdentity{}, nil, reject(RejectUnknownWorkflow, "%v", err), nil
		}
		return id, def.Codec(), nil, nil
	}
	if t.Workflow == "" {
		return engine.ProcessIdentity{}, nil, reject(RejectInvalidData, "%s: route names no workflow", req.Type), nil
	}
	v := t.FormatVersion
	if v.IsZero() {
		var err error
		if v, err = fv.Resolve(at); err != nil {
			return engine.ProcessIdentity{}, nil, reject(RejectUnknownWorkflow, "format version at %s: %v", at.Format(time.RFC3339), err), nil
		}
	}
	def, err := r.ec.Lookup(t.Workflow, v)
	if err != nil {
		return engine.ProcessIdentity{}, nil, reject(RejectUnknownWorkflow, "%v", err), nil
	}
	if t.Key != "" {
		if err := engine.ValidateRegistryKey(t.Key); err != nil {
			return engine.ProcessIdentity{}, nil, reject(RejectInvalidData, "%s: %v", req.Type, err), nil
		}
	}
	return engine.ProcessIdentity{Tenant: tenant, Workflow: def.ID()}, def.Codec(), nil, nil
}

// rejected answers a command with de.mako.command.rejected and writes a
// dead letter with its bytes; the message is then acknowledged.
func (r *Receiver) rejected(ctx context.Context, msg jetstream.Msg, md *jetstream.MsgMetadata, tenant engine.TenantID, req erpwire.Request, rej *Rejection) error {
	reason := deadletter.ReasonMalformed
	switch rej.Code {
	case RejectNoProcess:
		reason = deadletter.ReasonUnknownConversation
	case RejectUnknownWorkflow:
		reason = deadletter.ReasonVersionMismatch
	case RejectFailed:
		reason = deadletter.ReasonProcessing
	case RejectDuplicate:
		reason = deadletter.ReasonDuplicate
	}
	if err := r.dead(ctx, msg, string(tenant), reason, fmt.Sprintf("erp command %q (%s) rejected: %s: %s", req.IdempotencyKey, req.Type, rej.Code, rej.Reason)); err != nil {
		return err
	}
	ans := CommandAnswer{IdempotencyKey: req.IdempotencyKey, CommandType: req.Type, Code: rej.Code, Reason: rej.Reason}
	if err := r.answer(ctx, tenant, erpwire.RejectedID(tenant, req.IdempotencyKey, md.Sequence.Stream), erpwire.TypeCommandRejected, req.IdempotencyKey, req.IdempotencyKey, md.Timestamp.UTC(), ans); err != nil {
		return err
	}
	r.log.Warn().Str("tenant", string(tenant)).Str("idempotency_key", req.IdempotencyKey).Str("code", rej.Code).Str("reason", rej.Reason).Msg("erp: command rejected")
	result := "rejected"
	if rej.Code == RejectDuplicate {
		result = "duplicate"
	}
	r.report(Outcome{Tenant: tenant, IdempotencyKey: req.IdempotencyKey, Result: result, Rejection: rej})
	return nil
}

func (r *Receiver) answer(ctx context.Context, tenant engine.TenantID, id, typ, subject, conv string, at time.Time, ans CommandAnswer) error {
	data, err := json.Marshal(ans)
	if err != nil {
		return worker.Permanent(fmt.Errorf("erp: encode answer: %w", err))
	}
	ce := erpwire.CloudEvent{SpecVersion: erpwire.SpecVersion, ID: id, Source: erpwire.Source(tenant), Type: typ, Subject: subject, Time: at,
		DataContentType: "application/json", MakoConvID: conv, Data: data}
	return Publish(ctx, r.js, tenant, ce)
}

func (r *Receiver) dead(ctx context.Context, msg jetstream.Msg, tenant string, reason deadletter.Reason, detail string) error {
	return worker.DeadLetter(r.dlq, erpwire.Stream, func(msg jetstream.Msg, _ error) deadletter.Letter {
		return deadletter.Letter{Reason: reason, Detail: detail, Audit: deadletter.Audit{Tenant: tenant}, Payload: msg.Data()}
	})(ctx, msg, nil)
}

func (r *Receiver) report(o Outcome) {
	if r.observe != nil {
		r.observe(o)
	}
}

// Exhausted answers a command that kept failing with
// de.mako.command.rejected (code "failed") and a dead letter
// (worker.WithExhausted).
func (r *Receiver) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	md, err := msg.Metadata()
	if err != nil {
		return err
	}
	tenant, terr := erpwire.TenantFromSubject(msg.Subject())
	if terr != nil {
		return r.dead(ctx, msg, "", deadletter.ReasonProcessing, "erp command failed: "+cause.Error())
	}
	req, _ := erpwire.DecodeRequest(msg.Data())
	return r.rejected(ctx, msg, md, tenant, req, reject(RejectFailed, "%v", cause))
}
