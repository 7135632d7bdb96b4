package geligas

import (
	"flag"
	"testing"

	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
)

// TestSentConform runs after the other tests of the package (go test runs
// the files in name order; this one is named zz_ for that): every
// interchange the tests sent validates with 0 findings (re-checked with the
// FV taken from the message), and on a full run (no -run filter) every PID
// the package sends was sent by some test.
func TestSentConform(t *testing.T) {
	all := sent.All()
	if len(all) == 0 {
		t.Skip("run with the package's other tests")
	}
	got := utilmdtest.CheckSent(t, all)
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return
	}
	for _, p := range []string{PIDAnmeldung, PIDAnmeldungBest, PIDAnmeldungAbl, PIDAbmeldung, PIDAbmeldungBest, PIDAbmeldungAbl,
		PIDAbmeldungNB, PIDAbmeldungNBBest, PIDAbmeldungNBAbl, PIDAbmeldeanfrage, PIDAbmeldeanfrageBest, PIDAbmeldeanfrageAbl,
		PIDEoG, PIDEoGBest, PIDEoGAbl, PIDKuendigung, PIDKuendigungBest, PIDKuendigungAbl, PIDStorno, PIDStornoBest, PIDStornoAbl,
		PIDInfoZuordnung, PIDInfoBeendigung, PIDInfoAufhebung, "313"} {
		if !got[p] {
			t.Errorf("no test sent %s", p)
		}
	}
	t.Logf("%d interchanges, %v", len(all), sent.Counts())
}
