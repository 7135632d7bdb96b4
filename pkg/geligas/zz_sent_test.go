package geligas

import (
	"flag"
	"slices"
	"testing"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
)

// TestSentConform runs after the other tests of the package (go test runs
// the files in name order; this one is named zz_ for that): every
// interchange the tests sent validates with 0 findings (re-checked with the
// FV taken from the message), and on a full run (no -run filter) every PID
// the package sends was sent by some test.
func TestSentConform(t *testing.T) {
	sent.mu.Lock()
	all := slices.Clone(sent.all)
	sent.mu.Unlock()
	if len(all) == 0 {
		t.Skip("run with the package's other tests")
	}
	got := map[string]bool{}
	for _, b := range all {
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ix.Messages {
			rep, err := ahb.Validate(&ix.Messages[i])
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Clean() {
				t.Errorf("%v: %+v", rep.PIDs, rep.Findings)
			}
			for _, p := range rep.PIDs {
				got[p] = true
			}
		}
	}
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
	t.Logf("%d interchanges, %v", len(all), sent.pids)
}
