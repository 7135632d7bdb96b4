package mscons

import (
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// FuzzView: View never panics and reports problems only as *Error values.
func FuzzView(f *testing.F) {
	f.Add(build(f, nil))
	f.Add([]byte("UNA:+.? 'UNB+UNOC:3+1+2+261120:0915+R'UNH+1+MSCONS:D:04B:UN:2.5'QTY+1'LIN'PIA+5'LOC+172'LIN+1'QTY+220:1'STS+1'DTM+1:2:303'UNT+3+1'UNZ+1+R'"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := edifact.Parse(data)
		if err != nil || ix == nil {
			return
		}
		for i := range ix.Messages {
			v, err := View(&ix.Messages[i])
			if errors.Is(err, ErrNotMSCONS) {
				continue
			}
			if v == nil {
				t.Fatalf("nil view with %v", err)
			}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					var me *Error
					if !errors.As(e, &me) {
						t.Fatalf("%T %v", e, e)
					}
				}
			}
		}
	})
}
