package utilmd

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fv"
)

// example55001 is the worked example of edifact.md §13 (step 1), verbatim.
const example55001 = `UNA:+.? '
UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000017'
UNH+1+UTILMD:D:11A:UN:S2.2'
BGM+E01+DOK26112000001'
DTM+137:202611200915?+00:303'
NAD+MS+9900000000004::293'
NAD+MR+9900000000011::293'
IDE+24+VG26112000001'
DTM+92:202611232300?+00:303'
STS+7++E03+ZW4'
LOC+Z16+51234567895'
RFF+Z13:55001'
UNT+11+1'
UNZ+1+MK26112000017'
`

// bundle55001 is hand-written after §13: three 55001 transactions in one
// message (§6.1: up to 99,999 SG4 per message), the second a move-in (STS+7
// reason E01, §9.1), the third with a supply start in CEST (§4).
const bundle55001 = `UNA:+.? '
UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK26112000018'
UNH+M1+UTILMD:D:11A:UN:S2.2'
BGM+E01+DOK26112000002'
DTM+137:202611200915?+00:303'
NAD+MS+9900000000004::293'
NAD+MR+9900000000011::293'
IDE+24+VG1'
DTM+92:202611232300?+00:303'
STS+7++E03+ZW4'
LOC+Z16+51234567895'
RFF+Z13:55001'
IDE+24+VG2'
DTM+92:202612312300?+00:303'
STS+7++E01+ZW4'
LOC+Z16+12345678905'
RFF+Z13:55001'
IDE+24+VG3'
DTM+92:202704302200?+00:303'
STS+7++E03+ZW4'
LOC+Z16+43000000000'
RFF+Z13:55001'
UNT+21+M1'
UNZ+1+MK26112000018'
`

// answer55002 is hand-written after §9.1: the NB confirms (55002) with the
// answer status STS+E01++<answer code>:<EBD> (A51 consent, E_0623).
const answer55002 = `UNA:+.? '
UNB+UNOC:3+9900000000011:500+9900000000004:500+261120:1000+NB26112000001'
UNH+1+UTILMD:D:11A:UN:S2.2'
BGM+E01+DOK26112000777'
DTM+137:202611201000?+00:303'
NAD+MS+9900000000011::293'
NAD+MR+9900000000004::293'
IDE+24+VG26112000001'
DTM+92:202611232300?+00:303'
STS+E01++A51:E_0623'
LOC+Z16+51234567895'
RFF+Z13:55002'
RFF+TN:VG26112000001'
UNT+12+1'
UNZ+1+NB26112000001'
`

func parse(t *testing.T, s string) *edifact.Message {
	t.Helper()
	ix, err := edifact.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Messages) != 1 {
		t.Fatalf("%d messages", len(ix.Messages))
	}
	return &ix.Messages[0]
}

