package ident

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func wantErr(t *testing.T, name, in string, err, sentinel error) {
	t.Helper()
	if sentinel == nil {
		if err != nil {
			t.Errorf("%s(%q) = %v, want nil", name, in, err)
		}
		return
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("%s(%q) = %v, want %v", name, in, err, sentinel)
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Value != in {
		t.Errorf("%s(%q): error %v is not an *Error naming the value", name, in, err)
	}
}

// TestMaLoReference: edifact.md §13 uses MaLo 51234567895 "with a valid check digit";
// §5 gives the algorithm.
func TestMaLoReference(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err error
	}{
		{"51234567895", nil}, // edifact.md §13
		{"51234567890", ErrCheckDigit},
		{"51234567894", ErrCheckDigit},
		{"5123456789", ErrLength},
		{"512345678950", ErrLength},
		{"", ErrEmpty},
		{"5123456789X", ErrCharacter},
		{"DE012345678", ErrCharacter},
		{"01234567895", ErrPrefix},
	} {
		wantErr(t, "ValidateMaLo", tc.in, ValidateMaLo(tc.in), tc.err)
	}
	if c, err := MaLoCheckDigit("5123456789"); err != nil || c != '5' {
		t.Errorf("MaLoCheckDigit(5123456789) = %c, %v", c, err)
	}
	// Worked through by hand from the §5 rule: odd 1+3+5+7+9=25, even 2*(2+4+6+8+0)=40,
	// 65 -> 70: check 5.
	if c, _ := MaLoCheckDigit("1234567890"); c != '5' {
		t.Errorf("MaLoCheckDigit(1234567890) = %c", c)
	}
	// Sum a multiple of 10 -> check digit 0 ("10 -> 0").
	if c, _ := MaLoCheckDigit("1000000000"); c != '9' {
		t.Errorf("MaLoCheckDigit(1000000000) = %c", c)
	}
	if c, _ := MaLoCheckDigit("5500000000"); c != '5' {
		t.Errorf("MaLoCheckDigit(5500000000) = %c", c) // 5 + 2*5 = 15 -> 5
	}
	if c, _ := MaLoCheckDigit("4300000000"); c != '0' {
		t.Errorf("MaLoCheckDigit(4300000000) = %c", c) // 4 + 2*3 = 10 -> 0
	}
	if _, err := MaLoCheckDigit("12345"); !errors.Is(err, ErrLength) {
		t.Error(err)
	}
	if _, err := MaLoCheckDigit("12345x7890"); !errors.Is(err, ErrCharacter) {
		t.Error(err)
	}
	var e *Error
	if errors.As(ValidateMaLo("51234567890"), &e); e == nil || e.Want != '5' || e.Got != '0' || e.Type != TypeMaLo {
		t.Errorf("check digit error: %+v", e)
	}
	if !strings.Contains(ValidateMaLo("51234567890").Error(), "want 5, got 0") {
		t.Error(ValidateMaLo("51234567890"))
	}
}

// TestMaLoGenerated: computed check digits round-trip, and every single-digit
// substitution the weights can detect is detected.
func TestMaLoGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		b := []byte(fmt.Sprintf("%d%09d", 1+r.IntN(9), r.IntN(1_000_000_000)))
		c, err := MaLoCheckDigit(string(b))
		if err != nil {
			t.Fatal(err)
		}
		id := string(append(b, c))
		if err := ValidateMaLo(id); err != nil {
			t.Fatalf("generated %s: %v", id, err)
		}
		// Substitute one digit by another. Odd positions weigh 1, so any
		// change is detected; even positions weigh 2, so a change by 5 is
		// invisible (2*5 = 10) — a property of the §5 algorithm.
		pos := r.IntN(11)
		delta := 1 + r.IntN(9)
		if pos%2 == 1 && pos < 10 && delta == 5 {
			delta = 4
		}
		m := []byte(id)
		m[pos] = byte('0' + (int(m[pos]-'0')+delta)%10)
		if pos == 0 && m[0] == '0' {
			continue
		}
		if err := ValidateMaLo(string(m)); !errors.Is(err, ErrCheckDigit) {
			t.Fatalf("mutation %s of %s not detected: %v", m, id, err)
		}
	}
}

