package gpke

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Errors of the workflows. Handle wraps them with the transaction concerned.
var (
	// ErrUnexpectedCommand: the workflow does not handle this command type.
	ErrUnexpectedCommand = errors.New("gpke: unexpected command")
	// ErrNoMasterData: a request that needs master data arrived without it
	// (Module.Enrich is not wired for the workflow).
	ErrNoMasterData = errors.New("gpke: request without master data (Module.Enrich not wired)")
	// ErrInvalidCommand: an ERP command misses a required field.
	ErrInvalidCommand = errors.New("gpke: invalid ERP command")
	// ErrMessage: a received transaction cannot be read.
	ErrMessage = errors.New("gpke: unreadable transaction")
)

// TransactionError names the received transaction a workflow could not
// handle; it wraps ErrMessage or ErrNoMasterData (errors.Is works). The type
// is shared with the other families (pkg/utilmdkit).
type TransactionError = utilmdkit.TransactionError

// Deadline labels.
const (
	labelAperak   = "aperak:"  // + our transaction id: the partner's APERAK is due
	labelLFA      = "lfa"      // NB: the LFA's answer to 55010 is due (E_0623 step 30)
	labelDecision = "decision" // LF: the ERP's Decide is due (Policy)
	labelAnswer   = "answer"   // sender: the partner's answer is due (only if pkg/fristen knows it)
)

// flow is one workflow of the package: all share State, codec and the
// APERAK duties; Handle dispatches on the workflow name.
type flow struct {
	name string
	cfg  *config
}

// Name implements engine.Workflow.
func (f flow) Name() string { return f.name }

// Initial implements engine.Workflow.
func (f flow) Initial() State { return State{Workflow: f.name} }

// Apply implements engine.Workflow.
func (f flow) Apply(s State, ev engine.Event) State { return apply(s, ev) }

// Codec implements engine.Workflow: the package's events and commands.
func (f flow) Codec() *engine.Codec {
	return engine.NewCodec().
		Event(RequestReceived{}, 1).Event(Initiated{}, 1).Event(AperakSent{}, 1).Event(Sent{}, 1).
		Event(AperakReceived{}, 1).Event(AperakMissing{}, 1).Event(ContrlReceived{}, 1).
		Event(AnswerReceived{}, 1).Event(LFAWaitExpired{}, 1).Event(DecisionRequested{}, 1).
		Event(Decided{}, 1).Event(Completed{}, 1).Event(Failed{}, 1).Event(SupplierAssigned{}, 1).
		Event(SupplyEnded{}, 1).Event(Noted{}, 1).Event(Delivered{}, 1).Event(Undelivered{}, 1).Event(StornoReceived{}, 1).
		Command(inbound.Transaction{}).Command(Enriched{}).Command(RegisterSupplyStart{}).
		Command(RequestTermination{}).Command(RegisterSupplyEnd{}).Command(RequestCancellation{}).
		Command(Decide{}).Command(Timeout{}).Command(delivery.Confirmed{}).Command(delivery.Failed{})
}

// OnDeadline implements engine.DeadlineHandler: every fired deadline becomes
// a Timeout command. Its time is the due time (a retried decision gives the
// same bytes) — or, for a deadline an operator fired before it was due
// (scheduler.Force, `mako deadline fire`), the recorded fire time, so that
// nothing is sent dated in the future.
func (f flow) OnDeadline(_ State, fired engine.DeadlineFired) (engine.CommandData, error) {
	return Timeout{Label: fired.Label, Due: utilmdkit.FireTime(fired)}, nil
}

// dec accumulates one decision (utilmdkit.Decision): events are applied
// to x.S as they are emitted so that later steps see them.
type dec = utilmdkit.Decision[State]

