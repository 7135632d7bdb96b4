package fristen

import (
	"fmt"
	"time"
)

// GeLiGasRule is one GeLi Gas deadline of the GeLiGas clock with its source
// and whether the source verifies it (docs/geligas.md "Deadlines").
type GeLiGasRule struct {
	// Name identifies the deadline (e.g. the lead time with Kündigung).
	Name string
	// Werktage is the value in force on this clock (default or configured).
	Werktage int
	// Source cites where the value comes from; Verified is true only when
	// that source is a BDEW text the references hold.
	Source   string
	Verified bool
	// Note says how the clock applies the value (or that it was configured).
	Note string
}

// Sources of the GeLi Gas deadlines.
const (
	srcEpilotGas = "fristen.md §5.5/§11.5: epilot-dev/switching-deadlines src/rules/gas.ts (a library's reading, not a BDEW text)"
	srcNoneGas   = "none: the project's references (fristen.md, ../shared) give no GeLi Gas answer deadline for this step"
)

// Default GeLi Gas values (see DefaultGeLiGasRules).
const (
	defaultGasLead           = 10
	defaultGasLeadKuendigung = 13
	defaultGasLFAAnswer      = 3
)

// GeLiGas computes the GeLi Gas deadlines that are not APERAK deadlines
// (those are APERAKClock's, Sparte Gas): the lead time of an Anmeldung and
// the old supplier's answer to the NB's Abmeldeanfrage. Every value is
// UNVERIFIED (fristen.md §5.5 names epilot as the only source of the lead
// times) and configurable. It is immutable and safe for concurrent use.
type GeLiGas struct {
	cal                       *Calendar
	lead, leadKuendigung, lfa int
}

// GeLiGasOption configures a GeLiGas clock.
type GeLiGasOption func(*GeLiGas) error

// WithGasLeadTimes sets the lead times of an Anmeldung in Werktage: without
// and with a preceding Kündigung (UNVERIFIED defaults 10 and 13, fristen.md
// §5.5).
func WithGasLeadTimes(without, with int) GeLiGasOption {
	return func(g *GeLiGas) error {
		if without < 0 || with < 0 || without > 60 || with > 60 {
			return fmt.Errorf("%w: gas lead times %d/%d WT", ErrInvalidArgument, without, with)
		}
		g.lead, g.leadKuendigung = without, with
		return nil
	}
}

// WithGasLFAAnswer sets the Werktage the NB waits for the LFA's answer to
// its Abmeldeanfrage 44010 (UNVERIFIED default 3: end of the 3rd Werktag
// after the Gastag date on which the NB sent it).
func WithGasLFAAnswer(werktage int) GeLiGasOption {
	return func(g *GeLiGas) error {
		if werktage < 1 || werktage > 30 {
			return fmt.Errorf("%w: gas LFA answer %d WT", ErrInvalidArgument, werktage)
		}
		g.lfa = werktage
		return nil
	}
}

// NewGeLiGas returns the GeLi Gas clock on cal (Default() if nil).
func NewGeLiGas(cal *Calendar, opts ...GeLiGasOption) (*GeLiGas, error) {
	if cal == nil {
		cal = Default()
	}
	g := &GeLiGas{cal: cal, lead: defaultGasLead, leadKuendigung: defaultGasLeadKuendigung, lfa: defaultGasLFAAnswer}
	for _, o := range opts {
		if err := o(g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Rules returns the clock's deadlines with their sources (a fresh copy).
func (g *GeLiGas) Rules() []GeLiGasRule {
	return []GeLiGasRule{
		{Name: "Anmeldung without Kündigung: Lieferbeginn ≥ Gastag after the n-th WT", Werktage: g.lead, Source: srcEpilotGas,
			Note: "counted from the day after the Gastag date of receipt; the reference marks the value unverified (§5.5)"},
		{Name: "Anmeldung after a Kündigung: Lieferbeginn ≥ Gastag after the n-th WT", Werktage: g.leadKuendigung, Source: srcEpilotGas,
			Note: "counted like the lead time without Kündigung; unverified (§5.5)"},
		{Name: "Anmeldung for an Ein-/Auszug (E01/E02): Lieferbeginn ≥ 06:00 of the day 42 calendar days before the Gastag date of receipt",
			Source: srcEpilotGas, Note: "relocation retrospective up to 6 weeks; unverified (§5.5)"},
		{Name: "LFA answer to the Abmeldeanfrage 44010: end of the n-th WT after sending", Werktage: g.lfa, Source: srcNoneGas,
			Note: "a default of the package, configurable (WithGasLFAAnswer)"},
	}
}

// GasDate returns the date of the Gastag containing t (00:00 German local
// time of that date): an instant before 06:00 local belongs to the Gastag
// of the previous date (fristen.md §8 item 4).
func GasDate(t time.Time) time.Time {
	start, _ := Gastag(t)
	return StartOfDay(start)
}

// EarliestStart returns the earliest Lieferbeginn of an Anmeldung received
// at received: 06:00 German local time (a Gastag boundary) of the calendar
// day after the n-th Werktag counted from the day after the Gastag date of
// receipt (fristen.md §5.5, vector §11.5 E3: 2025-10-01, 10 WT → 2025-10-17),
// n = the lead time with or without Kündigung.
func (g *GeLiGas) EarliestStart(received time.Time, withKuendigung bool) time.Time {
	n := g.lead
	if withKuendigung {
		n = g.leadKuendigung
	}
	last := g.cal.AddWerktage(GasDate(received), n)
	start, _ := StromToGas(AddDays(last, 1)) // AddDays keeps 00:00: a Stromtag boundary
	return start
}

// AllowsStart reports whether start respects the lead time for a receipt
// at received.
func (g *GeLiGas) AllowsStart(received, start time.Time, withKuendigung bool) bool {
	return !start.Before(g.EarliestStart(received, withKuendigung))
}

// LFAAnswerDue returns the NB's deadline for the LFA's answer to a 44010
// sent at sent: the end of the n-th Werktag after its Gastag date (00:00
// German local time of the following day).
func (g *GeLiGas) LFAAnswerDue(sent time.Time) time.Time {
	return AddDays(g.cal.AddWerktage(GasDate(sent), g.lfa), 1)
}

// gasRetroDays is the UNVERIFIED retrospective window of an Ein-/Auszug
// (fristen.md §5.5: epilot, "relocation retrospective up to 6 weeks").
const gasRetroDays = 42

// EarliestMoveIn returns the earliest Lieferbeginn of an Anmeldung for an
// Ein-/Auszug received at received: 06:00 German local time 42 calendar days
// before the Gastag date of receipt (UNVERIFIED, fristen.md §5.5).
func (g *GeLiGas) EarliestMoveIn(received time.Time) time.Time {
	start, _ := StromToGas(AddDays(GasDate(received), -gasRetroDays))
	return start
}
