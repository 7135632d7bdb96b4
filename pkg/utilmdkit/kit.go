package utilmdkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Party returns the UNB party of an MP-ID with its NAD code agency (DE3055:
// 293 BDEW, 332 DVGW, 9 GS1; edifact.md §2, §5; pkg/edifact/ident). An id
// that is no valid MP-ID keeps qualifier 500 / agency 293, so that the AHB
// guard reports it instead of a silent rewrite.
func Party(id string) (edifact.Party, string) {
	k, err := ident.ClassifyMPID(id)
	if err != nil {
		return edifact.Party{ID: id, Qualifier: "500"}, "293"
	}
	return edifact.Party{ID: id, Qualifier: k.CodeList()}, k.NADAgency()
}

// DTM returns the C507 composite of a DTM with qualifier q and instant t in
// format 303 (CCYYMMDDHHMM+00, UTC).
func DTM(q string, t time.Time) edifact.Value { return edifact.C(q, catalog.FormatDTM303(t), "303") }

// DTM102 returns the C507 composite of the German calendar date of t (format
// 102, CCYYMMDD).
func DTM102(q string, t time.Time) edifact.Value {
	return edifact.C(q, t.In(fristen.Berlin()).Format("20060102"), "102")
}

// CustomerName returns the C080 composite of a customer: surname or company,
// first name, and the name structure code (Z01 person, Z02 company).
func CustomerName(name, first string, company bool) []string {
	if company {
		return []string{name, "", "", "", "", "Z02"}
	}
	return []string{name, first, "", "", "", "Z01"}
}

// ErrNonConformant marks an outbound message that violates the AHB of its
// PID and format version. A family's workflow refuses the decision (Handle
// returns a *NonConformantError), so the engine commits nothing, nothing is
// sent and the processor dead-letters the command.
var ErrNonConformant = errors.New("outbound message violates its AHB")

// NonConformantError names the outbound message a decision would have sent
// and the AHB findings (pkg/ahb) that keep it from leaving. It wraps
// ErrNonConformant and implements ahb.Refusal.
type NonConformantError struct {
	Workflow    string
	FV          string
	MessageType string
	PIDs        []string
	Recipient   string
	Findings    []ahb.Finding
}

// Error lists the rules of the findings.
func (e *NonConformantError) Error() string {
	rules := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		rules = append(rules, f.Rule)
	}
	return fmt.Sprintf("%s: %s %s %s to %s: %d AHB findings: %s", e.Workflow, e.FV, e.MessageType,
		strings.Join(e.PIDs, ","), e.Recipient, len(e.Findings), strings.Join(rules, "; "))
}

// Unwrap returns ErrNonConformant.
func (e *NonConformantError) Unwrap() error { return ErrNonConformant }

// RefusedPIDs returns the PIDs of the refused message (ahb.Refusal).
func (e *NonConformantError) RefusedPIDs() []string { return e.PIDs }

var _ ahb.Refusal = (*NonConformantError)(nil)

// Conform validates an outbound interchange of workflow against the AHB of
// each of its transactions for format version v (explicit, never a clock)
// with ahb.Conform in strict mode: any finding — rejecting or not — is a
// defect of the sender, so it refuses the message with a
// *NonConformantError. A condition pkg/ahb cannot decide is no finding
// (three-valued evaluation).
func Conform(workflow string, v fv.Version, typ, recipient string, payload []byte) error {
	err := ahb.Conform(payload, v, true)
	var nc *ahb.NonConformantError
	if errors.As(err, &nc) {
		return &NonConformantError{Workflow: workflow, FV: nc.FV, MessageType: typ, PIDs: nc.PIDs, Recipient: recipient, Findings: nc.Findings}
	}
	if err != nil {
		return fmt.Errorf("%s: outbound %s: %w", workflow, typ, err)
	}
	return nil
}

// TransactionError names the received transaction a workflow could not
// handle; it wraps the family's cause (an unreadable message, missing master
// data …; errors.Is works).
type TransactionError struct {
	Workflow      string
	PID           string
	Sender        string
	TransactionID string
	Err           error
}

// Error formats the failure with the transaction.
func (e *TransactionError) Error() string {
	return fmt.Sprintf("%s: %s %s of %s: %v", e.Workflow, e.PID, e.TransactionID, e.Sender, e.Err)
}

// Unwrap returns the cause.
func (e *TransactionError) Unwrap() error { return e.Err }

// Received is a parsed inbound transaction: the interchange, the message, the
// transaction's segments and, for a UTILMD, its view.
type Received struct {
	Tx  inbound.Transaction  // the inbound transaction as ingest delivered it
	IX  *edifact.Interchange // its parsed interchange
	M   *edifact.Message     // the message of the transaction (Tx.MessageIndex)
	U   *edifact.Transaction // the transaction's segments (SG4 of a UTILMD)
	V   *utilmd.Message      // the UTILMD view of M (nil for other types)
	T   *utilmd.Transaction  // the UTILMD view of the transaction (nil for other types)
	Doc string               // BGM 1004 of a UTILMD
}

