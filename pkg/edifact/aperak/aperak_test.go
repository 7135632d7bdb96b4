package aperak

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/edifacttest"
	"github.com/mako-engine/mako/pkg/fv"
)

// utilmd55001 and aperak313 are steps 1 and 2 of edifact.md §13.
const (
	utilmd55001 = edifacttest.UTILMD55001
	aperak313   = edifacttest.APERAK313
)

var (
	fv2610 = fv.MustParse("FV2610")
	fv2604 = fv.MustParse("FV2604")
	at     = time.Date(2026, 11, 20, 9, 31, 0, 0, time.UTC)
)

func received(t *testing.T, data string) (*edifact.Interchange, *edifact.Message, edifact.Transaction) {
	t.Helper()
	ix, err := edifact.Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	m := &ix.Messages[0]
	txs := edifact.Transactions(m)
	if len(txs) != 1 {
		t.Fatalf("%d transactions", len(txs))
	}
	return ix, m, txs[0]
}

// checkClean parses out and runs edifact.Check for format version v.
func checkClean(t *testing.T, out []byte, v fv.Version) *edifact.Interchange {
	t.Helper()
	ix, err := edifact.Parse(out)
	if err != nil {
		t.Fatalf("parse own output: %v\n%s", err, out)
	}
	rep := edifact.Check(ix, edifact.WithFormatVersion(v))
	if !rep.Clean() {
		t.Fatalf("own output not clean: %+v\n%s", rep.Findings, out)
	}
	return ix
}

