package edifact

import (
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

func TestCheckCleanExamples(t *testing.T) {
	for name, in := range map[string]string{"55001": example55001, "aperak": aperak313, "contrl": contrl55999} {
		_, rep, err := Analyze([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Clean() || rep.HasErrors() {
			t.Errorf("%s: findings %v", name, rep.Findings)
		}
		if rep.FormatVersion.String() != "FV2610" || rep.ReceivedSource != "UNB" || rep.Sector != catalog.Strom {
			t.Errorf("%s: fv %s source %s sector %v", name, rep.FormatVersion, rep.ReceivedSource, rep.Sector)
		}
	}
	_, rep, _ := Analyze([]byte(example55001))
	mi := rep.Messages[0]
	if mi.Sector != "Strom" || mi.ExpectedVersion != "S2.2" || mi.PIDScope != "transaction" ||
		len(mi.PIDs) != 1 || mi.PIDs[0] != (PIDInfo{Transaction: "VG26112000001", PID: "55001", Status: "known"}) {
		t.Fatalf("message info %+v", mi)
	}
}

// TestCheckRules mutates the §13 example once per rule and expects exactly
// one finding with the CONTRL level, code and position of ref §2, §3, §10.
func TestCheckRules(t *testing.T) {
	type want struct {
		rule      string
		level     Level
		code      Code
		tag       string
		pos, e, c int
	}
	cases := []struct {
		name string
		edit func(string) string
		opts []CheckOption
		want want
	}{
		{"UNZ reference ≠ UNB", repl("UNZ+1+MK26112000017", "UNZ+1+MK26112000099"), nil,
			want{"unz-reference", LevelInterchange, CodeReferenceMismatch, "UNZ", 0, 2, 0}},
		{"UNZ count wrong", repl("UNZ+1+", "UNZ+2+"), nil,
			want{"unz-count", LevelInterchange, CodeCountMismatch, "UNZ", 0, 1, 0}},
		{"UNZ missing", repl("UNZ+1+MK26112000017'", ""), nil,
			want{"unz-missing", LevelInterchange, CodeMissing, "UNZ", 0, 0, 0}},
		{"UNB missing", repl("UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'", ""), nil,
			want{"unb-missing", LevelInterchange, CodeMissing, "UNB", 0, 0, 0}},
		{"syntax UNOA", repl("UNOC:3", "UNOA:3"), nil,
			want{"syntax-unsupported", LevelInterchange, CodeUnsupportedSyntax, "UNB", 0, 1, 0}},
		{"syntax version 4", repl("UNOC:3", "UNOC:4"), nil,
			want{"syntax-unsupported", LevelInterchange, CodeUnsupportedSyntax, "UNB", 0, 1, 0}},
		{"UNB 0020 missing", repl("0915+MK26112000017'", "0915'"), nil,
			want{"unb-missing-element", LevelInterchange, CodeMissing, "UNB", 0, 5, 1}}, // + UNZ 0020 mismatch
		{"UNB sender qualifier missing", repl("UNB+UNOC:3+9900000000004:500", "UNB+UNOC:3+9900000000004"), nil,
			want{"unb-missing-element", LevelInterchange, CodeMissing, "UNB", 0, 2, 2}},
		{"UNB 0020 too long", repl("MK26112000017", "MK2611200001700"), nil,
			want{"unb-too-long", LevelInterchange, CodeInvalidValue, "UNB", 0, 5, 1}}, // + UNZ 0020 mismatch
		{"UNB bad date", repl("261120:0915", "261340:0915"), nil,
			want{"unb-datetime", LevelInterchange, CodeInvalidValue, "UNB", 0, 4, 0}},
		{"UNB too many components", repl("UNOC:3", "UNOC:3:X"), nil,
			want{"unb-constituents", LevelInterchange, CodeTooManyConstituents, "UNB", 0, 1, 3}},
		{"UNB invalid character", repl("9900000000004:500+99", "9900000000004:500+\x0199"), nil,
			want{"invalid-character", LevelInterchange, CodeInvalidChar, "UNB", 0, 3, 1}},
		{"not the recipient", nil, []CheckOption{WithRecipients("9900000000028")},
			want{"not-recipient", LevelInterchange, CodeNotRecipient, "UNB", 0, 3, 1}},
		{"unknown sender", nil, []CheckOption{WithKnownSender(func(Party) bool { return false })},
			want{"unknown-sender", LevelInterchange, CodeUnknownSender, "UNB", 0, 2, 1}},
		{"test indicator rejected", repl("MK26112000017'UNH", "MK26112000017++++++1'UNH"), []CheckOption{WithRejectTestIndicator()},
			want{"test-indicator", LevelInterchange, CodeTestNotSupported, "UNB", 0, 11, 0}},
		{"duplicate DAR", nil, []CheckOption{WithDuplicateCheck(func(p Party, ref string) bool { return ref == "MK26112000017" })},
			want{"duplicate-interchange", LevelInterchange, CodeDuplicate, "UNB", 0, 5, 0}},
		{"empty interchange", func(s string) string {
			return "UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'UNZ+0+MK26112000017'"
		}, nil, want{"no-message", LevelInterchange, CodeEmpty, "UNB", 0, 0, 0}},
		{"segment outside message", repl("UNZ+1", "FTX+X'UNZ+1"), nil,
			want{"segment-outside-message", LevelInterchange, CodeTooManyConstituents, "FTX", 0, 0, 0}},
		{"UNT count", repl("UNT+11+1", "UNT+12+1"), nil,
			want{"unt-count", LevelMessage, CodeCountMismatch, "UNT", 11, 1, 0}},
		{"UNT reference", repl("UNT+11+1", "UNT+11+2"), nil,
			want{"unt-reference", LevelMessage, CodeReferenceMismatch, "UNT", 11, 2, 0}},
		{"UNT missing", repl("UNT+11+1'", ""), nil,
			want{"unt-missing", LevelMessage, CodeMissing, "UNT", 10, 0, 0}},
		{"UNH 0057 missing", repl("UN:S2.2'", "UN'"), nil,
			want{"unh-missing-element", LevelMessage, CodeMissing, "UNH", 1, 2, 5}},
		{"UNH 0062 too long", func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, "UNH+1+", "UNH+123456789012345+"), "UNT+11+1", "UNT+11+123456789012345")
		}, nil, want{"unh-too-long", LevelMessage, CodeTooLong, "UNH", 1, 1, 1}},
		{"UNH unknown type", repl("UTILMD:D:11A", "UTILXX:D:11A"), nil,
			want{"unh-unknown-type", LevelMessage, CodeInvalidValue, "UNH", 1, 2, 1}},
		{"UNH wrong release", repl("UTILMD:D:11A", "UTILMD:D:96A"), nil,
			want{"unh-release", LevelMessage, CodeInvalidValue, "UNH", 1, 2, 0}},
		{"UNH version not valid in the FV", repl("S2.2", "S2.1"), nil,
			want{"unh-version", LevelMessage, CodeInvalidValue, "UNH", 1, 2, 5}},
		{"UTILMD version of no sector", repl("S2.2", "5.2"), nil,
			want{"unh-version", LevelMessage, CodeInvalidValue, "UNH", 1, 2, 5}},
		{"UNH invalid character", repl("UN:S2.2'", "UN:S2.2+\x7f'"), nil,
			want{"invalid-character", LevelMessage, CodeInvalidChar, "UNH", 1, 3, 1}},
		{"PID unknown (ref §13 step 3)", repl("Z13:55001", "Z13:55999"), nil,
			want{"pid-unknown", LevelElement, CodeInvalidValue, "RFF", 10, 1, 2}},
		{"PID of the other sector", repl("Z13:55001", "Z13:44001"), nil,
			want{"pid-unknown", LevelElement, CodeInvalidValue, "RFF", 10, 1, 2}},
		{"PID malformed", repl("Z13:55001", "Z13:5500"), nil,
			want{"pid-unknown", LevelElement, CodeInvalidValue, "RFF", 10, 1, 2}},
		{"PID missing", func(s string) string {
			return strings.Replace(strings.Replace(s, "RFF+Z13:55001'", "", 1), "UNT+11", "UNT+10", 1)
		}, nil, want{"pid-missing", LevelSegment, CodeMissing, "LOC", 9, 0, 0}},
		{"no transaction", func(s string) string {
			s = strings.Replace(s, "IDE+24+VG26112000001'DTM+92:202611232300?+00:303'STS+7++E03+ZW4'LOC+Z16+51234567895'RFF+Z13:55001'", "", 1)
			return strings.Replace(s, "UNT+11", "UNT+6", 1)
		}, nil, want{"transaction-missing", LevelSegment, CodeMissing, "NAD", 5, 0, 0}},
		{"body invalid character", repl("LOC+Z16+5123", "LOC+Z16+\x1b5123"), nil,
			want{"invalid-character", LevelElement, CodeInvalidChar, "LOC", 9, 2, 1}},
		{"IDE 7402 too long", repl("VG26112000001", strings.Repeat("V", 36)), nil,
			want{"element-too-long", LevelElement, CodeTooLong, "IDE", 6, 2, 1}},
		{"invalid segment tag", repl("STS+7", "sts+7"), nil,
			want{"segment-tag", LevelSegment, CodeNotSupportedHere, "sts", 8, 0, 0}},
		{"service segment in body", repl("STS+7++E03+ZW4'", "UNB+X'"), nil,
			want{"service-segment-in-body", LevelSegment, CodeNotSupportedHere, "UNB", 8, 0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := example55001
			if tc.edit != nil {
				in = tc.edit(in)
				if in == example55001 {
					t.Fatal("edit did not change the input")
				}
			}
			_, rep, err := Analyze([]byte(in), tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			// faults with a consequence (UNB 0020 also breaks UNZ 0020)
			n := map[string]int{"UNB 0020 missing": 2, "UNB 0020 too long": 2}[tc.name]
			if n = max(n, 1); len(rep.Findings) != n {
				t.Fatalf("want %d finding(s), got %d:\n%s", n, len(rep.Findings), dump(rep))
			}
			f := rep.Findings[0]
			got := want{f.Rule, f.Level, f.Code, f.Tag, f.Position, f.Element, f.Component}
			if got != tc.want {
				t.Fatalf("finding %+v\nwant %+v", got, tc.want)
			}
			if !rep.HasErrors() || f.Text == "" {
				t.Fatal("a finding must make the report dirty and carry a text")
			}
		})
	}
}

func repl(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func dump(r *Report) string {
	var sb strings.Builder
	for _, f := range r.Findings {
		sb.WriteString(f.String() + "\n")
	}
	return sb.String()
}

func TestCheckDuplicateMessageRef(t *testing.T) {
	b := NewInterchangeBuilder(lfParty, nbParty, "MK1", exTime)
	add55001(b, "1", 1)
	add55001(b, "1", 2)
	ix, err := b.Interchange()
	if err != nil {
		t.Fatal(err)
	}
	rep := Check(ix)
	f := findRule(rep, "duplicate-message")
	if len(rep.Findings) != 1 || f == nil || f.Level != LevelMessage || f.Code != CodeDuplicate || f.MessageIndex != 1 || f.Tag != "UNH" {
		t.Fatalf("%s", dump(rep))
	}
}

func TestCheckTokenizerErrorBecomesFinding(t *testing.T) {
	_, rep, err := Analyze([]byte("UNA:+.?A'UNB+UNOC:3'"))
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Findings[0]; f.Level != LevelInterchange || f.Code != CodeInvalidServiceCharUNA || f.Tag != "UNA" {
		t.Fatalf("%s", dump(rep))
	}
	_, rep, err = Analyze([]byte(strings.TrimSuffix(example55001, "'") + "?"))
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Findings[0]; f.Rule != "tokenizer" || f.Level != LevelInterchange || f.Code != CodeInvalidChar {
		t.Fatalf("%s", dump(rep))
	}
	if _, _, err := Analyze([]byte(strings.Repeat("A'", 10)), WithParseOptions(WithMaxSegments(5))); err == nil {
		t.Fatal("limit error must be returned")
	}
}

func TestCheckNumeric(t *testing.T) {
	cases := map[string]Code{
		"QTY+220:12.5":                0,
		"QTY+220:-12.5":               0,
		"QTY+220:12,5":                CodeDecimalNotation,
		"QTY+220:.5":                  CodeNoDigitBeforeDecimal,
		"QTY+220:1A":                  CodeWrongCharType,
		"QTY+220:1.2.3":               CodeWrongCharType,
		"QTY+220:1234567890123456":    CodeTooLong,
		"QTY+220:123456789012345.000": CodeTooLong,
		"QTY+220:123456789012.345":    0,
		"MOA+9:12,50":                 CodeDecimalNotation,
		"PRI+CAL:x":                   CodeWrongCharType,
	}
	for seg, code := range cases {
		in := "UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+R1'UNH+1+MSCONS:D:04B:UN:2.5'BGM+7+D1'" +
			"RFF+Z13:13017'" + seg + "'UNT+5+1'UNZ+1+R1'"
		rep := Check(mustParse(t, in))
		var got Code
		for _, f := range rep.Findings {
			if f.Level == LevelElement && f.Tag == seg[:3] {
				got = f.Code
				if f.Position != 4 || f.Element != 1 || f.Component != 2 {
					t.Errorf("%s: position %d %d:%d", seg, f.Position, f.Element, f.Component)
				}
			}
		}
		if got != code {
			t.Errorf("%s: code %d, want %d\n%s", seg, got, code, dump(rep))
		}
	}
	// with a decimal comma declared, ',' is right and '.' is wrong
	in := "UNA:+,? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+R1'UNH+1+MSCONS:D:04B:UN:2.5'BGM+7+D1'" +
		"RFF+Z13:13017'QTY+220:1,5'QTY+220:1.5'UNT+6+1'UNZ+1+R1'"
	rep := Check(mustParse(t, in))
	if len(rep.Findings) != 1 || rep.Findings[0].Code != CodeDecimalNotation || rep.Findings[0].Position != 5 {
		t.Fatalf("%s", dump(rep))
	}
}

func TestCheckFormatVersionAndSector(t *testing.T) {
	// received in FV2604: S2.1 is right there, S2.2 is wrong
	apr := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	rep := Check(mustParse(t, example55001), WithReceived(apr))
	if rep.FormatVersion.String() != "FV2604" || rep.ReceivedSource != "option" {
		t.Fatalf("fv %s from %s", rep.FormatVersion, rep.ReceivedSource)
	}
	if f := findRule(rep, "unh-version"); f == nil || len(rep.Findings) != 1 {
		t.Fatalf("%s", dump(rep))
	}
	if rep := Check(mustParse(t, example55001), WithReceived(apr), WithoutUNHVersionCheck()); !rep.Clean() {
		t.Fatalf("%s", dump(rep))
	}
	if rep := Check(mustParse(t, example55001), WithFormatVersion(fv.MustParse("FV2610")), WithReceived(apr)); !rep.Clean() {
		t.Fatalf("%s", dump(rep))
	}
	// Gas UTILMD: sector from G…, Gas PID list
	gas := strings.NewReplacer("S2.2", "G1.2", "55001", "44001", ":500", ":502", "::293", "::332").Replace(example55001)
	rep = Check(mustParse(t, gas))
	if !rep.Clean() || rep.Sector != catalog.Gas || rep.Messages[0].Sector != "Gas" {
		t.Fatalf("gas: sector %v\n%s", rep.Sector, dump(rep))
	}
	// APERAK: sector from NAD 3055 / UNB qualifiers / context
	rep = Check(mustParse(t, strings.ReplaceAll(aperak313, "::293", "")))
	if rep.Sector != catalog.Strom { // UNB 0007 = 500
		t.Fatalf("aperak sector %v", rep.Sector)
	}
	noHint := strings.ReplaceAll(strings.ReplaceAll(aperak313, "::293", ""), ":500", ":14")
	if rep := Check(mustParse(t, noHint)); rep.Sector != catalog.SectorUnspecified {
		t.Fatalf("undeterminable sector reported as %v", rep.Sector)
	}
	if rep := Check(mustParse(t, noHint), WithSector(catalog.Gas)); rep.Sector != catalog.Gas {
		t.Fatalf("context sector ignored: %v", rep.Sector)
	}
	// no date at all: no FV, a note, and the PID cannot be decided
	noDate := strings.Replace(example55001, "+261120:0915", "+", 1)
	rep = Check(mustParse(t, noDate))
	if !rep.FormatVersion.IsZero() || len(rep.Notes) == 0 || rep.Messages[0].PIDs[0].Status != "undetermined" {
		t.Fatalf("no date: %+v", rep)
	}
}

func TestTransactionsPerType(t *testing.T) {
	// two transactions in one UTILMD, the second without a PID
	in := strings.Replace(example55001, "RFF+Z13:55001'", "RFF+Z13:55001'IDE+24+VG2'DTM+92:202611232300?+00:303'", 1)
	in = strings.Replace(in, "UNT+11", "UNT+13", 1)
	ix := mustParse(t, in)
	txs := Transactions(&ix.Messages[0])
	if len(txs) != 2 || txs[0].ID != "VG26112000001" || txs[0].PID != "55001" || txs[1].ID != "VG2" || txs[1].PID != "" ||
		txs[0].End != txs[1].Start || txs[1].End != 12 {
		t.Fatalf("%+v", txs)
	}
	rep := Check(ix)
	if f := findRule(rep, "pid-missing"); f == nil || f.Transaction != "VG2" || f.Position != 12 || len(rep.Findings) != 1 {
		t.Fatalf("%s", dump(rep))
	}
	// IFTSTA with the PID before CNI (MaBiS 21000-21005, SG4) is per message
	ift := "UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+R1'UNH+1+IFTSTA:D:18A:UN:2.1'BGM+Z03+D1'" +
		"RFF+Z13:21000'CNI+1'CNI+2'UNT+6+1'UNZ+1+R1'"
	txs = Transactions(&mustParse(t, ift).Messages[0])
	if len(txs) != 1 || txs[0].PID != "21000" || txs[0].Opening != nil {
		t.Fatalf("IFTSTA SG4: %+v", txs)
	}
	ift = strings.Replace(ift, "RFF+Z13:21000'CNI+1'CNI+2'", "CNI+1'RFF+Z13:21007'CNI+2'RFF+Z13:21008'", 1)
	ift = strings.Replace(ift, "UNT+6", "UNT+7", 1)
	txs = Transactions(&mustParse(t, ift).Messages[0])
	if len(txs) != 2 || txs[0].ID != "1" || txs[0].PID != "21007" || txs[1].PID != "21008" {
		t.Fatalf("IFTSTA CNI: %+v", txs)
	}
	// INSRPT per DOC
	ins := "UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+R1'UNH+1+INSRPT:D:10A:UN:1.1a'BGM+Z01+D1'" +
		"DOC+Z01+STOER1'RFF+Z13:23001'UNT+5+1'UNZ+1+R1'"
	txs = Transactions(&mustParse(t, ins).Messages[0])
	if len(txs) != 1 || txs[0].ID != "STOER1" || txs[0].PID != "23001" {
		t.Fatalf("INSRPT: %+v", txs)
	}
	// APERAK carries none
	if txs := Transactions(&mustParse(t, aperak313).Messages[0]); txs != nil {
		t.Fatalf("APERAK: %+v", txs)
	}
}

func TestCheckHandMadeInterchange(t *testing.T) {
	ix := mustParse(t, example55001)
	ix.Messages = append(ix.Messages, Message{Index: 1})
	rep := Check(ix)
	if f := findRule(rep, "unh-missing"); f == nil || f.Level != LevelMessage {
		t.Fatalf("%s", dump(rep))
	}
	if rep := Check(nil); len(rep.Findings) != 1 || rep.Findings[0].Rule != "unb-missing" {
		t.Fatalf("nil interchange: %s", dump(rep))
	}
}
