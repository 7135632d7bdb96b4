package geligas

import (
	"time"

	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Enriched is the command Module.Enrich makes of a received request: the
// transaction plus the master data of its MaLo at its receipt.
type Enriched struct {
	Transaction inbound.Transaction
	MasterData  MasterData

	// parsed is Enrich's parse of Transaction, handed on to Handle so that
	// the processor parses the bytes once per execution. It is not encoded:
	// a decoded Enriched has none, and Handle parses itself.
	parsed *utilmdkit.Received
}

// CommandType implements engine.CommandData.
func (Enriched) CommandType() string { return "geligas.enriched" }

// Address is a postal address (NAD+Z04, NAD+DP, NAD+Z05).
type Address struct {
	Street   string `json:"street"`
	HouseNo  string `json:"house_no,omitempty"`
	City     string `json:"city"`
	PostCode string `json:"post_code"`
	// Country is the ISO 3166 code (default "DE").
	Country string `json:"country,omitempty"`
}

// RegisterSupplyStart is the ERP command of the LFN (type
// "geligas.lfn.register_supply_start"): register the gas supply of MaLo
// from Start with the NB (Anmeldung 44001). One geligas.lfn.lieferbeginn
// process per idempotency key.
type RegisterSupplyStart struct {
	// RequestID is the ERP's reference (optional; the command id if empty).
	RequestID string `json:"request_id,omitempty"`
	MaLo      string `json:"malo"`
	// Start is the requested Lieferbeginn: a Gastag boundary (06:00 German
	// local time; DTM+92 [UB2]).
	Start time.Time `json:"start"`
	// NB and LFN are the MP-IDs (DVGW 98… or GS1) of the grid operator and
	// of the deployment.
	NB  string `json:"nb"`
	LFN string `json:"lfn"`
	// Reason is the Transaktionsgrund (STS+7): "E03" Wechsel (default),
	// "E01" Ein-/Auszug, "E02" Einzug in Neuanlage, "ZD2" Lieferbeginn und
	// Abmeldung aus der Ersatzversorgung.
	Reason string `json:"reason,omitempty"`
	// Customer, CustomerFirstName, CustomerCompany: the customer (NAD+Z09,
	// NAD+Z04, NAD+Z05; required).
	Customer          string `json:"customer"`
	CustomerFirstName string `json:"customer_first_name,omitempty"`
	CustomerCompany   bool   `json:"customer_company,omitempty"`
	// Address is the customer's correspondence address, or the MaLo's
	// address when there is none (AHB [556]; required).
	Address *Address `json:"address"`
	// BalanceGroup is the LFN's Bilanzkreis (SG10 CCI+Z19; required).
	BalanceGroup string `json:"balance_group"`
	// Household: Haushaltskunde gem. EnWG (CCI Z15, else Z18; required).
	Household *bool `json:"household"`
	// NetContract is the Netznutzungsvertrag (CAV+Z74): "Z09" LF–NB
	// (default) or "Z08" customer–NB; NetPayer who pays (CAV+Z73): "Z11" LF
	// (default) or "Z10" customer (only with Z08, AHB [216]).
	NetContract string `json:"net_contract,omitempty"`
	NetPayer    string `json:"net_payer,omitempty"`
	// BillingMonths is the LF's Abrechnungsintervall in months (SG6
	// DTM+Z20, format 802; required).
	BillingMonths int `json:"billing_months"`
	// AnnualKWh is the Veranschlagte Jahresmenge (SG9 QTY+31, optional).
	AnnualKWh *int64 `json:"annual_kwh,omitempty"`
	// MunicipalDiscount is the Gemeinderabatt in percent (SEQ+Z12 QTY+Z16,
	// a mandatory group; 0 = none agreed).
	MunicipalDiscount float64 `json:"municipal_discount,omitempty"`
}

// CommandType implements engine.CommandData.
func (RegisterSupplyStart) CommandType() string { return "geligas.register_supply_start" }

// RequestTermination is the ERP command of the LFN (type
// "geligas.lfn.request_termination"): terminate the customer's gas
// contract with the LFA at Date (Kündigung 44016).
type RequestTermination struct {
	RequestID string `json:"request_id,omitempty"`
	MaLo      string `json:"malo"`
	// Date is the requested end (DTM+93, a Gastag boundary: 06:00 German
	// local time of the first day without supply).
	Date time.Time `json:"date"`
	LFA  string    `json:"lfa"`
	LFN  string    `json:"lfn"`
}

// CommandType implements engine.CommandData.
func (RequestTermination) CommandType() string { return "geligas.request_termination" }

// RegisterSupplyEnd is the ERP command of an LF (type
// "geligas.lf.register_supply_end"): deregister the MaLo at the NB at End
// (Abmeldung 44004).
type RegisterSupplyEnd struct {
	RequestID string `json:"request_id,omitempty"`
	MaLo      string `json:"malo"`
	// End is the requested Lieferende (DTM+93, a Gastag boundary).
	End time.Time `json:"end"`
	NB  string    `json:"nb"`
	LF  string    `json:"lf"`
	// Reason is the Transaktionsgrund (STS+7, AHB 44004): E01 Ein-/Auszug,
	// Z33 Stilllegung, Z41 Abmeldung der ESV, ZT4, ZT5, ZZD (required). The
	// Aufhebung einer zukünftigen Zuordnung (ZG9/ZH1/ZH2, which needs
	// DTM+92 instead of DTM+93) is not offered.
	Reason string `json:"reason"`
}

// CommandType implements engine.CommandData.
func (RegisterSupplyEnd) CommandType() string { return "geligas.register_supply_end" }

// DeregisterSupply is the ERP command of the NB (type
// "geligas.nb.deregister_supply"): end the LF's assignment of the MaLo at
// End because of a Stilllegung (Abmeldung vom NB 44007, STS+7 Z33, the only
// Transaktionsgrund the AHB allows).
type DeregisterSupply struct {
	RequestID string    `json:"request_id,omitempty"`
	MaLo      string    `json:"malo"`
	End       time.Time `json:"end"`
	NB        string    `json:"nb"`
	LF        string    `json:"lf"`
}

// CommandType implements engine.CommandData.
func (DeregisterSupply) CommandType() string { return "geligas.deregister_supply" }

// RegisterEoG is the ERP command of the NB (type "geligas.nb.register_eog"):
// register the MaLo with the Grund-/Ersatzversorger LF from Start
// (Anmeldung EoG 44013), with the NB's master data of the MaLo.
type RegisterEoG struct {
	RequestID string    `json:"request_id,omitempty"`
	MaLo      string    `json:"malo"`
	Start     time.Time `json:"start"`
	NB        string    `json:"nb"`
	// LF is the Grund-/Ersatzversorger.
	LF string `json:"lf"`
	// Reason is the Transaktionsgrund (STS+7, AHB 44013): E06 (default),
	// Z02, Z36, Z37, Z39, ZC6, ZC7, ZT6, ZT7, ZZD.
	Reason string `json:"reason,omitempty"`
	// Location is the MaLo's master data; nil: Module.Enrich reads it from
	// the MasterDataSource (MasterData.Location).
	Location *LocationData `json:"location,omitempty"`
}

// CommandType implements engine.CommandData.
func (RegisterEoG) CommandType() string { return "geligas.register_eog" }

// RequestCancellation is the ERP command (type "geligas.request_cancellation")
// to cancel a transaction the deployment sent earlier (Stornierung 44022).
type RequestCancellation struct {
	RequestID string `json:"request_id,omitempty"`
	// Sender and Recipient are the own MP-ID and the partner's.
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	// TransactionID is the Vorgangsnummer to cancel (RFF+ACW).
	TransactionID string `json:"transaction_id"`
	// Category is BGM 1001 of the cancelled message: E01, E02 or E35 (AHB
	// 44022 [500]).
	Category string `json:"category"`
	// MaLo is optional (carried for the ERP events only).
	MaLo string `json:"malo,omitempty"`
}

// CommandType implements engine.CommandData.
func (RequestCancellation) CommandType() string { return "geligas.request_cancellation" }

// Decide is the ERP's answer (type "geligas.decide") to a DecisionRequested
// event of an answering process (44010, 44016, 44007, 44013): consent or
// objection, optionally with the answer code. It must arrive before the
// decision deadline; afterwards the policy's default has been applied and
// Decide is recorded and ignored.
type Decide struct {
	// Partner and TransactionID name the request decided on (the sender's
	// MP-ID and IDE 7402 of the DecisionRequested event).
	Partner       string `json:"partner"`
	TransactionID string `json:"transaction_id"`
	// Object: true objects (Ablehnung), false consents (Zustimmung).
	Object bool `json:"object"`
	// Code is the answer code to use; empty = the table's code of the step
	// for the verdict (DecisionRequested names both).
	Code string `json:"code,omitempty"`
	// Note is free text for the ERP events and, with a code that needs it
	// (E14), the FTX+ACB of the answer.
	Note string `json:"note,omitempty"`
	// End is, for a consent to a Kündigung 44016, the LFA's own end date
	// (Zustimmung mit Terminänderung Z01, 44017 DTM+471 "Ende zum
	// nächstmöglichen Termin"): a Gastag boundary. Ignored otherwise.
	End time.Time `json:"end,omitempty"`
}

// CommandType implements engine.CommandData.
func (Decide) CommandType() string { return "geligas.decide" }

// Timeout is the command a fired deadline becomes (engine.DeadlineHandler).
type Timeout struct {
	Label string
	Due   time.Time
}

// CommandType implements engine.CommandData.
func (Timeout) CommandType() string { return "geligas.timeout" }
