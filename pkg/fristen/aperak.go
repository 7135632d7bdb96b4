package fristen

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Process distinguishes Gas Initial- and Folgeprozesse for APERAK deadlines.
type Process uint8

const (
	// AnyProcess matches both.
	AnyProcess Process = iota
	// Folgeprozess is a follow-up process step.
	Folgeprozess
	// Initialprozess is an initial step ("Zuordnung zu einem Objekt", ZO-F,
	// edifact.md §11.2).
	Initialprozess
)

// APERAKRule is one row of the APERAK deadline table. Rules are tried in
// order; the first whose conditions all match gives the deadline.
type APERAKRule struct {
	Name     string
	Sparte   Sparte
	Types    []string   // message types (UTILMD, ORDERS …); empty = any
	Process  Process    // Gas only; AnyProcess for Strom
	Received ReceiptDay // restriction on the German local receipt day
	Spec     DueSpec
	Source   string
	Verified bool
	Note     string
}

// aperakSource is the primary source of the APERAK deadlines.
const aperakSource = "EDI@Energy APERAK AHB 1.1 (Konsultationsfassung 2026-02-02) §2.4.1/§2.5.1, via fristen.md §7.1 and edifact.md §11.2"

// DefaultAPERAKRules returns the APERAK deadline table of fristen.md §7.1 /
// edifact.md §11.2 (a fresh copy). The reference takes the values from the
// APERAK AHB 1.1 consultation version and assumes they hold for AHB 1.0; it
// asks to confirm them against the version in force.
//
// Readings applied where the text is open (fristen.md §7.1 "Interpretation
// points"), each marked Verified=false:
//   - "next WT" is the first Werktag strictly after the German local receipt
//     date;
//   - a Strom UTILMD/ORDERS received on a Sunday or holiday falls under the
//     45-minute rule (literal reading; the Saturday exception is the only one
//     in the text); WithStromNonWerktagReceipt selects another reading;
//   - Gas Initialprozess "3 WT after receipt" ends at the end of the 3rd
//     Werktag after the receipt date (receipt day not counted, like GPKE).
func DefaultAPERAKRules() []APERAKRule {
	sat := "received on a Saturday: Sunday 12:00 (any receipt time)"
	return []APERAKRule{
		{Name: "Strom UTILMD/ORDERS, " + sat, Sparte: Strom, Types: []string{"UTILMD", "ORDERS"}, Received: OnSaturday,
			Spec: DueSpec{Kind: DueNextDayAt, Hour: 12}, Source: aperakSource, Verified: true},
		{Name: "Strom UTILMD/ORDERS, received on a Sunday or holiday: 45 minutes after receipt", Sparte: Strom,
			Types: []string{"UTILMD", "ORDERS"}, Received: OnSundayOrHoliday,
			Spec: DueSpec{Kind: DueAfter, After: 45 * time.Minute}, Source: aperakSource, Verified: false,
			Note: "literal reading: the AHB has no exception for Sundays and holidays (fristen.md §7.1, edifact.md §11.2: unverified)"},
		{Name: "Strom UTILMD/ORDERS: 45 minutes after receipt of the interchange", Sparte: Strom,
			Types: []string{"UTILMD", "ORDERS"}, Spec: DueSpec{Kind: DueAfter, After: 45 * time.Minute},
			Source: aperakSource, Verified: true},
		{Name: "Strom, other message types: 12:00 on the next Werktag", Sparte: Strom,
			Spec: DueSpec{Kind: DueNextWerktagAt, Hour: 12}, Source: aperakSource, Verified: true,
			Note: "next Werktag = first Werktag strictly after the German local receipt date (fristen.md §7.1 reading)"},
		{Name: "Gas Folgeprozess (error APERAK only): 12:00 on the next Werktag", Sparte: Gas, Process: Folgeprozess,
			Spec: DueSpec{Kind: DueNextWerktagAt, Hour: 12}, Source: aperakSource, Verified: true,
			Note: "next Werktag = first Werktag strictly after the German local receipt date (fristen.md §7.1 reading)"},
		{Name: "Gas Initialprozess (error APERAK only): 3 Werktage after receipt", Sparte: Gas, Process: Initialprozess,
			Spec: DueSpec{Kind: DueEndOfNthWerktag, N: 3}, Source: aperakSource, Verified: false,
			Note: "no clock time in the AHB; read like GPKE chapter 7: end of the 3rd Werktag after the receipt date (fristen.md §7.1)"},
	}
}

