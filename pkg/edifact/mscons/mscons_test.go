package mscons

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

const melo = "DE00056266802AO6G56M11SN51G21M24S"

// build writes a realistic MSCONS (FV2610, UNH 2.5, §7.2) with the edifact
// builder: a meter reading (PID 13017, UNB 0026 = VL, §9.5) for one MeLo
// with two registers, and a second location with a two-value series.
func build(t testing.TB, mutate func(*edifact.MessageBuilder) bool) []byte {
	t.Helper()
	msb := edifact.Party{ID: "9900000000028", Qualifier: "500"}
	lf := edifact.Party{ID: "9900000000004", Qualifier: "500"}
	b := edifact.NewInterchangeBuilder(msb, lf, "MS26120100001", time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), edifact.WithAppRef("VL"))
	m := b.Message("1", "MSCONS", "D", "04B", "UN", "2.5")
	if mutate != nil && mutate(m) {
		out, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	m.Segment("BGM", edifact.E("7"), edifact.E("MSC26120100001"), edifact.E("9")).
		Segment("DTM", edifact.C("137", "202612010700+00", "303")).
		Segment("RFF", edifact.C("Z13", "13017")).
		Segment("NAD", edifact.E("MS"), edifact.C("9900000000028", "", "293")).
		Segment("NAD", edifact.E("MR"), edifact.C("9900000000004", "", "293")).
		Segment("UNS", edifact.E("D")).
		Segment("NAD", edifact.E("DP")).
		Segment("LOC", edifact.E("172"), edifact.E(melo)).
		Segment("DTM", edifact.C("163", "202611302300+00", "303")).
		Segment("LIN", edifact.E("1")).
		Segment("PIA", edifact.E("5"), edifact.C("1-1:1.8.0", "SRW")).
		Segment("QTY", edifact.C("220", "12345.678")).
		Segment("DTM", edifact.C("9", "202611302300+00", "303")).
		Segment("LIN", edifact.E("2")).
		Segment("PIA", edifact.E("5"), edifact.C("1-1:2.8.0", "SRW")).
		Segment("QTY", edifact.C("220", "0")).
		Segment("LOC", edifact.E("172"), edifact.E("51234567895")).
		Segment("LIN", edifact.E("1")).
		Segment("PIA", edifact.E("5"), edifact.C("1-1:1.29.0", "SRW")).
		Segment("QTY", edifact.C("220", "1.5", "KWH")).
		Segment("DTM", edifact.C("163", "202611302300+00", "303")).
		Segment("DTM", edifact.C("164", "202611302315+00", "303")).
		Segment("QTY", edifact.C("67", "1.25", "KWH")).
		Segment("DTM", edifact.C("163", "202611302315+00", "303")).
		Segment("DTM", edifact.C("164", "202611302330+00", "303")).
		Segment("STS", edifact.E("Z33"))
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func view(t testing.TB, data []byte) (*Message, error) {
	t.Helper()
	ix, err := edifact.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return View(&ix.Messages[0])
}

func TestView(t *testing.T) {
	data := build(t, nil)
	ix, _ := edifact.Parse(data)
	if rep := edifact.Check(ix, edifact.WithFormatVersion(fv.MustParse("FV2610"))); !rep.Clean() {
		t.Fatalf("test input not clean: %+v", rep.Findings)
	}
	v, err := view(t, data)
	if err != nil {
		t.Fatal(err)
	}
	h := v.Header
	if h.DocumentCode != "7" || h.MessageFunc != "9" || h.DocumentNumber != "MSC26120100001" || h.PID != "13017" || h.PIDPosition != 4 ||
		h.Sender.ID != "9900000000028" || h.Recipient.ID != "9900000000004" || h.Created.Position != 3 || h.ID.Association != "2.5" {
		t.Errorf("header %+v", h)
	}
	if len(v.Locations) != 2 {
		t.Fatalf("%d locations", len(v.Locations))
	}
	l0 := v.Locations[0]
	if l0.ID != melo || l0.Position != 9 || len(l0.Dates) != 1 || l0.Dates[0].Qualifier != "163" || len(l0.Lines) != 2 {
		t.Errorf("location 0 %+v", l0)
	}
	if l0.Lines[0].OBIS != "1-1:1.8.0" || l0.Lines[1].OBIS != "1-1:2.8.0" || l0.Lines[0].OBISPosition != 12 {
		t.Errorf("OBIS %+v", l0.Lines)
	}
	if o, err := l0.Lines[0].ParseOBIS(); err != nil || o.A != 1 || o.B != 1 || o.C != 1 || o.D != 8 {
		t.Errorf("ParseOBIS %+v %v", o, err)
	}
	q := l0.Lines[0].Quantities[0]
	if f, err := q.Float(); err != nil || f != 12345.678 || q.Qualifier != "220" {
		t.Errorf("quantity %+v %v", q, err)
	}
	if d, ok := q.Date("9"); !ok || d.Position != 14 {
		t.Errorf("reading date %+v", d)
	}
	l1 := v.Locations[1]
	series := l1.Lines[0].Quantities
	if len(series) != 2 || series[1].Qualifier != "67" || series[1].Unit != "KWH" || len(series[1].Statuses) != 1 || series[1].Statuses[0] != "Z33" {
		t.Fatalf("series %+v", series)
	}
	if f, _ := series[1].Float(); f != 1.25 {
		t.Errorf("value %v", f)
	}
	// A file that declares a decimal comma in UNA (§1.2) carries "1,25".
	if f, err := (Quantity{Value: "1,25"}).Float(); err != nil || f != 1.25 {
		t.Errorf("decimal comma %v %v", f, err)
	}
	start, _ := series[0].Dates[0].Time()
	end, _ := series[0].Dates[1].Time()
	if end.Sub(start) != 15*time.Minute {
		t.Errorf("interval %v..%v", start, end)
	}
}

func TestErrors(t *testing.T) {
	data := build(t, func(m *edifact.MessageBuilder) bool {
		m.Segment("BGM", edifact.E("7"), edifact.E("X")).
			Segment("NAD", edifact.E("MS"), edifact.C("9900000000028", "", "293")).
			Segment("LIN", edifact.E("1")).
			Segment("LOC", edifact.E("172")).
			Segment("DTM", edifact.C("163", "2026113023", "303")).
			Segment("LIN", edifact.E("1")).
			Segment("PIA", edifact.E("5"), edifact.C("TESTPRODUCT", "SRW")).
			Segment("QTY", edifact.C("220"))
		return true
	})
	v, err := view(t, data)
	if v == nil || err == nil {
		t.Fatalf("%v %v", v, err)
	}
	var got []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var me *Error
		if !errors.As(e, &me) || me.MessageRef != "1" {
			t.Fatalf("%v", e)
		}
		got = append(got, me.Tag+"+"+me.Qualifier+"@"+strconv.Itoa(me.Position))
	}
	want := "LIN+@4 LOC+172@5 DTM+163@6 PIA+5@8 QTY+220@9 DTM+137@0 RFF+Z13@0 NAD+MR@0"
	if strings.Join(got, " ") != want {
		t.Errorf("errors\n got %s\nwant %s\n%v", strings.Join(got, " "), want, err)
	}
	if !strings.Contains(err.Error(), "mscons: message 1 segment 8 PIA+5: invalid") {
		t.Errorf("%v", err)
	}
	ix, _ := edifact.Parse([]byte("UNA:+.? 'UNB+UNOC:3+1:500+2:500+261201:0700+R'UNH+1+UTILMD:D:11A:UN:S2.2'UNT+2+1'UNZ+1+R'"))
	if v, err := View(&ix.Messages[0]); v != nil || !errors.Is(err, ErrNotMSCONS) {
		t.Error("UTILMD accepted")
	}
}

