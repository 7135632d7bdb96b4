package geligas

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
	ErrUnexpectedCommand = errors.New("geligas: unexpected command")
	// ErrNoMasterData: a request that needs master data arrived without it
	// (Module.Enrich is not wired for the workflow).
	ErrNoMasterData = errors.New("geligas: request without master data (Module.Enrich not wired)")
	// ErrInvalidCommand: an ERP command misses a required field or holds a
	// value the AHB does not allow.
	ErrInvalidCommand = errors.New("geligas: invalid ERP command")
	// ErrMessage: a received transaction cannot be read.
	ErrMessage = errors.New("geligas: unreadable transaction")
	// ErrInvalidOption: an Option was given a value the module cannot take
	// (Module, Workflows fail with it).
	ErrInvalidOption = errors.New("geligas: invalid option")
)

// ErrNonConformant marks an outbound message that violates the AHB of its
// PID and format version (utilmdkit.ErrNonConformant): the decision is
// refused, nothing is committed or sent.
var ErrNonConformant = utilmdkit.ErrNonConformant

// NonConformantError names the refused outbound message and its AHB
// findings (utilmdkit.NonConformantError).
type NonConformantError = utilmdkit.NonConformantError

// TransactionError names the received transaction a workflow could not
// handle; it wraps ErrMessage or ErrNoMasterData.
type TransactionError = utilmdkit.TransactionError

// Deadline labels.
const (
	labelAperak   = "aperak:"  // + our transaction id: the partner's error APERAK can arrive until then
	labelLFA      = "lfa"      // NB: the LFA's answer to 44010 is due (E_3007)
	labelDecision = "decision" // answering side: the ERP's Decide is due
)

// flow is one workflow of the package: all share State, codec and the
// APERAK/CONTRL duties; Handle dispatches on the workflow name.
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
		Event(AperakReceived{}, 1).Event(Processed{}, 1).Event(ContrlReceived{}, 1).Event(AnswerReceived{}, 1).
		Event(InfoReceived{}, 1).Event(LFAWaitExpired{}, 1).Event(DecisionRequested{}, 1).Event(Decided{}, 1).
		Event(Completed{}, 1).Event(Failed{}, 1).Event(SupplierAssigned{}, 1).Event(SupplyEnded{}, 1).
		Event(AssignmentRevoked{}, 1).Event(StornoReceived{}, 1).Event(Delivered{}, 1).Event(Undelivered{}, 1).Event(Noted{}, 1).
		Command(inbound.Transaction{}).Command(Enriched{}).Command(RegisterSupplyStart{}).Command(RequestTermination{}).
		Command(RegisterSupplyEnd{}).Command(DeregisterSupply{}).Command(RegisterEoG{}).Command(RequestCancellation{}).
		Command(Decide{}).Command(Timeout{}).Command(delivery.Confirmed{}).Command(delivery.Failed{})
}

// OnDeadline implements engine.DeadlineHandler: every fired deadline becomes
// a Timeout at its due time (or at the earlier forced fire time).
func (f flow) OnDeadline(_ State, fired engine.DeadlineFired) (engine.CommandData, error) {
	return Timeout{Label: fired.Label, Due: utilmdkit.FireTime(fired)}, nil
}

// dec accumulates one decision (utilmdkit.Decision): events are applied
// to x.S as they are emitted so that later steps see them.
type dec = utilmdkit.Decision[State]

// Handle implements engine.Workflow.
func (f flow) Handle(s State, cmd engine.Command) (engine.Decision, error) {
	if f.cfg == nil {
		return engine.Decision{}, fmt.Errorf("%w: workflow %s has no configuration (use Module or Workflows)", ErrInvalidOption, f.name)
	}
	x, err := utilmdkit.BeginDecision(s, s.FV, cmd, apply)
	if err != nil {
		return engine.Decision{}, fmt.Errorf("geligas: %w", err)
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
	case DeregisterSupply:
		err = f.deregisterSupply(x, p)
	case RegisterEoG:
		err = f.registerEoG(x, p)
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
			x.At = p.Due.UTC()
		}
		err = f.timeout(x, p.Label)
	default:
		err = fmt.Errorf("%w: %T for %s", ErrUnexpectedCommand, cmd.Payload, f.name)
	}
	if err != nil {
		return engine.Decision{}, err
	}
	x.BindMaLo(s.MaLo, x.S.MaLo) // found by it: `mako process list --malo`
	if f.name == WorkflowNBLieferbeginn && !s.Done && x.S.Done && ident.ValidateMaLo(x.S.MaLo) == nil {
		// The Anmeldung is answered (or cancelled): no longer in process.
		x.D.Correlate = append(x.D.Correlate, AnsweredKey(x.S.MaLo))
	}
	return x.D, nil
}