// TestWorkedExample rebuilds the APERAK of edifact.md §13 from the UTILMD it
// answers and compares byte for byte.
func TestWorkedExample(t *testing.T) {
	ix, m, tx := received(t, utilmd55001)
	ref, err := ReferenceFrom(ix, m, &tx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Build(Params{FormatVersion: fv2610, Ref: "AP26112000042", Time: at}, Message{
		Ref: "1", DocumentNumber: "APK26112000042", Reference: ref,
		Problems: []Problem{{Code: "Z29", Location: &Location{Name: "Bestandteil eines Produktpakets"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != aperak313 {
		t.Errorf("got\n%s\nwant\n%s", out, aperak313)
	}
	checkClean(t, out, fv2610)
}

func TestReferenceFrom(t *testing.T) {
	ix, m, tx := received(t, utilmd55001)
	ref, err := ReferenceFrom(ix, m, &tx)
	if err != nil {
		t.Fatal(err)
	}
	want := Reference{
		Interchange: "MK26112000017", MessageDate: time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC),
		Document: "DOK26112000001", Transaction: "VG26112000001",
		Sender:    Party{ID: "9900000000004", Agency: "293", CodeList: "500"},
		Recipient: Party{ID: "9900000000011", Agency: "293", CodeList: "500"},
	}
	if ref != want {
		t.Errorf("got %+v\nwant %+v", ref, want)
	}
	// Message level: no transaction id.
	if ref, _ := ReferenceFrom(ix, m, nil); ref.Transaction != "" {
		t.Error("message-level reference has TN")
	}
	broken := strings.Replace(strings.Replace(utilmd55001, "BGM+E01+DOK26112000001'", "BGM+E01'", 1),
		"DTM+137:202611200915?+00:303'", "DTM+137:20261120:303'", 1)
	ix2, m2, tx2 := received(t, broken)
	_, err = ReferenceFrom(ix2, m2, &tx2)
	if !errors.Is(err, ErrReference) || !strings.Contains(err.Error(), "BGM 1004") || !strings.Contains(err.Error(), "segment 3 DTM+137") {
		t.Errorf("broken: %v", err)
	}
}

// TestBundle: a Strom interchange answering three transactions with 312,
// 313 and a message-level 313 (no RFF+TN, SG5 RFF+AGO), §11.1/§11.4.
func TestBundle(t *testing.T) {
	ix, m, tx := received(t, utilmd55001)
	ref, _ := ReferenceFrom(ix, m, &tx)
	msgRef, _ := ReferenceFrom(ix, m, nil)
	pid := m.Segments[9] // RFF+Z13:55001 (UNH = index 0)
	out, err := Build(Params{FormatVersion: fv2610, Ref: "AP1", Time: at},
		Message{Ref: "1", DocumentNumber: "APK1", Reference: ref},
		Message{Ref: "2", DocumentNumber: "APK2", Reference: ref, Problems: []Problem{
			{Code: "Z39", Location: &Location{Name: "Prüfidentifikator", Faulty: pid.Canonical()}},
			{Code: "Z10", Content: "51234567895?'+:"},
			{Code: "Z16", SuccessorNB: "9900000000028", Text: "Netzbetreiberwechsel"},
		}},
		Message{Ref: "3", DocumentNumber: "APK3", Reference: msgRef, Problems: []Problem{
			{Code: "Z35", Location: LocationPtr(LocationOf("Dokumentendatum", &m.Segments[2]))},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	got := checkClean(t, out, fv2610)
	if len(got.Messages) != 3 {
		t.Fatalf("%d messages", len(got.Messages))
	}
	if z, _ := got.UNZ(); z.MessageCount != "3" {
		t.Errorf("UNZ %+v", z)
	}
	tags := func(mm *edifact.Message) string {
		var s []string
		for _, seg := range mm.Segments {
			q := seg.Value(0, 0)
			if seg.Tag == "UNH" || seg.Tag == "UNT" || seg.Tag == "BGM" {
				q = ""
			}
			s = append(s, strings.TrimSuffix(seg.Tag+"+"+q, "+"))
		}
		return strings.Join(s, " ")
	}
	want := []string{
		"UNH BGM DTM+137 RFF+ACE DTM+171 RFF+AGO RFF+TN NAD+MS NAD+MR UNT",
		"UNH BGM DTM+137 RFF+ACE DTM+171 RFF+AGO RFF+TN NAD+MS NAD+MR ERC+Z39 RFF+TN FTX+Z02 ERC+Z10 FTX+ABO RFF+TN ERC+Z16 RFF+TN FTX+AAO RFF+Z08 UNT",
		"UNH BGM DTM+137 RFF+ACE DTM+171 RFF+AGO NAD+MS NAD+MR ERC+Z35 RFF+AGO FTX+Z02 UNT",
	}
	for i := range got.Messages {
		if g := tags(&got.Messages[i]); g != want[i] {
			t.Errorf("message %d:\n got %s\nwant %s", i, g, want[i])
		}
	}
	if c := got.Messages[0].Segments[1].Value(0, 0); c != "312" {
		t.Errorf("BGM %s", c)
	}
	m2 := &got.Messages[1]
	if s, _ := m2.Find(0, "FTX", "Z02"); s == nil || s.Value(3, 0) != "Prüfidentifikator" || s.Value(3, 1) != "RFF+Z13:55001" {
		t.Errorf("FTX+Z02 %v", s)
	}
	if s, _ := m2.Find(0, "FTX", "ABO"); s == nil || s.Value(3, 0) != "51234567895?'+:" {
		t.Errorf("FTX+ABO %v", s)
	}
	if !strings.Contains(string(out), "FTX+Z02+++Pr\xfcfidentifikator:RFF?+Z13?:55001'") {
		t.Errorf("FTX+Z02 not escaped ISO 8859-1:\n%q", out)
	}
	if s, _ := got.Messages[2].Find(0, "FTX", "Z02"); s == nil || s.Value(3, 1) != "DTM+137:202611200915?+00:303" {
		t.Errorf("FTX+Z02 verbatim segment %v", s)
	}
}

// LocationPtr is a test helper returning &l.
func LocationPtr(l Location) *Location { return &l }

// TestFV2604 builds the MIG 2.1i variant (UNH 2.1i, CTA/COM after NAD+MS as
// in the synthetic FV2604 APERAK fixture).
func TestFV2604(t *testing.T) {
	ix, m, tx := received(t, strings.Replace(utilmd55001, "S2.2", "S2.1", 1))
	ref, _ := ReferenceFrom(ix, m, &tx)
	out, err := Build(Params{FormatVersion: fv2604, Ref: "AP2", Time: at, Contact: &Contact{Name: "Herr Muster", Address: "edi@example.com", Channel: "EM"}},
		Message{Ref: "1", DocumentNumber: "APK1", Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	got := checkClean(t, out, fv2604)
	if h := got.Messages[0].Header(); h.Association != "2.1i" {
		t.Errorf("UNH %s", h.MessageID)
	}
	// The check is not vacuous: 2.1i is wrong for FV2610.
	if rep := edifact.Check(got, edifact.WithFormatVersion(fv2610)); rep.Clean() {
		t.Error("APERAK 2.1i passes the FV2610 check")
	}
	if !strings.Contains(string(out), "NAD+MS+9900000000011::293'CTA+IC+:Herr Muster'COM+edi@example.com:EM'NAD+MR") {
		t.Errorf("CTA/COM:\n%s", out)
	}
	// FV2610 drops CTA/COM even when a contact is given.
	out, _ = Build(Params{FormatVersion: fv2610, Ref: "AP2", Time: at, Contact: &Contact{Name: "x"}},
		Message{Ref: "1", DocumentNumber: "APK1", Reference: ref})
	if strings.Contains(string(out), "CTA") {
		t.Error("CTA in MIG 2.2")
	}
}

func TestBuildErrors(t *testing.T) {
	ix, m, tx := received(t, utilmd55001)
	ref, _ := ReferenceFrom(ix, m, &tx)
	other := ref
	other.Sender.ID = "9900000000028"
	ok := Params{FormatVersion: fv2610, Ref: "AP", Time: at}
	msg := func(p ...Problem) Message {
		return Message{Ref: "1", DocumentNumber: "D", Reference: ref, Problems: p}
	}
	noACE := msg()
	noACE.Reference.Interchange = ""
	noDate := msg()
	noDate.Reference.MessageDate = time.Time{}
	for _, tc := range []struct {
		name string
		p    Params
		msgs []Message
		want error
	}{
		{"none", ok, nil, ErrNoMessages},
		{"fv", Params{FormatVersion: fv.MustParse("FV2310"), Ref: "AP", Time: at}, []Message{msg()}, ErrFormatVersion},
		{"no ref", Params{FormatVersion: fv2610, Time: at}, []Message{msg()}, ErrReference},
		{"no time", Params{FormatVersion: fv2610, Ref: "AP"}, []Message{msg()}, ErrReference},
		{"no ACE", ok, []Message{noACE}, ErrReference},
		{"no DTM+171", ok, []Message{noDate}, ErrReference},
		{"Z29 without location", ok, []Message{msg(Problem{Code: "Z29"})}, ErrLocationRequired},
		{"Z41 empty location", ok, []Message{msg(Problem{Code: "Z41", Location: &Location{}})}, ErrLocationRequired},
		{"Z16 without successor", ok, []Message{msg(Problem{Code: "Z16"})}, ErrSuccessorRequired},
		{"unknown ERC", ok, []Message{msg(Problem{Code: "Z99"})}, ErrUnknownERC},
		{"parties", ok, []Message{msg(), {Ref: "2", DocumentNumber: "D", Reference: other}}, ErrParties},
	} {
		_, err := Build(tc.p, tc.msgs...)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		var be *BuildError
		if !errors.As(err, &be) {
			t.Errorf("%s: not a *BuildError", tc.name)
		}
	}
	// Codes without a location rule build without FTX+Z02.
	if _, err := Build(ok, msg(Problem{Code: "Z31"})); err != nil {
		t.Errorf("Z31: %v", err)
	}
	// Characters outside ISO 8859-1 are the edifact builder's error.
	if _, err := Build(ok, msg(Problem{Code: "Z10", Content: "€"})); err == nil {
		t.Error("€ accepted")
	}
	// Parties without codes are derived from the MP-ID kind.
	bare := msg()
	bare.Reference.Sender = Party{ID: "9900000000004"}
	bare.Reference.Recipient = Party{ID: "4012345000009"}
	out, err := Build(ok, bare)
	if err != nil || !strings.Contains(string(out), "UNB+UNOC:3+4012345000009:14+9900000000004:500") ||
		!strings.Contains(string(out), "NAD+MS+4012345000009::9'") {
		t.Errorf("derived codes: %v\n%s", err, out)
	}
	long := strings.Repeat("x", 600)
	out, err = Build(ok, msg(Problem{Code: "Z29", Location: &Location{Name: long}}))
	if err != nil || strings.Contains(string(out), strings.Repeat("x", 513)) || !strings.Contains(string(out), strings.Repeat("x", 512)) {
		t.Errorf("cut: %v", err)
	}
}

func BenchmarkBuild313(b *testing.B) {
	ix, err := edifact.Parse([]byte(utilmd55001))
	if err != nil {
		b.Fatal(err)
	}
	m := &ix.Messages[0]
	tx := edifact.Transactions(m)[0]
	ref, _ := ReferenceFrom(ix, m, &tx)
	p := Params{FormatVersion: fv2610, Ref: "AP26112000042", Time: at}
	msg := Message{Ref: "1", DocumentNumber: "APK26112000042", Reference: ref,
		Problems: []Problem{{Code: "Z29", Location: &Location{Name: "Bestandteil eines Produktpakets"}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(p, msg); err != nil {
			b.Fatal(err)
		}
	}
}
