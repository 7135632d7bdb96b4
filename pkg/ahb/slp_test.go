package ahb

import (
	"os"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// TestGasSLPConditions: the SLP master data of UTILMD Gas (FV2610 44002, a
// MaLo with Prognosegrundlage ZA6) are decided across SG8 instances — [106]
// "Wenn in dieser SG8 SEQ+Z01 SG10 CCI+++ZA6 … vorhanden" on SG8 SEQ+Z35
// (a sibling of the SEQ+Z01 it names) and on SG9 QTY+31/Y02, [46]/[47] on
// QTY+Y02 by the Lastprofil's code agency in SEQ+Z35. The realistic SLP
// 44001/44002 validate clean (TestRealisticMessages); each variant here
// breaks one rule and must produce exactly that finding.
func TestGasSLPConditions(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/realistic-fv2610-gas/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	slp, rlm := read("utilmd-gas-44002-slp.edi"), read("utilmd-gas-44002.edi")
	const profile = "SEQ+Z35'\nCCI+Z12++E01'\nCAV+HK3::293'\nCCI+ZA0++7624q::89'\n"
	const meterEnd = "CCI+11++Z33'\nCAV+:::8,2'\n"
	edit := func(s, old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("test data changed: no %q", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	cases := []struct {
		name string
		msg  string
		kind Kind // 0: clean
		rule string
	}{
		{"SLP without Lastprofil", edit(slp, profile, ""), KindMissingGroup, "44002:SG4/SG8/SEQ+Z35"},
		{"SLP without Jahresmenge", edit(slp, "QTY+31:18500:KWH'\n", ""), KindMissingGroup, "44002:SG4/SG8/SG9/QTY+31"},
		{"SLP, BDEW profile (293), without TUM Kundenwert", edit(slp, "QTY+Y02:52.7431:KWH'\n", ""), KindMissingGroup, "44002:SG4/SG8/SG9/QTY+Y02"},
		{"SLP, NB's own profile (89), without TUM Kundenwert", edit(edit(slp, "QTY+Y02:52.7431:KWH'\n", ""), "CAV+HK3::293'", "CAV+HK3::89'"), 0, ""},
		{"SLP with Fallgruppe (RLM only)", edit(slp, "CCI+++Z15'\n", "CCI+++Z15'\nCCI+++Z17:GABi-RLMmT'\n"), KindNotAllowed, "44002:SG4/SG8/SG10/CCI+Z17"},
		{"RLM with Lastprofil", edit(rlm, meterEnd, meterEnd+profile), KindNotAllowed, "44002:SG4/SG8/SEQ+Z35"},
		{"RLM with Jahresmenge", edit(rlm, "SEQ+Z01'\n", "SEQ+Z01'\nQTY+31:18500:KWH'\n"), KindNotAllowed, "44002:SG4/SG8/SG9/QTY+31"},
	}
	for _, c := range cases {
		rep := validateString(t, c.msg)
		switch {
		case c.kind == 0 && !rep.Clean():
			logReport(t, rep)
			t.Errorf("%s: %d findings, want none", c.name, len(rep.Findings))
		case c.kind != 0 && (len(rep.Findings) != 1 || findRule(rep, c.kind, c.rule) == nil):
			logReport(t, rep)
			t.Errorf("%s: want exactly %v on %s", c.name, c.kind, c.rule)
		}
	}
}

// BenchmarkValidateGas44002 validates the realistic RLM and SLP 44002; the
// SLP one's [106] lines are resolved across SG8 instances (cond.Tree).
func BenchmarkValidateGas44002(b *testing.B) {
	for _, name := range []string{"RLM:utilmd-gas-44002.edi", "SLP:utilmd-gas-44002-slp.edi"} {
		kind, file, _ := strings.Cut(name, ":")
		raw, err := os.ReadFile("testdata/realistic-fv2610-gas/" + file)
		if err != nil {
			b.Fatal(err)
		}
		ix, err := edifact.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		m := &ix.Messages[0]
		if rep, err := Validate(m); err != nil || !rep.Clean() {
			b.Fatalf("%s: %v %v", file, rep, err)
		}
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Validate(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