// Handle implements engine.Workflow.
func (f flow) Handle(s State, cmd engine.Command) (engine.Decision, error) {
	x, err := utilmdkit.BeginDecision(s, s.FV, cmd, apply)
	if err != nil {
		return engine.Decision{}, fmt.Errorf("gpke: %w", err)
	}
	switch p := cmd.Payload.(type) {
	case Enriched:
		md := p.MasterData
		err = f.transaction(x, p.Transaction, &md, p.Parsed())
	case inbound.Transaction:
		err = f.transaction(x, p, nil, nil)
	case RegisterSupplyStart:
		err = f.registerSupplyStart(x, p)
	case RequestTermination:
		err = f.requestTermination(x, p)
	case RegisterSupplyEnd:
		err = f.registerSupplyEnd(x, p)
	case RequestCancellation:
		err = f.requestCancellation(x, p)
	case Decide:
		err = f.decide(x, p)
	case delivery.Confirmed, delivery.Failed:
		// The deliverer's reports are recorded so that the read model
		// shows each outbound message's delivery; they change nothing else.
		ev, _ := utilmdkit.DeliveryReport[family](p)
		x.Emit(ev)
	case Timeout:
		if !p.Due.IsZero() {
			x.At = p.Due.UTC() // deterministic bytes: the due time, not the firing time
		}
		err = f.timeout(x, p.Label)
	default:
		err = fmt.Errorf("%w: %T for %s", ErrUnexpectedCommand, cmd.Payload, f.name)
	}
	if err != nil {
		return engine.Decision{}, err
	}
	x.BindMaLo(s.MaLo, x.S.MaLo) // found by it: `mako process list --malo`
	if (f.name == WorkflowNBLieferbeginn || f.name == WorkflowLFNLieferbeginn) && !s.Done && x.S.Done && ident.ValidateMaLo(x.S.MaLo) == nil {
		// The Anmeldung is answered (or cancelled): it no longer counts as
		// pending for E_0622 step 70 (see KeyAnswered).
		x.D.Correlate = append(x.D.Correlate, AnsweredKey(x.S.MaLo))
	}
	return x.D, nil
}

func parseReceived(tx inbound.Transaction) (*utilmdkit.Received, error) {
	return utilmdkit.Parse(tx, ErrMessage)
}

// unreadable answers a UTILMD transaction that cannot be read as the AHB
// requires with an APERAK 313 Z29 (the AHB check comes first, edifact.md
// §11.3) and ends the process, so that the sender learns of it; the
// transaction is not processed. Only when not even an APERAK can be built
// (the references are missing) does the error go back to the pipeline,
// which dead-letters the command.
func (f flow) unreadable(x *dec, r *utilmdkit.Received, cause error) error {
	return utilmdkit.FailUnreadable[family](x, r, cause, x.S.MaLo, func(problems []aperak.Problem) error { return f.ack(x, r, problems) })
}

// transaction handles a received transaction: an APERAK or CONTRL for a
// message we sent, a request that starts the process, or an answer. parsed,
// if set, is tx already parsed (by Enrich); else tx is parsed here.
func (f flow) transaction(x *dec, tx inbound.Transaction, md *MasterData, parsed *utilmdkit.Received) error {
	switch tx.MessageType {
	case "APERAK":
		return f.aperakIn(x, tx)
	case "CONTRL":
		return f.contrlIn(x, tx)
	}
	r := parsed
	if r == nil {
		var err error
		if r, err = parseReceived(tx); err != nil {
			return f.unreadable(x, r, err)
		}
	}
	if err := x.TransactionFV(tx, ErrMessage); err != nil {
		return err
	}
	if isRequest(tx.PID) {
		if tx.PID == PIDStorno && x.S.Started && x.S.Request != nil && f.name != WorkflowStornoAnswer {
			return f.stornoIn(x, r)
		}
		if x.S.Started {
			// A second request in one process cannot come from ingest (one
			// process per request); acknowledge it and keep it visible.
			if err := f.ack(x, r, nil); err != nil {
				return err
			}
			x.Emit(Noted{What: "second request " + tx.PID + " " + tx.TransactionID + " in one process"})
			return nil
		}
		return f.request(x, r, md)
	}
	return f.answer(x, r)
}

