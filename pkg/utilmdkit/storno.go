package utilmdkit

import "slices"

// CancelDeadline adds each label to the decision's CancelDeadlines once
// (a label already named is not repeated).
func (x *Decision[S]) CancelDeadline(labels ...string) {
	for _, l := range labels {
		if !slices.Contains(x.D.CancelDeadlines, l) {
			x.D.CancelDeadlines = append(x.D.CancelDeadlines, l)
		}
	}
}

// OpenAnfrage is the NB's Anfrage to the LFA in a supplier switch (Strom
// 55010, Gas 44010) as its process records it: the transaction sent (Tx,
// empty if none was needed), its recipient, and whether the LFA answered in
// time or the wait for it expired.
type OpenAnfrage struct {
	Tx, LFA           string
	Answered, Expired bool
}

// Open reports whether the Anfrage was sent and is still unanswered: no
// answer in time, the wait not expired.
func (a OpenAnfrage) Open() bool { return a.Tx != "" && !a.Answered && !a.Expired }

// RevokeAnfrage is the NB's step after it confirmed the Stornierung of the
// Anmeldung its process answers (both families): an Anfrage still open
// (OpenAnfrage.Open) is cancelled with a Stornierung of its own — send is
// called with the LFA and the Anfrage's transaction (RFF+ACW) — so that the
// LFA does not end its supply for a switch that no longer happens. The
// LFA's answer (confirmation or refusal) reaches the NB's process and is
// recorded. An Anfrage answered or expired is left alone: its answer is in
// (or no longer counts), and no Beendigung follows the cancelled switch.
// INTERPRETATION: the BDEW documents in the project's references do not
// say whether the NB revokes its Anfrage; the families document the choice
// (docs/gpke.md, docs/geligas.md).
func RevokeAnfrage(a OpenAnfrage, send func(lfa, tx string) error) error {
	if !a.Open() {
		return nil
	}
	return send(a.LFA, a.Tx)
}
