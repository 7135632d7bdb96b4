package edifact

import (
	"fmt"
	"testing"
	"time"
)

var (
	lfParty = Party{ID: "9900000000004", Qualifier: "500"}
	nbParty = Party{ID: "9900000000011", Qualifier: "500"}
	exTime  = time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
)

// add55001 appends one 55001 registration (ref §13) as message ref.
func add55001(b *InterchangeBuilder, ref string, n int) {
	b.Message(ref, "UTILMD", "D", "11A", "UN", "S2.2").
		Segment("BGM", E("E01"), E(fmt.Sprintf("DOK%011d", n))).
		Segment("DTM", C("137", "202611200915+00", "303")).
		Segment("NAD", E("MS"), C("9900000000004", "", "293")).
		Segment("NAD", E("MR"), C("9900000000011", "", "293")).
		Segment("IDE", E("24"), E(fmt.Sprintf("VG%011d", n))).
		Segment("DTM", C("92", "202611232300+00", "303")).
		Segment("STS", E("7"), E(""), E("E03"), E("ZW4")).
		Segment("LOC", E("Z16"), E("51234567895")).
		Segment("RFF", C("Z13", "55001"))
}

// buildMulti builds an interchange with n 55001 messages.
func buildMulti(tb testing.TB, n int) []byte {
	tb.Helper()
	b := NewInterchangeBuilder(lfParty, nbParty, "MK26112000017", exTime)
	for i := range n {
		add55001(b, fmt.Sprint(i+1), i)
	}
	out, err := b.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Skip(err)
	}
	return l
}
