package ahb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// TestEngineInterchanges: the findings issue 11 lists for the interchanges
// the engine sent (testdata/engine-fv2610) are each caught; the ones the
// issue found conforming are clean.
func TestEngineInterchanges(t *testing.T) {
	want := map[string][]string{
		"aperak-312": nil, "aperak-313": nil, "contrl-7": nil, "utilmd-55022": nil, "utilmd-55023": nil,
		"contrl-4":     {"missing-element@4-UCI:UCI/0085"},
		"utilmd-55001": {"missing-group@55001:SG4/SG8/SEQ+Z79", "missing-group@55001:SG4/SG8/SEQ+Z01", "missing-group@55001:SG4/SG8/SEQ+Z75", "missing-group@55001:SG4/SG12/NAD+Z04"},
		"utilmd-55002": {"code@55002:SG4/STS+7/9013", "missing-group@55002:SG4/SG6/RFF+Z60"},
		"utilmd-55003": {"not-foreseen@55003:SG4/DTM", "not-foreseen@55003:SG4/SG5/LOC"},
		"utilmd-55004": {"missing-element@55004:SG4/STS+7/9013"},
		"utilmd-55005": {"not-foreseen@55005:SG4/SG5/LOC"},
		"utilmd-55007": {"missing-element@55007:SG4/STS+7/9013", "missing-segment@55007:SG4/DTM+206"},
		"utilmd-55008": {"not-foreseen@55008:SG4/SG5/LOC"},
		"utilmd-55010": {"missing-segment@55010:SG4/DTM+154"},
		"utilmd-55011": {"not-foreseen@55011:SG4/SG5/LOC"},
		"utilmd-55012": {"not-foreseen@55012:SG4/DTM", "not-foreseen@55012:SG4/SG5/LOC"},
		"utilmd-55016": {"missing-segment@55016:SG4/STS+7"},
		"utilmd-55017": {"not-foreseen@55017:SG4/SG5/LOC"},
		"utilmd-55018": {"not-foreseen@55018:SG4/SG5/LOC"},
		"utilmd-55077": {"code@55077:SG4/STS+7/9013", "missing-group@55077:SG4/SG8/SEQ+Z79"},
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "engine-fv2610", "*.edi"))
	if len(files) != len(want) {
		t.Fatalf("%d files, %d expectations", len(files), len(want))
	}
	for _, fn := range files {
		name := strings.TrimSuffix(filepath.Base(fn), ".edi")
		rules, ok := want[name]
		if !ok {
			t.Errorf("%s: no expectation", name)
			continue
		}
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Validate(&ix.Messages[0])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if rules == nil && !rep.Clean() {
			logReport(t, rep)
			t.Errorf("%s: %d findings, the issue found it conforming", name, len(rep.Findings))
		}
		for _, r := range rules {
			found := false
			for _, f := range rep.Findings {
				found = found || f.Rule == r
			}
			if !found {
				logReport(t, rep)
				t.Errorf("%s: %s not caught", name, r)
			}
		}
	}
}
