package utilmd

import (
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// FuzzView: View never panics on any parsed message and reports problems
// only as *Error values.
func FuzzView(f *testing.F) {
	f.Add([]byte(example55001))
	f.Add([]byte(bundle55001))
	f.Add([]byte(answer55002))
	f.Add([]byte("UNA:+.? 'UNB+UNOC:3+1+2+261120:0915+R'UNH+1+UTILMD:D:11A:UN:S2.2'IDE+24'IDE+24'DTM+92:x:303'UNT+3+1'UNZ+1+R'"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := edifact.Parse(data)
		if err != nil || ix == nil {
			return
		}
		for i := range ix.Messages {
			v, err := View(&ix.Messages[i])
			if errors.Is(err, ErrNotUTILMD) {
				continue
			}
			if v == nil {
				t.Fatalf("nil view with %v", err)
			}
			if err == nil {
				continue
			}
			for _, e := range unjoin(err) {
				var ue *Error
				if !errors.As(e, &ue) {
					t.Fatalf("%T %v", e, e)
				}
			}
		}
	})
}
