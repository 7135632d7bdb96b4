package ahb

import (
	"errors"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/fv"
)

// TestConform: the outbound check refuses what its AHB rejects in both
// modes, refuses any finding only in strict mode, and passes a clean message.
func TestConform(t *testing.T) {
	ok := utilmd55001(t)
	notForeseen := strings.Replace(ok, "RFF+Z13:55001'\n", "RFF+Z13:55001'\nRFF+Z99:X'\n", 1)
	missing := strings.Replace(ok, "DTM+92:202611232300?+00:303'\n", "", 1)
	for _, c := range []struct {
		name            string
		msg             string
		strict, lenient bool // refused?
	}{
		{"clean", ok, false, false},
		{"not foreseen (no rejection reason)", notForeseen, true, false},
		{"mandatory DTM+92 missing", missing, true, true},
	} {
		for _, strict := range []bool{true, false} {
			want := c.lenient
			if strict {
				want = c.strict
			}
			err := Conform([]byte(c.msg), fv.MustParse("FV2610"), strict)
			var nc *NonConformantError
			if got := errors.As(err, &nc); got != want || (err != nil && !got) {
				t.Errorf("%s, strict=%v: refused=%v (err %v), want refused=%v", c.name, strict, got, err, want)
				continue
			}
			if nc != nil && (!errors.Is(err, ErrNonConformant) || len(nc.Findings) == 0 || len(nc.RefusedPIDs()) == 0) {
				t.Errorf("%s: refusal without findings or PIDs: %+v", c.name, nc)
			}
		}
	}
	if err := Conform([]byte("no EDIFACT"), fv.MustParse("FV2610"), false); err == nil {
		t.Error("unparsable payload passed")
	}
}
