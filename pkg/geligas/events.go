package geligas

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// ERP CloudEvent types. DecisionRequested asks the ERP at a policy step;
// InfoReceived reports a received Informationsmeldung.
const (
	CEInitiated         = erp.TypeProcessInitiated
	CECompleted         = erp.TypeProcessCompleted
	CEFailed            = erp.TypeProcessFailed
	CEAperakAccepted    = erp.TypeAperakAccepted
	CEAperakRejected    = erp.TypeAperakRejected
	CEContrlReceived    = erp.TypeContrlReceived
	CEDecisionRequested = utilmdkit.CEDecisionRequested
	CEInfoReceived      = "de.mako.info.received"
)

// Outcomes reported by ProcessOutcome (shared with gpke, see utilmdkit).
const (
	OutcomeConfirmed      = utilmdkit.OutcomeConfirmed      // the request was confirmed (by us or the partner)
	OutcomeRejected       = utilmdkit.OutcomeRejected       // the request was rejected with an answer code
	OutcomeAperakRejected = utilmdkit.OutcomeAperakRejected // a transaction was rejected by an error APERAK (either side)
	OutcomeContrlRejected = utilmdkit.OutcomeContrlRejected // the interchange was rejected by a negative CONTRL
	OutcomeFailed         = utilmdkit.OutcomeFailed         // the process could not continue (see Failed.Reason)
	OutcomeCancelled      = utilmdkit.OutcomeCancelled      // the request was cancelled by a confirmed Stornierung (44022 → 44023)
	OutcomeInformed       = "informed"                      // an Informationsmeldung was received and recorded
)

// family is the tag of the GeLi Gas instances of the shared event and
// command kinds of pkg/utilmdkit: type names "geligas.…", Sparte GAS.
type family struct{}

// Prefix implements utilmdkit.Family.
func (family) Prefix() string { return "geligas" }

// Sparte implements utilmdkit.Family.
func (family) Sparte() string { return "GAS" }

// pd builds the data of an ERP event (BO4E Marktlokation, Sparte GAS).
func pd(workflow, pid, tx, maloID string) erp.ProcessData {
	return utilmdkit.ERPData(family{}.Sparte(), workflow, pid, tx, maloID)
}

// RequestReceived records a received request transaction. It starts an
// answering process (ERP: de.mako.process.initiated).
type RequestReceived struct {
	Workflow       string
	PID            string
	TransactionID  string
	Sender         string
	Receiver       string
	Document       string
	InterchangeRef string
	MaLo           string
	// Date is DTM+92 (start) or DTM+93 (end) of the request.
	Date time.Time
	// Reason is the Transaktionsgrund (STS+7).
	Reason string
	// NewSupplier is NAD+VY of a 44010 (the LFN).
	NewSupplier string
	// CustomerName is the C080 of NAD+Z09 (44001, echoed in 44010).
	CustomerName []string `json:",omitempty"`
	// Location is the master data of a received 44013 (echoed in 44014).
	Location *LocationData `json:",omitempty"`
	// BalanceGroup (CCI+Z19) and BillingMonths (DTM+Z20) of a 44001, echoed
	// in 44002; BalanceEnd is DTM+159 of a 44007 (echoed in 44008).
	BalanceGroup  string    `json:",omitempty"`
	BillingMonths int       `json:",omitempty"`
	BalanceEnd    time.Time `json:",omitzero"`
	CancelTx      string    // RFF+ACW of 44022
	Category      string    // BGM 1001
	// ReceivedAt is the receipt time; Gastag is the start of the Gastag it
	// belongs to (06:00 German local time; 05:30 belongs to the day before).
	ReceivedAt time.Time
	Gastag     time.Time
	FV         string
	MasterData *MasterData
}

// EventType implements engine.EventData.
func (RequestReceived) EventType() string { return "geligas.request_received" }

// CloudEvent implements erp.Event.
func (e RequestReceived) CloudEvent() (string, string, any) {
	d := pd(e.Workflow, e.PID, e.TransactionID, e.MaLo)
	d.Date, d.Partner = utilmdkit.ERPDate(e.Date), utilmdkit.ERPPartner(e.Sender)
	return CEInitiated, "", d
}

// MakoPID implements erp.PIDEvent.
func (e RequestReceived) MakoPID() string { return e.PID }

// Initiated records a process the ERP started before its first message is
// sent.
type Initiated struct {
	Workflow  string
	RequestID string
	Own       string
	Partner   string
	MaLo      string
	Date      time.Time
	FV        string
	At        time.Time
	Reason    string
	CancelTx  string
	Category  string
}

// EventType implements engine.EventData.
func (Initiated) EventType() string { return "geligas.initiated" }

