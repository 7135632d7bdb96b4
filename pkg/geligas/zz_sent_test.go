package geligas

import (
	"testing"

	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
)

// TestSentConform runs after the other tests of the package (go test runs
// the files in name order; this one is named zz_ for that): every
// interchange the tests sent validates with 0 findings (re-checked with the
// FV taken from the message), and on a full run (no -run filter) every PID
// the package sends was sent by some test.
func TestSentConform(t *testing.T) {
	utilmdtest.CheckLog(t, sent, PIDAnmeldung, PIDAnmeldungBest, PIDAnmeldungAbl, PIDAbmeldung, PIDAbmeldungBest, PIDAbmeldungAbl,
		PIDAbmeldungNB, PIDAbmeldungNBBest, PIDAbmeldungNBAbl, PIDAbmeldeanfrage, PIDAbmeldeanfrageBest, PIDAbmeldeanfrageAbl,
		PIDEoG, PIDEoGBest, PIDEoGAbl, PIDKuendigung, PIDKuendigungBest, PIDKuendigungAbl, PIDStorno, PIDStornoBest, PIDStornoAbl,
		PIDInfoZuordnung, PIDInfoBeendigung, PIDInfoAufhebung, "313")
}
