package cond

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestHintTexts checks the number-range classification (KindOf) against the
// condition texts of every AHB: a text that starts with "Hinweis" must be
// numbered as a hint ([500]–[899]), a "Format:" text as a format condition
// ([900]–[999]); the hint range may hold texts that do not start with
// "Hinweis" (cut texts and notes worded as "Wenn …", which the AHB still
// numbers as hints), which are logged.
func TestHintTexts(t *testing.T) {
	for _, src := range ahbSources(t) {
		texts := conditionTexts(t, src, loadForm(t, src))
		var keys []string
		for k := range texts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		hints, otherInHintRange := 0, 0
		for _, k := range keys {
			n, err := strconv.Atoi(k)
			if err != nil {
				continue // UBn, nP
			}
			kind := KindOf(Ref{Kind: RefCondition, N: uint16(n)})
			for _, txt := range texts[k] {
				isHint := strings.HasPrefix(txt, "Hinweis")
				isFormat := strings.HasPrefix(txt, "Format:")
				switch {
				case isHint && kind != KindHint:
					t.Errorf("%s %s [%d] is a hint by its text but %v by its number: %q", src.FV, src.Name, n, kind, txt)
				case isFormat && kind != KindFormat:
					t.Errorf("%s %s [%d] is a format condition by its text but %v by its number: %q", src.FV, src.Name, n, kind, txt)
				case kind == KindHint && isHint:
					hints++
				case kind == KindHint:
					otherInHintRange++
				}
			}
		}
		t.Logf("%s %-13s hint texts %d, other texts in the hint range %d", src.FV, src.Name, hints, otherInHintRange)
	}
}