// maloOf returns the MaLo of a Gas transaction: the first SG5 LOC+172
// (Meldepunkt) that holds a MaLo-ID (44002 lists the MaLo and its MeLos).
func maloOf(t *utilmd.Transaction) (string, bool) {
	if t == nil {
		return "", false
	}
	first := ""
	for _, s := range t.Segments {
		if !s.Is("LOC", "172") {
			continue
		}
		id := s.Value(1, 0)
		if ident.ValidateMaLo(id) == nil {
			return id, true
		}
		if first == "" {
			first = id
		}
	}
	return first, first != ""
}

// unreadable answers a UTILMD transaction that cannot be read with an
// error APERAK Z29 and ends the process; only when no APERAK can be built
// does the error go back to the pipeline (dead letter).
func (f flow) unreadable(x *dec, r *utilmdkit.Received, cause error) error {
	return utilmdkit.FailUnreadable[family](x, r, cause, x.S.MaLo, func(problems []aperak.Problem) error { return f.ack(x, r, problems) })
}

// transaction handles a received transaction: an APERAK or CONTRL for a
// message we sent, a request, an Informationsmeldung or an answer.
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
		if r, err = utilmdkit.Parse(tx, ErrMessage); err != nil {
			return f.unreadable(x, r, err)
		}
	}
	if err := x.TransactionFV(tx, ErrMessage); err != nil {
		return err
	}
	switch {
	case infoPIDs[tx.PID]:
		return f.infoIn(x, r)
	case isRequest(tx.PID):
		if tx.PID == PIDStorno && x.S.Started && f.name != WorkflowStornoAnswer {
			return f.stornoIn(x, r)
		}
		if x.S.Started {
			x.Emit(Noted{What: "second request " + tx.PID + " " + tx.TransactionID + " in one process"})
			return nil
		}
		return f.request(x, r, md)
	}
	return f.answer(x, r)
}

// ack sends the error APERAK (313) for a received transaction with
// problems. Gas sends no positive APERAK (APERAK AHB 1.1 §2.4.1): without
// problems nothing is sent.
func (f flow) ack(x *dec, r *utilmdkit.Received, problems []aperak.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	id := x.Ref("A")
	_, deadline := x.Cmd.Payload.(Timeout)
	created, v := utilmdkit.ReplyTime(x.Cmd, deadline, x.At, x.FV)
	rep, err := utilmdkit.BuildAPERAK(f.name, r, id, created, v, problems)
	if err != nil {
		return err
	}
	x.D.Outbound = append(x.D.Outbound, rep.Outbound)
	x.D.Correlate = append(x.D.Correlate, rep.Key)
	x.Emit(AperakSent{TransactionID: r.Tx.TransactionID, ERC: rep.ERC, Document: id, At: x.At})
	return nil
}

