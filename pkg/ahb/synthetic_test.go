package ahb

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// syntheticDir is the corpus of ../shared/testdata/edifact-synthetic.
func syntheticDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "edifact-synthetic")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data missing: %v", err)
		}
		t.Skipf("shared test data not found (%v)", err)
	}
	return dir
}

func TestSyntheticDump(t *testing.T) {
	if os.Getenv("AHB_DUMP") == "" {
		t.Skip()
	}
	dir := syntheticDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "fv2604", "*", "*.edi"))
	kinds := map[string]int{}
	rules := map[string]int{}
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Errorf("%s: %v", fn, err)
			continue
		}
		for i := range ix.Messages {
			rep, err := Validate(&ix.Messages[i], WithFV(fv.MustParse("FV2604")))
			if err != nil {
				kinds["error"]++
				t.Logf("%s: %v", fn, err)
				continue
			}
			for _, f := range rep.Findings {
				kinds[f.Kind.String()]++
				if !f.Kind.IsValue() {
					rules[strings.SplitN(f.Rule, "@", 2)[0]+" "+filepath.Base(filepath.Dir(fn))+" "+f.Tag+"+"+f.Qualifier+" "+f.Text]++
				}
			}
		}
	}
	t.Logf("kinds: %v", kinds)
	var ks []string
	for k := range rules {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		t.Logf("%4d %s", rules[k], k)
	}
}

func TestDumpOne(t *testing.T) {
	fn := os.Getenv("AHB_FILE")
	if fn == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(fn)
	ix, err := edifact.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	v := fv.MustParse(os.Getenv("AHB_FV"))
	for i := range ix.Messages {
		rep, err := Validate(&ix.Messages[i], WithFV(v))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			t.Logf("%s seg=%d %s %s", f.Rule, f.Segment, f.Kind, f.Text)
		}
		for _, n := range rep.NotEvaluated {
			t.Logf("NE %s %s %v", n.Rule, n.Expr, n.Conditions)
		}
	}
}
