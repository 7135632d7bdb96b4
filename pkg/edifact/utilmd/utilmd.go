// Package utilmd gives typed, read-only views over a parsed UTILMD message
// (EDI@Energy master data and switching, Strom and Gas): the message header
// (BGM, DTM+137, NAD+MS/MR) and, per transaction (Vorgang, SG4 IDE), its id,
// Prüfidentifikator (RFF+Z13), dates (DTM), status and answer codes (STS),
// locations (LOC, e.g. Z16 MaLo), references (RFF) and parties (NAD).
//
// Facts come from shared/reference/edifact.md: the worked example §13, PID
// placement §6.1, IDE uniqueness §3, DTM formats §4 and the answer STS of
// §9.1. The views are positional facts about the message; they do not run
// the AHB check and give no meaning to qualifiers the reference does not
// define (those are exposed raw). Every problem found while building a view
// is an *Error naming the message and the segment position (UNH = 1).
package utilmd

import (
	"errors"
	"fmt"
	"github.com/mako-engine/mako/pkg/edifact/segview"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
)

// Qualifiers named in edifact.md.
const (
	// IDEVorgang opens a transaction (IDE+24, §6.1).
	IDEVorgang = "24"
	// IDEListe opens a list transaction (IDE+Z01, e.g. 55065, §6.1).
	IDEListe = "Z01"
	// DTMDocument is the document date (DTM+137, §4, §13).
	DTMDocument = "137"
	// DTMStart is the process start, e.g. the supply start in 55001 (DTM+92, §4, §13).
	DTMStart = "92"
	// LOCMaLo is the Marktlokation (LOC+Z16, §13).
	LOCMaLo = "Z16"
	// RFFPID is the Prüfidentifikator (RFF+Z13, §6.1).
	RFFPID = "Z13"
	// STSReason is the transaction reason category (STS+7, §13: E03 Wechsel, ZW4 verbrauchende MaLo).
	STSReason = "7"
	// STSAnswer is the answer status category (STS+E01++<answer code>:<EBD>, §9.1).
	STSAnswer = "E01"
	// NADSender / NADRecipient are the market partners of the message (§2, §13).
	NADSender    = "MS"
	NADRecipient = "MR"
)

// Sentinel errors wrapped by *Error.
var (
	// ErrNotUTILMD: the message is not a UTILMD.
	ErrNotUTILMD = errors.New("utilmd: not a UTILMD message")
	// ErrMissing: a segment or data element the view needs is absent.
	ErrMissing = segview.ErrMissing
	// ErrInvalid: a value does not have the form the reference gives.
	ErrInvalid = segview.ErrInvalid
	// ErrDuplicate: an IDE number occurs twice in the message (§3).
	ErrDuplicate = errors.New("duplicate")
)

// Error is a problem found while building a view, with its position
// (segview.Error, View "utilmd").
type Error = segview.Error

// Party is a NAD segment (segview.Party: qualifier, MP-ID, 3055 agency).
type Party = segview.Party

// Date is a DTM segment (segview.Date) and whether it sits inside a SEQ
// group of the transaction (after its first SEQ) rather than at transaction
// (SG4/SG6) level.
type Date struct {
	segview.Date
	Nested bool
}

// Code is a coded value with its code list (e.g. STS reason "A51" with EBD "E_0623").
type Code struct {
	Value string
	List  string
}

// Status is an STS segment: category (C601 9015, e.g. "7" reason, "E01"
// answer), status (C555 4405) and the status reasons (C556 9013 and the
// following elements, each with its code list component).
type Status struct {
	Category string
	Status   string
	Reasons  []Code
	Position int
}

// Answer returns the answer code and EBD of an answer status
// STS+E01++<answer code>:<EBD> (edifact.md §9.1).
func (s Status) Answer() (code, ebd string, ok bool) {
	if s.Category != STSAnswer || len(s.Reasons) == 0 {
		return "", "", false
	}
	return s.Reasons[0].Value, s.Reasons[0].List, true
}

// Location is a LOC segment: qualifier (3227) and id (C517 3225).
type Location struct {
	Qualifier string
	ID        string
	Position  int
	Nested    bool
}

// Classify tells and validates the id type by its shape
// (ident.ClassifyLocation: MaLo, MeLo, NeLo, TR, SR).
func (l Location) Classify() (ident.Type, error) { return ident.ClassifyLocation(l.ID) }

// Reference is an RFF segment: qualifier (C506 1153) and value (1154).
type Reference struct {
	Qualifier string
	Value     string
	Position  int
	Nested    bool
}

// Header is the part of the message before the first transaction.
type Header struct {
	Ref string // UNH 0062
	ID  edifact.MessageID
	// Sector is Strom or Gas from the UNH version (S… / G…, §7.1), else
	// from edifact.MessageSector; unspecified if neither decides.
	Sector catalog.Sector
	// DocumentCode / DocumentNumber are BGM 1001 (e.g. E01, §6.4) and 1004.
	DocumentCode   string
	DocumentNumber string
	// Created is DTM+137; its Position is 0 when absent.
	Created   Date
	Dates     []Date
	Sender    Party // NAD+MS
	Recipient Party // NAD+MR
	Parties   []Party
}

