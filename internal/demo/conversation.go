// Package demo plays GPKE market conversations against a running mako
// deployment and reads them back: the outbox messages of the tenants as
// parsed EDIFACT (Message, Conversation) and the LFW24 supplier switch of
// `mako demo lfw24` (RunLFW24).
//
// The conversation reader is shared with the market test in
// test/integration: every message is parsed with pkg/edifact, checked with
// edifact.Check and reduced to what a reader of the conversation wants to
// see — sender, recipient, type, PID, answer code and the references that
// link answers and APERAKs to the transactions they answer.
package demo

import (
	"errors"
	"fmt"
	"github.com/mako-engine/mako/pkg/ahb"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/nats-io/nats.go"
)

// ErrDecode reports an outbox message that cannot be read as EDIFACT.
var ErrDecode = errors.New("demo: undecodable outbox message")

// Message is one interchange a tenant sent (one outbox message), parsed.
// The gpke workflows send one message with one transaction per
// interchange; for UTILMD the fields describe that transaction.
type Message struct {
	// At is the outbox stream timestamp (when the relay stored it).
	At time.Time
	// Tenant and Process are the sending tenant and process (outbox headers).
	Tenant, Process string
	// From and To are the MP-IDs of UNB sender and recipient.
	From, To string
	// Interchange is UNB 0020.
	Interchange string
	// Type is the message type: UTILMD, APERAK or CONTRL.
	Type string
	// Sector is the interchange's sector as edifact.Check reads it
	// (messages, else UNB code qualifiers): "Strom", "Gas" or "".
	Sector string
	// Document is BGM 1004; DocCode is BGM 1001 (for an APERAK: 312/313).
	Document, DocCode string
	// Created is DTM+137 of a UTILMD: the sender's decision time.
	Created time.Time
	// Transaction is IDE 7402 (UTILMD) and PID its RFF+Z13.
	Transaction, PID string
	// Code and EBD are the answer (STS+E01 code:list); Third is STS+Z35.
	Code, EBD, Third string
	// Reasons are the STS+7 transaction reasons.
	Reasons []string
	// MaLo is LOC+Z16 (Strom), or the MaLo-ID among the LOC+172 (Gas).
	MaLo string
	// Date is DTM+92 (start) or DTM+93 (end), zero if absent.
	Date time.Time
	// RefTN is RFF+TN: the transaction answered (UTILMD answers, APERAK).
	RefTN string
	// RefACW is RFF+ACW: the transaction cancelled (55022).
	RefACW string
	// RefDocument and RefInterchange are the APERAK's RFF+AGO and RFF+ACE.
	RefDocument, RefInterchange string
	// ERC are the APERAK error codes; Successor is RFF+Z08 (APERAK Z16).
	ERC       []string
	Successor string
	// Findings are edifact.Check's findings (empty for a clean interchange).
	Findings []string
	// AHB are the rules of pkg/ahb's findings for the interchange's messages
	// against the AHB of their PIDs (FV from DTM+137; empty: conformant).
	AHB []string
	// Raw is the interchange as sent.
	Raw []byte
}