// NonWerktagReceipt selects the reading for a Strom UTILMD/ORDERS received on
// a Sunday or holiday, which the AHB does not address (fristen.md §7.1).
type NonWerktagReceipt uint8

const (
	// FortyFiveMinutes applies the general 45-minute rule (literal reading,
	// the default).
	FortyFiveMinutes NonWerktagReceipt = iota
	// NextDayNoon extends the Saturday exception by analogy: 12:00 on the
	// next calendar day. Not backed by the text; offered for operators who
	// agree on it bilaterally.
	NextDayNoon
)

// ChangeoverDay is a format changeover day set by the BNetzA in addition to
// the regular 1 April and 1 October.
type ChangeoverDay struct {
	Year  int
	Month time.Month
	Day   int
}

// defaultChangeoverDays are the irregular FV changeover dates of edifact.md
// §7.1 (FV2404 on 2024-04-03, FV2504 on 2025-06-06). Reading them as
// "BNetzA-set changeover days" in the sense of the APERAK AHB (edifact.md
// §7.4) is this package's inference; replace them with
// WithChangeoverDays.
var defaultChangeoverDays = []ChangeoverDay{{2024, time.April, 3}, {2025, time.June, 6}}

// APERAKClock computes APERAK deadlines. It is immutable and safe for
// concurrent use.
type APERAKClock struct {
	cal         *Calendar
	rules       []APERAKRule
	changeovers []day
}

// APERAKOption configures an APERAKClock.
type APERAKOption func(*APERAKClock) error

// WithAPERAKRules replaces the whole rule table (default DefaultAPERAKRules).
func WithAPERAKRules(rules ...APERAKRule) APERAKOption {
	return func(a *APERAKClock) error {
		for _, r := range rules {
			if !r.Spec.valid() || (r.Sparte != Strom && r.Sparte != Gas) {
				return fmt.Errorf("fristen: APERAK rule %q: %w", r.Name, ErrInvalidArgument)
			}
		}
		a.rules = append([]APERAKRule(nil), rules...)
		return nil
	}
}

// WithStromNonWerktagReceipt selects the reading for Strom UTILMD/ORDERS
// received on a Sunday or holiday (default FortyFiveMinutes).
func WithStromNonWerktagReceipt(r NonWerktagReceipt) APERAKOption {
	return func(a *APERAKClock) error {
		switch r {
		case FortyFiveMinutes:
			return nil
		case NextDayNoon:
			for i := range a.rules {
				if a.rules[i].Sparte == Strom && a.rules[i].Received == OnSundayOrHoliday {
					a.rules[i].Name = "Strom UTILMD/ORDERS, received on a Sunday or holiday: 12:00 on the next calendar day"
					a.rules[i].Spec = DueSpec{Kind: DueNextDayAt, Hour: 12}
					a.rules[i].Note = "configured reading by analogy with the Saturday exception; not in the AHB text (fristen.md §7.1)"
				}
			}
			return nil
		}
		return fmt.Errorf("fristen: non-Werktag receipt reading %d: %w", r, ErrInvalidArgument)
	}
}

// WithChangeoverDays replaces the irregular changeover days (default: the
// FV dates 2024-04-03 and 2025-06-06 of edifact.md §7.1). 1 April and
// 1 October are always changeover days.
func WithChangeoverDays(days ...ChangeoverDay) APERAKOption {
	return func(a *APERAKClock) error {
		a.changeovers = a.changeovers[:0]
		for _, cd := range days {
			if !validSpecialDay(SpecialDay{Year: cd.Year, Month: cd.Month, Day: cd.Day, Name: "x"}) {
				return fmt.Errorf("fristen: changeover day %+v: %w", cd, ErrInvalidArgument)
			}
			a.changeovers = append(a.changeovers, daysFromCivil(cd.Year, cd.Month, cd.Day))
		}
		return nil
	}
}