// Failed returns the TransactionError of workflow for r with cause err.
func (r *Received) Failed(workflow string, err error) error {
	return &TransactionError{Workflow: workflow, PID: r.Tx.PID, Sender: r.Tx.Sender, TransactionID: r.Tx.TransactionID, Err: err}
}

// Parse parses tx. A failure wraps errMessage (the family's "unreadable"
// sentinel); for a UTILMD whose view fails the returned Received still holds
// the parsed message, so that the caller can answer with an APERAK.
func Parse(tx inbound.Transaction, errMessage error) (*Received, error) {
	ix, m, err := tx.Parse()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errMessage, err)
	}
	r := &Received{Tx: tx, IX: ix, M: m}
	for _, u := range edifact.Transactions(m) {
		if u.ID == tx.TransactionID {
			r.U = &u
			break
		}
	}
	if tx.MessageType != "UTILMD" {
		return r, nil
	}
	v, verr := utilmd.View(m)
	if v == nil {
		return r, fmt.Errorf("%w: transaction %s of %s: %w", errMessage, tx.TransactionID, tx.Sender, verr)
	}
	r.V, r.Doc = v, v.Header.DocumentNumber
	for i := range v.Transactions {
		if v.Transactions[i].ID == tx.TransactionID {
			r.T = &v.Transactions[i]
		}
	}
	if r.T == nil {
		return nil, fmt.Errorf("%w: transaction %s not in message %s of %s", errMessage, tx.TransactionID, tx.MessageRef, tx.Sender)
	}
	return r, nil
}

// APERAK is what a received APERAK says about a message we sent.
type APERAK struct {
	Code        string   // BGM 1001: 312 accepted, 313 rejected
	Document    string   // RFF+AGO: the document number of our message
	Transaction string   // RFF+TN: our transaction
	ERC         []string // the error codes
}

// ReadAPERAK reads the APERAK message m.
func ReadAPERAK(m *edifact.Message) APERAK {
	var a APERAK
	for i := range m.Segments {
		s := &m.Segments[i]
		switch {
		case s.Tag == "BGM":
			a.Code = s.Value(0, 0)
		case s.Is("RFF", "AGO") && a.Document == "":
			a.Document = s.Value(0, 1)
		case s.Is("RFF", "TN") && a.Transaction == "":
			a.Transaction = s.Value(0, 1)
		case s.Tag == "ERC":
			a.ERC = append(a.ERC, s.Value(0, 0))
		}
	}
	return a
}

// ReadCONTRL returns the interchange reference and the action code (UCI
// 0083: 4 rejected, 7 acknowledged, edifact.md §10) of the CONTRL message m.
func ReadCONTRL(m *edifact.Message) (ref, action string) {
	for i := range m.Segments {
		if s := &m.Segments[i]; s.Tag == "UCI" {
			return s.Value(0, 0), s.Value(3, 0)
		}
	}
	return "", ""
}

// AnswerCodes reads STS+E01 (answer code and its EBD or code list) and
// STS+Z35 (answer of the third party) of an answer transaction.
func AnswerCodes(t *utilmd.Transaction) (code, ebd, third string) {
	for _, s := range t.Statuses {
		if len(s.Reasons) == 0 {
			continue
		}
		switch s.Category {
		case "E01":
			if code == "" {
				code, ebd = s.Reasons[0].Value, s.Reasons[0].List
			}
		case "Z35":
			third = s.Reasons[0].Value
		}
	}
	return code, ebd, third
}

// DecodeStrict decodes JSON into T, rejecting unknown fields and trailing
// data (the ERP commands' wire rule).
func DecodeStrict[T engine.CommandData](data json.RawMessage) (engine.CommandData, error) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", v.CommandType(), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data", v.CommandType())
	}
	return v, nil
}

// ValidIDs checks a MaLo-ID (if not empty) and MP-IDs; a failure wraps
// invalid (the family's invalid-command sentinel).
func ValidIDs(invalid error, malo string, mpids ...string) error {
	if malo != "" {
		if err := ident.ValidateMaLo(malo); err != nil {
			return fmt.Errorf("%w: MaLo %q: %v", invalid, malo, err)
		}
	}
	for _, id := range mpids {
		if _, err := ident.ClassifyMPID(id); err != nil {
			return fmt.Errorf("%w: MP-ID %q: %v", invalid, id, err)
		}
	}
	return nil
}

// Address is a postal address of an ERP command or of master data (NAD+Z04,
// NAD+DP, NAD+Z05 of a UTILMD): the fields and JSON names of malo.Address
// (street, house_no, city, post_code, country — ISO 3166, "" = DE), one
// definition for the ERP contract and the master data, with NAD.
type Address malo.Address

// NAD returns the address part of a NAD segment: C059 street and house
// number, city (3164), an empty C819, post code (3251) and country (3207,
// "DE" if empty).
func (a Address) NAD() []edifact.Value {
	country := a.Country
	if country == "" {
		country = "DE"
	}
	return []edifact.Value{edifact.C(a.Street, "", a.HouseNo), edifact.E(a.City), edifact.E(""), edifact.E(a.PostCode), edifact.E(country)}
}
