package utilmdkit

import (
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// Family is the tag type a process family instantiates the shared event
// and command kinds of this file with (a family declares, e.g., `type
// Failed = utilmdkit.Failed[family]`). The tag is a zero-size type whose
// methods name what differs between the families; everything else of a
// kind — its fields, JSON and msgpack shape, its ERP view — is the same.
type Family interface {
	// Prefix is the prefix of the family's stable type names: "gpke"
	// names the events "gpke.failed", "gpke.noted", …
	Prefix() string
	// Sparte is the BO4E Sparte of the family's ERP events: "STROM" or
	// "GAS" (GAS also selects the wording of a CONTRL, which Gas sends for
	// every interchange).
	Sparte() string
}

// typeName returns the stable type name of a kind of family F.
func typeName[F Family](kind string) string {
	var f F
	return f.Prefix() + "." + kind
}

// Outcomes reported by the families' ProcessOutcome (the label a finished
// process shows in the overview and the ERP's Completed/Failed events).
const (
	OutcomeConfirmed      = "confirmed"       // the request was confirmed (by us or the partner)
	OutcomeRejected       = "rejected"        // the request was rejected with an answer code
	OutcomeAperakRejected = "aperak_rejected" // a transaction was rejected by an (error) APERAK 313, either side
	OutcomeContrlRejected = "contrl_rejected" // the interchange was rejected by a negative CONTRL
	OutcomeFailed         = "failed"          // the process could not continue (see Failed.Reason)
	OutcomeCancelled      = "cancelled"       // the request was cancelled by a confirmed Stornierung
)

// CEDecisionRequested is the CloudEvent type of a family's DecisionRequested
// event: the ERP is asked to decide a policy step (answered by the family's
// Decide command).
const CEDecisionRequested = "de.mako.decision.requested"

// ERPData returns the data of an ERP event (erp.ProcessData) of a process:
// its workflow, the PID and transaction concerned and, unless maloID is
// empty, the BO4E Marktlokation of Sparte sparte ("STROM", "GAS").
func ERPData(sparte, workflow, pid, tx, maloID string) erp.ProcessData {
	d := erp.ProcessData{Workflow: workflow, PID: pid, TransactionID: tx}
	if maloID != "" {
		m := erp.NewMarktlokation(maloID)
		m.Sparte = sparte
		d.Marktlokation = &m
	}
	return d
}

// ERPDate formats an instant for an ERP event (RFC 3339, UTC); the zero
// time is "".
func ERPDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ERPPartner returns the BO4E Marktteilnehmer of an MP-ID for an ERP event,
// nil for an empty id.
func ERPPartner(mpid string) *erp.Marktteilnehmer {
	if mpid == "" {
		return nil
	}
	m := erp.NewMarktteilnehmer(mpid, "")
	return &m
}

// erpData is ERPData with the Sparte of family F.
func erpData[F Family](workflow, pid, tx, maloID string) erp.ProcessData {
	var f F
	return ERPData(f.Sparte(), workflow, pid, tx, maloID)
}

// AperakReceived records the partner's APERAK for a transaction we sent
// (type "<prefix>.aperak_received"): Accepted for a 312, rejected (313)
// with the ERC codes otherwise.
type AperakReceived[F Family] struct {
	TransactionID string
	PID           string
	Document      string
	Accepted      bool
	ERC           []string
	MaLo          string
}

// EventType implements engine.EventData.
func (AperakReceived[F]) EventType() string { return typeName[F]("aperak_received") }

// CloudEvent implements erp.Event: de.mako.aperak.accepted or .rejected with
// the ERC codes.
func (e AperakReceived[F]) CloudEvent() (string, string, any) {
	t, d := erp.TypeAperakAccepted, erpData[F]("", e.PID, e.TransactionID, e.MaLo)
	d.Outcome, d.Code = "accepted", strings.Join(e.ERC, ",")
	if !e.Accepted {
		t, d.Outcome = erp.TypeAperakRejected, "rejected"
	}
	return t, "", d
}

// MakoPID implements erp.PIDEvent.
func (e AperakReceived[F]) MakoPID() string { return e.PID }

// ContrlReceived records a CONTRL for an interchange we sent (type
// "<prefix>.contrl_received"). Rejected (UCI 0083 = 4): the interchange
// counts as not received; otherwise it was received (Gas acknowledges every
// interchange with UCI 0083 = 7, edifact.md §10).
type ContrlReceived[F Family] struct {
	InterchangeRef string
	Rejected       bool
	MaLo           string
}

// EventType implements engine.EventData.
func (ContrlReceived[F]) EventType() string { return typeName[F]("contrl_received") }

// CloudEvent implements erp.Event: de.mako.contrl.received, outcome
// "rejected" for a negative CONTRL, else "received" (Gas) or "accepted".
func (e ContrlReceived[F]) CloudEvent() (string, string, any) {
	var f F
	d := erpData[F]("", "", "", e.MaLo)
	switch {
	case f.Sparte() == "GAS" && e.Rejected:
		d.Outcome, d.Reason = "rejected", "negative CONTRL for interchange "+e.InterchangeRef
	case f.Sparte() == "GAS":
		d.Outcome, d.Reason = "received", "positive CONTRL for interchange "+e.InterchangeRef
	case e.Rejected:
		d.Outcome, d.Reason = "rejected", "CONTRL for interchange "+e.InterchangeRef
	default:
		d.Outcome, d.Reason = "accepted", "CONTRL for interchange "+e.InterchangeRef
	}
	return erp.TypeContrlReceived, "", d
}

// LFAWaitExpired records that the LFA did not answer the NB's request to
// end its assignment (Strom 55010, Gas 44010) by the deadline, or that the
// request counts as not received: the NB decides without the LFA (type
// "<prefix>.lfa_wait_expired").
type LFAWaitExpired[F Family] struct {
	TransactionID string
	Due           time.Time
}

// EventType implements engine.EventData.
func (LFAWaitExpired[F]) EventType() string { return typeName[F]("lfa_wait_expired") }

// Failed ends a process that cannot continue (type "<prefix>.failed"): its
// request was rejected by APERAK or CONTRL, a deadline passed without an
// answer, or a received transaction was unreadable.
type Failed[F Family] struct {
	Outcome string
	Reason  string
	MaLo    string
}

// EventType implements engine.EventData.
func (Failed[F]) EventType() string { return typeName[F]("failed") }

// ProcessOutcome implements module.Outcome.
func (e Failed[F]) ProcessOutcome() string { return e.Outcome }

// CloudEvent implements erp.Event: de.mako.process.failed.
func (e Failed[F]) CloudEvent() (string, string, any) {
	d := erpData[F]("", "", "", e.MaLo)
	d.Outcome, d.Reason = e.Outcome, e.Reason
	return erp.TypeProcessFailed, "", d
}

// ProjectionFields implements module.Projectable: the outcome is the label
// (OutcomeFailed if empty).
func (e Failed[F]) ProjectionFields() module.Fields {
	state := e.Outcome
	if state == "" {
		state = OutcomeFailed
	}
	return module.Fields{State: state}
}

// SupplierAssigned is the master-data change of a confirmed supply start
// (type "<prefix>.supplier_assigned"): from From on (a Strom- or Gastag
// boundary), the MaLo is assigned to Supplier in NB's grid.
type SupplierAssigned[F Family] struct {
	MaLo     string
	Supplier string
	NB       string
	From     time.Time
}

// EventType implements engine.EventData.
func (SupplierAssigned[F]) EventType() string { return typeName[F]("supplier_assigned") }

// MaLoChange implements malo.Changer: the MaLo is assigned to Supplier from From.
func (e SupplierAssigned[F]) MaLoChange() malo.Change {
	return malo.AssignSupplier(e.MaLo, e.Supplier, e.From)
}

// SupplyEnded is the master-data change of a confirmed end of supply (type
// "<prefix>.supply_ended"): the assignment of Supplier to the MaLo ends at
// Until (exclusive, a Strom- or Gastag boundary).
type SupplyEnded[F Family] struct {
	MaLo     string
	Supplier string
	NB       string
	Until    time.Time
}

// EventType implements engine.EventData.
func (SupplyEnded[F]) EventType() string { return typeName[F]("supply_ended") }

// MaLoChange implements malo.Changer: Supplier's assignment ends at Until.
func (e SupplyEnded[F]) MaLoChange() malo.Change {
	return malo.EndSupply(e.MaLo, e.Supplier, e.Until)
}

// StornoReceived records a Stornierung (Strom 55022, Gas 44022) of the
// request that started the process (type "<prefix>.storno_received"); ingest
// routes it here by its RFF+ACW. Late: the request was already answered, so
// the Stornierung is refused.
type StornoReceived[F Family] struct {
	TransactionID  string
	Sender         string
	CancelTx       string // RFF+ACW
	Category       string // BGM 1001 (category of the cancelled message)
	Document       string
	InterchangeRef string
	Late           bool
	At             time.Time
}

// EventType implements engine.EventData.
func (StornoReceived[F]) EventType() string { return typeName[F]("storno_received") }

// Delivered records the deliverer's report that a transport accepted an
// outbound message of the process (delivery.Confirmed; type
// "<prefix>.delivered"): the read model shows the message as delivered.
type Delivered[F Family] struct {
	MessageID, InterchangeRef, Recipient, Transport string
	At                                              time.Time
}

// EventType implements engine.EventData.
func (Delivered[F]) EventType() string { return typeName[F]("delivered") }

// Undelivered records the deliverer's report that an outbound message of
// the process was given up (delivery.Failed, its dead letter has the
// details; type "<prefix>.undelivered"): the read model shows it as failed.
type Undelivered[F Family] struct {
	MessageID, InterchangeRef, Recipient, Reason string
	At                                           time.Time
}

// EventType implements engine.EventData.
func (Undelivered[F]) EventType() string { return typeName[F]("undelivered") }

// Noted records a command that changes nothing (a late answer, a duplicate
// decision, an APERAK for an unknown document), so that it stays visible
// (type "<prefix>.noted").
type Noted[F Family] struct {
	What string
}

// EventType implements engine.EventData.
func (Noted[F]) EventType() string { return typeName[F]("noted") }

// State labels of the process overview both families use (module.Projectable,
// shown by `mako process list` and the read API). A process ends with the
// outcome of its Completed or Failed event as its label; events that leave
// the label unchanged project an empty State, so the label is a pure
// function of the last labelled event, which a rebuild reproduces.
const (
	// StateRequestReceived: a request was received.
	StateRequestReceived = "request_received"
	// StateInitiated: the ERP started the process.
	StateInitiated = "initiated"
	// StateWaitingForAnswer: our request is sent; the partner's answer is due.
	StateWaitingForAnswer = "waiting_for_answer"
	// StateWaitingForLFA: the NB asked the LFA (Strom 55010, Gas 44010) and
	// waits for its answer.
	StateWaitingForLFA = "waiting_for_lfa"
	// StateWaitingForDecision: a policy step waits for the ERP's Decide.
	StateWaitingForDecision = "waiting_for_decision"
)

// Fields returns the projection of an event (module.Fields): the label
// state ("" leaves it unchanged) and, unless empty, the PID and the MaLo.
func Fields(state, pid, maloID string) module.Fields {
	f := module.Fields{State: state}
	if pid != "" {
		f.PIDs = []string{pid}
	}
	if maloID != "" {
		f.MaLo = []string{maloID}
	}
	return f
}
