package cond

import (
	"fmt"
	"strings"
	"testing"
)

// lfw24PIDs are the 21 PIDs of the GPKE supplier switch in 24 hours the
// engine implements (pkg/gpke/pids.go).
var lfw24PIDs = []string{
	"55001", "55002", "55003", "55004", "55005", "55006", "55007", "55008", "55009",
	"55010", "55011", "55012", "55016", "55017", "55018", "55022", "55023", "55024",
	"55077", "55078", "55080",
}

// geliGasCorePIDs are the GeLi Gas core PIDs (pkg/edifact/catalog §9.2).
var geliGasCorePIDs = []string{
	"44001", "44002", "44003", "44004", "44005", "44006", "44007", "44008", "44009",
	"44010", "44011", "44012", "44013", "44014", "44015", "44016", "44017", "44018",
	"44022", "44023", "44024", "44036", "44037", "44038",
}

// usedRefs returns the references the expressions of the given PIDs (all
// when pids is nil) use; expressions that do not parse are skipped (they
// are the listed source defects).
func usedRefs(form map[string]formPID, pids []string) []Ref {
	want := map[string]bool{}
	for _, p := range pids {
		want[p] = true
	}
	var out []Ref
	seen := map[Ref]bool{}
	for e, uses := range expressions(form) {
		hit := pids == nil
		for _, u := range uses {
			if want[u.PID] {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		x, err := Parse(e)
		if err != nil {
			continue
		}
		for _, r := range x.Refs() {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

func refList(rs []Ref) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.String())
	}
	return b.String()
}

func covLine(label string, c Coverage) string {
	return fmt.Sprintf("| %s | %d / %d | %d / %d | %d / %d | %d / %d | %d | %d |",
		label, c.Implemented(), c.Used(), c.Requirement.Implemented, c.Requirement.Used,
		c.Format.Implemented, c.Format.Used, c.Value.Implemented, c.Value.Used, c.External, c.Hints)
}

// TestCoverage reports, per AHB and FV, the conditions implemented / used
// (as a Markdown table for docs/ahb.md) and, for the LFW24 and GeLi Gas core
// PIDs, which used conditions are missing. It fails when an LFW24 or GeLi
// Gas core condition that is decidable from the message has neither a
// predicate nor a classification.
func TestCoverage(t *testing.T) {
	var table []string
	table = append(table,
		"| AHB, FV | decidable: implemented / used | requirement | format ([9xx], [UBn]) | value rules | external (Unknown by design) | hints |",
		"|---|---|---|---|---|---|---|")
	for _, src := range ahbSources(t) {
		form := loadForm(t, src)
		set := PredicatesFor(src.Name, src.FV)
		table = append(table, covLine(src.Name+" "+src.FV.String(), set.Coverage(usedRefs(form, nil))))
		var pids []string
		var label string
		switch src.Name {
		case UTILMDStrom:
			pids, label = lfw24PIDs, "LFW24 (21 PIDs)"
		case UTILMDGas:
			pids, label = geliGasCorePIDs, "GeLi Gas core (24 PIDs)"
		default:
			continue
		}
		c := set.Coverage(usedRefs(form, pids))
		table = append(table, covLine("↳ "+label+" "+src.FV.String(), c))
		var unclassified []Ref
		for _, r := range c.Missing {
			if set.entry(r) == nil {
				unclassified = append(unclassified, r)
			}
		}
		t.Logf("%s %s %s: not implemented %s", src.FV, src.Name, label, refList(c.Missing))
		if len(unclassified) > 0 {
			t.Errorf("%s %s %s: used conditions neither implemented nor classified: %s", src.FV, src.Name, label, refList(unclassified))
		}
	}
	t.Log("coverage table:\n" + strings.Join(table, "\n"))
}