// CloudEvent implements erp.Event.
func (e Initiated) CloudEvent() (string, string, any) {
	d := pd(e.Workflow, "", "", e.MaLo)
	d.Date, d.Partner, d.Reason = utilmdkit.ERPDate(e.Date), utilmdkit.ERPPartner(e.Partner), "ERP request "+e.RequestID
	return CEInitiated, "", d
}

// AperakSent records the error APERAK (313) the process sent for a faulty
// received transaction. Gas sends no positive APERAK (APERAK AHB 1.1
// §2.4.1).
type AperakSent struct {
	TransactionID string
	ERC           []string
	Document      string
	At            time.Time
}

// EventType implements engine.EventData.
func (AperakSent) EventType() string { return "geligas.aperak_sent" }

// Sent records a UTILMD transaction the process sent. The partner's error
// APERAK can arrive until AperakDue; after it the transaction counts as
// processed (Processed).
type Sent struct {
	PID            string
	TransactionID  string
	Document       string
	InterchangeRef string
	Recipient      string
	Code           string // answer code (STS+E01) for answers
	List           string // its code list (DE1131)
	AperakDue      time.Time
	At             time.Time
	// CancelTx is the transaction a 44022 cancels (its RFF+ACW); empty for
	// other PIDs. Added after the first stored streams: older events
	// decode with it empty.
	CancelTx string
}

// EventType implements engine.EventData.
func (Sent) EventType() string { return "geligas.sent" }

// Processed records that no error APERAK for a sent transaction arrived by
// its APERAK deadline: in Gas the transaction counts as processed (APERAK
// AHB 1.1 §2.4.1). It is no alert.
type Processed struct {
	TransactionID string
	PID           string
	Due           time.Time
	MaLo          string
}

// EventType implements engine.EventData.
func (Processed) EventType() string { return "geligas.processed" }

// CloudEvent implements erp.Event.
func (e Processed) CloudEvent() (string, string, any) {
	d := pd("", e.PID, e.TransactionID, e.MaLo)
	d.Outcome, d.Reason = "processed", "no error APERAK by "+utilmdkit.ERPDate(e.Due)+": processed (Gas, APERAK AHB §2.4.1)"
	return CEAperakAccepted, "", d
}

// MakoPID implements erp.PIDEvent.
func (e Processed) MakoPID() string { return e.PID }

// AnswerReceived records a received answer to a transaction we sent.
type AnswerReceived struct {
	PID            string
	TransactionID  string
	Sender         string
	RefTransaction string
	Code           string
	List           string
	ThirdCode      string // STS+Z35 of 44003
	Timely         bool
	Date           time.Time
	At             time.Time
}

// EventType implements engine.EventData.
func (AnswerReceived) EventType() string { return "geligas.answer_received" }

// InfoReceived records a received Informationsmeldung (44036, 44037,
// 44038): no answer is due; the LF's master data follow it (44037 ends the
// LF's supply, 44038 revokes its future assignment).
type InfoReceived struct {
	Workflow       string
	PID            string
	TransactionID  string
	Sender         string
	MaLo           string
	Reason         string    // STS+7: Z26, ZC8, ZG9/ZH0/ZH1
	Date           time.Time // DTM+93 (44037) or DTM+92 (44038)
	Party          string    // NAD+VY: the LFA (44036) or the triggering party (44038)
	RefTransaction string    // RFF+TN (44036: the LFN's Anmeldung)
	At             time.Time
}

// EventType implements engine.EventData.
func (InfoReceived) EventType() string { return "geligas.info_received" }

// CloudEvent implements erp.Event.
func (e InfoReceived) CloudEvent() (string, string, any) {
	d := pd(e.Workflow, e.PID, e.TransactionID, e.MaLo)
	d.Date, d.Partner, d.Code = utilmdkit.ERPDate(e.Date), utilmdkit.ERPPartner(e.Party), e.Reason
	d.Reason = "Informationsmeldung " + e.PID + " of " + e.Sender
	return CEInfoReceived, "", d
}

// MakoPID implements erp.PIDEvent.
func (e InfoReceived) MakoPID() string { return e.PID }

// DecisionRequested asks the ERP to decide a step the EBD leaves to the
// deployment. Without a Decide by Due the default verdict applies.
type DecisionRequested struct {
	PID           string
	Partner       string // sender of the request (Decide routes by Partner + TransactionID)
	TransactionID string
	MaLo          string
	Date          time.Time
	Step          string // EBD and answer-code keys, e.g. "E_3001 kuendigung.binding/kuendigung.confirm"
	ObjectKey     string // answer-code key of an objection (CodeRule.Key)
	ConsentKey    string // answer-code key of a consent
	DefaultObject bool
	ObjectCode    string
	ConsentCode   string
	Due           time.Time
}

// EventType implements engine.EventData.
func (DecisionRequested) EventType() string { return "geligas.decision_requested" }