// ack sends the APERAK for a received transaction: 312 without problems,
// 313 with them (edifact.md §11.1: one APERAK per transaction, Strom).
func (f flow) ack(x *dec, r *utilmdkit.Received, problems []aperak.Problem) error {
	id := x.Ref("A")
	// Dated with its creation time (the processor's clock, never before the
	// receipt); deadlines are computed from the receipt time. Its format
	// version is the one in force at that time (edifact.md §7.3).
	_, deadline := x.Cmd.Payload.(Timeout)
	created, v := utilmdkit.ReplyTime(x.Cmd, deadline, x.At, x.FV)
	rep, err := utilmdkit.BuildAPERAK(f.name, r, id, created, v, problems)
	if err != nil {
		return err
	}
	x.D.Outbound = append(x.D.Outbound, rep.Outbound)
	x.D.Correlate = append(x.D.Correlate, rep.Key)
	ercs := rep.ERC
	code := "312"
	if len(problems) > 0 {
		code = "313"
	}
	due, err := f.cfg.aperak.Due(context.Background(), fristen.APERAKRequest{Received: x.Cmd.ReceivedAt, Sparte: fristen.Strom, MessageType: r.Tx.MessageType})
	if err != nil {
		return fmt.Errorf("gpke: APERAK deadline for %s: %w", r.Tx.TransactionID, err)
	}
	x.Emit(AperakSent{TransactionID: r.Tx.TransactionID, Code: code, ERC: ercs, Document: id, Due: due.Due.UTC(), At: x.At})
	return nil
}

// send builds and sends one UTILMD transaction, binds the keys under which
// its answers find this process (transaction, document, interchange) and
// sets the deadline for the partner's APERAK.
func (f flow) send(x *dec, u outMsg) (Sent, error) {
	u.FV, u.At = x.FV, x.At
	u.Interchange, u.Document, u.Transaction = x.Ref("G"), x.Ref("D"), x.Ref("V")
	if u.BGM == "" {
		if uc, ok := useCaseOf(u.PID); ok {
			u.BGM = uc.BGM
		}
	}
	out, err := u.bytes()
	if err != nil {
		return Sent{}, fmt.Errorf("gpke: build %s for %s: %w", u.PID, u.To, err)
	}
	if err := f.conform(x.FV, "UTILMD", u.To, out); err != nil {
		return Sent{}, err
	}
	due, err := f.cfg.aperak.Due(context.Background(), fristen.APERAKRequest{Received: x.At, Sparte: fristen.Strom, MessageType: "UTILMD"})
	if err != nil {
		return Sent{}, fmt.Errorf("gpke: APERAK deadline for %s: %w", u.PID, err)
	}
	aperakDue := due.Due.Add(f.cfg.aperakGrace).UTC()
	x.Send(engine.Outbound{Recipient: u.To, Sender: u.From, MessageType: "UTILMD", InterchangeRef: u.Interchange, Payload: out},
		u.Transaction, u.Document, engine.DeadlineRequest{Label: labelAperak + u.Transaction, Due: aperakDue})
	s := Sent{PID: u.PID, TransactionID: u.Transaction, Document: u.Document, InterchangeRef: u.Interchange, Recipient: u.To,
		Code: u.Answer, EBD: u.EBD, AperakDue: aperakDue, At: x.At, CancelTx: u.RefACW}
	x.Emit(s)
	return s, nil
}

