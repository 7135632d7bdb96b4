package cond

import (
	"strconv"
	"strings"
	"testing"
)

// TestCitations checks every registration against the AHB data: its quote
// must occur in the text of its condition number in that AHB, for every
// format version it is registered for.
func TestCitations(t *testing.T) {
	checked := 0
	for _, src := range ahbSources(t) {
		defs := registry(src.Name, src.FV)
		if len(defs) == 0 {
			continue
		}
		texts := conditionTexts(t, src, loadForm(t, src))
		for _, d := range defs {
			if !d.holds(src.FV) {
				continue
			}
			if d.unverified && d.quote == "" {
				continue // definition not in the data (see its doc)
			}
			key := strconv.Itoa(int(d.ref.N))
			if d.ref.Kind == RefTime {
				key = "UB" + key
			}
			found := false
			for _, txt := range texts[key] {
				for _, q := range append([]string{d.quote}, d.alts...) {
					if strings.Contains(txt, collapse(q)) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("%s %s %s: quote %q not in its texts %q", src.FV, src.Name, d.ref, d.quote, texts[key])
			}
			checked++
		}
	}
	t.Logf("%d citations checked", checked)
}