// CloudEvent implements erp.Event.
func (e DecisionRequested) CloudEvent() (string, string, any) {
	d := pd("", e.PID, e.TransactionID, e.MaLo)
	d.Date, d.Partner = utilmdkit.ERPDate(e.Date), utilmdkit.ERPPartner(e.Partner)
	d.Code = e.ConsentCode
	if e.DefaultObject {
		d.Code = e.ObjectCode
	}
	d.Reason = fmt.Sprintf("decide %s by %s (Decide: object → %s, consent → %s; default %s)", e.Step, utilmdkit.ERPDate(e.Due), e.ObjectCode, e.ConsentCode, d.Code)
	return CEDecisionRequested, "", d
}

// MakoPID implements erp.PIDEvent.
func (e DecisionRequested) MakoPID() string { return e.PID }

// Decided records the verdict of a decision step: by the ERP ("erp"), by
// the default after the ERP deadline ("default"), by the policy ("policy")
// or fixed by the EBD and the master data ("ebd").
type Decided struct {
	Object bool
	Key    string // answer-code key (CodeRule.Key)
	Code   string
	Source string
	Note   string
	// End is the LFA's own end date (Decide.End, Kündigung Z01).
	End time.Time `json:",omitzero"`
}

// EventType implements engine.EventData.
func (Decided) EventType() string { return "geligas.decided" }

// Completed ends the business part of a process: the request was answered
// (by us or by the partner) or the Informationsmeldung recorded.
type Completed struct {
	Outcome string
	PID     string // PID of the answer
	Code    string
	List    string
	MaLo    string
	Date    time.Time
}

// EventType implements engine.EventData.
func (Completed) EventType() string { return "geligas.completed" }

// ProcessOutcome implements module.Outcome.
func (e Completed) ProcessOutcome() string { return e.Outcome }

// CloudEvent implements erp.Event.
func (e Completed) CloudEvent() (string, string, any) {
	d := pd("", e.PID, "", e.MaLo)
	d.Outcome, d.Code, d.Date, d.Reason = e.Outcome, e.Code, utilmdkit.ERPDate(e.Date), e.List
	return CECompleted, "", d
}

// MakoPID implements erp.PIDEvent.
func (e Completed) MakoPID() string { return e.PID }

// AssignmentRevoked is the master-data change of a revoked future
// assignment (44038): Supplier's assignment starting at From is removed.
type AssignmentRevoked struct {
	MaLo     string
	Supplier string
	From     time.Time
}

// EventType implements engine.EventData.
func (AssignmentRevoked) EventType() string { return "geligas.assignment_revoked" }

// MaLoChange implements malo.Changer.
func (e AssignmentRevoked) MaLoChange() malo.Change {
	return malo.RevokeAssignment(e.MaLo, e.Supplier, e.From)
}

// The kinds GeLi Gas shares with the other families (pkg/utilmdkit): same
// fields, ERP view and type names "geligas.<kind>".
type (
	// AperakReceived records the partner's APERAK for a transaction we sent
	// (in Gas an error APERAK: Accepted is false; a 312 is recorded as
	// accepted).
	AperakReceived = utilmdkit.AperakReceived[family]
	// ContrlReceived records a CONTRL for an interchange we sent: Gas sends
	// one for every interchange (edifact.md §10). Rejected (UCI 0083 = 4):
	// the interchange counts as not received; otherwise (7) it was received.
	ContrlReceived = utilmdkit.ContrlReceived[family]
	// LFAWaitExpired records that the LFA did not answer the NB's 44010 by
	// the deadline (E_3007: the NB decides without it).
	LFAWaitExpired = utilmdkit.LFAWaitExpired[family]
	// Failed ends a process that cannot continue.
	Failed = utilmdkit.Failed[family]
	// SupplierAssigned is the master-data change of a confirmed Anmeldung
	// (or EoG): from From (a Gastag boundary) the MaLo is assigned to
	// Supplier.
	SupplierAssigned = utilmdkit.SupplierAssigned[family]
	// SupplyEnded is the master-data change of a confirmed end of supply:
	// the assignment of Supplier ends at Until (exclusive, a Gastag
	// boundary).
	SupplyEnded = utilmdkit.SupplyEnded[family]
	// StornoReceived records a 44022 of the request that started the
	// process. Late: the request was already answered (the Stornierung is
	// refused).
	StornoReceived = utilmdkit.StornoReceived[family]
	// Delivered records the deliverer's report that a transport accepted an
	// outbound message of the process.
	Delivered = utilmdkit.Delivered[family]
	// Undelivered records the deliverer's report that an outbound message
	// was given up.
	Undelivered = utilmdkit.Undelivered[family]
	// Noted records a command that changes nothing, so that it stays visible.
	Noted = utilmdkit.Noted[family]
)
