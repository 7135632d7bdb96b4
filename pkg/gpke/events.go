package gpke

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// ERP CloudEvent types (gpke-contract §7). DecisionRequested is an addition of
// this package: the ERP hook of every Policy.
const (
	CEInitiated         = erp.TypeProcessInitiated
	CECompleted         = erp.TypeProcessCompleted
	CEFailed            = erp.TypeProcessFailed
	CEAperakAccepted    = erp.TypeAperakAccepted
	CEAperakRejected    = erp.TypeAperakRejected
	CEAperakTimeout     = erp.TypeAperakTimeout
	CEContrlReceived    = erp.TypeContrlReceived
	CEDecisionRequested = utilmdkit.CEDecisionRequested
)

// Outcomes reported by ProcessOutcome (shared with geligas, see utilmdkit).
const (
	OutcomeConfirmed      = utilmdkit.OutcomeConfirmed      // the request was confirmed (by us or the partner)
	OutcomeRejected       = utilmdkit.OutcomeRejected       // the request was rejected with an EBD answer code
	OutcomeAperakRejected = utilmdkit.OutcomeAperakRejected // a transaction was rejected by APERAK 313 (either side)
	OutcomeContrlRejected = utilmdkit.OutcomeContrlRejected // the interchange was rejected by CONTRL
	OutcomeFailed         = utilmdkit.OutcomeFailed         // the process could not continue (see Failed.Reason)
	OutcomeCancelled      = utilmdkit.OutcomeCancelled      // the request was cancelled by a confirmed Stornierung (55022 → 55023)
)

// family is the tag of the GPKE instances of the shared event and command
// kinds of pkg/utilmdkit: type names "gpke.…", Sparte STROM.
type family struct{}

// Prefix implements utilmdkit.Family.
func (family) Prefix() string { return "gpke" }

// Sparte implements utilmdkit.Family.
func (family) Sparte() string { return "STROM" }

// pd builds the data of an ERP event (erp.ProcessData: BO4E Marktlokation
// and Marktteilnehmer, gpke-contract §7).
func pd(workflow, pid, tx, maloID string) erp.ProcessData {
	return utilmdkit.ERPData(family{}.Sparte(), workflow, pid, tx, maloID)
}

// RequestReceived records a received request transaction and the APERAK
// answering it. It starts the process (ERP: de.mako.process.initiated).
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
	Date        time.Time
	Reason      []string
	NewSupplier string // NAD+VY of 55010
	Customer    string // NAD+Z09
	// CustomerName is the name composite (C080) of NAD+Z09, echoed in 55010.
	CustomerName []string `json:",omitempty"`
	// Packages are the product package ids (SG8 SEQ+Z79 DE1050) of
	// 55001/55077, echoed as RFF+Z60 in 55002/55078.
	Packages []string `json:",omitempty"`
	// Transfer is the ÜT of the LFN's Anmeldung (DTM+154 of 55010, 00:00
	// German time of that date), for E_0624 step 5.
	Transfer time.Time `json:",omitzero"`
	// DeviceRemoval is DTM+206 of 55007 (Z33), echoed in 55008.
	DeviceRemoval time.Time `json:",omitzero"`
	CancelTx      string    // RFF+ACW of 55022
	Category      string    // BGM 1001 of 55022
	ReceivedAt    time.Time
	FV            string
	MasterData    *MasterData
}

// EventType implements engine.EventData.
func (RequestReceived) EventType() string { return "gpke.request_received" }

// CloudEvent implements erp.Event.
func (e RequestReceived) CloudEvent() (string, string, any) {
	d := pd(e.Workflow, e.PID, e.TransactionID, e.MaLo)
	d.Date, d.Partner = utilmdkit.ERPDate(e.Date), utilmdkit.ERPPartner(e.Sender)
	if e.Customer != "" {
		k := erp.NewGeschaeftspartner(e.Customer)
		d.Kunde = &k
	}
	return CEInitiated, "", d
}

// MakoPID implements erp.PIDEvent.
func (e RequestReceived) MakoPID() string {
	return e.PID
}

// Initiated records a process the ERP started (LFN/LF side) before its
// first message is sent.
type Initiated struct {
	Workflow   string
	RequestID  string
	Own        string
	Partner    string
	MaLo       string
	Date       time.Time
	FV         string
	At         time.Time
	Reason     []string
	Customer   string
	CancelTx   string
	Category   string
	Generating bool
}

// EventType implements engine.EventData.
func (Initiated) EventType() string { return "gpke.initiated" }

// CloudEvent implements erp.Event.
func (e Initiated) CloudEvent() (string, string, any) {
	d := pd(e.Workflow, "", "", e.MaLo)
	d.Date, d.Partner, d.Reason = utilmdkit.ERPDate(e.Date), utilmdkit.ERPPartner(e.Partner), "ERP request "+e.RequestID
	return CEInitiated, "", d
}

// AperakSent records the APERAK the process sent for a received transaction.
type AperakSent struct {
	TransactionID string
	Code          string // "312" or "313"
	ERC           []string
	Document      string
	Due           time.Time
	At            time.Time
}

// EventType implements engine.EventData.
func (AperakSent) EventType() string { return "gpke.aperak_sent" }

// Sent records a UTILMD transaction the process sent; the partner's APERAK
// is due at AperakDue.
type Sent struct {
	PID            string
	TransactionID  string
	Document       string
	InterchangeRef string
	Recipient      string
	Code           string // answer code (STS+E01) for answers
	EBD            string
	AperakDue      time.Time
	At             time.Time
	// CancelTx is the transaction a 55022 cancels (its RFF+ACW); empty for
	// other PIDs. Added after the first stored streams: older events
	// decode with it empty.
	CancelTx string
}