// send builds one UTILMD Gas transaction, validates it against its AHB
// (refusing the decision on a finding), binds the keys under which its
// answers find this process and sets the deadline after which it counts as
// processed (no error APERAK by the Gas APERAK deadline).
func (f flow) send(x *dec, u outMsg) (Sent, error) {
	u.FV, u.At = x.FV, x.At
	u.Interchange, u.Document, u.Transaction = x.Ref("G"), x.Ref("D"), x.Ref("V")
	if u.BGM == "" {
		if infoPIDs[u.PID] {
			u.BGM = "E44"
		} else if uc, ok := useCaseOf(u.PID); ok {
			u.BGM = uc.BGM
		}
	}
	out, err := u.bytes()
	if err != nil {
		return Sent{}, fmt.Errorf("geligas: build %s for %s: %w", u.PID, u.To, err)
	}
	if err := utilmdkit.Conform(f.name, x.FV, "UTILMD", u.To, out); err != nil {
		return Sent{}, err
	}
	due, err := f.cfg.aperak.Due(context.Background(), fristen.APERAKRequest{Received: x.At, Sparte: fristen.Gas, MessageType: "UTILMD", Initial: initial(u.PID)})
	if err != nil {
		return Sent{}, fmt.Errorf("geligas: APERAK deadline for %s: %w", u.PID, err)
	}
	aperakDue := due.Due.Add(f.cfg.aperakGrace).UTC()
	x.Send(engine.Outbound{Recipient: u.To, Sender: u.From, MessageType: "UTILMD", InterchangeRef: u.Interchange, Payload: out},
		u.Transaction, u.Document, engine.DeadlineRequest{Label: labelAperak + u.Transaction, Due: aperakDue})
	s := Sent{PID: u.PID, TransactionID: u.Transaction, Document: u.Document, InterchangeRef: u.Interchange, Recipient: u.To,
		Code: u.Answer, List: u.List, AperakDue: aperakDue, At: x.At, CancelTx: u.RefACW}
	x.Emit(s)
	return s, nil
}

// initial reports whether pid is an Initialprozess for the Gas APERAK
// deadline (3 WT) rather than a Folgeprozess (next WT 12:00). INTERPRETATION
// (edifact.md §11.2: Initialprozess = "Zuordnung zu einem Objekt"): the
// requests that open a supplier-switch process (44001, 44004, 44007, 44013,
// 44016); the answers, the Abmeldeanfrage 44010 (a step inside the NB's
// Lieferbeginn), the Informationsmeldungen and 44022 are Folgeprozesse.
func initial(pid string) bool {
	u, ok := useCaseOf(pid)
	return ok && u.Request == pid && u.Initial
}

// aperakIn handles the partner's APERAK for a message we sent: an error
// APERAK (313) rejects the transaction (it counts as not received); a
// positive one, which Gas does not send, is recorded.
func (f flow) aperakIn(x *dec, tx inbound.Transaction) error {
	a, err := utilmdkit.ParseAPERAK(tx, ErrMessage)
	if err != nil {
		return err
	}
	o := x.S.outByDoc(a.Document)
	if o == nil && a.Transaction != "" {
		o = x.S.out(a.Transaction)
	}
	if o == nil {
		x.Emit(Noted{What: "APERAK " + tx.InterchangeRef + " for unknown document " + a.Document})
		return nil
	}
	if o.Aperak == "312" || o.Aperak == "313" {
		x.Emit(Noted{What: "second APERAK " + tx.InterchangeRef + " for " + o.TransactionID})
		return nil
	}
	accepted, pending := a.Code == "312", o.Aperak == ""
	x.Emit(AperakReceived{TransactionID: o.TransactionID, PID: o.PID, Document: o.Document, Accepted: accepted, ERC: a.ERC, MaLo: x.S.MaLo})
	if accepted {
		return nil
	}
	switch {
	case pending:
		x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelAperak+o.TransactionID)
	case o.Aperak == "processed":
		// After the deadline the transaction counted as processed; a late
		// error APERAK is recorded and still ends the process.
		x.Emit(Noted{What: "error APERAK " + tx.InterchangeRef + " after the APERAK deadline of " + o.TransactionID})
	default: // "contrl": its interchange counted as not received already
		x.Emit(Noted{What: "error APERAK " + tx.InterchangeRef + " for " + o.TransactionID + ", whose interchange a CONTRL rejected"})
	}
	return f.rejected(x, *o, OutcomeAperakRejected)
}

// contrlIn handles a CONTRL for an interchange we sent: Gas acknowledges
// every interchange (UCI 0083 = 7: received); 4 rejects it (edifact.md §10).
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