// Transaction is one SG4 IDE group (Vorgang or list).
type Transaction struct {
	// Qualifier is IDE 7495: "24" (Vorgang) or "Z01" (list).
	Qualifier string
	// ID is IDE 7402, the Vorgangsnummer.
	ID       string
	Position int
	// PID is RFF+Z13 1154; PIDPosition is 0 when absent.
	PID         string
	PIDPosition int
	Dates       []Date
	Statuses    []Status
	Locations   []Location
	References  []Reference
	Parties     []Party
	// Segments are the transaction's segments (aliasing the message).
	Segments []edifact.Segment
}

// Date returns the first DTM with qualifier q, preferring transaction level
// over nested ones.
func (t *Transaction) Date(q string) (Date, bool) {
	return first(t.Dates, func(d Date) (string, bool) { return d.Qualifier, d.Nested })(q)
}

// Location returns the first LOC with qualifier q, preferring transaction level.
func (t *Transaction) Location(q string) (Location, bool) {
	return first(t.Locations, func(l Location) (string, bool) { return l.Qualifier, l.Nested })(q)
}

// LocationsOf returns every LOC with qualifier q, in message order.
func (t *Transaction) LocationsOf(q string) []Location {
	var out []Location
	for _, l := range t.Locations {
		if l.Qualifier == q {
			out = append(out, l)
		}
	}
	return out
}

// Reference returns the first RFF with qualifier q, preferring transaction level.
func (t *Transaction) Reference(q string) (Reference, bool) {
	return first(t.References, func(r Reference) (string, bool) { return r.Qualifier, r.Nested })(q)
}

// Start returns DTM+92 (e.g. the supply start of 55001, §13) as an instant.
func (t *Transaction) Start() (time.Time, bool) {
	d, ok := t.Date(DTMStart)
	if !ok {
		return time.Time{}, false
	}
	v, err := d.Time()
	return v, err == nil
}

// MaLo returns the id of LOC+Z16 (the Marktlokation, §13), not validated;
// use Location.Classify or ident.ValidateMaLo to check it.
func (t *Transaction) MaLo() (string, bool) {
	l, ok := t.Location(LOCMaLo)
	return l.ID, ok
}

// Status returns the first STS with category c ("7", "E01", …).
func (t *Transaction) Status(c string) (Status, bool) {
	for _, s := range t.Statuses {
		if s.Category == c {
			return s, true
		}
	}
	return Status{}, false
}

func first[T any](items []T, key func(T) (string, bool)) func(string) (T, bool) {
	return func(q string) (T, bool) {
		var nested T
		found := false
		for _, it := range items {
			k, n := key(it)
			if k != q {
				continue
			}
			if !n {
				return it, true
			}
			if !found {
				nested, found = it, true
			}
		}
		return nested, found
	}
}

// Message is the view of one UTILMD message.
type Message struct {
	Header       Header
	Transactions []Transaction
}

// View builds the view of m. It returns ErrNotUTILMD (and a nil view) when
// m is not a UTILMD. Otherwise it always returns the view, together with an
// error (errors.Join of *Error) listing every problem found: a missing BGM,
// DTM+137, NAD+MS or NAD+MR, an IDE without number, a duplicate IDE
// number (§3), a transaction without RFF+Z13 (§6.3), a DTM whose value does
// not fit its format (§4). Such a view is partial but usable.
func View(m *edifact.Message) (*Message, error) {
	if m == nil || len(m.Segments) == 0 {
		return nil, ErrNotUTILMD
	}
	unh := m.Header()
	if unh.Type != catalog.UTILMD {
		return nil, ErrNotUTILMD
	}
	v := &Message{}
	var errs []error
	ref := unh.Ref
	report := func(pos int, tag, q string, err error, format string, a ...any) {
		errs = append(errs, &Error{View: "utilmd", MessageRef: ref, Position: pos, Tag: tag, Qualifier: q, Err: err, Detail: fmt.Sprintf(format, a...)})
	}

	txs := edifact.Transactions(m)
	headerEnd := len(m.Segments)
	if len(txs) > 0 && txs[0].Opening != nil {
		headerEnd = txs[0].Start
	}
	if t, ok := m.Trailer(); ok && t.Segment != nil && headerEnd == len(m.Segments) {
		headerEnd-- // exclude UNT
	}
	v.Header = buildHeader(m, unh, headerEnd, report)

	seen := map[string]int{}
	for _, tx := range txs {
		if tx.Opening == nil {
			continue // no IDE in the message: nothing transaction-shaped
		}
		t := buildTransaction(m, tx, report)
		if t.ID != "" {
			if prev, dup := seen[t.ID]; dup {
				report(t.Position, "IDE", t.Qualifier, ErrDuplicate, "IDE number %q already used at segment %d (§3)", t.ID, prev)
			} else {
				seen[t.ID] = t.Position
			}
		}
		v.Transactions = append(v.Transactions, t)
	}
	return v, errors.Join(errs...)
}

