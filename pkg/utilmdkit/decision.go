package utilmdkit

import (
	"fmt"
	"strconv"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/refgen"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// DecisionVersion returns the format version a decision sends in: the
// command's (a received message's) if set; else — a deadline, an ERP
// command — the version in force at the command's receipt time, not the one
// of the original request (the recipient checks a message against its
// receipt date, edifact.md §7.3); else the state's stateFV. fv.Resolve is a
// pure table lookup on the command's time.
func DecisionVersion(cmd engine.Command, stateFV string) (fv.Version, error) {
	if !cmd.FormatVersion.IsZero() {
		return cmd.FormatVersion, nil
	}
	if v, err := fv.Resolve(cmd.ReceivedAt.UTC()); err == nil {
		return v, nil
	}
	if stateFV == "" {
		return fv.Version{}, nil
	}
	v, err := fv.Parse(stateFV)
	if err != nil {
		return fv.Version{}, fmt.Errorf("state format version %q: %w", stateFV, err)
	}
	return v, nil
}

// FireTime is the time a fired deadline's command carries: its due time (a
// retried decision gives the same bytes) or, for a deadline an operator
// fired before it was due (scheduler.Force, `mako deadline fire`), the
// recorded fire time, so that nothing is sent dated in the future.
func FireTime(fired engine.DeadlineFired) time.Time {
	if !fired.FiredAt.IsZero() && fired.FiredAt.Before(fired.Due) {
		return fired.FiredAt
	}
	return fired.Due
}

// Reply is an APERAK built for a received transaction.
type Reply struct {
	Outbound engine.Outbound
	// Key binds the APERAK's interchange to the process (its CONTRL).
	Key engine.BusinessKey
	// ERC are the codes of the problems.
	ERC []string
}

// BuildAPERAK builds the APERAK with id (document number and interchange
// reference) answering the received transaction r, validates it against
// the APERAK AHB (Conform, strict) and returns it as an outbound of r's
// recipient. It is dated with created — the processor's clock (never before
// the receipt) or, for a fired deadline, its time — and built in the
// format version in force then (v when that is unknown): see ReplyTime.
func BuildAPERAK(workflow string, r *Received, id string, created time.Time, v fv.Version, problems []aperak.Problem) (Reply, error) {
	ref, err := aperak.ReferenceFrom(r.IX, r.M, r.U)
	if err != nil {
		return Reply{}, fmt.Errorf("%s: APERAK for %s/%s: %w", workflow, r.Tx.Sender, r.Tx.TransactionID, err)
	}
	out, err := aperak.Build(aperak.Params{FormatVersion: v, Ref: id, Time: created},
		aperak.Message{Ref: "1", DocumentNumber: id, Reference: ref, Problems: problems})
	if err != nil {
		return Reply{}, fmt.Errorf("%s: APERAK for %s/%s: %w", workflow, r.Tx.Sender, r.Tx.TransactionID, err)
	}
	if err := Conform(workflow, v, "APERAK", r.Tx.Sender, out); err != nil {
		return Reply{}, err
	}
	own := r.Tx.Receiver
	rep := Reply{Outbound: engine.Outbound{Recipient: r.Tx.Sender, Sender: own, MessageType: "APERAK", InterchangeRef: id, Payload: out},
		Key: inbound.InterchangeKey(own, id)}
	for _, p := range problems {
		rep.ERC = append(rep.ERC, p.Code)
	}
	return rep, nil
}

// ReplyTime returns the creation time and format version of a reply the
// command cmd causes: for a fired deadline (deadline = true) the decision's
// time at and version v; otherwise the processor's preparation time and the
// version in force then (v if none resolves).
func ReplyTime(cmd engine.Command, deadline bool, at time.Time, v fv.Version) (time.Time, fv.Version) {
	if deadline {
		return at, v
	}
	created := cmd.Prepared().UTC()
	if rv, err := fv.Resolve(created); err == nil {
		v = rv
	}
	return created, v
}

// Find returns a pointer to the first element of xs whose key is v, nil if
// none (the families' tables of sent transactions, looked up by
// transaction, document or interchange).
func Find[T any](xs []T, key func(*T) string, v string) *T {
	for i := range xs {
		if key(&xs[i]) == v {
			return &xs[i]
		}
	}
	return nil
}

// Decision accumulates one decision of a workflow with state S: events are
// applied to S as they are emitted (Emit), so that later steps of the same
// decision see them; references are derived from the command id (Ref).
type Decision[S any] struct {
	S   S               // the state with the emitted events applied
	D   engine.Decision // the decision under construction
	Cmd engine.Command  // the command decided on
	At  time.Time       // the decision's time (receipt, or a deadline's time)
	FV  fv.Version      // the format version the decision sends in
	// apply is the workflow's pure Apply; n counts the references.
	apply func(S, engine.Event) S
	n     int
}

// NewDecision starts the decision of cmd on state s at the command's
// receipt time; apply is the workflow's Apply.
func NewDecision[S any](s S, cmd engine.Command, apply func(S, engine.Event) S) *Decision[S] {
	return &Decision[S]{S: s, Cmd: cmd, At: cmd.ReceivedAt.UTC(), FV: cmd.FormatVersion, apply: apply}
}

// Emit appends events to the decision and applies them to S.
func (x *Decision[S]) Emit(evs ...engine.EventData) {
	for _, e := range evs {
		x.D.Events = append(x.D.Events, e)
		x.S = x.apply(x.S, engine.Event{Data: e})
	}
}

// Ref derives the next reference of this decision from the command id
// (pkg/refgen: deterministic, never a clock).
func (x *Decision[S]) Ref(prefix string) string {
	x.n++
	return refgen.Ref(prefix, string(x.Cmd.ID), strconv.Itoa(x.n))
}