// rejected handles a transaction of ours that counts as not received.
func (f flow) rejected(x *dec, o Outgoing, outcome string) error {
	if f.name == WorkflowNBLieferbeginn && o.TransactionID == x.S.LFATx && !x.S.Done && !x.S.LFAAnswered {
		// The 44010 counts as not received: the LFA cannot answer it; the
		// NB decides without it (E_3007, as on the LFA's silence).
		x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelLFA)
		x.Emit(LFAWaitExpired{TransactionID: o.TransactionID, Due: x.At})
		return f.nbDecide(x)
	}
	if x.S.Init != nil && len(x.S.Out) > 0 && x.S.Out[0].TransactionID == o.TransactionID && !x.S.Done {
		// The request of a sending workflow was rejected: the process
		// cannot continue. An answering workflow's first transaction may
		// be an Informationsmeldung (the NB's 44036 before its 44010): its
		// rejection is recorded and the request is still answered.
		x.Emit(Failed{Outcome: outcome, Reason: o.PID + " " + o.TransactionID + " rejected by " + o.Recipient, MaLo: x.S.MaLo})
	}
	return nil
}

// timeout handles a fired deadline.
func (f flow) timeout(x *dec, label string) error {
	switch {
	case strings.HasPrefix(label, labelAperak):
		o := x.S.out(strings.TrimPrefix(label, labelAperak))
		if o == nil || o.Aperak != "" {
			return nil
		}
		x.Emit(Processed{TransactionID: o.TransactionID, PID: o.PID, Due: o.AperakDue, MaLo: x.S.MaLo})
		return nil
	case label == labelLFA:
		if x.S.Done || x.S.LFAAnswered || x.S.LFATx == "" {
			return nil
		}
		x.Emit(LFAWaitExpired{TransactionID: x.S.LFATx, Due: x.At})
		return f.nbDecide(x)
	case label == labelDecision:
		if !x.S.DecisionPending || x.S.Done {
			return nil
		}
		return f.applyDecision(x, Decided{Object: x.S.DefaultObject, Source: "default", Note: "no ERP decision by the deadline"})
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
	if req := x.S.Request; p.TransactionID != req.TransactionID || p.Partner != req.Sender {
		x.Emit(Noted{What: "ERP decision for " + p.Partner + ":" + p.TransactionID + " does not match the pending request"})
		return nil
	}
	x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelDecision)
	return f.applyDecision(x, Decided{Object: p.Object, Code: p.Code, Source: "erp", Note: p.Note, End: p.End})
}

// request dispatches a received request to its workflow's decision.
func (f flow) request(x *dec, r *utilmdkit.Received, md *MasterData) error {
	switch f.name {
	case WorkflowNBLieferbeginn:
		return f.nbAnmeldung(x, r, md)
	case WorkflowNBLieferende:
		return f.nbAbmeldung(x, r, md)
	case WorkflowLFAAbmeldeanfrage, WorkflowLFAbmeldungNB, WorkflowLFEoG, WorkflowLFAKuendigung, WorkflowStornoAnswer:
		return f.lfRequest(x, r, md)
	}
	x.Emit(Noted{What: "request " + r.Tx.PID + " " + r.Tx.TransactionID + " not handled by " + f.name})
	return nil
}

// answer handles a received answer to a transaction we sent.
func (f flow) answer(x *dec, r *utilmdkit.Received) error {
	ref, _ := r.T.Reference("TN")
	code, list, third := utilmdkit.AnswerCodes(r.T)
	ar := AnswerReceived{PID: r.Tx.PID, TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender, RefTransaction: ref.Value,
		Code: code, List: list, ThirdCode: third, Date: utilmdkit.RequestDate(r.T), At: x.At}
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

// dateOf reads the DTM of qualifier q as an instant (zero if absent).
func dateOf(t *utilmd.Transaction, q string) time.Time { return utilmdkit.Date(t, q) }

// statusReason returns the first Transaktionsgrund (STS+7) of t.
func statusReason(t *utilmd.Transaction) string {
	if st, ok := t.Status("7"); ok && len(st.Reasons) > 0 {
		return st.Reasons[0].Value
	}
	return ""
}

func deadlineAt(label string, due time.Time) engine.DeadlineRequest {
	return engine.DeadlineRequest{Label: label, Due: due.UTC()}
}
