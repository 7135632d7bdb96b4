package geligas

import (
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/malo"
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
	CEDecisionRequested = "de.mako.decision.requested"
	CEInfoReceived      = "de.mako.info.received"
)

// Outcomes reported by ProcessOutcome.
const (
	OutcomeConfirmed      = "confirmed"       // the request was confirmed (by us or the partner)
	OutcomeRejected       = "rejected"        // the request was rejected with an answer code
	OutcomeAperakRejected = "aperak_rejected" // a transaction was rejected by an error APERAK (either side)
	OutcomeContrlRejected = "contrl_rejected" // the interchange was rejected by a negative CONTRL
	OutcomeFailed         = "failed"          // the process could not continue (see Failed.Reason)
	OutcomeCancelled      = "cancelled"       // the request was cancelled by a confirmed Stornierung (44022 → 44023)
	OutcomeInformed       = "informed"        // an Informationsmeldung was received and recorded
)

// pd builds the data of an ERP event (BO4E Marktlokation, Sparte GAS).
func pd(workflow, pid, tx, maloID string) erp.ProcessData {
	d := erp.ProcessData{Workflow: workflow, PID: pid, TransactionID: tx}
	if maloID != "" {
		m := erp.NewMarktlokation(maloID)
		m.Sparte = "GAS"
		d.Marktlokation = &m
	}
	return d
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func partner(mpid string) *erp.Marktteilnehmer {
	if mpid == "" {
		return nil
	}
	m := erp.NewMarktteilnehmer(mpid, "")
	return &m
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
	d.Date, d.Partner = date(e.Date), partner(e.Sender)
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
	d.Date, d.Partner, d.Reason = date(e.Date), partner(e.Partner), "ERP request "+e.RequestID
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
}

// EventType implements engine.EventData.
func (Sent) EventType() string { return "geligas.sent" }

// AperakReceived records the partner's APERAK for a transaction we sent (in
// Gas an error APERAK: Accepted is false; a 312 is recorded as accepted).
type AperakReceived struct {
	TransactionID string
	PID           string
	Document      string
	Accepted      bool
	ERC           []string
	MaLo          string
}

// EventType implements engine.EventData.
func (AperakReceived) EventType() string { return "geligas.aperak_received" }

// CloudEvent implements erp.Event.
func (e AperakReceived) CloudEvent() (string, string, any) {
	t, d := CEAperakAccepted, pd("", e.PID, e.TransactionID, e.MaLo)
	d.Outcome, d.Code = "accepted", strings.Join(e.ERC, ",")
	if !e.Accepted {
		t, d.Outcome = CEAperakRejected, "rejected"
	}
	return t, "", d
}

// MakoPID implements erp.PIDEvent.
func (e AperakReceived) MakoPID() string { return e.PID }

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
	d.Outcome, d.Reason = "processed", "no error APERAK by "+date(e.Due)+": processed (Gas, APERAK AHB §2.4.1)"
	return CEAperakAccepted, "", d
}

// MakoPID implements erp.PIDEvent.
func (e Processed) MakoPID() string { return e.PID }

// ContrlReceived records a CONTRL for an interchange we sent: Gas sends one
// for every interchange (edifact.md §10). Rejected (UCI 0083 = 4): the
// interchange counts as not received; otherwise (7) it was received.
type ContrlReceived struct {
	InterchangeRef string
	Rejected       bool
	MaLo           string
}

// EventType implements engine.EventData.
func (ContrlReceived) EventType() string { return "geligas.contrl_received" }

// CloudEvent implements erp.Event.
func (e ContrlReceived) CloudEvent() (string, string, any) {
	d := pd("", "", "", e.MaLo)
	d.Outcome, d.Reason = "received", "positive CONTRL for interchange "+e.InterchangeRef
	if e.Rejected {
		d.Outcome, d.Reason = "rejected", "negative CONTRL for interchange "+e.InterchangeRef
	}
	return CEContrlReceived, "", d
}

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
	d.Date, d.Partner, d.Code = date(e.Date), partner(e.Party), e.Reason
	d.Reason = "Informationsmeldung " + e.PID + " of " + e.Sender
	return CEInfoReceived, "", d
}