func TestWorkedExample(t *testing.T) {
	v, err := View(parse(t, example55001))
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	h := v.Header
	if h.Ref != "1" || h.ID.Association != "S2.2" || h.Sector != catalog.Strom ||
		h.DocumentCode != "E01" || h.DocumentNumber != "DOK26112000001" {
		t.Errorf("header %+v", h)
	}
	if ct, err := h.Created.Time(); err != nil || !ct.Equal(time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)) || h.Created.Position != 3 {
		t.Errorf("created %v %v %+v", ct, err, h.Created)
	}
	if h.Sender.ID != "9900000000004" || h.Sender.Agency != "293" || h.Sender.Position != 4 ||
		h.Recipient.ID != "9900000000011" || h.Recipient.Position != 5 {
		t.Errorf("parties %+v %+v", h.Sender, h.Recipient)
	}
	if k, err := h.Sender.Kind(); err != nil || k != ident.MPIDBDEW {
		t.Errorf("sender kind %v %v", k, err)
	}
	if len(v.Transactions) != 1 {
		t.Fatalf("%d transactions", len(v.Transactions))
	}
	tx := v.Transactions[0]
	// §13: "RFF+Z13 is segment 10".
	if tx.ID != "VG26112000001" || tx.Qualifier != IDEVorgang || tx.Position != 6 || tx.PID != "55001" || tx.PIDPosition != 10 {
		t.Errorf("transaction %+v", tx)
	}
	// §13: DTM+92 = supply start 24.11.2026 00:00 CET.
	start, ok := tx.Start()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if !ok || !start.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, berlin)) {
		t.Errorf("start %v %v", start, ok)
	}
	st, ok := tx.Status(STSReason)
	if !ok || len(st.Reasons) != 2 || st.Reasons[0].Value != "E03" || st.Reasons[1].Value != "ZW4" || st.Position != 8 {
		t.Errorf("status %+v", st)
	}
	if _, _, ok := st.Answer(); ok {
		t.Error("STS+7 is no answer")
	}
	malo, ok := tx.MaLo()
	if !ok || malo != "51234567895" {
		t.Errorf("MaLo %q", malo)
	}
	loc, _ := tx.Location(LOCMaLo)
	if typ, err := loc.Classify(); typ != ident.TypeMaLo || err != nil {
		t.Errorf("classify %v %v", typ, err)
	}
	if r, ok := tx.Reference(RFFPID); !ok || r.Value != "55001" || r.Position != 10 {
		t.Errorf("reference %+v", r)
	}
	if len(tx.Segments) != 5 || tx.Segments[0].Tag != "IDE" || tx.Segments[4].Tag != "RFF" {
		t.Errorf("segments %d", len(tx.Segments))
	}
	if info, _ := catalog.DescribePID(tx.PID); info.Role != "request" {
		t.Errorf("PID info %+v", info)
	}
}

func TestBundle(t *testing.T) {
	v, err := View(parse(t, bundle55001))
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	if len(v.Transactions) != 3 {
		t.Fatalf("%d transactions", len(v.Transactions))
	}
	want := []struct {
		id, malo, reason string
		start            time.Time
		pos              int
	}{
		{"VG1", "51234567895", "E03", time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC), 6},
		{"VG2", "12345678905", "E01", time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), 11},
		{"VG3", "43000000000", "E03", time.Date(2027, 4, 30, 22, 0, 0, 0, time.UTC), 16},
	}
	for i, w := range want {
		tx := v.Transactions[i]
		malo, _ := tx.MaLo()
		st, _ := tx.Status(STSReason)
		start, _ := tx.Start()
		if tx.ID != w.id || malo != w.malo || st.Reasons[0].Value != w.reason || !start.Equal(w.start) || tx.Position != w.pos || tx.PID != "55001" {
			t.Errorf("tx %d: %+v", i, tx)
		}
		if err := ident.ValidateMaLo(malo); err != nil {
			t.Errorf("tx %d: %v", i, err)
		}
	}
}

func TestAnswer(t *testing.T) {
	v, err := View(parse(t, answer55002))
	if err != nil {
		t.Fatal(err)
	}
	tx := v.Transactions[0]
	st, ok := tx.Status(STSAnswer)
	code, ebd, aok := st.Answer()
	if !ok || !aok || code != "A51" || ebd != "E_0623" {
		t.Errorf("answer %+v %s %s", st, code, ebd)
	}
	if r, ok := tx.Reference("TN"); !ok || r.Value != "VG26112000001" || r.Position != 11 {
		t.Errorf("RFF+TN %+v", r)
	}
	if tx.PID != "55002" || catalog.CheckPID(catalog.UTILMD, v.Header.Sector, mustFV(t, "FV2610"), tx.PID) != catalog.PIDKnown {
		t.Errorf("PID %s", tx.PID)
	}
}

