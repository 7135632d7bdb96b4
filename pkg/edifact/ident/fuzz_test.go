package ident

import (
	"errors"
	"testing"
)

// FuzzValidators: no validator panics, every failure is an *Error, and a
// value that validates has the check character the generator computes.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"51234567895", "9900000000004", "10YDE-RWENET---I", "1-0:1.8.0*255",
		"DE00056266802AO6G56M11SN51G21M24S", "E1234567890", "", "?", "1-0:999.1.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(err error) {
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("%q: %T %v", s, err, err)
			}
		}
		check(ValidateMeLo(s))
		check(ValidateNeLo(s))
		check(ValidateTechnischeRessource(s))
		check(ValidateSteuerbareRessource(s))
		_, err := ClassifyLocation(s)
		check(err)
		o, err := ParseOBIS(s)
		check(err)
		if err == nil {
			if o2, err := ParseOBIS(o.String()); err != nil || o2 != o {
				t.Fatalf("OBIS %q does not round-trip: %v", s, err)
			}
		}
		if err := ValidateMaLo(s); err == nil {
			if c, _ := MaLoCheckDigit(s[:10]); c != s[10] {
				t.Fatalf("MaLo %q valid with wrong check digit", s)
			} else {
				check(err)
			}
		}
		if err := ValidateMPID(s); err == nil {
			if c, _ := GS1CheckDigit(s[:12]); c != s[12] {
				t.Fatalf("MP-ID %q valid with wrong check digit", s)
			}
		} else {
			check(err)
		}
		if err := ValidateEIC(s); err == nil {
			if c, _ := EICCheckChar(s[:15]); c != s[15] {
				t.Fatalf("EIC %q valid with wrong check character", s)
			}
		} else {
			check(err)
		}
	})
}
