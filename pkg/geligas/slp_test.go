package geligas

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/utilmd"
)

// slpLocation is the NB's master data of the realistic SLP 44002
// (pkg/ahb/testdata/realistic-fv2610-gas/utilmd-gas-44002-slp.edi): a
// household MaLo with a BDEW profile (agency 293, so the TUM Kundenwert is
// required, AHB [46]) and the NB's Klimazone.
func slpLocation() *LocationData {
	l := testLocation()
	l.CaseGroup, l.Household, l.MeterType, l.MeterSize, l.MeterNumber, l.MeterReading = "", true, "BGZ", "G4", "7BGZ0012345678", "MMR"
	l.Customer, l.CustomerFirst, l.CustomerCompany = "Becker", "Anna", false
	l.Address = &Address{Street: "Am Markt", HouseNo: "5", City: "Erfurt", PostCode: "99084"}
	l.LoadProfile = &LoadProfile{Code: "HK3", Agency: "293", AnnualKWh: 18500, CustomerValue: "52.7431", ClimateID: "7624q"}
	return l
}

// slpSegments returns the SLP segments of a UTILMD transaction: QTY+31,
// QTY+Y02, the Prognosegrundlage, Fallgruppe and the SEQ+Z35 group, as
// "TAG+…" strings in message order.
func slpSegments(tx *utilmd.Transaction) string {
	var out []string
	in35 := false
	for _, s := range tx.Segments {
		if s.Tag == "SEQ" || s.Tag == "NAD" {
			in35 = s.Is("SEQ", "Z35")
		}
		switch {
		case in35, s.Is("QTY", "31"), s.Is("QTY", "Y02"), s.Tag == "CCI" && (s.Value(2, 0) == "ZA6" || s.Value(2, 0) == "ZC0" || s.Value(2, 0) == "Z17"):
			out = append(out, s.Canonical())
		}
	}
	return strings.Join(out, " ")
}

// TestSLPSwitch: the supplier switch of an SLP MaLo on both sides — the
// LFN's 44001 names the profile it expects (SEQ+Z35, QTY+31/Y02), the NB
// confirms with its SLP master data (44002: ZA6, Jahresmenge, Kundenwert,
// Lastprofil, Klimazone; no Fallgruppe) in FV2610 and FV2604, and the
// Grundversorger echoes an SLP 44013 in its 44014. Every interchange is
// AHB-validated with 0 findings when sent (the outbound guard) and again by
// TestSentConform.
func TestSLPSwitch(t *testing.T) {
	for _, c := range []struct {
		fv       string
		at, from time.Time
	}{{"FV2610", t0, start}, {"FV2604", berlin(2026, 9, 1, 9, 0), gas(2026, 10, 1)}} {
		at, from := c.at, c.from
		lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
		hh := true
		d := lfn.Exec(at, reg(RegisterSupplyStart{Start: from, Household: &hh, LoadProfile: &LoadProfile{Code: "HK3", Agency: "293", AnnualKWh: 18500}}))
		a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
		if tx := deliver(t, a); tx.FormatVersion != c.fv {
			t.Fatalf("%s: 44001 in %s", c.fv, tx.FormatVersion)
		}
		if got, want := slpSegments(view(t, a)), "QTY+31:18500:KWH SEQ+Z35 CCI+Z12++E01 CAV+HK3::293"; got != want {
			t.Errorf("%s 44001 SLP data %q, want %q", c.fv, got, want)
		}

		nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
		md := nbMD()
		md.Supplier, md.Location = "", slpLocation() // no LFA: the NB confirms at once
		d = nb.Exec(at.Add(5*60e9), enriched(deliver(t, a), md))
		conf := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)
		want := "QTY+31:18500:KWH QTY+Y02:52.7431:KWH CCI+++ZA6 SEQ+Z35 CCI+Z12++E01 CAV+HK3::293 CCI+ZA0++7624q::89"
		if got := slpSegments(view(t, conf)); got != want {
			t.Errorf("%s 44002 SLP data %q, want %q", c.fv, got, want)
		}
		if outcome(nb) != OutcomeConfirmed {
			t.Fatalf("%s: NB outcome %s", c.fv, outcome(nb))
		}
		lfn.Exec(at.Add(10*60e9), deliver(t, conf))
		if outcome(lfn) != OutcomeConfirmed {
			t.Fatalf("%s: LFN outcome %s", c.fv, outcome(lfn))
		}
	}

	// Anmeldung EoG of the SLP MaLo: the GV reads the profile back and
	// echoes it in its 44014.
	begin := gas(2027, 1, 1)
	nb := newParty(t, "nb").Start(WorkflowNBEoG)
	loc := slpLocation()
	loc.LoadProfile.Agency, loc.LoadProfile.CustomerValue = "89", "" // the NB's own profile: Kundenwert optional ([47] ∧ [108])
	loc.LoadProfile.ClimateKind, loc.LoadProfile.ClimateID, loc.LoadProfile.ClimateProvider, loc.LoadProfile.ClimateAgency = "Z99", "10554", "ZT1", "293"
	d := nb.Exec(berlin(2026, 12, 10, 9, 0), RegisterEoG{MaLo: maloID, Start: begin, NB: mpNB, LF: mpLFA, Location: loc})
	req := out(t, d, mpLFA, "UTILMD", PIDEoG)
	gv := newParty(t, "gv", WithERPDecision(0)).Start(WorkflowLFEoG)
	d = gv.Exec(berlin(2026, 12, 10, 10, 0), enriched(deliver(t, req), MasterData{Known: true, Grundversorger: true, BalanceGroup: "THE0GVE026380000", BillingMonths: 1}))
	ans := out(t, d, mpNB, "UTILMD", PIDEoGBest)
	l, err := readLocation(view(t, ans))
	if err != nil || l.LoadProfile == nil || *l.LoadProfile != (LoadProfile{Code: "HK3", Agency: "89", Method: "E01", AnnualKWh: 18500,
		ClimateKind: "Z99", ClimateID: "10554", ClimateProvider: "ZT1", ClimateAgency: "293"}) {
		t.Fatalf("44014 SLP data %+v %v", l.LoadProfile, err)
	}
	if got, want := slpSegments(view(t, ans)), "QTY+31:18500:KWH CCI+++ZA6 SEQ+Z35 CCI+Z12++E01 CAV+HK3::89 CCI+Z99++10554:ZT1:293"; got != want {
		t.Errorf("44014 SLP data %q, want %q", got, want)
	}
}