// EventType implements engine.EventData.
func (Sent) EventType() string { return "gpke.sent" }

// AperakMissing records that the partner's APERAK for a sent transaction
// did not arrive by its deadline: an alert (metric, ERP event).
type AperakMissing struct {
	TransactionID string
	PID           string
	Document      string
	Recipient     string
	Due           time.Time
	MaLo          string
}

// EventType implements engine.EventData.
func (AperakMissing) EventType() string { return "gpke.aperak_missing" }

// AperakMissed implements the pipeline's alert interface (metric label = PID).
func (e AperakMissing) AperakMissed() string { return e.PID }

// CloudEvent implements erp.Event.
func (e AperakMissing) CloudEvent() (string, string, any) {
	d := pd("", e.PID, e.TransactionID, e.MaLo)
	d.Outcome, d.Partner, d.Reason = "timeout", utilmdkit.ERPPartner(e.Recipient), "no APERAK by "+utilmdkit.ERPDate(e.Due)
	return CEAperakTimeout, "", d
}

// MakoPID implements erp.PIDEvent.
func (e AperakMissing) MakoPID() string {
	return e.PID
}

// AnswerReceived records a received answer (55002/55003, 55011/55012, …) to
// a transaction we sent.
type AnswerReceived struct {
	PID            string
	TransactionID  string
	Sender         string
	RefTransaction string
	Code           string
	EBD            string
	ThirdCode      string // STS+Z35 (answer of the third party, e.g. the LFA's A35)
	Timely         bool
	Date           time.Time
	At             time.Time
}

// EventType implements engine.EventData.
func (AnswerReceived) EventType() string { return "gpke.answer_received" }

// DecisionRequested asks the ERP to decide a step the EBD leaves to the
// deployment (see Policy). Without a Decide command by Due the default
// verdict applies.
type DecisionRequested struct {
	PID           string
	Partner       string // sender of the request (Decide routes by Partner + TransactionID)
	TransactionID string
	MaLo          string
	Date          time.Time
	Step          string // EBD and step, e.g. "E_0624/90"
	DefaultObject bool
	ObjectCode    string // the EBD code of an objection at this step
	ConsentCode   string // the EBD code of a consent at this step
	Due           time.Time
}

// EventType implements engine.EventData.
func (DecisionRequested) EventType() string { return "gpke.decision_requested" }

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
func (e DecisionRequested) MakoPID() string {
	return e.PID
}

// Decided records the verdict of a policy step: by the ERP ("erp"), by the
// policy's default after the ERP deadline ("default"), or by master data
// alone ("policy").
type Decided struct {
	Object bool
	Code   string
	Source string
	Note   string
	// End is the end date the LF answers with (Decide.End), zero = the
	// requested date.
	End time.Time
}

// EventType implements engine.EventData.
func (Decided) EventType() string { return "gpke.decided" }

// Completed ends the business part of a process: the request was answered
// (by us or by the partner). Later APERAKs are still recorded.
type Completed struct {
	Outcome string
	PID     string // PID of the answer
	Code    string
	EBD     string
	MaLo    string
	Date    time.Time
}

// EventType implements engine.EventData.
func (Completed) EventType() string { return "gpke.completed" }

// ProcessOutcome implements module.Outcome.
func (e Completed) ProcessOutcome() string { return e.Outcome }

// CloudEvent implements erp.Event.
func (e Completed) CloudEvent() (string, string, any) {
	d := pd("", e.PID, "", e.MaLo)
	d.Outcome, d.Code, d.Date, d.Reason = e.Outcome, e.Code, utilmdkit.ERPDate(e.Date), e.EBD
	return CECompleted, "", d
}

// MakoPID implements erp.PIDEvent.
func (e Completed) MakoPID() string {
	return e.PID
}

// The kinds GPKE shares with the other families (pkg/utilmdkit): same
// fields, ERP view and type names "gpke.<kind>".
type (
	// AperakReceived records the partner's APERAK for a transaction we sent.
	AperakReceived = utilmdkit.AperakReceived[family]
	// ContrlReceived records a CONTRL for an interchange we sent. Rejected
	// (UCI 0083 = 4) means the interchange counts as not received.
	ContrlReceived = utilmdkit.ContrlReceived[family]
	// LFAWaitExpired records that the LFA did not answer the NB's Anfrage
	// zur Beendigung der Zuordnung in time (E_0623 step 30 / 420: "nein").
	LFAWaitExpired = utilmdkit.LFAWaitExpired[family]
	// Failed ends a process that cannot continue: its request was rejected
	// by APERAK 313 or CONTRL, or a deadline passed without an answer.
	Failed = utilmdkit.Failed[family]
	// SupplierAssigned is the master-data change of a confirmed switch:
	// from From on, the MaLo is assigned to Supplier in NB's grid (NB side,
	// after a 55002/55078; LFN side, after receiving it).
	SupplierAssigned = utilmdkit.SupplierAssigned[family]
	// SupplyEnded is the master-data change of a confirmed end of supply:
	// the assignment of Supplier to the MaLo ends at Until (exclusive).
	SupplyEnded = utilmdkit.SupplyEnded[family]
	// StornoReceived records a Stornierung 55022 of the request that
	// started the process. Late: the request was already answered, the
	// Stornierung is refused.
	StornoReceived = utilmdkit.StornoReceived[family]
	// Delivered records the deliverer's report that a transport accepted an
	// outbound message of the process.
	Delivered = utilmdkit.Delivered[family]
	// Undelivered records the deliverer's report that an outbound message of
	// the process was given up.
	Undelivered = utilmdkit.Undelivered[family]
	// Noted records a command that changes nothing, so that it stays visible.
	Noted = utilmdkit.Noted[family]
)
