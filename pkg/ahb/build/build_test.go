package build

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// TestOrder55001 builds the hand-written AHB-complete 55001 of
// pkg/ahb/testdata with the groups and segments added in a scrambled order:
// the bytes equal the file and the validator reports nothing.
func TestOrder55001(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "testdata", "fv2610", "utilmd-55001.edi"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(fv.MustParse("FV2610"), "UTILMD", "Strom", "55001")
	if err != nil {
		t.Fatal(err)
	}
	r := m.Root()
	r.Group("NAD+MR", edifact.E("MR"), edifact.C("9900000000011", "", "293"))
	tx := r.Group("IDE+24", edifact.E("24"), edifact.E("VG26112000001"))
	r.Group("NAD+MS", edifact.E("MS"), edifact.C("9900000000004", "", "293"))
	r.Seg("DTM+137", edifact.C("137", "202611200915+00", "303"))
	r.Seg("BGM+E01", edifact.E("E01"), edifact.E("DOK26112000001"))
	name := edifact.C("Mustermann", "Erika", "", "", "", "Z01")
	tx.Group("NAD+Z04", edifact.E("Z04"), edifact.E(""), edifact.E(""), name, edifact.C("Musterstrasse", "", "1"), edifact.E("Musterstadt"), edifact.E(""), edifact.E("12345"), edifact.E("DE"))
	tx.Group("NAD+Z09", edifact.E("Z09"), edifact.E(""), edifact.E(""), name)
	tx.Group("SEQ+Z75", edifact.E("Z75")).Group("CCI+Z61", edifact.E("Z61"), edifact.E(""), edifact.E("ZG0"))
	tx.Group("SEQ+Z01", edifact.E("Z01")).Group("CCI+Z15", edifact.E(""), edifact.E(""), edifact.E("Z15"))
	tx.Group("SEQ+ZH0", edifact.E("ZH0"), edifact.E("1")).Group("CCI+Z65", edifact.E("Z65"), edifact.E(""), edifact.E(""), edifact.E("Z01"))
	pkg := tx.Group("SEQ+Z79", edifact.E("Z79"), edifact.E("1"))
	pkg.Group("CCI+Z66", edifact.E("Z66")).Seg("CAV+ZV4", edifact.C("ZV4", "", "", "11XDE-BKV-0001"))
	pkg.Seg("PIA+5", edifact.E("5"), edifact.C("9991000002082", "Z11"))
	tx.Group("RFF+Z13", edifact.C("Z13", "55001"))
	tx.Group("LOC+Z16", edifact.E("Z16"), edifact.E("51234567895"))
	tx.Seg("STS+7", edifact.E("7"), edifact.E(""), edifact.E("E03"), edifact.E("ZW4"))
	tx.Seg("DTM+92", edifact.C("92", "202611232300+00", "303"))

	b := edifact.NewInterchangeBuilder(edifact.Party{ID: "9900000000004", Qualifier: "500"}, edifact.Party{ID: "9900000000011", Qualifier: "500"},
		"MK26112000017", time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC))
	got := writeEqual(t, m, b, "S2.2", want)
	ix, err := edifact.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ahb.Validate(&ix.Messages[0])
	if err != nil || !rep.Clean() {
		t.Fatalf("%v %+v", err, rep)
	}
}

// TestNotForeseen: a segment or group the PID's AHB has no line for at that
// place is an error, never emitted.
func TestNotForeseen(t *testing.T) {
	for _, tc := range []struct {
		pid string
		add func(tx *Group)
	}{
		{"55005", func(tx *Group) { tx.Group("LOC+Z16", edifact.E("Z16"), edifact.E("51234567895")) }}, // 55005 has no SG5
		{"55006", func(tx *Group) { tx.Seg("DTM+93", edifact.C("93", "202611232300+00", "303")) }},
		{"55001", func(tx *Group) { tx.Seg("SEQ+Z79", edifact.E("Z79")) }},                // a group trigger is no own segment
		{"55001", func(tx *Group) { tx.Group("SEQ+Z79").Seg("CCI+Z66") }},                 // CCI is in SG10, not SG8
		{"55001", func(tx *Group) { tx.Group("SEQ+Z01").Group("CCI+Z66", nil...) }},       // Z66 belongs to the Z79 variant
		{"55002", func(tx *Group) { tx.Seg("STS+Z35", edifact.E("Z35"), edifact.E("")) }}, // only in 55003
	} {
		m, err := New(fv.MustParse("FV2610"), "UTILMD", "Strom", tc.pid)
		if err != nil {
			t.Fatal(err)
		}
		tc.add(m.Root().Group("IDE+24", edifact.E("24"), edifact.E("X")))
		if _, err := m.Segments(); !errors.Is(err, ErrNotForeseen) {
			t.Errorf("%s: err %v, want ErrNotForeseen", tc.pid, err)
		}
	}
	if _, err := New(fv.MustParse("FV2610"), "UTILMD", "Strom", "59999"); !errors.Is(err, ahb.ErrUnknownPID) {
		t.Errorf("unknown PID: %v", err)
	}
}