type reporter func(pos int, tag, q string, err error, format string, a ...any)

func buildHeader(m *edifact.Message, unh edifact.UNH, end int, report reporter) Header {
	h := Header{Ref: unh.Ref, ID: unh.MessageID}
	if s, ok := catalog.SectorFromUTILMDVersion(unh.Association); ok {
		h.Sector = s
	} else if s, ok := edifact.MessageSector(m); ok {
		h.Sector = s
	}
	hasBGM := false
	for i := 1; i < end && i < len(m.Segments); i++ {
		s := &m.Segments[i]
		pos := i + 1
		switch s.Tag {
		case "BGM":
			if !hasBGM {
				hasBGM = true
				h.DocumentCode, h.DocumentNumber = s.Value(0, 0), s.Value(1, 0)
				if h.DocumentCode == "" {
					report(pos, "BGM", "", ErrMissing, "no document code (1001)")
				}
			}
		case "DTM":
			d := dateOf(s, pos, false)
			checkDate(d, report)
			h.Dates = append(h.Dates, d)
			if d.Qualifier == DTMDocument && h.Created.Position == 0 {
				h.Created = d
			}
		case "NAD":
			p := partyOf(s, pos)
			h.Parties = append(h.Parties, p)
			switch {
			case p.Qualifier == NADSender && h.Sender.Position == 0:
				h.Sender = p
			case p.Qualifier == NADRecipient && h.Recipient.Position == 0:
				h.Recipient = p
			}
		}
	}
	if !hasBGM {
		report(0, "BGM", "", ErrMissing, "message has no BGM")
	}
	if h.Created.Position == 0 {
		report(0, "DTM", DTMDocument, ErrMissing, "message has no document date")
	}
	for _, p := range []*Party{&h.Sender, &h.Recipient} {
		q := NADSender
		if p == &h.Recipient {
			q = NADRecipient
		}
		if p.Position == 0 {
			report(0, "NAD", q, ErrMissing, "message has no NAD+%s", q)
		} else if p.ID == "" {
			report(p.Position, "NAD", q, ErrMissing, "no MP-ID (C082 3039)")
		}
	}
	return h
}

func buildTransaction(m *edifact.Message, tx edifact.Transaction, report reporter) Transaction {
	t := Transaction{
		Position: tx.Start + 1,
		Segments: m.Segments[tx.Start:tx.End],
	}
	t.Qualifier, t.ID = tx.Opening.Value(0, 0), tx.ID
	if t.ID == "" {
		report(t.Position, "IDE", t.Qualifier, ErrMissing, "no transaction number (7402)")
	}
	nested := false
	for i := tx.Start + 1; i < tx.End; i++ {
		s := &m.Segments[i]
		pos := i + 1
		switch s.Tag {
		case "SEQ":
			nested = true
		case "DTM":
			d := dateOf(s, pos, nested)
			checkDate(d, report)
			t.Dates = append(t.Dates, d)
		case "STS":
			st := Status{Category: s.Value(0, 0), Status: s.Value(1, 0), Position: pos}
			for e := 2; e < len(s.Elements); e++ {
				st.Reasons = append(st.Reasons, Code{Value: s.Value(e, 0), List: s.Value(e, 1)})
			}
			t.Statuses = append(t.Statuses, st)
		case "LOC":
			l := Location{Qualifier: s.Value(0, 0), ID: s.Value(1, 0), Position: pos, Nested: nested}
			if l.ID == "" {
				report(pos, "LOC", l.Qualifier, ErrMissing, "no location id (C517 3225)")
			}
			t.Locations = append(t.Locations, l)
		case "RFF":
			r := Reference{Qualifier: s.Value(0, 0), Value: s.Value(0, 1), Position: pos, Nested: nested}
			t.References = append(t.References, r)
			if r.Qualifier == RFFPID && t.PIDPosition == 0 {
				t.PID, t.PIDPosition = r.Value, pos
			}
		case "NAD":
			t.Parties = append(t.Parties, partyOf(s, pos))
		}
	}
	if t.PIDPosition == 0 {
		report(t.Position, "IDE", t.Qualifier, ErrMissing, "transaction %q has no RFF+Z13 (PID, §6.3)", t.ID)
	} else if !catalog.ValidPIDFormat(t.PID) {
		report(t.PIDPosition, "RFF", RFFPID, ErrInvalid, "PID %q is not five digits", t.PID)
	}
	return t
}

func dateOf(s *edifact.Segment, pos int, nested bool) Date {
	return Date{Date: segview.DateOf(s, pos), Nested: nested}
}

func checkDate(d Date, report reporter) {
	if _, err := d.Parse(); err != nil {
		report(d.Position, "DTM", d.Qualifier, fmt.Errorf("%w: %w", ErrInvalid, err), "")
	}
}

func partyOf(s *edifact.Segment, pos int) Party {
	return Party{Qualifier: s.Value(0, 0), ID: s.Value(1, 0), Agency: s.Value(1, 2), Position: pos}
}
