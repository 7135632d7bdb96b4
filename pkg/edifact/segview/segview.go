// Package segview holds what the typed message views of pkg/edifact
// (utilmd, mscons) share: the positioned view error, its sentinel causes and
// the NAD party.
package segview

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
)

// Sentinel causes wrapped by *Error.
var (
	// ErrMissing: a segment or data element the view needs is absent.
	ErrMissing = errors.New("missing")
	// ErrInvalid: a value does not have the form the reference gives.
	ErrInvalid = errors.New("invalid")
)

// Error is a problem found while building a view, with its position.
type Error struct {
	View       string // the view that found it, e.g. "utilmd"
	MessageRef string // UNH 0062
	Position   int    // segment position in the message, UNH = 1; 0 if the segment is absent
	Tag        string // segment tag, e.g. "IDE"
	Qualifier  string // e.g. "Z13"
	Err        error  // ErrMissing, ErrInvalid or a view's own sentinel, or a wrapped parse error
	Detail     string
}

// Error formats e.g. `utilmd: message 1 segment 10 RFF+Z13: missing: no PID in transaction VG1`.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: message %s", e.View, e.MessageRef)
	if e.Position > 0 {
		fmt.Fprintf(&b, " segment %d", e.Position)
	}
	if e.Tag != "" {
		b.WriteString(" " + e.Tag)
		if e.Qualifier != "" {
			b.WriteString("+" + e.Qualifier)
		}
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Party is a NAD segment: qualifier (3035), MP-ID (C082 3039) and code list
// agency (C082 3055: 293 BDEW, 332 DVGW, 9 GS1; edifact.md §5).
type Party struct {
	Qualifier string
	ID        string
	Agency    string
	Position  int
}

// Kind validates the MP-ID (ident.ClassifyMPID) and returns its kind.
func (p Party) Kind() (ident.MPIDKind, error) { return ident.ClassifyMPID(p.ID) }

// Date is a DTM segment: qualifier (2005), value (2380, unescaped), format
// (2379) and its position in the message.
type Date struct {
	Qualifier string
	Value     string
	Format    string
	Position  int
}

// DateOf reads the DTM segment s at position pos.
func DateOf(s *edifact.Segment, pos int) Date {
	return Date{Qualifier: s.Value(0, 0), Value: s.Value(0, 1), Format: s.Value(0, 2), Position: pos}
}

// Parse interprets the value per its format (catalog.ParseDTM, edifact.md §4).
func (d Date) Parse() (catalog.DTM, error) { return catalog.ParseDTM(d.Value, d.Format) }

// Time returns the instant of the value (for 719 the start), in UTC.
func (d Date) Time() (time.Time, error) {
	v, err := d.Parse()
	return v.Start, err
}
