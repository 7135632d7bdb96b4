package gpke

import (
	"flag"
	"testing"

	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
)

// TestSentConform runs after the other tests of the package (go test runs
// the files in name order; this one is named zz_ for that): every
// interchange the gpke tests sent validates with 0 findings (checkAHB
// asserted it when it was sent; here the collection is re-checked with the
// FV taken from the message itself), and on a full run (no -run filter)
// every PID the package sends was sent by some test.
func TestSentConform(t *testing.T) {
	all := sent.All()
	if len(all) == 0 {
		t.Skip("run with the package's other tests")
	}
	got := utilmdtest.CheckSent(t, all)
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return
	}
	for _, p := range []string{PIDAnmeldung, PIDAnmeldungBestaetig, PIDAnmeldungAblehnung, PIDAbmeldungLF, PIDAbmeldungLFBest,
		PIDAbmeldungLFAbl, PIDBeendigungNB, PIDBeendigungNBBest, PIDBeendigungNBAbl, PIDAnfrageBeendigung, PIDAnfrageBest, PIDAnfrageAbl,
		PIDKuendigung, PIDKuendigungBest, PIDKuendigungAbl, PIDStorno, PIDStornoBest, PIDStornoAbl, PIDAnmeldungErz, PIDAnmeldungErzBest,
		PIDAnmeldungErzAbl, "312", "313"} {
		if !got[p] {
			t.Errorf("no test sent %s", p)
		}
	}
	t.Logf("%d interchanges, PIDs %v", len(all), sent.Counts())
}
