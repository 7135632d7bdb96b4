package gpke

import (
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// anfrage builds a 55010 from the NB with the given reason codes.
func anfrage(t *testing.T, reason ...string) Enriched {
	t.Helper()
	m := outMsg{FV: mustFV(t0), Interchange: "IC9", Document: "DOC9", Transaction: "TX9", BGM: "E02", From: mpNB, To: mpLFA,
		At: t0, PID: PIDAnfrageBeendigung, End: start, Transfer: t0, Reason: reason, MaLo: maloID, NewSupplier: mpLFN}
	if len(reason) > 1 && reason[1] == "ZW4" {
		m.CustomerName = utilmdkit.CustomerName("Mustermann", "Erika", false)
	}
	b, err := m.bytes()
	if err != nil {
		t.Fatal(err)
	}
	return Enriched{Transaction: deliver(t, engine.Outbound{Payload: b})}
}

func TestE0624(t *testing.T) {
	cases := []struct {
		name   string
		reason []string
		md     MasterData
		pid    string
		code   string
	}{
		{"step 30: not supplied, end confirmed", []string{"E03", "ZW4"}, MasterData{Known: true, ConfirmedEnd: true}, PIDAnfrageAbl, "A30"},
		{"step 30: not supplied", []string{"E03", "ZW4"}, MasterData{Known: true}, PIDAnfrageBest, "A31"},
		{"step 60: move-in, default consent", []string{"E01", "ZW4"}, MasterData{Known: true, Supplied: true}, PIDAnfrageBest, "A34"},
		{"step 90: binding", []string{"E03", "ZW4"}, MasterData{Known: true, Supplied: true, ContractBinding: true}, PIDAnfrageAbl, "A35"},
		{"step 90: not binding", []string{"E03", "ZW4"}, MasterData{Known: true, Supplied: true}, PIDAnfrageBest, "A36"},
		{"step 210: generating, not supplied", []string{"E03", "ZW3"}, MasterData{Known: true}, PIDAnfrageBest, "A42"},
		{"step 220: generating, binding", []string{"E03", "ZW3"}, MasterData{Known: true, Supplied: true, ContractBinding: true}, PIDAnfrageAbl, "A39"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lfa := newParty(t, "lfa", WithERPDecision(0)).start(WorkflowLFABeendigung)
			e := anfrage(t, c.reason...)
			c.md.MaLo = maloID
			e.MasterData = c.md
			d := lfa.exec(t0, e)
			if code, ebd := answerOf(t, out(t, d, mpNB, "UTILMD", c.pid)); code != c.code || ebd != EBDAnfrageBeendigung {
				t.Fatalf("%s %s:%s", c.pid, code, ebd)
			}
		})
	}
}

func TestE0622Generating(t *testing.T) {
	at := berlin(2026, 11, 10, 10, 0)
	cases := []struct {
		name  string
		start time.Time
		md    MasterData
		pid   string
		code  string
	}{
		{"step 406: lead time", berlin(2026, 11, 11, 0, 0), MasterData{Known: true, InGrid: true, Generating: true}, PIDAnmeldungErzAbl, "A34"},
		{"step 270: pending", berlin(2026, 11, 12, 0, 0), with(MasterData{Known: true, InGrid: true, Generating: true, PendingRegistration: true}, pendingMD), PIDAnmeldungErzAbl, "A45"},
		{"step 410: EEG not on the 1st", berlin(2026, 12, 15, 0, 0), MasterData{Known: true, InGrid: true, Generating: true, EEG: true}, PIDAnmeldungErzAbl, "A27"},
		{"step 430: EEG one month", berlin(2026, 12, 1, 0, 0), MasterData{Known: true, InGrid: true, Generating: true, EEG: true}, PIDAnmeldungErzAbl, "A28"},
		{"step 450: consent", berlin(2027, 1, 1, 0, 0), with(MasterData{Known: true, InGrid: true, Generating: true, EEG: true}, metered), PIDAnmeldungErzBest, "A58"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
			d := lfn.exec(at, reg(RegisterSupplyStart{MaLo: maloID, Start: c.start, NB: mpNB, LFN: mpLFN, Generating: true}))
			nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
			d = nb.exec(at, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldungErz)), c.md))
			if code, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", c.pid)); code != c.code {
				t.Fatalf("%s %s", c.pid, code)
			}
		})
	}
}

func TestE0622Consuming(t *testing.T) {
	for _, c := range []struct {
		md   MasterData
		code string
	}{
		{MasterData{Known: true, InGrid: true, NotParticipating: true}, "A02"},
		{with(MasterData{Known: true, InGrid: true, PendingRegistration: true}, pendingMD), "A06"},
	} {
		lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
		d := lfn.exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		d = nb.exec(t0, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), c.md))
		if code, ebd := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungAblehnung)); code != c.code || ebd != EBDLieferbeginnDirekt {
			t.Fatalf("55003 %s:%s want %s", code, ebd, c.code)
		}
	}
}

