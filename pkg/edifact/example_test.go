package edifact_test

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
)

// The worked example of ref §13: an LF registers a supply start (PID 55001).
func ExampleNewInterchangeBuilder() {
	lf := edifact.Party{ID: "9900000000004", Qualifier: "500"}
	nb := edifact.Party{ID: "9900000000011", Qualifier: "500"}
	at := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	b := edifact.NewInterchangeBuilder(lf, nb, "MK26112000017", at)
	b.Message("1", "UTILMD", "D", "11A", "UN", "S2.2").
		Segment("BGM", edifact.E("E01"), edifact.E("DOK26112000001")).
		Segment("DTM", edifact.C("137", "202611200915+00", "303")).
		Segment("NAD", edifact.E("MS"), edifact.C("9900000000004", "", "293")).
		Segment("NAD", edifact.E("MR"), edifact.C("9900000000011", "", "293")).
		Segment("IDE", edifact.E("24"), edifact.E("VG26112000001")).
		Segment("DTM", edifact.C("92", "202611232300+00", "303")).
		Segment("STS", edifact.E("7"), edifact.E(""), edifact.E("E03"), edifact.E("ZW4")).
		Segment("LOC", edifact.E("Z16"), edifact.E("51234567895")).
		Segment("RFF", edifact.C("Z13", "55001"))
	out, err := b.Bytes()
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'UNH+1+UTILMD:D:11A:UN:S2.2'BGM+E01+DOK26112000001'DTM+137:202611200915?+00:303'NAD+MS+9900000000004::293'NAD+MR+9900000000011::293'IDE+24+VG26112000001'DTM+92:202611232300?+00:303'STS+7++E03+ZW4'LOC+Z16+51234567895'RFF+Z13:55001'UNT+11+1'UNZ+1+MK26112000017'
}

func ExampleParse() {
	data := []byte("UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'" +
		"UNH+1+UTILMD:D:11A:UN:S2.2'BGM+E01+DOK26112000001'DTM+137:202611200915?+00:303'UNT+4+1'UNZ+1+MK26112000017'")
	ix, err := edifact.Parse(data)
	if err != nil {
		panic(err)
	}
	unb := ix.UNB()
	fmt.Println(unb.Sender.ID, unb.Recipient.ID, unb.ControlRef)
	for _, m := range ix.Messages {
		h := m.Header()
		fmt.Println(h.Ref, h.MessageID, len(m.Segments))
		dtm, _ := m.Find(0, "DTM", "137")
		fmt.Println(dtm.Value(0, 1))
	}
	// Output:
	// 9900000000004 9900000000011 MK26112000017
	// 1 UTILMD:D:11A:UN:S2.2 4
	// 202611200915+00
}
