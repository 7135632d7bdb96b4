package catalog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/fv"
)

const syntheticDir = "../../../../shared/testdata/edifact-synthetic"

func mustFV(t testing.TB, s string) fv.Version {
	t.Helper()
	v, err := fv.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUNHVersionTable checks every cell of edifact.md §7.2 as written there.
func TestUNHVersionTable(t *testing.T) {
	cols := []string{"FV2404", "FV2410", "FV2504", "FV2510", "FV2604", "FV2610"}
	rows := []struct {
		typ    string
		sector Sector
		s009   string // type:D:release:UN
		want   string // space-separated, one per column
	}{
		{UTILMD, Strom, "UTILMD:D:11A:UN", "S1.1a S1.1a S2.1 S2.1 S2.1 S2.2"},
		{UTILMD, Gas, "UTILMD:D:11A:UN", "G1.0a G1.0a G1.0a G1.0a G1.1 G1.2"},
		{MSCONS, SectorUnspecified, "MSCONS:D:04B:UN", "2.4c 2.4c 2.4c 2.4c 2.4c 2.5"},
		{APERAK, SectorUnspecified, "APERAK:D:07B:UN", "2.1h 2.1h 2.1i 2.1i 2.1i 2.2"},
		{CONTRL, SectorUnspecified, "CONTRL:D:3:UN", "2.0b 2.0b 2.0b 2.0b 2.0b 2.0b"},
		{IFTSTA, SectorUnspecified, "IFTSTA:D:18A:UN", "2.0e 2.0e 2.0f 2.0g 2.0g 2.1"},
		{INSRPT, SectorUnspecified, "INSRPT:D:10A:UN", "1.1a 1.1a 1.1a 1.1a 1.1a 1.1a"},
		{INVOIC, SectorUnspecified, "INVOIC:D:06A:UN", "2.8c 2.8c 2.8d 2.8e 2.8e 2.8e"},
		{REMADV, SectorUnspecified, "REMADV:D:05A:UN", "2.9c 2.9c 2.9c 2.9d 2.9e 2.9e"},
		{COMDIS, SectorUnspecified, "COMDIS:D:17A:UN", "1.0d 1.0d 1.0e 1.0f 1.0g 1.0g"},
		{ORDERS, SectorUnspecified, "ORDERS:D:09B:UN", "1.3 1.3 1.4a 1.4b 1.4b 1.4c"},
		{ORDRSP, SectorUnspecified, "ORDRSP:D:10A:UN", "1.3 1.3 1.4 1.4a 1.4b 1.4c"},
		{ORDCHG, SectorUnspecified, "ORDCHG:D:20B:UN", "1.1 1.1 1.1 1.1 1.1 1.2"},
		{QUOTES, SectorUnspecified, "QUOTES:D:10A:UN", "1.3 1.3 1.3a 1.3b 1.3b 1.3c"},
		{REQOTE, SectorUnspecified, "REQOTE:D:10A:UN", "1.3 1.3 1.3b 1.3c 1.3c 1.3c"},
		{PRICAT, SectorUnspecified, "PRICAT:D:20B:UN", "2.0c 2.0c 2.0d 2.0e 2.0e 2.1"},
		{PARTIN, SectorUnspecified, "PARTIN:D:20B:UN", "1.0d 1.0d 1.0e 1.0e 1.0f 1.1"},
		{UTILTS, SectorUnspecified, "UTILTS:D:18A:UN", "1.1c 1.1c 1.1e 1.1e 1.1e 1.1e"},
	}
	if len(rows) != len(unhTable) {
		t.Fatalf("test has %d rows, table %d", len(rows), len(unhTable))
	}
	for _, r := range rows {
		want := strings.Fields(r.want)
		for i, c := range cols {
			v := mustFV(t, c)
			got, ok := UNHVersion(r.typ, r.sector, v)
			if !ok || got != want[i] {
				t.Errorf("UNHVersion(%s,%v,%s) = %q,%v want %q", r.typ, r.sector, c, got, ok, want[i])
			}
			s, _ := UNHS009(r.typ, r.sector, v)
			if s.String() != r.s009+":"+want[i] {
				t.Errorf("UNHS009(%s,%s) = %s", r.typ, c, s)
			}
			if !UNHVersionValid(r.typ, r.sector, v, want[i]) {
				t.Errorf("UNHVersionValid(%s,%s,%s) = false", r.typ, c, want[i])
			}
			if !slices.Contains(UNHVersionFVs(r.typ, r.sector, want[i]), v) {
				t.Errorf("UNHVersionFVs(%s,%s) lacks %s", r.typ, want[i], c)
			}
		}
	}
}

func TestUNHEdges(t *testing.T) {
	if _, ok := UNHVersion(UTILMD, SectorUnspecified, mustFV(t, "FV2610")); ok {
		t.Error("UTILMD needs a sector")
	}
	if _, ok := UNHVersion(MSCONS, SectorUnspecified, mustFV(t, "FV2310")); ok {
		t.Error("FV2310 is outside the §7.2 table")
	}
	if _, ok := UNHVersion("FOOBAR", SectorUnspecified, mustFV(t, "FV2610")); ok {
		t.Error("unknown type")
	}
	// §7.3: S2.1 spans FV2504, FV2510, FV2604.
	got := UNHVersionFVs(UTILMD, SectorUnspecified, "S2.1")
	want := []fv.Version{mustFV(t, "FV2504"), mustFV(t, "FV2510"), mustFV(t, "FV2604")}
	if !slices.Equal(got, want) {
		t.Errorf("UNHVersionFVs(S2.1) = %v", got)
	}
	// §13 worked example: S2.2 valid in FV2610, S2.1 not.
	if !UNHVersionValid(UTILMD, SectorUnspecified, mustFV(t, "FV2610"), "S2.2") ||
		UNHVersionValid(UTILMD, SectorUnspecified, mustFV(t, "FV2610"), "S2.1") {
		t.Error("FV2610 UTILMD S2.2 / S2.1")
	}
	if UNHVersionFVs(UTILMD, SectorUnspecified, "S1.2A") != nil {
		t.Error("S1.2A (§7.2 footnote 1) is no valid version")
	}
	if s, _ := UNHS009(REMADV, SectorUnspecified, mustFV(t, "FV2510")); !s.Inferred {
		t.Error("REMADV 2.9d in FV2510 is marked inferred (footnote ²)")
	}
	if s, _ := UNHS009(REMADV, SectorUnspecified, mustFV(t, "FV2604")); s.Inferred {
		t.Error("REMADV FV2604 is not inferred")
	}
	if v, r, ok := UNHRelease(CONTRL); !ok || v != "D" || r != "3" {
		t.Errorf("UNHRelease(CONTRL) = %s %s %v", v, r, ok)
	}
	for _, tc := range []struct {
		in   string
		want Sector
		ok   bool
	}{{"S2.2", Strom, true}, {"G1.2", Gas, true}, {"s1.2A", Strom, true}, {"5.2", SectorUnspecified, false}, {"", SectorUnspecified, false}} {
		if s, ok := SectorFromUTILMDVersion(tc.in); s != tc.want || ok != tc.ok {
			t.Errorf("SectorFromUTILMDVersion(%q) = %v,%v", tc.in, s, ok)
		}
	}
	if len(MessageTypes()) != 17 {
		t.Errorf("MessageTypes: %d", len(MessageTypes()))
	}
}

// TestPIDPrefixes checks every cell of edifact.md §6.2.
func TestPIDPrefixes(t *testing.T) {
	fv2604, fv2210 := mustFV(t, "FV2604"), mustFV(t, "FV2210")
	for _, tc := range []struct {
		pid    string
		v      fv.Version
		typ    string
		sector Sector
		ok     bool
	}{
		{"11001", fv2210, UTILMD, SectorUnspecified, true},
		{"11001", fv2604, "", SectorUnspecified, false},
		{"13002", fv2604, MSCONS, 0, true},
		{"15001", fv2604, QUOTES, 0, true},
		{"17001", fv2604, ORDERS, 0, true},
		{"19001", fv2604, ORDRSP, 0, true},
		{"21000", fv2604, IFTSTA, 0, true},
		{"23001", fv2604, INSRPT, 0, true},
		{"25001", fv2604, UTILTS, 0, true},
		{"27001", fv2604, PRICAT, 0, true},
		{"29001", fv2604, COMDIS, 0, true},
		{"31001", fv2604, INVOIC, 0, true},
		{"33001", fv2604, REMADV, 0, true},
		{"35001", fv2604, REQOTE, 0, true},
		{"37001", fv2604, PARTIN, 0, true},
		{"39001", fv2604, ORDCHG, 0, true},
		{"44001", fv2604, UTILMD, Gas, true},
		{"44001", fv2210, "", 0, false},
		{"55001", fv2604, UTILMD, Strom, true},
		{"55001", fv.Version{}, UTILMD, Strom, true},
		{"99001", fv2604, "", 0, false}, // tooling convention only
		{"91001", fv2604, "", 0, false},
		{"05500", fv2604, "", 0, false},
		{"5500", fv2604, "", 0, false},
		{"5500a", fv2604, "", 0, false},
	} {
		typ, sec, ok := PIDMessageType(tc.pid, tc.v)
		if typ != tc.typ || sec != tc.sector || ok != tc.ok {
			t.Errorf("PIDMessageType(%s,%s) = %s,%v,%v", tc.pid, tc.v, typ, sec, ok)
		}
	}
}

// TestPIDScope checks edifact.md §6.1.
func TestPIDScope(t *testing.T) {
	want := map[string]Scope{
		UTILMD: ScopeTransaction, UTILTS: ScopeTransaction, IFTSTA: ScopeTransaction, INSRPT: ScopeTransaction,
		MSCONS: ScopeMessage, INVOIC: ScopeMessage, ORDERS: ScopeMessage, ORDRSP: ScopeMessage, ORDCHG: ScopeMessage,
		PARTIN: ScopeMessage, PRICAT: ScopeMessage, QUOTES: ScopeMessage, REQOTE: ScopeMessage,
		COMDIS: ScopeMessage, REMADV: ScopeMessage, APERAK: ScopeNone, CONTRL: ScopeNone, "XXX": ScopeNone,
	}
	for typ, s := range want {
		if got := PIDScope(typ); got != s {
			t.Errorf("PIDScope(%s) = %v want %v", typ, got, s)
		}
	}
	for typ, tag := range map[string]string{UTILMD: "IDE", UTILTS: "IDE", IFTSTA: "CNI", INSRPT: "DOC", MSCONS: ""} {
		if p, _ := PlacementOf(typ); p.TransactionTag != tag {
			t.Errorf("PlacementOf(%s).TransactionTag = %q", typ, p.TransactionTag)
		}
	}
}

// TestPIDListsAgainstReference: the §8 counts, the §9 PIDs and the §8 FV2610 changes.
func TestPIDListsAgainstReference(t *testing.T) {
	f2604, f2610 := mustFV(t, "FV2604"), mustFV(t, "FV2610")
	// §8 FV2604 counts; documented deltas are in pids_fixture.go.
	counts := map[string]int{
		"UTILMD/Strom": 187, "ORDRSP": 40, "ORDCHG": 3, "IFTSTA": 35, "INSRPT": 8, "UTILTS": 8,
		"REQOTE": 5, "QUOTES": 5, "INVOIC": 11, "REMADV": 4, "COMDIS": 2, "PRICAT": 3, "PARTIN": 14,
		"UTILMD/Gas": 95, "ORDERS": 50, "MSCONS": 26, // §8: 88, 46, 25 ("#nv" columns, 13024 withdrawn)
	}
	for k, n := range counts {
		typ, sec := k, SectorUnspecified
		switch k {
		case "UTILMD/Strom":
			typ, sec = UTILMD, Strom
		case "UTILMD/Gas":
			typ, sec = UTILMD, Gas
		}
		if got := len(PIDsForSector(typ, sec, f2604)); got != n {
			t.Errorf("FV2604 %s: %d PIDs, want %d", k, got, n)
		}
	}
	// §8 FV2610: Strom 187 -> 189 (+55693/55694), Gas +44183, ORDERS -17003/17011.
	if n := len(PIDsForSector(UTILMD, Strom, f2610)); n != 189 {
		t.Errorf("FV2610 UTILMD Strom: %d, want 189", n)
	}
	for _, p := range []string{"55693", "55694", "44183"} {
		if !KnownPID(UTILMD, f2610, p) || KnownPID(UTILMD, f2604, p) {
			t.Errorf("%s: new in FV2610", p)
		}
	}
	for _, p := range []string{"17003", "17011"} {
		if KnownPID(ORDERS, f2610, p) || !KnownPID(ORDERS, f2604, p) {
			t.Errorf("%s: dropped in FV2610", p)
		}
	}
	// Every PID §9 names individually must be in the FV2604 list (and FV2610
	// unless §8 drops it).
	for _, n := range pidNames {
		if n.to != "" {
			continue
		}
		if !KnownPID(n.typ, f2604, n.from) {
			t.Errorf("§9 %s %s (%s) missing from the FV2604 list", n.typ, n.from, n.name)
		}
		if !KnownPID(n.typ, f2610, n.from) && !slices.Contains(fv2610Changes.drop[n.typ], n.from) {
			t.Errorf("§9 %s %s missing from FV2610", n.typ, n.from)
		}
	}
	// The GPKE set the issue requires for FV2604 and FV2610.
	gpke := []string{"55001", "55002", "55003", "55004", "55005", "55006", "55007", "55008", "55009",
		"55010", "55011", "55012", "55013", "55014", "55015", "55016", "55017", "55018", "55022", "55023",
		"55024", "55077", "55078", "55080"}
	for _, v := range []fv.Version{f2604, f2610} {
		for _, p := range gpke {
			if CheckPID(UTILMD, Strom, v, p) != PIDKnown {
				t.Errorf("%s %s not known", v, p)
			}
		}
	}
	// Lists are sorted (BinarySearch) and every PID fits its type's prefix.
	for fvs, m := range fixturePIDs {
		for typ, l := range m {
			if !slices.IsSorted(l) {
				t.Errorf("%s %s not sorted", fvs, typ)
			}
			for _, p := range l {
				if got, _, _ := PIDMessageType(p, mustFV(t, fvs)); got != typ {
					t.Errorf("%s %s: %s has prefix of %s", fvs, typ, p, got)
				}
			}
		}
	}
}

func TestCheckPID(t *testing.T) {
	f2610, f2504 := mustFV(t, "FV2610"), mustFV(t, "FV2504")
	for _, tc := range []struct {
		typ    string
		sector Sector
		v      fv.Version
		pid    string
		want   PIDStatus
	}{
		{UTILMD, Strom, f2610, "55001", PIDKnown},
		{UTILMD, Strom, f2610, "55999", PIDUnknown}, // §13 example 3
		{UTILMD, Strom, f2610, "44001", PIDUnknown}, // Gas PID in a Strom message
		{UTILMD, Gas, f2610, "44001", PIDKnown},
		{UTILMD, SectorUnspecified, f2610, "44001", PIDKnown},
		{UTILMD, Strom, f2504, "55001", PIDUndetermined}, // no list for FV2504
		{UTILMD, Strom, f2504, "13002", PIDUnknown},      // prefix of MSCONS
		{MSCONS, SectorUnspecified, f2610, "13017", PIDKnown},
		{MSCONS, SectorUnspecified, f2610, "55001", PIDUnknown},
		{APERAK, SectorUnspecified, f2610, "99001", PIDUnknown},
		{UTILMD, Strom, f2610, "", PIDUnknown},
		{UTILMD, Strom, f2610, "5500", PIDUnknown},
	} {
		if got := CheckPID(tc.typ, tc.sector, tc.v, tc.pid); got != tc.want {
			t.Errorf("CheckPID(%s,%v,%s,%q) = %v want %v", tc.typ, tc.sector, tc.v, tc.pid, got, tc.want)
		}
	}
	if PIDCoverage(UTILMD, f2504) != CoverageNone || PIDCoverage(UTILMD, f2610) != CoverageComplete {
		t.Error("coverage")
	}
	if PIDListSource(f2504) != "" || PIDListSource(f2610) == "" {
		t.Error("source")
	}
	// Copies: modifying the result does not change the catalog.
	l := PIDs(UTILMD, f2610)
	l[0] = "00000"
	if PIDs(UTILMD, f2610)[0] == "00000" {
		t.Error("PIDs returned shared storage")
	}
}

func TestDescribePID(t *testing.T) {
	for _, tc := range []struct {
		pid, name, role, section string
	}{
		{"55001", "Anmeldung verbrauchende MaLo (AHB 8.2)", "request", "§9.1"},
		{"55003", "Anmeldung verbrauchende MaLo (AHB 8.2)", "rejection", "§9.1"},
		{"55080", "Anmeldung erzeugende MaLo (AHB 8.3)", "rejection", "§9.1"},
		{"55011", "Anfrage Beendigung der Zuordnung (AHB 8.8)", "confirmation", "§9.1"},
		{"44001", "Anmeldung NN", "request", "§9.2"},
		{"21029", "iMS-Ersteinbau", "", "§9.3"},
		{"21010", "Geräte-/Auftragsstatus", "", "§9.3"},
		{"13017", "Zählerstand Strom (UNB 0026 = VL)", "", "§9.5"},
		{"55200", "Clearinglisten, Aktivierungen AAÜZ/LF-AASZR", "", "§9.4"},
	} {
		info, ok := DescribePID(tc.pid)
		if !ok || info.Name != tc.name || info.Role != tc.role || info.Section != tc.section {
			t.Errorf("DescribePID(%s) = %+v,%v", tc.pid, info, ok)
		}
	}
	// 44114 is inside the §9.2 range 44109–44182 but no PID.
	if _, ok := DescribePID("44114"); ok {
		t.Error("44114 is no PID")
	}
	if info, _ := DescribePID("44001"); info.Sector != Gas || info.Type != UTILMD {
		t.Errorf("44001: %+v", info)
	}
	named := NamedPIDs()
	if !slices.IsSortedFunc(named, func(a, b PIDInfo) int { return strings.Compare(a.PID, b.PID) }) || len(named) < 150 {
		t.Errorf("NamedPIDs: %d entries", len(named))
	}
}

func TestBGMCodes(t *testing.T) {
	if n := len(BGMCodes(UTILMD)); n != 20 {
		t.Errorf("UTILMD BGM codes: %d, want 20 (§6.4)", n)
	}
	if n := len(BGMCodes(MSCONS)); n != 24 {
		t.Errorf("MSCONS BGM codes: %d, want 24 (§6.4)", n)
	}
	for _, tc := range []struct{ typ, code, text string }{
		{UTILMD, "E01", "Anmeldung"}, {UTILMD, "E35", "Kündigung"}, {UTILMD, "Z71", "Zuordnung ZP NGZ→NZR"},
		{MSCONS, "270", ""}, {APERAK, "312", "Anerkennungsmeldung"}, {APERAK, "313", "Anwendungssystemfehlermeldung"},
	} {
		c, ok := BGMCode(tc.typ, tc.code)
		if !ok || c.Text != tc.text {
			t.Errorf("BGMCode(%s,%s) = %+v,%v", tc.typ, tc.code, c, ok)
		}
	}
	if _, ok := BGMCode(UTILMD, "312"); ok {
		t.Error("312 is no UTILMD code")
	}
}

// TestContrlLevels checks edifact.md §10.3.
func TestContrlLevels(t *testing.T) {
	want := map[Level]string{
		LevelUCI: "2 7 12 13 16 20 21 23 25 26 28 29 32",
		LevelUCM: "12 13 16 21 22 26 28 29 39",
		LevelUCS: "13 15 16 22 35 36",
		LevelUCD: "12 13 16 19 21 22 37 38 39 40",
	}
	for l, w := range want {
		if got := strings.Join(ContrlCodes(l), " "); got != w {
			t.Errorf("%v: %s want %s", l, got, w)
		}
		for _, c := range strings.Fields(w) {
			if _, ok := ContrlCodeText(c); !ok {
				t.Errorf("no text for %s", c)
			}
		}
	}
	// §2 / §3 check tables use these codes at these levels.
	for _, tc := range []struct {
		l    Level
		code string
		ok   bool
	}{
		{LevelUCI, ContrlSyntaxNotSupported, true}, {LevelUCI, ContrlNotRecipient, true},
		{LevelUCI, ContrlUnknownSender, true}, {LevelUCI, ContrlTestNotSupported, true},
		{LevelUCI, ContrlDuplicate, true}, {LevelUCI, ContrlReferenceMismatch, true},
		{LevelUCI, ContrlCountMismatch, true}, {LevelUCI, ContrlLowerLevelEmpty, true},
		{LevelUCM, ContrlCountMismatch, true}, {LevelUCM, ContrlTooLong, true},
		{LevelUCD, ContrlInvalidValue, true}, {LevelUCS, ContrlMissing, true},
		{LevelUCI, ContrlInvalidServiceChar, false}, {LevelUCS, ContrlInvalidValue, false},
		{Level(9), ContrlMissing, false},
	} {
		if got := ContrlCodeAllowed(tc.l, tc.code); got != tc.ok {
			t.Errorf("ContrlCodeAllowed(%v,%s) = %v", tc.l, tc.code, got)
		}
	}
	if len(AllContrlCodes()) != 22 {
		t.Errorf("AllContrlCodes: %d", len(AllContrlCodes()))
	}
}

// TestERC checks edifact.md §11.5 and the FTX+Z02 rule of §11.4.
func TestERC(t *testing.T) {
	codes := ERCCodes()
	if len(codes) != 27 {
		t.Fatalf("ERC codes: %d, want 27", len(codes))
	}
	loc := []string{"Z21", "Z29", "Z35", "Z38", "Z39", "Z40", "Z41"}
	for _, e := range codes {
		if got := ERCRequiresLocation(e.Code); got != slices.Contains(loc, e.Code) {
			t.Errorf("%s RequiresLocation = %v", e.Code, got)
		}
		if !e.Initial && !e.Folge {
			t.Errorf("%s: no process", e.Code)
		}
	}
	for _, tc := range []struct {
		code      string
		kind      ERCKind
		ini, folg bool
	}{
		{"Z10", ERCZuordnungObjekt, false, true}, {"Z14", ERCZuordnungObjekt, true, false},
		{"Z16", ERCZuordnungObjekt, true, true}, {"Z27", ERCUebernahme, false, true},
		{"Z33", ERCZuordnungGeschaeftsvorfall, false, true}, {"Z43", ERCObjekteigenschaft, false, true},
		{"Z29", ERCAHB, true, true}, {"Z21", ERCAHB, false, true},
	} {
		e, ok := LookupERC(tc.code)
		if !ok || e.Kind != tc.kind || e.Initial != tc.ini || e.Folge != tc.folg {
			t.Errorf("LookupERC(%s) = %+v", tc.code, e)
		}
	}
	if e, _ := LookupERC("Z16"); !e.RequiresSuccessorNB {
		t.Error("Z16 needs RFF+Z08")
	}
	if _, ok := LookupERC("Z99"); ok || ERCRequiresLocation("Z99") {
		t.Error("Z99")
	}
}

var unhRe = regexp.MustCompile(`UNH\+[^+']*\+([A-Z]+):D:([0-9A-Z]+):UN:([^+']+)`)
var pidRe = regexp.MustCompile(`RFF\+Z13:([0-9]+)`)

// TestSyntheticCorpus: every synthetic file's UNH version is the §7.2 value
// for its folder's FV, and every RFF+Z13 in it is known for that FV.
func TestSyntheticCorpus(t *testing.T) {
	if _, err := os.Stat(syntheticDir); err != nil {
		t.Skipf("synthetic corpus absent at %s: %v", syntheticDir, err)
	}
	files, _ := filepath.Glob(filepath.Join(syntheticDir, "fv*", "*", "*.edi"))
	if len(files) < 900 {
		t.Fatalf("only %d synthetic files", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(syntheticDir, f)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		v := mustFV(t, strings.ToUpper(parts[0]))
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := unhRe.FindSubmatch(b)
		if m == nil {
			t.Errorf("%s: no UNH", rel)
			continue
		}
		typ, release, assoc := string(m[1]), string(m[2]), string(m[3])
		if typ != strings.ToUpper(parts[1]) {
			t.Errorf("%s: UNH type %s", rel, typ)
		}
		if _, r, _ := UNHRelease(typ); r != release {
			t.Errorf("%s: release %s, catalog %s", rel, release, r)
		}
		if !UNHVersionValid(typ, SectorUnspecified, v, assoc) {
			t.Errorf("%s: UNH version %s not valid for %s %s", rel, assoc, typ, v)
		}
		sector, _ := SectorFromUTILMDVersion(assoc)
		if typ != UTILMD {
			sector = SectorUnspecified
		}
		for _, pm := range pidRe.FindAllSubmatch(b, -1) {
			pid := string(pm[1])
			if st := CheckPID(typ, sector, v, pid); st != PIDKnown {
				t.Errorf("%s: RFF+Z13:%s is %v for %s %s", rel, pid, st, typ, v)
			}
		}
		name := strings.TrimSuffix(parts[2], ".edi")
		if ValidPIDFormat(name) && !KnownPID(typ, v, name) {
			t.Errorf("%s: file PID not in list", rel)
		}
		if PIDScope(typ) == ScopeNone && bytes.Contains(b, []byte("RFF+Z13")) {
			t.Errorf("%s: %s carries RFF+Z13", rel, typ)
		}
	}
}

// TestParseDTM uses the values of edifact.md §4 and §13.
func TestParseDTM(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	for _, tc := range []struct {
		value, format string
		start, end    time.Time
		off           int
		dur           string
		bad           bool
	}{
		{value: "202611232300+00", format: "303", start: utc(2026, 11, 23, 23, 0)}, // §4: 24.11.2026 00:00 CET
		{value: "202611200915+00", format: "303", start: utc(2026, 11, 20, 9, 15)},
		{value: "202611240000+01", format: "303", start: utc(2026, 11, 23, 23, 0), off: 1},
		{value: "20261124", format: "102", start: utc(2026, 11, 24, 0, 0)},
		{value: "202611", format: "610", start: utc(2026, 11, 1, 0, 0)},
		{value: "2026", format: "602", start: utc(2026, 1, 1, 0, 0)},
		{value: "202611232300202612312300", format: "719", start: utc(2026, 11, 23, 23, 0), end: utc(2026, 12, 31, 23, 0)},
		{value: "30TM", format: "Z01", dur: "30TM"},
		{value: "202611232300", format: "303", bad: true},
		{value: "202613232300+00", format: "303", bad: true},
		{value: "202611232300?+00", format: "303", bad: true}, // still escaped
		{value: "2026112", format: "102", bad: true},
		{value: "20261124", format: "999", bad: true},
		{value: "", format: "Z01", bad: true},
	} {
		got, err := ParseDTM(tc.value, tc.format)
		if tc.bad {
			if !errors.Is(err, ErrDTMFormat) {
				t.Errorf("ParseDTM(%q,%s) = %+v, %v; want error", tc.value, tc.format, got, err)
			}
			continue
		}
		if err != nil || !got.Start.Equal(tc.start) || !got.End.Equal(tc.end) || got.OffsetHours != tc.off || got.Duration != tc.dur {
			t.Errorf("ParseDTM(%q,%s) = %+v, %v", tc.value, tc.format, got, err)
		}
	}
	if s := FormatDTM303(time.Date(2026, 11, 20, 10, 31, 0, 0, time.FixedZone("CET", 3600))); s != "202611200931+00" {
		t.Errorf("FormatDTM303 = %s", s)
	}
}

// FuzzParseDTM: no panic; a parsed 303 value formats back to itself when
// its offset is +00.
func FuzzParseDTM(f *testing.F) {
	for _, s := range []string{"202611232300+00", "20261124", "202611", "2026", "202611232300202612312300", "30TM", ""} {
		for _, format := range []string{"303", "102", "610", "602", "719", "Z01"} {
			f.Add(s, format)
		}
	}
	f.Fuzz(func(t *testing.T, value, format string) {
		d, err := ParseDTM(value, format)
		if err != nil {
			if !errors.Is(err, ErrDTMFormat) {
				t.Fatalf("%v", err)
			}
			return
		}
		if format == DTMFormat303 && d.OffsetHours == 0 && value[12] == '+' && FormatDTM303(d.Start) != value {
			t.Fatalf("%q -> %v -> %q", value, d.Start, FormatDTM303(d.Start))
		}
	})
}