// Decode parses an outbox message (subject mako.outbox.<tenant>.<recipient>)
// and checks it with edifact.Check (format version from the UNB date).
func Decode(subject string, h nats.Header, data []byte, at time.Time) (Message, error) {
	om, err := outbox.FromNats(subject, h, data)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	m := Message{At: at, Tenant: om.Tenant, Process: om.Process, Raw: data}
	ix, err := edifact.Parse(data)
	if err != nil {
		return m, fmt.Errorf("%w: %s of %s: %w", ErrDecode, om.InterchangeRef, om.Tenant, err)
	}
	rep := edifact.Check(ix)
	for _, f := range rep.Findings {
		m.Findings = append(m.Findings, f.String())
	}
	m.Sector = rep.Sector.String()
	for i := range ix.Messages {
		rep, err := ahb.Validate(&ix.Messages[i])
		if err != nil {
			m.AHB = append(m.AHB, err.Error())
			continue
		}
		for _, f := range rep.Findings {
			m.AHB = append(m.AHB, f.Rule)
		}
	}
	if unb := ix.Header(); unb != nil {
		m.From, m.To, m.Interchange = unb.Value(1, 0), unb.Value(2, 0), unb.Value(4, 0)
	}
	if len(ix.Messages) == 0 {
		return m, fmt.Errorf("%w: %s of %s has no message", ErrDecode, m.Interchange, om.Tenant)
	}
	msg := &ix.Messages[0]
	m.Type = msg.Type()
	switch m.Type {
	case "UTILMD":
		v, verr := utilmd.View(msg)
		if v == nil {
			return m, fmt.Errorf("%w: UTILMD %s: %w", ErrDecode, m.Interchange, verr)
		}
		m.DocCode, m.Document = v.Header.DocumentCode, v.Header.DocumentNumber
		if v.Header.Created.Position > 0 {
			m.Created, _ = v.Header.Created.Time()
		}
		if len(v.Transactions) == 0 {
			return m, fmt.Errorf("%w: UTILMD %s has no transaction", ErrDecode, m.Interchange)
		}
		t := &v.Transactions[0]
		m.Transaction, m.PID = t.ID, t.PID
		m.MaLo, _ = t.MaLo()
		if m.MaLo == "" {
			// Gas names the MaLo in LOC+172 (Meldepunkt, UTILMD Gas FV2610
			// 440xx), beside the MeLo's Zählpunkt: the 11-digit MaLo-ID.
			for _, l := range t.LocationsOf("172") {
				if ident.ValidateMaLo(l.ID) == nil {
					m.MaLo = l.ID
					break
				}
			}
		}
		for _, s := range t.Statuses {
			if len(s.Reasons) == 0 {
				continue
			}
			switch s.Category {
			case "E01":
				m.Code, m.EBD = s.Reasons[0].Value, s.Reasons[0].List
			case "Z35":
				m.Third = s.Reasons[0].Value
			case "7":
				for _, r := range s.Reasons {
					m.Reasons = append(m.Reasons, r.Value)
				}
			}
		}
		for _, q := range []string{"92", "93"} {
			if d, ok := t.Date(q); ok {
				if tm, err := d.Time(); err == nil {
					m.Date = tm
					break
				}
			}
		}
		if r, ok := t.Reference("TN"); ok {
			m.RefTN = r.Value
		}
		if r, ok := t.Reference("ACW"); ok {
			m.RefACW = r.Value
		}
	default: // APERAK, CONTRL: read the references segment by segment
		for i := range msg.Segments {
			s := &msg.Segments[i]
			switch {
			case s.Tag == "BGM":
				m.DocCode, m.Document = s.Value(0, 0), s.Value(1, 0)
			case s.Is("RFF", "ACE") && m.RefInterchange == "":
				m.RefInterchange = s.Value(0, 1)
			case s.Is("RFF", "AGO") && m.RefDocument == "":
				m.RefDocument = s.Value(0, 1)
			case s.Is("RFF", "TN") && m.RefTN == "":
				m.RefTN = s.Value(0, 1)
			case s.Is("RFF", "Z08"):
				m.Successor = s.Value(0, 1)
			case s.Tag == "ERC":
				m.ERC = append(m.ERC, s.Value(0, 0))
			case s.Tag == "UCI":
				m.RefInterchange, m.DocCode = s.Value(0, 0), s.Value(3, 0)
			}
		}
	}
	return m, nil
}

// IsRequest reports whether the message is a request UTILMD of GPKE or
// GeLi Gas (one that expects an answer UTILMD referencing it with RFF+TN).
func (m Message) IsRequest() bool {
	return m.Type == "UTILMD" && slices.Contains(requestPIDs, m.PID)
}