// TestLoadProfileValidate: the AHB's SLP rules on the master data — a
// BDEW profile needs the TUM Kundenwert from the NB ([46]), a BDEW
// Temperaturmessstelle its Dienstanbieter ([58]); codes outside the AHB's
// lists are refused before anything is built.
func TestLoadProfileValidate(t *testing.T) {
	ok := *slpLocation().LoadProfile
	if err := ok.Validate(true); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		p  func(*LoadProfile)
		nb bool
	}{
		"code too long":               {func(p *LoadProfile) { p.Code = "HEF03" }, false},
		"agency":                      {func(p *LoadProfile) { p.Agency = "332" }, false},
		"method":                      {func(p *LoadProfile) { p.Method = "Z99" }, false},
		"customer value decimals":     {func(p *LoadProfile) { p.CustomerValue = "1.23456" }, false},
		"customer value negative":     {func(p *LoadProfile) { p.CustomerValue = "-1" }, false},
		"BDEW profile, no Kundenwert": {func(p *LoadProfile) { p.CustomerValue = "" }, true},
		"no Klimazone":                {func(p *LoadProfile) { p.ClimateID = "" }, true},
		"BDEW station, no provider":   {func(p *LoadProfile) { p.ClimateKind, p.ClimateAgency = "Z99", "293" }, true},
	} {
		p := ok
		c.p(&p)
		if err := p.Validate(c.nb); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The LF's expectation in a 44001 needs neither Kundenwert nor Klimazone.
	if err := (LoadProfile{Code: "HK3", Agency: "293"}).Validate(false); err != nil {
		t.Error(err)
	}
	// An SLP location needs no Fallgruppe; an RLM one does.
	l := slpLocation()
	if err := l.Validate(); err != nil {
		t.Error(err)
	}
	l.LoadProfile = nil
	if err := l.Validate(); err == nil {
		t.Error("RLM location without Fallgruppe accepted")
	}
	// A 44001 with an invalid profile is refused as an invalid command.
	if err := reg(RegisterSupplyStart{Start: start, LoadProfile: &LoadProfile{Code: "HEF03", Agency: "293"}}).validate(); !errors.Is(err, ErrInvalidCommand) {
		t.Errorf("44001 with a 5-character profile code: %v", err)
	}
}

// TestSLPIncompleteProfile: an SLP MaLo whose profile lacks what the AHB
// demands (a BDEW profile without the TUM Kundenwert, [46]) is not
// confirmed with a non-conformant 44002: the NB's process fails with the
// reason and sends nothing; the same location without profile and without
// Fallgruppe (neither SLP nor RLM) fails too.
func TestSLPIncompleteProfile(t *testing.T) {
	for name, mod := range map[string]func(*LocationData){
		"no Kundenwert":            func(l *LocationData) { l.LoadProfile.CustomerValue = "" },
		"neither SLP nor RLM":      func(l *LocationData) { l.LoadProfile = nil },
		"5-character profile code": func(l *LocationData) { l.LoadProfile.Code = "HEF03" },
	} {
		md := nbMD()
		md.Supplier, md.Location = "", slpLocation()
		mod(md.Location)
		nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
		d := nb.Exec(t0, enriched(deliver(t, anmeldung(t, t0, start)), md))
		f, ok := has[Failed](d.Events)
		if len(d.Outbound) != 0 || outcome(nb) != OutcomeFailed || !ok || !strings.Contains(f.Reason, "load_profile") && !strings.Contains(f.Reason, "case_group") {
			t.Errorf("%s: sent %v, outcome %s, %+v", name, pids(t, d), outcome(nb), f)
		}
	}
}