// TestMPIDReference: edifact.md §13's MP-IDs carry valid check digits; §5
// names the GS1 mod-10 check.
func TestMPIDReference(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind MPIDKind
		err  error
	}{
		{"9900000000004", MPIDBDEW, nil}, // §13 LF
		{"9900000000011", MPIDBDEW, nil}, // §13 NB
		{"9900000000005", MPIDBDEW, ErrCheckDigit},
		{"9800000000007", MPIDDVGW, nil}, // 9*1 + 8*3 = 33 -> 7
		{"9800000000006", MPIDDVGW, ErrCheckDigit},
		{"4012345000009", MPIDGLN, nil},
		{"4012345000008", MPIDGLN, ErrCheckDigit},
		{"990000000000", MPIDUnknown, ErrLength},
		{"99000000000O4", MPIDUnknown, ErrCharacter},
		{"", MPIDUnknown, ErrEmpty},
	} {
		in := tc.in
		kind, err := ClassifyMPID(in)
		wantErr(t, "ClassifyMPID", in, err, tc.err)
		if kind != tc.kind {
			t.Errorf("ClassifyMPID(%q) kind %v want %v", in, kind, tc.kind)
		}
	}
	// GS1 check digit of the §13 ids computed from first principles.
	for in, want := range map[string]byte{"990000000000": '4', "990000000001": '1', "401234500000": '9', "000000000000": '0'} {
		if c, err := GS1CheckDigit(in); err != nil || c != want {
			t.Errorf("GS1CheckDigit(%s) = %c,%v want %c", in, c, err, want)
		}
	}
	if err := ValidateMPID("9900000000005", WithoutCodeNumberCheckDigit()); err != nil {
		t.Errorf("option: %v", err)
	}
	if err := ValidateMPID("4012345000008", WithoutCodeNumberCheckDigit()); !errors.Is(err, ErrCheckDigit) {
		t.Errorf("GLN always checked: %v", err)
	}
	for _, tc := range []struct {
		k           MPIDKind
		cl, nad, sv string
	}{{MPIDBDEW, "500", "293", "BDEW"}, {MPIDDVGW, "502", "332", "DVGW"}, {MPIDGLN, "14", "9", "GLN"}, {MPIDUnknown, "", "", "unknown"}} {
		if tc.k.CodeList() != tc.cl || tc.k.NADAgency() != tc.nad || tc.k.String() != tc.sv {
			t.Errorf("%v: %s %s", tc.k, tc.k.CodeList(), tc.k.NADAgency())
		}
		if tc.k != MPIDUnknown {
			if k, ok := MPIDKindForCode(tc.cl); !ok || k != tc.k {
				t.Errorf("MPIDKindForCode(%s)", tc.cl)
			}
			if k, ok := MPIDKindForCode(tc.nad); !ok || k != tc.k {
				t.Errorf("MPIDKindForCode(%s)", tc.nad)
			}
		}
	}
	if _, ok := MPIDKindForCode("501"); ok {
		t.Error("501")
	}
}

func TestMPIDGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 2000; n++ {
		base := fmt.Sprintf("%012d", r.Int64N(1_000_000_000_000))
		c, err := GS1CheckDigit(base)
		if err != nil {
			t.Fatal(err)
		}
		id := base + string(c)
		if err := ValidateMPID(id); err != nil {
			t.Fatalf("generated %s: %v", id, err)
		}
		// GS1 weights 1 and 3 detect every single-digit substitution.
		m := []byte(id)
		pos := r.IntN(13)
		m[pos] = byte('0' + (int(m[pos]-'0')+1+r.IntN(9))%10)
		if err := ValidateMPID(string(m)); !errors.Is(err, ErrCheckDigit) {
			t.Fatalf("mutation %s of %s not detected: %v", m, id, err)
		}
	}
}