// aperakIn handles the partner's APERAK for a message we sent: 312 accepts,
// 313 rejects the transaction (it counts as not received, edifact.md §12).
func (f flow) aperakIn(x *dec, tx inbound.Transaction) error {
	ap, err := utilmdkit.ParseAPERAK(tx, ErrMessage)
	if err != nil {
		return err
	}
	code, doc, tn, ercs := ap.Code, ap.Document, ap.Transaction, ap.ERC
	o := x.S.outByDoc(doc)
	if o == nil && tn != "" {
		o = x.S.out(tn)
	}
	if o == nil {
		x.Emit(Noted{What: "APERAK " + tx.InterchangeRef + " for unknown document " + doc})
		return nil
	}
	if o.Aperak == "312" || o.Aperak == "313" {
		x.Emit(Noted{What: "second APERAK " + tx.InterchangeRef + " for " + o.TransactionID})
		return nil
	}
	accepted := code == "312"
	pending := o.Aperak == ""
	x.Emit(AperakReceived{TransactionID: o.TransactionID, PID: o.PID, Document: o.Document, Accepted: accepted, ERC: ercs, MaLo: x.S.MaLo})
	if pending {
		x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelAperak+o.TransactionID)
	}
	if !accepted {
		return f.rejected(x, *o, OutcomeAperakRejected)
	}
	return nil
}

// contrlIn handles a CONTRL for an interchange we sent; UCI 0083 = 4 rejects
// the whole interchange (edifact.md §10).
func (f flow) contrlIn(x *dec, tx inbound.Transaction) error {
	ref, rejected, err := utilmdkit.ParseCONTRL(tx, ErrMessage)
	if err != nil {
		return err
	}
	x.Emit(ContrlReceived{InterchangeRef: ref, Rejected: rejected, MaLo: x.S.MaLo})
	o := x.S.outByInterchange(ref)
	if !rejected || o == nil {
		return nil
	}
	x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelAperak+o.TransactionID)
	return f.rejected(x, *o, OutcomeContrlRejected)
}

// timeout handles a fired deadline.
func (f flow) timeout(x *dec, label string) error {
	switch {
	case strings.HasPrefix(label, labelAperak):
		o := x.S.out(strings.TrimPrefix(label, labelAperak))
		if o == nil || o.Aperak != "" {
			return nil
		}
		x.Emit(AperakMissing{TransactionID: o.TransactionID, PID: o.PID, Document: o.Document, Recipient: o.Recipient, Due: o.AperakDue, MaLo: x.S.MaLo})
		return nil
	case label == labelLFA:
		return f.nbLFAExpired(x)
	case label == labelDecision:
		if !x.S.DecisionPending || x.S.Done {
			return nil
		}
		return f.applyDecision(x, Decided{Object: x.S.DefaultObject, Code: x.S.codeFor(x.S.DefaultObject), Source: "default", Note: "no ERP decision by the deadline"})
	case label == labelAnswer:
		if x.S.Done {
			return nil
		}
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: "no answer by the deadline", MaLo: x.S.MaLo})
		return nil
	}
	x.Emit(Noted{What: "unknown deadline " + label})
	return nil
}

// decide handles the ERP's Decide.
func (f flow) decide(x *dec, p Decide) error {
	if !x.S.DecisionPending || x.S.Done {
		x.Emit(Noted{What: "ERP decision without pending request (late, duplicate, or the request was cancelled)"})
		return nil
	}
	if req := x.S.Request; (p.TransactionID != "" && p.TransactionID != req.TransactionID) || (p.Partner != "" && p.Partner != req.Sender) {
		x.Emit(Noted{What: "ERP decision for " + p.Partner + ":" + p.TransactionID + " does not match the pending request"})
		return nil
	}
	code := p.Code
	if code == "" {
		code = x.S.codeFor(p.Object)
	}
	x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelDecision)
	d := Decided{Object: p.Object, Code: code, Source: "erp", Note: p.Note}
	if !p.End.IsZero() {
		if x.S.Request.PID != PIDAnfrageBeendigung || p.Object {
			x.Emit(Noted{What: "ERP end date " + p.End.UTC().Format(time.RFC3339) + " ignored: only a consent to a 55010 carries the LFA's own end date"})
		} else {
			if !fristen.IsStromtagLimit(p.End) {
				return fmt.Errorf("%w: Decide end %s is not 00:00 German local time", ErrInvalidCommand, p.End.UTC().Format(time.RFC3339))
			}
			d.End = p.End.UTC()
		}
	}
	return f.applyDecision(x, d)
}