// IsAnswer reports whether the message is a UTILMD that can answer a
// request: any but an Informationsmeldung (UTILMD Gas 44036/44037/44038 —
// the NB's 44036 references the LFN's 44001 with RFF+TN but does not answer
// it; _prozess-meta.js of FV2610).
func (m Message) IsAnswer() bool { return m.Type == "UTILMD" && !slices.Contains(infoPIDs, m.PID) }

// infoPIDs are the Informationsmeldungen of GeLi Gas (no answer expected,
// none given).
var infoPIDs = []string{"44036", "44037", "44038"}

// IsGas reports whether the message belongs to the Gas sector.
func (m Message) IsGas() bool { return m.Sector == catalog.Gas.String() }

// requestPIDs are the request PIDs of the supplier switch: GPKE
// (edifact.md §9.1: Anmeldung, Abmeldung LF/NB, Anfrage, Kündigung,
// Stornierung) and GeLi Gas (UTILMD Gas FV2610 _prozess-meta.js: Anmeldung
// 44001, Abmeldung 44004, Abmeldung vom NB 44007, Abmeldungsanfrage 44010,
// Anmeldung EoG 44013, Kündigung 44016, Anfrage nach Stornierung 44022).
var requestPIDs = []string{"55001", "55004", "55007", "55010", "55016", "55022", "55077",
	"44001", "44004", "44007", "44010", "44013", "44016", "44022"}

// Names maps MP-IDs to display names (e.g. "LFN") for printing.
type Names map[string]string

func (n Names) of(mpid string) string {
	if s, ok := n[mpid]; ok {
		return s
	}
	return mpid
}

// Line formats the message for a reader: time (German local), sender →
// recipient, type, PID, answer code and references.
func (m Message) Line(names Names) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-3s → %-3s  %-6s", m.At.In(berlin).Format("15:04:05.000"), names.of(m.From), names.of(m.To), m.Type)
	switch m.Type {
	case "UTILMD":
		fmt.Fprintf(&b, " %s", m.PID)
		if m.Code != "" {
			fmt.Fprintf(&b, " %s:%s", m.Code, m.EBD)
		}
		if m.Third != "" {
			fmt.Fprintf(&b, " (LFA %s)", m.Third)
		}
		fmt.Fprintf(&b, "  tx %s", m.Transaction)
		if m.RefTN != "" {
			fmt.Fprintf(&b, " answers %s", m.RefTN)
		}
		if m.RefACW != "" {
			fmt.Fprintf(&b, " cancels %s", m.RefACW)
		}
		if m.MaLo != "" {
			fmt.Fprintf(&b, "  MaLo %s", m.MaLo)
		}
		if !m.Date.IsZero() {
			fmt.Fprintf(&b, " on %s", m.Date.In(berlin).Format("2006-01-02"))
		}
	case "APERAK":
		fmt.Fprintf(&b, " %s", m.DocCode)
		if len(m.ERC) > 0 {
			fmt.Fprintf(&b, " %s", strings.Join(m.ERC, ","))
		}
		fmt.Fprintf(&b, "  for tx %s (doc %s)", m.RefTN, m.RefDocument)
	default:
		fmt.Fprintf(&b, " %s  for interchange %s", m.DocCode, m.RefInterchange)
	}
	if len(m.Findings) > 0 {
		fmt.Fprintf(&b, "  !! %d syntax findings", len(m.Findings))
	}
	if len(m.AHB) > 0 {
		fmt.Fprintf(&b, "  !! %d AHB findings: %s", len(m.AHB), strings.Join(m.AHB, ", "))
	}
	return b.String()
}

// Conversation is the set of messages that belong to one business case:
// the UTILMD transactions linked by RFF+TN / RFF+ACW and the APERAKs and
// CONTRLs for them, in arrival order.
type Conversation struct {
	Messages []Message
}