func TestErrors(t *testing.T) {
	broken := strings.NewReplacer(
		"NAD+MR+9900000000011::293'\n", "",
		"IDE+24+VG3'", "IDE+24+VG1'",
		"LOC+Z16+43000000000'\nRFF+Z13:55001'", "LOC+Z16+43000000000'",
	).Replace(bundle55001)
	broken = strings.Replace(broken, "DTM+92:202612312300?+00:303", "DTM+92:2026-12-31:303", 1)
	v, err := View(parse(t, broken))
	if v == nil || err == nil {
		t.Fatalf("view %v err %v", v, err)
	}
	var got []string
	for _, e := range unjoin(err) {
		var ue *Error
		if !errors.As(e, &ue) {
			t.Fatalf("not an *Error: %v", e)
		}
		if ue.MessageRef != "M1" {
			t.Errorf("message ref %q", ue.MessageRef)
		}
		got = append(got, ue.Tag+"+"+ue.Qualifier+"@"+strconv.Itoa(ue.Position)+":"+sentinel(ue.Err))
	}
	want := []string{
		"NAD+MR@0:missing",
		"DTM+92@11:invalid",
		"IDE+24@15:missing", // the second VG1 has no RFF+Z13
		"IDE+24@15:duplicate",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("errors\n got %v\nwant %v\n%v", got, want, err)
	}
	if !errors.Is(err, ErrDuplicate) || !errors.Is(err, ErrMissing) || !errors.Is(err, catalog.ErrDTMFormat) {
		t.Error("errors.Is through the join")
	}
	if len(v.Transactions) != 3 {
		t.Errorf("partial view has %d transactions", len(v.Transactions))
	}
	if !strings.Contains(err.Error(), "utilmd: message M1 segment 15 IDE+24: duplicate") {
		t.Errorf("message: %v", err)
	}
	if _, err := View(nil); !errors.Is(err, ErrNotUTILMD) {
		t.Error("nil message")
	}
}

func TestNotUTILMD(t *testing.T) {
	m := parse(t, strings.Replace(example55001, "UTILMD:D:11A:UN:S2.2", "MSCONS:D:04B:UN:2.5", 1))
	if v, err := View(m); v != nil || !errors.Is(err, ErrNotUTILMD) {
		t.Errorf("View(MSCONS) = %v, %v", v, err)
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func sentinel(err error) string {
	for _, s := range []error{ErrMissing, ErrInvalid, ErrDuplicate} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return err.Error()
}

func mustFV(t *testing.T, s string) fv.Version {
	t.Helper()
	v, err := fv.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const syntheticDir = "../../../../shared/testdata/edifact-synthetic"

// TestSynthetic: every synthetic UTILMD fixture yields a view whose
// transactions carry the fixture's RFF+Z13 values and whose sector matches
// the UNH version; the dummy values (seconds in DTM 303, placeholder ids)
// are reported as errors, never as a panic or a nil view.
func TestSynthetic(t *testing.T) {
	if _, err := os.Stat(syntheticDir); err != nil {
		t.Skipf("synthetic corpus absent at %s: %v", syntheticDir, err)
	}
	files, _ := filepath.Glob(filepath.Join(syntheticDir, "fv*", "utilmd", "*.edi"))
	if len(files) < 500 {
		t.Fatalf("only %d UTILMD fixtures", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		m := &ix.Messages[0]
		v, verr := View(m)
		if v == nil {
			t.Fatalf("%s: nil view: %v", f, verr)
		}
		for _, e := range unjoin(verr) {
			var ue *Error
			if verr != nil && !errors.As(e, &ue) {
				t.Errorf("%s: %v is not an *Error", f, e)
			}
		}
		var want []string
		for _, tx := range edifact.Transactions(m) {
			want = append(want, tx.PID)
		}
		var got []string
		for _, tx := range v.Transactions {
			got = append(got, tx.PID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: PIDs %v want %v", f, got, want)
		}
		if len(got) == 0 || got[0] == "" {
			if !errors.Is(verr, ErrMissing) {
				t.Errorf("%s: no PID but no ErrMissing", f)
			}
		}
		wantSector := catalog.Strom
		if strings.Contains(m.Header().Association, "G") {
			wantSector = catalog.Gas
		}
		if v.Header.Sector != wantSector {
			t.Errorf("%s: sector %v", f, v.Header.Sector)
		}
	}
}

func BenchmarkView55001(b *testing.B) {
	ix, err := edifact.Parse([]byte(example55001))
	if err != nil {
		b.Fatal(err)
	}
	m := &ix.Messages[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := View(m); err != nil {
			b.Fatal(err)
		}
	}
}
