package inbound

import (
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

const two = "UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK1'" +
	"UNH+1+UTILMD:D:11A:UN:S2.2'BGM+E01+DOK1'IDE+24+VG1'RFF+Z13:55001'UNT+5+1'" +
	"UNH+2+UTILMD:D:11A:UN:S2.2'BGM+E01+DOK2'IDE+24+VG2'FTX+ACB+++a?+b?:c'RFF+Z13:55001'UNT+6+2'" +
	"UNZ+2+MK1'"

func TestSingleMessageCarriesOneMessageIntact(t *testing.T) {
	ix, err := edifact.Parse([]byte(two))
	if err != nil {
		t.Fatal(err)
	}
	out := SingleMessage(ix, &ix.Messages[1])
	tx := Transaction{Interchange: out, TransactionID: "VG2"}
	got, m, err := tx.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if rep := edifact.Check(got, edifact.WithoutUNHVersionCheck()); !rep.Clean() {
		t.Fatalf("carried interchange has findings: %v\n%s", rep.Findings, out)
	}
	if m.Ref() != "2" || got.UNB().ControlRef != "MK1" || len(got.Messages) != 1 {
		t.Fatalf("message %s of %s", m.Ref(), got.UNB().ControlRef)
	}
	ftx, _ := m.Find(0, "FTX", "ACB")
	if ftx == nil || ftx.Value(3, 0) != "a+b:c" {
		t.Fatalf("escaped text not preserved: %s", out)
	}
	if !strings.HasSuffix(string(out), "UNZ+1+MK1'") {
		t.Fatalf("UNZ: %s", out)
	}
}

func TestCommandIDIsDeterministicAndDistinct(t *testing.T) {
	a := CommandID("nb", "9900000000004", "MK1", "1", "VG1")
	if a != CommandID("nb", "9900000000004", "MK1", "1", "VG1") {
		t.Fatal("not deterministic")
	}
	for _, other := range []string{
		string(CommandID("lf", "9900000000004", "MK1", "1", "VG1")),
		string(CommandID("nb", "9900000000004", "MK2", "1", "VG1")),
		string(CommandID("nb", "9900000000004", "MK1", "2", "VG1")),
		string(CommandID("nb", "9900000000004", "MK1", "1", "VG2")),
		string(CommandID("nb", "9900000000004", "MK1", "1V", "G1")),
	} {
		if other == string(a) {
			t.Fatalf("collision with %s", other)
		}
	}
}
