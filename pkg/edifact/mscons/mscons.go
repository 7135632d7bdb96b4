// Package mscons gives typed, read-only views over a parsed MSCONS message
// (meter readings, energy quantities, load profiles; edifact.md §8, §9.5):
// the message header (BGM, DTM+137, the PID in RFF+Z13, NAD+MS/MR) and, per
// location LOC+172, its dates and its lines (LIN) with the OBIS code from
// PIA and the QTY/DTM series.
//
// The views are positional: segments are assigned to the nearest preceding
// LOC+172 / LIN / QTY, without validating the MIG group structure (that is
// pkg/edifact's and the AHB check's job). Qualifiers the reference does not
// define (QTY 6063, DTM 2005 inside the series) are exposed raw. Problems
// are *Error values naming the message and segment position (UNH = 1).
package mscons

import (
	"errors"
	"fmt"
	"github.com/mako-engine/mako/pkg/edifact/segview"
	"strconv"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
)

// Qualifiers used by the views.
const (
	// LOCMeteringPoint opens a location (LOC+172).
	LOCMeteringPoint = "172"
	// PIAProductID carries the OBIS code (PIA+5).
	PIAProductID = "5"
	// RFFPID is the Prüfidentifikator, per message in SG1 (§6.1).
	RFFPID = "Z13"
)

// Sentinel errors wrapped by *Error.
var (
	ErrNotMSCONS = errors.New("mscons: not an MSCONS message")
	ErrMissing   = segview.ErrMissing
	ErrInvalid   = segview.ErrInvalid
)

// Error is a problem found while building a view, with its position
// (segview.Error, View "mscons").
type Error = segview.Error

// Party is a NAD segment (segview.Party: qualifier, MP-ID, 3055 agency).
type Party = segview.Party

// Date is a DTM segment (segview.Date).
type Date = segview.Date

// Header holds the message-level data.
type Header struct {
	Ref            string
	ID             edifact.MessageID
	DocumentCode   string // BGM 1001, e.g. "7" (§6.4)
	DocumentNumber string // BGM 1004
	MessageFunc    string // BGM 1225, e.g. "9" original (§6.4)
	Created        Date   // DTM+137; Position 0 if absent
	PID            string // RFF+Z13; PIDPosition 0 if absent
	PIDPosition    int
	Sender         Party // NAD+MS
	Recipient      Party // NAD+MR
}

// Quantity is a QTY segment with the DTM and STS segments that follow it.
type Quantity struct {
	Qualifier string // C186 6063
	Value     string // C186 6060, as written (decimal mark '.' or ',')
	Unit      string // C186 6411
	Position  int
	Dates     []Date
	// Statuses are the STS category codes (C601 9015) following the QTY.
	Statuses []string
}

// Float parses Value; both decimal marks are accepted (edifact.md §1.2:
// some files declare a decimal comma in UNA).
func (q Quantity) Float() (float64, error) {
	return strconv.ParseFloat(strings.Replace(q.Value, ",", ".", 1), 64)
}

// Date returns the first DTM of the quantity with qualifier qual.
func (q Quantity) Date(qual string) (Date, bool) {
	for _, d := range q.Dates {
		if d.Qualifier == qual {
			return d, true
		}
	}
	return Date{}, false
}

// Line is a LIN group: its OBIS code (PIA+5) and its quantities.
type Line struct {
	Position     int
	OBIS         string // PIA+5 C212 7140, unescaped, e.g. "1-1:1.8.0"
	OBISPosition int
	Quantities   []Quantity
}

// ParseOBIS parses the line's OBIS code (ident.ParseOBIS).
func (l Line) ParseOBIS() (ident.OBIS, error) { return ident.ParseOBIS(l.OBIS) }

// Location is a LOC+172 group: the location id, the DTM segments between the
// LOC and its first LIN (e.g. the period), and its lines.
type Location struct {
	ID       string
	Position int
	Dates    []Date
	Lines    []Line
}

// Message is the view of one MSCONS message.
type Message struct {
	Header    Header
	Locations []Location
}

