package gpke

import (
	"time"

	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// MasterData are the facts about one Marktlokation that a decision needs and
// the message does not carry (docs/gpke.md "Master data"). Module.Enrich
// fills them from a MasterDataSource; Handle never looks anything up. The
// zero value means "nothing known": an unknown MaLo.
type MasterData struct {
	// MaLo is the Marktlokations-ID the facts are about.
	MaLo string
	// Known: the MaLo exists in the deployment's master data.
	Known bool

	// NB view.

	// InGrid: the MaLo is in the NB's grid at the requested date. A known
	// MaLo outside the grid is answered with APERAK Z16 (SuccessorNB).
	InGrid bool
	// SuccessorNB is the MP-ID of the NB now responsible (APERAK Z16, RFF+Z08).
	SuccessorNB string
	// Supplier is the MP-ID of the LF assigned on the day before the
	// requested date (the LFA); "" if none.
	Supplier string
	// NotParticipating: the MaLo does not take part in the market
	// communication at the date (E_0622 step 30, A02).
	NotParticipating bool
	// PendingRegistration: another Anmeldung for the MaLo is being processed
	// and not yet answered (E_0622 step 70, A06; step 270, A45).
	PendingRegistration bool
	// Generating: the MaLo is an erzeugende MaLo (E_0622/E_0623 step 10).
	Generating bool
	// EEG: the generating MaLo is an EEG/KWKG MaLo (E_0622 step 405).
	EEG bool

	// LF view.

	// Supplied: the deployment (as LF) supplies the MaLo on the day after the
	// requested end (E_0624 step 20 / E_0607 step 110).
	Supplied bool
	// ContractBinding: the LF's contract with the customer continues beyond
	// the requested end (E_0624 step 90 → A35; E_0614 step 70).
	ContractBinding bool
	// ConfirmedEnd: an end of supply at the requested date is already
	// confirmed (E_0624 step 30 → A30, E_0609 step 30 → A02).
	ConfirmedEnd bool
	// ContractEnd is the end date of the LF's contract, zero if open-ended
	// (E_0614 steps 40/50).
	ContractEnd time.Time
	// Customer is the customer's name (NAD+Z09 of 55001/55010), optional.
	Customer string

	// Data the answers carry (UTILMD AHB FV2604/FV2610).

	// MeLos, MSB, MSBRole and BaseMSB (NB): the Messlokationen of the MaLo
	// and their metering point operator, for 55002/55078 (LOC+Z17, SEQ+Z98,
	// SEQ+ZF3). No MeLo: an unmetered (pauschale) MaLo, 55002 Ergänzung ZW6.
	MeLos   []string
	MSB     string
	MSBRole string
	BaseMSB string
	// PendingStart and NextProcessing (NB): the Zuordnungsbeginn of the
	// other registration in process and the date its processing continues,
	// for 55003/55080 with A06/A45 (DTM+Z07/Z08, AHB [358]/[355]).
	PendingStart   time.Time
	NextProcessing time.Time
	// AnnualConsumption (LF) is the previous-year consumption in kWh, for
	// 55017 (SEQ+Z01 QTY+Z09, mandatory for a consuming MaLo); nil: none.
	AnnualConsumption *int64
	// NoticePeriod (LF) is the contract's notice period in the AHB format
	// ZZRB (DTM+Z01 of 55018 with A05/A06/A14/A15, e.g. "01MM": one month
	// to the end of a month) and EarliestEnd the earliest date the contract
	// can still be ended on the day of the answer (DTM+157, AHB [581]).
	NoticePeriod string
	EarliestEnd  time.Time
}

// Enriched is the command Module.Enrich makes of a received transaction:
// the transaction plus the master data of its MaLo at its receipt.
type Enriched struct {
	Transaction inbound.Transaction
	MasterData  MasterData

	// parsed is Enrich's parse of Transaction, handed on to Handle so that
	// the processor parses the bytes once per execution. It is not encoded:
	// a decoded Enriched has none, and Handle parses itself.
	parsed *utilmdkit.Received
}

// CommandType implements engine.CommandData.
func (Enriched) CommandType() string { return "gpke.enriched" }

// RegisterSupplyStart is the ERP command of the LFN: register the supply of
// MaLo from Start with the NB (55001, or 55077 for a generating MaLo). The
// ERP transport spawns one gpke.lfn.lieferbeginn process per RequestID.
type RegisterSupplyStart struct {
	// RequestID is the ERP's reference (optional; the command id if empty).
	RequestID string `json:"request_id,omitempty"`
	MaLo      string `json:"malo"`
	// Start is the requested Zuordnungsbeginn (00:00 German local time).
	Start time.Time `json:"start"`
	// NB and LFN are the MP-IDs of the grid operator and of the deployment.
	NB  string `json:"nb"`
	LFN string `json:"lfn"`
	// Generating selects 55077 (erzeugende MaLo) instead of 55001.
	Generating bool `json:"generating,omitempty"`
	// Case is the Geschäftsvorfall of a 55077 (STS+7 Ergänzung): "ZW0"
	// Geschäftsvorfall 1 (default) or "ZW2" Geschäftsvorfall 3 (ZW1 needs a
	// Tranche, which the module does not build).
	Case string `json:"case,omitempty"`
	// Reason is the Transaktionsgrund (STS+7): "E03" Wechsel (default) or
	// "E01" Ein-/Auszug (AHB 55001/55002 STS 9013).
	Reason string `json:"reason,omitempty"`
	// Customer is the customer's surname or company name (NAD+Z09, and
	// NAD+Z04 in 55001: required for 55001).
	Customer string `json:"customer,omitempty"`
	// CustomerFirstName is the customer's first name (NAD+Z09 3036, second
	// part); CustomerCompany marks a company name (NAD 3045 Z02, else Z01).
	CustomerFirstName string `json:"customer_first_name,omitempty"`
	CustomerCompany   bool   `json:"customer_company,omitempty"`
	// Address is the customer's correspondence address, or the MaLo's
	// address when there is none (55001 SG12 NAD+Z04, AHB hint [556];
	// required for 55001).
	Address *Address `json:"address,omitempty"`
	// Household: the customer is a Haushaltskunde under EnWG (55001 SEQ+Z01
	// CCI Z15, else Z18; required for 55001).
	Household *bool `json:"household,omitempty"`
	// EnFG is the customer's status for the reduction of levies under EnFG
	// (55001 SEQ+Z75 CCI+Z61): "ZF9" meets the conditions, "ZG0" does not,
	// "ZG1" no statement since the MaLo does not qualify (required for 55001).
	EnFG string `json:"enfg,omitempty"`
	// BalanceGroup is the LFN's Bilanzkreis, the mandatory product
	// 9991000002082 of the product package (Codeliste der Konfigurationen
	// 6.1.1; CAV+ZV4, an..17; required).
	BalanceGroup string `json:"balance_group"`
	// Products are further required products of the package (Codeliste der
	// Konfigurationen chapter 6.1, e.g. 9991000002008 "Messtechnische
	// Einordnung" with property 9991000002107 iMS).
	Products []Product `json:"products,omitempty"`
	// Partial: the NB may implement the product package in part (CCI+Z65
	// Z02); default false: in full (Z01).
	Partial bool `json:"partial,omitempty"`

	// pending is set by Enrich (WithSecondAnmeldung(true)) when another
	// Anmeldung of the tenant for the MaLo is unanswered; not part of the
	// ERP contract and not encoded.
	pending bool
}

// Address is a postal address (NAD+Z04 of 55001).
type Address struct {
	Street   string `json:"street"`
	HouseNo  string `json:"house_no,omitempty"`
	City     string `json:"city"`
	PostCode string `json:"post_code"`
	// Country is the ISO 3166 code (default "DE").
	Country string `json:"country,omitempty"`
}

// Product is one required product of the product package of 55001/55077
// (SG8 PIA+5, SG10 CCI+Z66 CAV+ZH9/ZV4).
type Product struct {
	// Code is the product code (Codeliste der Konfigurationen 6.1).
	Code string `json:"code"`
	// Property is the code of the product property (CAV+ZH9), if the code
	// list gives the product one.
	Property string `json:"property,omitempty"`
	// Value is the value detail (CAV+ZV4), if the code list asks for one.
	Value string `json:"value,omitempty"`
}

// ProductBalanceGroup is the product code "Bilanzkreis" (Codeliste der
// Konfigurationen 6.1.1, mandatory in every product package of 55001).
const ProductBalanceGroup = "9991000002082"

// CommandType implements engine.CommandData.
func (RegisterSupplyStart) CommandType() string { return "gpke.register_supply_start" }

// RequestTermination is the ERP command of the LFN: terminate the customer's
// contract with the LFA at Date (Kündigung 55016).
type RequestTermination struct {
	RequestID string `json:"request_id,omitempty"`
	MaLo      string `json:"malo"`
	// Date is the requested Kündigungstermin (end of supply, 00:00 of the
	// following day German local time).
	Date time.Time `json:"date"`
	// LFA and LFN are the MP-IDs of the old supplier and of the deployment.
	LFA      string `json:"lfa"`
	LFN      string `json:"lfn"`
	Customer string `json:"customer,omitempty"`
	// Generating: the MaLo is an erzeugende MaLo (STS+7 Ergänzung ZW3,
	// else ZW4).
	Generating bool `json:"generating,omitempty"`
}

// CommandType implements engine.CommandData.
func (RequestTermination) CommandType() string { return "gpke.request_termination" }

// RegisterSupplyEnd is the ERP command of an LF: deregister the MaLo at the
// NB at End (Abmeldung 55004).
type RegisterSupplyEnd struct {
	RequestID string `json:"request_id,omitempty"`
	MaLo      string `json:"malo"`
	// End is the requested Lieferende (00:00 of the day after the last day
	// of supply, German local time).
	End time.Time `json:"end"`
	NB  string    `json:"nb"`
	LF  string    `json:"lf"`
	// Reason is the Transaktionsgrund code for STS+7 (required; the code list
	// of 55004 is not in the project's references, so no default is guessed).
	Reason string `json:"reason"`
	// Generating: the MaLo is an erzeugende MaLo (STS+7 Ergänzung ZW3,
	// else ZW4).
	Generating bool `json:"generating,omitempty"`
}

// CommandType implements engine.CommandData.
func (RegisterSupplyEnd) CommandType() string { return "gpke.register_supply_end" }

// RequestCancellation is the ERP command to cancel a transaction the
// deployment sent earlier (Stornierung 55022).
type RequestCancellation struct {
	RequestID string `json:"request_id,omitempty"`
	// Sender and Recipient are the own MP-ID and the partner's.
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	// TransactionID is the Vorgangsnummer to cancel (RFF+ACW).
	TransactionID string `json:"transaction_id"`
	// Category is BGM 1001 of the cancelled message: E01, E02 or E35 (AHB
	// 55022 note [500]).
	Category string `json:"category"`
	// MaLo is optional (carried for the ERP events only).
	MaLo string `json:"malo,omitempty"`
}

// CommandType implements engine.CommandData.
func (RequestCancellation) CommandType() string { return "gpke.request_cancellation" }

// Decide is the ERP's answer to a DecisionRequested event of an LFA/LF
// process (55010, 55016, 55007, 55022): consent or objection, optionally with
// the EBD answer code. It must reach the process before its decision deadline;
// afterwards the Policy's default has been applied and Decide is recorded and
// ignored.
type Decide struct {
	// Partner and TransactionID name the request decided on (the sender's
	// MP-ID and IDE 7402 of the DecisionRequested event); the ERP transport
	// routes by them (DecisionKey).
	Partner       string `json:"partner"`
	TransactionID string `json:"transaction_id"`
	// Object: true objects (Ablehnung), false consents (Zustimmung).
	Object bool `json:"object"`
	// Code is the answer code to use (e.g. "A35"); empty = the EBD's code of
	// the step for the verdict (DecisionRequested names both).
	Code string `json:"code,omitempty"`
	// Note is free text for the ERP events.
	Note string `json:"note,omitempty"`
	// End is the LFA's own end date for the answer to a 55010 (E_0624 step
	// 60, A34: "Der LFA beendet die Belieferung und teilt sein
	// Lieferendedatum in der Antwort mit"): 00:00 German local time, sent in
	// DTM+93 of the 55011 instead of the requested date. Optional; ignored
	// (and noted) for other requests.
	End time.Time `json:"end,omitempty"`
}

// CommandType implements engine.CommandData.
func (Decide) CommandType() string { return "gpke.decide" }

// Timeout is the command a fired deadline becomes (engine.DeadlineHandler).
type Timeout struct {
	Label string
	Due   time.Time
}

// CommandType implements engine.CommandData.
func (Timeout) CommandType() string { return "gpke.timeout" }