// TestEIC: published EICs of control areas / bidding zones (ENTSO-E registry;
// not in edifact.md).
func TestEIC(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err error
	}{
		{"10YDE-RWENET---I", nil},
		{"10YDE-EON------1", nil},
		{"10YDE-VE-------2", nil},
		{"10YDE-ENBW-----N", nil},
		{"10Y1001A1001A83F", nil},
		{"10YCB-GERMANY--8", nil},
		{"10YAT-APG------L", nil},
		{"10YFR-RTE------C", nil},
		{"0000000000000000", nil}, // sum 0: (0-1) mod 37 = 36 -> '0' (fuzz regression)
		{"10YDE-RWENET---J", ErrCheckDigit},
		{"10YDE-RWENET---", ErrLength},
		{"10Yde-RWENET---I", ErrCharacter},
		{"10YDE-RWENET----", ErrCharacter},
		{"", ErrEmpty},
	} {
		wantErr(t, "ValidateEIC", tc.in, ValidateEIC(tc.in), tc.err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	generated := 0
	for generated < 1000 {
		b := make([]byte, 15)
		for i := range b {
			b[i] = eicAlphabet[r.IntN(37)]
		}
		c, err := EICCheckChar(string(b))
		if errors.Is(err, ErrCheckDigit) {
			continue // '-' check: no valid EIC with this base
		}
		if err != nil {
			t.Fatal(err)
		}
		id := string(b) + string(c)
		if err := ValidateEIC(id); err != nil {
			t.Fatalf("generated %s: %v", id, err)
		}
		// mod 37 with weights 2..16 detects every substitution in the body.
		m := []byte(id)
		pos := r.IntN(15)
		m[pos] = eicAlphabet[(eicValue(m[pos])+1+r.IntN(36))%37]
		if err := ValidateEIC(string(m)); err == nil {
			t.Fatalf("mutation %s of %s not detected", m, id)
		}
		generated++
	}
}

func TestOBIS(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want OBIS
		err  error
	}{
		{"1-0:1.8.0", OBIS{A: 1, C: 1, D: 8}, nil},
		{"1-1:1.29.0", OBIS{A: 1, B: 1, C: 1, D: 29}, nil},
		{"7-20:3.0.0", OBIS{A: 7, B: 20, C: 3}, nil},
		{"1-0:2.8.1*255", OBIS{A: 1, C: 2, D: 8, E: 1, F: 255, HasF: true}, nil},
		{"1-0:1.8", OBIS{}, ErrLength},
		{"1-0?:1.8.0", OBIS{}, ErrCharacter}, // still escaped
		{"1-0:1.8.0*", OBIS{}, ErrLength},
		{"1-0:256.8.0", OBIS{}, ErrRange},
		{"1-0:1000.8.0", OBIS{}, ErrRange},
		{"1-0:1.8.0x", OBIS{}, ErrCharacter},
		{"1-0:C.8.0", OBIS{}, ErrCharacter},
		{"", OBIS{}, ErrEmpty},
	} {
		got, err := ParseOBIS(tc.in)
		wantErr(t, "ParseOBIS", tc.in, err, tc.err)
		if tc.err == nil {
			if got != tc.want || got.String() != tc.in {
				t.Errorf("ParseOBIS(%q) = %+v (%s)", tc.in, got, got)
			}
		}
	}
}

func TestLocations(t *testing.T) {
	melo := "DE00056266802AO6G56M11SN51G21M24S"
	for _, tc := range []struct {
		in   string
		typ  Type
		fn   func(string) error
		err  error
		name string
	}{
		{melo, TypeMeLo, ValidateMeLo, nil, "ValidateMeLo"},
		{"AT" + melo[2:], TypeUnknown, ValidateMeLo, ErrPrefix, "ValidateMeLo"},
		{melo[:32], TypeUnknown, ValidateMeLo, ErrLength, "ValidateMeLo"},
		{"DE00056266802ao6G56M11SN51G21M24S", TypeMeLo, ValidateMeLo, ErrCharacter, "ValidateMeLo"},
		{"E1234567890", TypeNeLo, ValidateNeLo, nil, "ValidateNeLo"},
		{"D1234567890", TypeTechnischeRessource, ValidateTechnischeRessource, nil, "ValidateTechnischeRessource"},
		{"C1234567890", TypeSteuerbareRessource, ValidateSteuerbareRessource, nil, "ValidateSteuerbareRessource"},
		{"D1234567890", TypeTechnischeRessource, ValidateNeLo, ErrPrefix, "ValidateNeLo"},
		{"E12345678-0", TypeNeLo, ValidateNeLo, ErrCharacter, "ValidateNeLo"},
		{"E123456789", TypeUnknown, ValidateNeLo, ErrLength, "ValidateNeLo"},
		{"51234567895", TypeMaLo, ValidateMaLo, nil, "ValidateMaLo"},
	} {
		wantErr(t, tc.name, tc.in, tc.fn(tc.in), tc.err)
		typ, _ := ClassifyLocation(tc.in)
		if typ != tc.typ {
			t.Errorf("ClassifyLocation(%q) = %v want %v", tc.in, typ, tc.typ)
		}
	}
	if _, err := ClassifyLocation("51234567890"); !errors.Is(err, ErrCheckDigit) {
		t.Errorf("ClassifyLocation validates: %v", err)
	}
	if typ, err := ClassifyLocation("X"); typ != TypeUnknown || err == nil {
		t.Error("X")
	}
}

var sink error

func BenchmarkValidateMaLo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = ValidateMaLo("51234567895")
	}
}

func BenchmarkValidateMPID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = ValidateMPID("9900000000004")
	}
}

func BenchmarkValidateMeLo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = ValidateMeLo("DE00056266802AO6G56M11SN51G21M24S")
	}
}

func BenchmarkValidateEIC(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = ValidateEIC("10YDE-RWENET---I")
	}
}

func BenchmarkParseOBIS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, sink = ParseOBIS("1-0:1.8.0*255")
	}
}

func BenchmarkValidateMaLoInvalid(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = ValidateMaLo("51234567890")
	}
}