// View builds the view of m. It returns ErrNotMSCONS (and a nil view) when
// m is not an MSCONS. Otherwise it always returns the view together with an
// error (errors.Join of *Error) for each problem: a missing BGM, DTM+137,
// RFF+Z13, NAD+MS or NAD+MR, a LOC+172 without id, a DTM value not matching
// its format, a PIA+5 that is no OBIS code, a QTY without value.
func View(m *edifact.Message) (*Message, error) {
	if m == nil || len(m.Segments) == 0 {
		return nil, ErrNotMSCONS
	}
	unh := m.Header()
	if unh.Type != catalog.MSCONS {
		return nil, ErrNotMSCONS
	}
	v := &Message{Header: Header{Ref: unh.Ref, ID: unh.MessageID}}
	h := &v.Header
	var errs []error
	report := func(pos int, tag, q string, err error, format string, a ...any) {
		errs = append(errs, &Error{View: "mscons", MessageRef: unh.Ref, Position: pos, Tag: tag, Qualifier: q, Err: err, Detail: fmt.Sprintf(format, a...)})
	}
	date := func(s *edifact.Segment, pos int) Date {
		d := segview.DateOf(s, pos)
		if _, err := d.Parse(); err != nil {
			report(pos, "DTM", d.Qualifier, fmt.Errorf("%w: %w", ErrInvalid, err), "")
		}
		return d
	}
	var loc *Location
	var line *Line
	var qty *Quantity
	hasBGM := false
	for i := 1; i < len(m.Segments); i++ {
		s := &m.Segments[i]
		pos := i + 1
		switch s.Tag {
		case "BGM":
			if !hasBGM {
				hasBGM = true
				h.DocumentCode, h.DocumentNumber, h.MessageFunc = s.Value(0, 0), s.Value(1, 0), s.Value(2, 0)
			}
		case "DTM":
			d := date(s, pos)
			switch {
			case qty != nil:
				qty.Dates = append(qty.Dates, d)
			case loc != nil && line == nil:
				loc.Dates = append(loc.Dates, d)
			case loc == nil && d.Qualifier == "137" && h.Created.Position == 0:
				h.Created = d
			}
		case "RFF":
			if loc == nil && s.Value(0, 0) == RFFPID && h.PIDPosition == 0 {
				h.PID, h.PIDPosition = s.Value(0, 1), pos
			}
		case "NAD":
			p := Party{Qualifier: s.Value(0, 0), ID: s.Value(1, 0), Agency: s.Value(1, 2), Position: pos}
			switch {
			case p.Qualifier == "MS" && h.Sender.Position == 0:
				h.Sender = p
			case p.Qualifier == "MR" && h.Recipient.Position == 0:
				h.Recipient = p
			}
		case "LOC":
			if s.Value(0, 0) != LOCMeteringPoint {
				continue
			}
			v.Locations = append(v.Locations, Location{ID: s.Value(1, 0), Position: pos})
			loc, line, qty = &v.Locations[len(v.Locations)-1], nil, nil
			if loc.ID == "" {
				report(pos, "LOC", LOCMeteringPoint, ErrMissing, "no location id (C517 3225)")
			}
		case "LIN":
			if loc == nil {
				report(pos, "LIN", "", ErrInvalid, "LIN before any LOC+172")
				continue
			}
			loc.Lines = append(loc.Lines, Line{Position: pos})
			line, qty = &loc.Lines[len(loc.Lines)-1], nil
		case "PIA":
			if line == nil || s.Value(0, 0) != PIAProductID || line.OBISPosition != 0 {
				continue
			}
			line.OBIS, line.OBISPosition = s.Value(1, 0), pos
			if err := ident.ValidateOBIS(line.OBIS); err != nil {
				report(pos, "PIA", PIAProductID, fmt.Errorf("%w: %w", ErrInvalid, err), "")
			}
		case "QTY":
			if line == nil {
				report(pos, "QTY", s.Value(0, 0), ErrInvalid, "QTY outside a LIN group")
				continue
			}
			q := Quantity{Qualifier: s.Value(0, 0), Value: s.Value(0, 1), Unit: s.Value(0, 2), Position: pos}
			if q.Value == "" {
				report(pos, "QTY", q.Qualifier, ErrMissing, "no quantity (6060)")
			}
			line.Quantities = append(line.Quantities, q)
			qty = &line.Quantities[len(line.Quantities)-1]
		case "STS":
			if qty != nil {
				qty.Statuses = append(qty.Statuses, s.Value(0, 0))
			}
		}
	}
	if !hasBGM {
		report(0, "BGM", "", ErrMissing, "message has no BGM")
	}
	if h.Created.Position == 0 {
		report(0, "DTM", "137", ErrMissing, "message has no document date")
	}
	if h.PIDPosition == 0 {
		report(0, "RFF", RFFPID, ErrMissing, "message has no PID (§6.3)")
	}
	if h.Sender.Position == 0 {
		report(0, "NAD", "MS", ErrMissing, "message has no NAD+MS")
	}
	if h.Recipient.Position == 0 {
		report(0, "NAD", "MR", ErrMissing, "message has no NAD+MR")
	}
	return v, errors.Join(errs...)
}