const syntheticDir = "../../../../shared/testdata/edifact-synthetic"

// TestSynthetic: every synthetic MSCONS fixture yields a view with its PID
// and its LOC+172 locations; dummy values are reported, never a panic.
func TestSynthetic(t *testing.T) {
	if _, err := os.Stat(syntheticDir); err != nil {
		t.Skipf("synthetic corpus absent at %s: %v", syntheticDir, err)
	}
	files, _ := filepath.Glob(filepath.Join(syntheticDir, "fv*", "mscons", "*.edi"))
	if len(files) < 50 {
		t.Fatalf("only %d MSCONS fixtures", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		m := &ix.Messages[0]
		v, _ := View(m)
		if v == nil {
			t.Fatalf("%s: nil view", f)
		}
		if want := edifact.Transactions(m)[0].PID; v.Header.PID != want {
			t.Errorf("%s: PID %q want %q", f, v.Header.PID, want)
		}
		if n := strings.Count(string(b), "LOC+172+"); len(v.Locations) != n {
			t.Errorf("%s: %d locations, want %d", f, len(v.Locations), n)
		}
	}
}

func BenchmarkView(b *testing.B) {
	data := build(b, nil)
	ix, _ := edifact.Parse(data)
	m := &ix.Messages[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := View(m); err != nil {
			b.Fatal(err)
		}
	}
}