// NewAPERAKClock returns an APERAK clock on cal (Default() if nil).
func NewAPERAKClock(cal *Calendar, opts ...APERAKOption) (*APERAKClock, error) {
	if cal == nil {
		cal = Default()
	}
	a := &APERAKClock{cal: cal, rules: DefaultAPERAKRules()}
	for _, cd := range defaultChangeoverDays {
		a.changeovers = append(a.changeovers, daysFromCivil(cd.Year, cd.Month, cd.Day))
	}
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// APERAKRequest describes a received interchange or transaction.
type APERAKRequest struct {
	// Received is the instant of receipt (of the interchange for Strom, of
	// the transaction for Gas).
	Received time.Time
	Sparte   Sparte
	// MessageType is the EDIFACT type of the received message (UTILMD,
	// ORDERS, MSCONS …).
	MessageType string
	// Initial marks a Gas Initialprozess; it must be false for Strom.
	Initial bool
}

// Due returns the APERAK deadline for req. It returns ErrInvalidArgument for a
// zero receipt time, an unknown Sparte, a missing message type, a received
// APERAK or CONTRL (never answered by an APERAK) or Initial set for Strom, and
// ErrNoRule if no rule matches (only with a custom table).
func (a *APERAKClock) Due(ctx context.Context, req APERAKRequest) (Deadline, error) {
	if err := ctx.Err(); err != nil {
		return Deadline{}, err
	}
	switch {
	case req.Received.IsZero():
		return Deadline{}, fmt.Errorf("fristen: APERAK: receipt time missing: %w", ErrInvalidArgument)
	case req.Sparte != Strom && req.Sparte != Gas:
		return Deadline{}, fmt.Errorf("fristen: APERAK: Sparte %d: %w", req.Sparte, ErrInvalidArgument)
	case strings.TrimSpace(req.MessageType) == "":
		return Deadline{}, fmt.Errorf("fristen: APERAK: message type missing: %w", ErrInvalidArgument)
	case strings.EqualFold(req.MessageType, "APERAK") || strings.EqualFold(req.MessageType, "CONTRL"):
		return Deadline{}, fmt.Errorf("fristen: APERAK: no APERAK answers an %s (edifact.md §11.1, §18 item 10): %w", strings.ToUpper(req.MessageType), ErrInvalidArgument)
	case req.Initial && req.Sparte == Strom:
		return Deadline{}, fmt.Errorf("fristen: APERAK: Initialprozess is a Gas notion (Strom has none): %w", ErrInvalidArgument)
	}
	proc := Folgeprozess
	if req.Initial {
		proc = Initialprozess
	}
	for _, r := range a.rules {
		if r.Sparte != req.Sparte || !matchType(r.Types, req.MessageType) {
			continue
		}
		if r.Process != AnyProcess && r.Process != proc {
			continue
		}
		if !a.cal.receiptMatches(r.Received, req.Received) {
			continue
		}
		return Deadline{
			Due:      a.cal.due(req.Received, r.Spec),
			Rule:     r.Name,
			Source:   r.Source,
			Verified: r.Verified,
			Note:     r.Note,
		}, nil
	}
	return Deadline{}, fmt.Errorf("fristen: APERAK %s %s: %w", req.Sparte, req.MessageType, ErrNoRule)
}

// ChangeoverWindow returns the format-changeover window containing t, during
// which APERAK deviations must be tolerated (APERAK AHB 1.1 §2.4.1/§2.5.1 via
// fristen.md §7.1 and edifact.md §7.4): from 6 hours before a changeover day
// to its end, i.e. 31.03. 18:00 to 02.04. 00:00 and 30.09. 18:00 to 02.10.
// 00:00 for the regular changeovers on 1 April and 1 October, and likewise
// for an irregular BNetzA-set changeover day.
func (a *APERAKClock) ChangeoverWindow(t time.Time) (from, to time.Time, ok bool) {
	d := a.cal.localDay(t)
	try := func(cd day) bool {
		f := a.cal.start(cd).Add(-6 * time.Hour)
		e := a.cal.start(cd + 1)
		if !t.Before(f) && t.Before(e) {
			from, to = f.In(berlin), e
			return true
		}
		return false
	}
	// A window covers its day and the 6 hours before, so only d and d+1 matter.
	for cd := d; cd <= d+1; cd++ {
		_, m, dd := cd.civil()
		if dd == 1 && (m == time.April || m == time.October) && try(cd) {
			return from, to, true
		}
		for _, x := range a.changeovers {
			if x == cd && try(cd) {
				return from, to, true
			}
		}
	}
	return time.Time{}, time.Time{}, false
}