// request dispatches a received request to its workflow's decision.
func (f flow) request(x *dec, r *utilmdkit.Received, md *MasterData) error {
	switch f.name {
	case WorkflowNBLieferbeginn:
		return f.nbAnmeldung(x, r, md)
	case WorkflowNBLieferende:
		return f.nbAbmeldung(x, r, md)
	case WorkflowLFABeendigung, WorkflowLFAbmeldung, WorkflowLFAKuendigung, WorkflowStornoAnswer:
		return f.lfRequest(x, r, md)
	}
	// A request routed to a sending workflow: acknowledge, keep visible.
	if err := f.ack(x, r, nil); err != nil {
		return err
	}
	x.Emit(Noted{What: "request " + r.Tx.PID + " not handled by " + f.name})
	return nil
}

// answer handles a received answer to a transaction we sent.
func (f flow) answer(x *dec, r *utilmdkit.Received) error {
	if err := f.ack(x, r, nil); err != nil {
		return err
	}
	ref, _ := r.T.Reference("TN")
	code, ebd, third := answerCodes(r.T)
	ar := AnswerReceived{PID: r.Tx.PID, TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender, RefTransaction: ref.Value,
		Code: code, EBD: ebd, ThirdCode: third, At: x.At}
	if d, ok := r.T.Date("92"); ok {
		ar.Date, _ = d.Time()
	} else if d, ok := r.T.Date("93"); ok {
		ar.Date, _ = d.Time()
	}
	o := x.S.out(ref.Value)
	if o == nil {
		x.Emit(Noted{What: "answer " + r.Tx.PID + " " + r.Tx.TransactionID + " references unknown transaction " + ref.Value})
		return nil
	}
	if o.PID == PIDStorno && f.name != WorkflowStornoRequest {
		return f.stornoAnswer(x, *o, ar)
	}
	if f.name == WorkflowNBLieferbeginn {
		return f.nbAnswer(x, *o, ar)
	}
	return f.senderAnswer(x, *o, ar)
}

// answerCodes reads STS+E01 (answer code:EBD) and STS+Z35 (third party).
func answerCodes(t *utilmd.Transaction) (code, ebd, third string) { return utilmdkit.AnswerCodes(t) }

// rejected handles a transaction of ours that the partner rejected (APERAK
// 313 or CONTRL): it counts as not received (edifact.md §12).
func (f flow) rejected(x *dec, o Outgoing, outcome string) error {
	if f.name == WorkflowNBLieferbeginn && o.TransactionID == x.S.LFATx && !x.S.Done && !x.S.LFAAnswered {
		// The Anfrage counts as not received, so the LFA cannot answer it in
		// time: E_0623 step 30 / 420 "nein" (see docs/gpke.md).
		x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelLFA)
		x.Emit(LFAWaitExpired{TransactionID: o.TransactionID, Due: x.At})
		return f.nbDecideLieferbeginn(x)
	}
	if x.S.Init != nil && len(x.S.Out) > 0 && x.S.Out[0].TransactionID == o.TransactionID && !x.S.Done {
		// Our request was rejected: the process cannot continue.
		x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelAnswer)
		x.Emit(Failed{Outcome: outcome, Reason: o.PID + " " + o.TransactionID + " rejected by " + o.Recipient, MaLo: x.S.MaLo})
	}
	return nil
}

func deadlineAt(label string, due time.Time) engine.DeadlineRequest {
	return engine.DeadlineRequest{Label: label, Due: due}
}