// MakoPID implements erp.PIDEvent.
func (e InfoReceived) MakoPID() string { return e.PID }

// LFAWaitExpired records that the LFA did not answer the NB's 44010 by the
// deadline (E_3007: the NB decides without it).
type LFAWaitExpired struct {
	TransactionID string
	Due           time.Time
}

// EventType implements engine.EventData.
func (LFAWaitExpired) EventType() string { return "geligas.lfa_wait_expired" }

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
	d.Date, d.Partner = date(e.Date), partner(e.Partner)
	d.Code = e.ConsentCode
	if e.DefaultObject {
		d.Code = e.ObjectCode
	}
	d.Reason = fmt.Sprintf("decide %s by %s (Decide: object → %s, consent → %s; default %s)", e.Step, date(e.Due), e.ObjectCode, e.ConsentCode, d.Code)
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
	d.Outcome, d.Code, d.Date, d.Reason = e.Outcome, e.Code, date(e.Date), e.List
	return CECompleted, "", d
}

// MakoPID implements erp.PIDEvent.
func (e Completed) MakoPID() string { return e.PID }

// Failed ends a process that cannot continue.
type Failed struct {
	Outcome string
	Reason  string
	MaLo    string
}

// EventType implements engine.EventData.
func (Failed) EventType() string { return "geligas.failed" }

// ProcessOutcome implements module.Outcome.
func (e Failed) ProcessOutcome() string { return e.Outcome }

// CloudEvent implements erp.Event.
func (e Failed) CloudEvent() (string, string, any) {
	d := pd("", "", "", e.MaLo)
	d.Outcome, d.Reason = e.Outcome, e.Reason
	return CEFailed, "", d
}

// SupplierAssigned is the master-data change of a confirmed Anmeldung (or
// EoG): from From (a Gastag boundary) the MaLo is assigned to Supplier.
type SupplierAssigned struct {
	MaLo     string
	Supplier string
	NB       string
	From     time.Time
}

// EventType implements engine.EventData.
func (SupplierAssigned) EventType() string { return "geligas.supplier_assigned" }

// MaLoChange implements malo.Changer.
func (e SupplierAssigned) MaLoChange() malo.Change {
	return malo.AssignSupplier(e.MaLo, e.Supplier, e.From)
}

// SupplyEnded is the master-data change of a confirmed end of supply: the
// assignment of Supplier ends at Until (exclusive, a Gastag boundary).
type SupplyEnded struct {
	MaLo     string
	Supplier string
	NB       string
	Until    time.Time
}

// EventType implements engine.EventData.
func (SupplyEnded) EventType() string { return "geligas.supply_ended" }

// MaLoChange implements malo.Changer.
func (e SupplyEnded) MaLoChange() malo.Change { return malo.EndSupply(e.MaLo, e.Supplier, e.Until) }

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

// StornoReceived records a 44022 of the request that started the process.
// Late: the request was already answered (the Stornierung is refused).
type StornoReceived struct {
	TransactionID  string
	Sender         string
	CancelTx       string
	Category       string
	Document       string
	InterchangeRef string
	Late           bool
	At             time.Time
}

// EventType implements engine.EventData.
func (StornoReceived) EventType() string { return "geligas.storno_received" }

// Delivered records the deliverer's report that a transport accepted an
// outbound message of the process.
type Delivered struct {
	MessageID, InterchangeRef, Recipient, Transport string
	At                                              time.Time
}

// EventType implements engine.EventData.
func (Delivered) EventType() string { return "geligas.delivered" }

// Undelivered records the deliverer's report that an outbound message was
// given up.
type Undelivered struct {
	MessageID, InterchangeRef, Recipient, Reason string
	At                                           time.Time
}

// EventType implements engine.EventData.
func (Undelivered) EventType() string { return "geligas.undelivered" }

// Noted records a command that changes nothing (a late answer, a duplicate
// decision, an APERAK for an unknown document), so that it stays visible.
type Noted struct {
	What string
}

// EventType implements engine.EventData.
func (Noted) EventType() string { return "geligas.noted" }