// TestGas44017 builds a GeLi Gas message (the next process family) from
// the model — SG12 and SG8 added before the SG4 segments — and gets the
// hand-written realistic 44017 of pkg/ahb/testdata byte for byte.
func TestGas44017(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "testdata", "realistic-fv2610-gas", "utilmd-gas-44017.edi"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(fv.MustParse("FV2610"), "UTILMD", "Gas", "44017")
	if err != nil {
		t.Fatal(err)
	}
	const lfa, lfn, malo = "9800800000030", "9800800000016", "50112233445"
	r := m.Root()
	tx := r.Group("IDE+24", edifact.E("24"), edifact.E("GLAV2611160041"))
	tx.Group("NAD+DP", edifact.E("DP"), edifact.E(""), edifact.E(""), edifact.E(""), edifact.C("Am Markt", "", "5"), edifact.E("Erfurt"), edifact.E(""), edifact.E("99084"), edifact.E("DE"))
	tx.Group("NAD+Z09", edifact.E("Z09"), edifact.E(""), edifact.E(""), edifact.C("Becker", "Anna", "", "", "", "Z01"))
	tx.Group("SEQ+Z01", edifact.E("Z01")).Group("QTY+Z09", edifact.C("Z09", "14230", "KWH"))
	tx.Group("RFF+TN", edifact.C("TN", "GKUV2611160040"))
	tx.Group("RFF+Z13", edifact.C("Z13", "44017"))
	tx.Group("LOC+172", edifact.E("172"), edifact.E(malo))
	tx.Seg("STS+E01", edifact.E("E01"), edifact.E(""), edifact.C("E15", "G_0006"))
	tx.Seg("STS+7", edifact.E("7"), edifact.E(""), edifact.E("E03"))
	tx.Seg("DTM+93", edifact.C("93", "202701010500+00", "303"))
	r.Group("NAD+MR", edifact.E("MR"), edifact.C(lfn, "", "332"))
	r.Group("NAD+MS", edifact.E("MS"), edifact.C(lfa, "", "332"))
	r.Seg("DTM+137", edifact.C("137", "202611160830+00", "303"))
	r.Seg("BGM+E35", edifact.E("E35"), edifact.E("GLA2611160041"))
	b := edifact.NewInterchangeBuilder(edifact.Party{ID: lfa, Qualifier: "502"}, edifact.Party{ID: lfn, Qualifier: "502"}, "GC440171116",
		time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC))
	writeEqual(t, m, b, "G1.2", want)
}

// writeEqual writes m as the UTILMD (MIG release rel) of b and fails unless
// the interchange equals want (line breaks ignored); it returns the bytes.
func writeEqual(t *testing.T, m *Message, b *edifact.InterchangeBuilder, rel string, want []byte) []byte {
	t.Helper()
	if err := m.Write(b.Message("1", "UTILMD", "D", "11A", "UN", rel)); err != nil {
		t.Fatal(err)
	}
	got, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	norm := func(b []byte) []byte { return bytes.ReplaceAll(bytes.TrimSpace(b), []byte("\n"), nil) }
	if !bytes.Equal(norm(got), norm(want)) {
		t.Fatalf("got\n%s\nwant\n%s", bytes.ReplaceAll(got, []byte("'"), []byte("'\n")), bytes.ReplaceAll(want, []byte("'"), []byte("'\n")))
	}
	return got
}