// Select returns the conversation that starts from the UTILMDs about malo
// (LOC+Z16) and the transactions named in from (requests that are not among
// all, e.g. sent by a party outside the market), and grows by every message
// referencing one of its transactions, documents or interchanges (answers,
// APERAKs, CONTRLs, Stornierungen). Answers carry no LOC+Z16 where their AHB
// has no SG5 (55003, 55005, 55017 …): they join through RFF+TN.
func Select(all []Message, malo string, from ...string) Conversation {
	txs, docs, ixs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, tx := range from {
		txs[tx] = true
	}
	in := make([]bool, len(all))
	add := func(i int) {
		in[i] = true
		m := all[i]
		if m.Type == "UTILMD" {
			txs[m.Transaction], docs[m.Document], ixs[m.Interchange] = true, true, true
		}
	}
	for i, m := range all {
		if m.Type == "UTILMD" && m.MaLo == malo && malo != "" {
			add(i)
		}
	}
	for changed := true; changed; {
		changed = false
		for i, m := range all {
			if in[i] {
				continue
			}
			if (m.RefTN != "" && txs[m.RefTN]) || (m.RefACW != "" && txs[m.RefACW]) ||
				(m.Type != "UTILMD" && ((m.RefDocument != "" && docs[m.RefDocument]) || (m.RefInterchange != "" && ixs[m.RefInterchange]))) {
				add(i)
				changed = true
			}
		}
	}
	var c Conversation
	for i, m := range all {
		if in[i] {
			c.Messages = append(c.Messages, m)
		}
	}
	return c
}

// where returns the messages for which keep is true, in order.
func (c Conversation) where(keep func(Message) bool) []Message {
	var out []Message
	for _, m := range c.Messages {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// UTILMD returns the UTILMD transactions with the given PID.
func (c Conversation) UTILMD(pid string) []Message {
	return c.where(func(m Message) bool { return m.Type == "UTILMD" && m.PID == pid })
}

// AperakFor returns the APERAKs referencing transaction tx.
func (c Conversation) AperakFor(tx string) []Message {
	return c.where(func(m Message) bool { return m.Type == "APERAK" && m.RefTN == tx })
}

// ContrlFor returns the CONTRLs referencing interchange ix (UCI 0020).
func (c Conversation) ContrlFor(ix string) []Message {
	return c.where(func(m Message) bool { return m.Type == "CONTRL" && m.RefInterchange == ix })
}

// AnswerTo returns the UTILMD answers referencing transaction tx (RFF+TN).
func (c Conversation) AnswerTo(tx string) []Message {
	return c.where(func(m Message) bool { return m.Type == "UTILMD" && m.RefTN == tx })
}

// Open lists what the conversation still waits for: every request needs
// an answer UTILMD; in Strom every UTILMD an APERAK, in Gas every
// interchange but a CONTRL a CONTRL (Gas: CONTRL always, positive too; an
// APERAK only on error, so none is awaited). An empty list means complete.
func (c Conversation) Open() []string {
	var open []string
	for _, m := range c.Messages {
		if m.IsGas() && m.Type != "CONTRL" && len(c.ContrlFor(m.Interchange)) == 0 {
			open = append(open, "CONTRL for "+m.Type+" "+m.PID+" "+m.Interchange)
		}
		if m.Type != "UTILMD" {
			continue
		}
		if !m.IsGas() && len(c.AperakFor(m.Transaction)) == 0 {
			open = append(open, "APERAK for "+m.PID+" "+m.Transaction)
		}
		if m.IsRequest() && !slices.ContainsFunc(c.AnswerTo(m.Transaction), Message.IsAnswer) {
			open = append(open, "answer to "+m.PID+" "+m.Transaction)
		}
	}
	return open
}

// Sequence returns the conversation as short tokens ("55001", "APERAK 312"
// …) in arrival order, for a compact overview.
func (c Conversation) Sequence() []string {
	var out []string
	for _, m := range c.Messages {
		switch m.Type {
		case "UTILMD":
			out = append(out, m.PID)
		default:
			out = append(out, m.Type+" "+m.DocCode)
		}
	}
	return out
}