func TestFridayAcrossWeekend(t *testing.T) {
	// Received Fri 18.12.2026 15:00: W = Mon 21.12., earliest ZB Tue 22.12.;
	// a Zuordnungsbeginn on Saturday 19.12. is too early.
	at := berlin(2026, 12, 18, 15, 0)
	for _, c := range []struct {
		start time.Time
		pid   string
	}{{berlin(2026, 12, 19, 0, 0), PIDAnmeldungAblehnung}, {berlin(2026, 12, 21, 0, 0), PIDAnmeldungAblehnung}, {berlin(2026, 12, 22, 0, 0), PIDAnmeldungBestaetig}} {
		lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
		d := lfn.exec(at, reg(RegisterSupplyStart{MaLo: maloID, Start: c.start, NB: mpNB, LFN: mpLFN}))
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		d = nb.exec(at, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), MasterData{Known: true, InGrid: true}))
		out(t, d, mpLFN, "UTILMD", c.pid)
	}
}

// TestE0609 answers the NB's 55007 (Beendigung der Zuordnung, reason ZQ7):
// step 30 (end already confirmed) → 55009 A02; step 130 → 55008 A10.
func TestE0609(t *testing.T) {
	b, err := outMsg{FV: mustFV(t0), Interchange: "IC7", Document: "DOC7", Transaction: "TX7", BGM: "E02", From: mpNB, To: mpLFA,
		At: t0, PID: PIDBeendigungNB, End: start, Reason: []string{"ZQ7", "ZW4"}, MaLo: maloID}.bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		md   MasterData
		pid  string
		code string
	}{
		{MasterData{Known: true, Supplied: true, ConfirmedEnd: true}, PIDBeendigungNBAbl, "A02"},
		{MasterData{Known: true, Supplied: true}, PIDBeendigungNBBest, "A10"},
	} {
		lf := newParty(t, "lfa").start(WorkflowLFAbmeldung)
		d := lf.exec(t0, enriched(deliver(t, engine.Outbound{Payload: b}), c.md))
		if code, ebd := answerOf(t, out(t, d, mpNB, "UTILMD", c.pid)); code != c.code || ebd != EBDAbmeldungLF {
			t.Fatalf("%s %s:%s", c.pid, code, ebd)
		}
	}
}

// TestE0624Step5: the Anfrage of an Anmeldung with ÜT Tue 10.11.2026 must
// arrive by Wed 11.11. 07:00 (the Werktag after the ÜT, DTM+154), else A43.
func TestE0624Step5(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		pid  string
		code string
	}{
		{berlin(2026, 11, 11, 7, 0), PIDAnfrageBest, "A36"},
		{berlin(2026, 11, 11, 7, 1), PIDAnfrageAbl, "A43"},
	} {
		lfa := newParty(t, "lfa", WithERPDecision(0)).start(WorkflowLFABeendigung)
		e := anfrage(t, "E03", "ZW4")
		e.MasterData = MasterData{MaLo: maloID, Known: true, Supplied: true}
		d := lfa.exec(c.at, e)
		if code, _ := answerOf(t, out(t, d, mpNB, "UTILMD", c.pid)); code != c.code {
			t.Fatalf("received %s: %s %s, want %s", c.at, c.pid, code, c.code)
		}
	}
}

// TestAnfrageCutoffOption: the step-5 time is configurable and can be
// switched off (then a late Anfrage is decided by the later steps).
func TestAnfrageCutoffOption(t *testing.T) {
	for _, c := range []struct {
		opt  Option
		code string
	}{{WithAnfrageCutoff(8, 0), "A36"}, {WithAnfrageCutoff(-1, 0), "A36"}, {WithAnfrageCutoff(6, 59), "A43"}} {
		lfa := newParty(t, "lfa", WithERPDecision(0), c.opt).start(WorkflowLFABeendigung)
		e := anfrage(t, "E03", "ZW4")
		e.MasterData = MasterData{MaLo: maloID, Known: true, Supplied: true}
		d := lfa.exec(berlin(2026, 11, 11, 7, 30), e)
		if code, _ := answerOf(t, d.Outbound[len(d.Outbound)-1]); code != c.code {
			t.Fatalf("%s, want %s", code, c.code)
		}
	}
	if _, err := Workflows(WithAnfrageCutoff(24, 0)); err == nil {
		t.Fatal("cutoff 24:00 accepted")
	}
}
