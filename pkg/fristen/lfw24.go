package fristen

import "time"

// lfw24RequestHour is the E_0624 clock time: the NB's "Anfrage zur Beendigung
// der Zuordnung" (UTILMD 55010) must reach the old supplier by 07:00 of the
// next Werktag after the Übertragungstag (EBD E_0624, FV2504, fristen.md
// §5.2 [primary]).
const lfw24RequestHour = 7

// LFW24Dates are the dates of the 24-hour supplier switch (Strom) for one
// Übertragungstag (ÜT), derived in fristen.md §5.3.
type LFW24Dates struct {
	// Uebertragungstag is 00:00 Europe/Berlin of the ÜT: the German local
	// date on which the Anmeldung was transmitted.
	Uebertragungstag time.Time
	// FirstWerktag is W, the first Werktag strictly after the ÜT.
	FirstWerktag time.Time
	// EarliestZuordnungsbeginn is W + 1 calendar day, 00:00 Europe/Berlin; it
	// may be a Saturday, Sunday or holiday (§5.3).
	EarliestZuordnungsbeginn time.Time
	// RequestDue is W 07:00 Europe/Berlin: the NB → LFA request (UTILMD
	// 55010) must have arrived by then, otherwise the LFA rejects with A43
	// (E_0624, §5.2).
	RequestDue time.Time
}

// Allows reports whether a Zuordnungsbeginn zb (an instant; its German local
// date counts) respects the LFW24 lead time for this ÜT, i.e. is not before
// EarliestZuordnungsbeginn.
func (l LFW24Dates) Allows(zb time.Time) bool {
	return !StartOfDay(zb).Before(l.EarliestZuordnungsbeginn)
}

// LFW24 returns the LFW24 dates for the Anmeldung transmitted at ut (any
// instant on the ÜT; its German local date is the ÜT). LFW24 is Strom only and
// mandatory since 2025-06-06 (§5.1); the function computes the dates for any
// date, the applicability is the caller's decision.
//
// The earliest Zuordnungsbeginn is the calendar day after W (the calendar-day
// reading of fristen.md §3.2, which LFW24 needs). The LFW24 Vorlauffrist for
// consuming MaLos (E_0622 step 15) is an open point of the reference (§10 item
// 2) and is not applied here.
func (c *Calendar) LFW24(ut time.Time) LFW24Dates {
	u := c.localDay(ut)
	w := c.nthAfter(u, 1)
	return LFW24Dates{
		Uebertragungstag:         c.start(u),
		FirstWerktag:             c.start(w),
		EarliestZuordnungsbeginn: c.start(w + 1),
		RequestDue:               w.at(lfw24RequestHour, 0),
	}
}
