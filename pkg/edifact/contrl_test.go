package edifact

import (
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

var contrlTime = time.Date(2026, 11, 20, 9, 16, 0, 0, time.UTC)

func contrlFor(t *testing.T, in string, p ContrlParams, opts ...CheckOption) ([]byte, bool, string) {
	t.Helper()
	ix, rep, err := Analyze([]byte(in), opts...)
	if err != nil {
		t.Fatal(err)
	}
	if p.Ref == "" {
		p.Ref, p.Time = "CT26112000007", contrlTime
	}
	out, due, reason, err := BuildCONTRL(ix, rep, p)
	if err != nil {
		t.Fatal(err)
	}
	if due == (out == nil) || reason == "" {
		t.Fatalf("due %v with %d bytes, reason %q", due, len(out), reason)
	}
	return out, due, reason
}

// TestCONTRLWorkedExample reproduces ref §13 step 3 byte for byte.
func TestCONTRLWorkedExample(t *testing.T) {
	out, due, _ := contrlFor(t, example55999, ContrlParams{})
	if !due || string(out) != contrl55999 {
		t.Fatalf("got\n%s\nwant\n%s", out, contrl55999)
	}
	// the CONTRL itself is syntax-clean and is never answered
	ix, rep, _ := Analyze(out)
	if !rep.Clean() {
		t.Fatalf("generated CONTRL has findings:\n%s", dump(rep))
	}
	if _, due, reason, _ := BuildCONTRL(ix, rep, ContrlParams{Ref: "X", Time: contrlTime, Sector: catalog.Gas}); due || !strings.Contains(reason, "CONTRL for a CONTRL") {
		t.Fatalf("CONTRL on CONTRL: due %v %q", due, reason)
	}
}

func TestCONTRLRules(t *testing.T) {
	// Strom, clean: none
	if _, due, _ := contrlFor(t, example55001, ContrlParams{}); due {
		t.Fatal("Strom sends no CONTRL for a clean interchange")
	}
	// unknown sector, clean: the Strom rule
	noHint := strings.ReplaceAll(strings.ReplaceAll(aperak313, "::293", ""), ":500", ":14")
	if _, due, _ := contrlFor(t, noHint, ContrlParams{}); due {
		t.Fatal("unknown sector must not acknowledge")
	}
	// Gas, clean: acknowledgement 7, also on an APERAK (ref §10.1)
	gas := strings.NewReplacer("S2.2", "G1.2", "55001", "44001", ":500", ":502", "::293", "::332").Replace(example55001)
	out, due, _ := contrlFor(t, gas, ContrlParams{})
	want := "UNA:+.? 'UNB+UNOC:3+9900000000011:502+9900000000004:502+261120:0916+CT26112000007'UNH+1+CONTRL:D:3:UN:2.0b'" +
		"UCI+MK26112000017+9900000000004:502+9900000000011:502+7'UNT+3+1'UNZ+1+CT26112000007'"
	if !due || string(out) != want {
		t.Fatalf("Gas ack:\n%s\nwant\n%s", out, want)
	}
	if _, due, _ := contrlFor(t, aperak313, ContrlParams{Sector: catalog.Gas}); !due {
		t.Fatal("Gas always answers an APERAK with a CONTRL")
	}
	// Gas with an error: 4
	out, due, _ = contrlFor(t, strings.Replace(gas, "UNT+11+1", "UNT+12+1", 1), ContrlParams{})
	if !due || !strings.Contains(string(out), "UCI+MK26112000017+9900000000004:502+9900000000011:502+4'UCM+1+UTILMD:D:11A:UN:G1.2+4+29+UNT'UNT+4+1'") {
		t.Fatalf("Gas error: %s", out)
	}
	// interchange-level error goes into UCI with 0085, 0013 and the position
	out, _, _ = contrlFor(t, strings.Replace(example55001, "UNZ+1+MK26112000017", "UNZ+1+MK26112000099", 1), ContrlParams{})
	if !strings.Contains(string(out), "UCI+MK26112000017+9900000000004:500+9900000000011:500+4+28+UNZ+2'UNT+3+1'") {
		t.Fatalf("UCI: %s", out)
	}
	// a stray body segment: UCI 16 with 0013 UNZ (only UNA/UNB/UNZ are
	// allowed there, and 0013 is mandatory), no position of the stray segment
	out, _, _ = contrlFor(t, strings.Replace(example55001, "UNZ+1", "FTX+X'UNZ+1", 1), ContrlParams{})
	if !strings.Contains(string(out), "UCI+MK26112000017+9900000000004:500+9900000000011:500+4+16+UNZ'UNT+3+1'") {
		t.Fatalf("UCI stray: %s", out)
	}
	// UNT count wrong: UCM with 0085/0013, no SG2 (ref §13 last sentence)
	out, _, _ = contrlFor(t, strings.Replace(example55001, "UNT+11+1", "UNT+12+1", 1), ContrlParams{})
	if !strings.Contains(string(out), "UCM+1+UTILMD:D:11A:UN:S2.2+4+29+UNT'UNT+4+1'") {
		t.Fatalf("UCM: %s", out)
	}
	// body faults sorted by position: missing segment gets UCS 0085, element faults UCD
	two := strings.Replace(example55001, "LOC+Z16+5123", "LOC+Z16+\x1b5123", 1)
	two = strings.Replace(two, "RFF+Z13:55001", "RFF+Z13:55999", 1)
	out, _, _ = contrlFor(t, two, ContrlParams{Sender: Party{ID: "9900000000028", Qualifier: "500"}, MessageRef: "C1"})
	if !strings.Contains(string(out), "UNB+UNOC:3+9900000000028:500+9900000000004:500+") ||
		!strings.Contains(string(out), "UNH+C1+CONTRL:D:3:UN:2.0b'UCI+MK26112000017+9900000000004:500+9900000000011:500+4'UCM+1+UTILMD:D:11A:UN:S2.2+4'UCS+9'UCD+21+2:1'UCS+10'UCD+12+1:2'UNT+8+C1'") {
		t.Fatalf("SG2: %s", out)
	}
	noPID := strings.Replace(strings.Replace(example55001, "RFF+Z13:55001'", "", 1), "UNT+11", "UNT+10", 1)
	out, _, _ = contrlFor(t, noPID, ContrlParams{})
	if !strings.Contains(string(out), "UCM+1+UTILMD:D:11A:UN:S2.2+4'UCS+9+13'UNT+5+1'") {
		t.Fatalf("missing PID: %s", out)
	}
	// nothing to address
	if _, due, reason, _ := BuildCONTRL(nil, nil, ContrlParams{}); due || reason == "" {
		t.Fatal("nil interchange")
	}
	ix, rep, _ := Analyze([]byte("UNH+1+UTILMD:D:11A:UN:S2.2'UNT+2+1'"))
	if _, due, reason, _ := BuildCONTRL(ix, rep, ContrlParams{Ref: "X", Time: contrlTime}); due || !strings.Contains(reason, "UNB") {
		t.Fatalf("no UNB: due %v %q", due, reason)
	}
}

// TestCONTRLRejectionAlwaysNamesTheFault covers the corner cases in which a
// rejecting CONTRL once carried UCI+…+4 without the mandatory 0085/0013 and
// without a UCM, or a UCM without 0062: every rejection names its fault in
// UCI 0085/0013 or in at least one UCM with 0062 (CONTRL AHB 1.0, ref §10.2).
func TestCONTRLRejectionAlwaysNamesTheFault(t *testing.T) {
	const uci = "UCI+MK26112000017+9900000000004:500+9900000000011:500+4"
	for _, c := range []struct {
		name, in, want string
	}{
		{"stray segment before the first message", strings.Replace(example55001, "UNH+1+", "FTX+X'UNH+1+", 1), uci + "+16+UNB'UNT+3+1'"},
		{"release character at the very end", strings.TrimSuffix(example55001, "'") + "?", uci + "+21+UNZ'UNT+3+1'"},
		{"UNH 0062 empty: the UCM names the message by its UNT 0062",
			strings.Replace(example55001, "UNH+1+", "UNH++", 1), uci + "'UCM+1+UTILMD:D:11A:UN:S2.2+4+13+UNH'UNT+4+1'"},
		{"no 0062 at all: UCI 13",
			strings.Replace(strings.Replace(example55001, "UNH+1+", "UNH++", 1), "UNT+11+1'", "UNT+11'", 1), uci + "+13+UNZ'UNT+3+1'"},
		{"UNH 0062 longer than UCM 0062 (an..14): the UCM names the message by its UNT 0062",
			strings.Replace(example55001, "UNH+1+", "UNH+123456789012345+", 1), uci + "'UCM+1+UTILMD:D:11A:UN:S2.2+4+39+UNH'UNT+4+1'"},
		{"no 0062 that fits: UCI 12",
			strings.Replace(strings.Replace(example55001, "UNH+1+", "UNH+123456789012345+", 1), "UNT+11+1'", "UNT+11+123456789012345'", 1), uci + "+12+UNZ'UNT+3+1'"},
		{"UNB S003 empty: UCI 0010 names the CONTRL's sender",
			strings.Replace(example55001, "+9900000000011:500+", "++", 1),
			"UCI+MK26112000017+9900000000004:500+9900000000028:500+4+13+UNB+3:1'UNT+3+1'"},
	} {
		out, due, _ := contrlFor(t, c.in, ContrlParams{Sender: Party{ID: "9900000000028", Qualifier: "500"}})
		if !due || !strings.Contains(string(out), "UNH+1+CONTRL:D:3:UN:2.0b'"+c.want) {
			t.Errorf("%s:\n%s\nwant …%s", c.name, out, c.want)
		}
	}
	// S003 empty and no sender given: nobody to send it from
	noRcpt := strings.Replace(example55001, "+9900000000011:500+", "++", 1)
	if _, due, reason := contrlFor(t, noRcpt, ContrlParams{}); due || !strings.Contains(reason, "no recipient") {
		t.Errorf("no recipient: due %v %q", due, reason)
	}
	// a DAR UCI 0020 (an..14) cannot echo: no CONTRL, the reason says why
	longDAR := strings.ReplaceAll(example55001, "MK26112000017", "MK2611200001700")
	if _, due, reason := contrlFor(t, longDAR, ContrlParams{}); due || !strings.Contains(reason, "longer than UCI can echo") {
		t.Errorf("long DAR: due %v %q", due, reason)
	}
	// a report whose finding names no message of the interchange, or has
	// no CONTRL level, cannot be answered: an error, not a CONTRL without
	// the fault
	ix, rep, err := Analyze([]byte(example55001))
	if err != nil || !rep.Clean() {
		t.Fatal(err, rep.Findings)
	}
	for _, f := range []Finding{
		{Rule: "x", Level: LevelSegment, Code: CodeMissing, MessageIndex: 1, Position: 3},
		{Rule: "x", Level: LevelElement, Code: CodeInvalidValue, MessageIndex: -1, Position: 3, Element: 1},
		{Rule: "x", Code: CodeMissing, MessageIndex: 0},
	} {
		rep.Findings = []Finding{f}
		out, due, _, err := BuildCONTRL(ix, rep, ContrlParams{Ref: "X", Time: contrlTime})
		if err == nil || due || out != nil {
			t.Errorf("finding %s: due %v, err %v, %s", f, due, err, out)
		}
	}
}
