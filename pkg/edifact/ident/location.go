package ident

import "fmt"

// MaLoCheckDigit computes the check digit of a MaLo-ID from its first ten
// digits (edifact.md §5, after Hochfrequenz/BO4E-dotnet BO4E/BO/Marktlokation.cs [B], which
// cites the BDEW Anwendungshilfe MaLo-ID 1.0): add the digits in odd positions 1–9, add twice
// the sum of the digits in even positions 2–10, and take the difference to the next multiple
// of 10 (10 → 0). It returns the digit as an ASCII byte ('0'–'9'); first10 must be ten digits.
func MaLoCheckDigit(first10 string) (byte, error) {
	if len(first10) != 10 {
		return 0, fail(TypeMaLo, first10, ErrLength, -1, "check digit needs the first 10 digits")
	}
	if i := firstNonDigit(first10); i >= 0 {
		return 0, fail(TypeMaLo, first10, ErrCharacter, i, "digits only")
	}
	return maloCheck(first10), nil
}

func maloCheck(first10 string) byte {
	odd, even := 0, 0
	for i := 0; i < 10; i++ {
		d := int(first10[i] - '0')
		if i%2 == 0 { // positions 1, 3, …, 9
			odd += d
		} else { // positions 2, 4, …, 10
			even += d
		}
	}
	sum := odd + 2*even
	return byte('0' + (10-sum%10)%10)
}

// ValidateMaLo checks a Marktlokations-ID: 11 digits, the first not 0 (the
// BO4E-dotnet regex ^[1-9]\d{10}$ of the file edifact.md §5 cites), and the
// check digit of MaLoCheckDigit in position 11. The AHB format condition is
// [950] (edifact.md §5).
func ValidateMaLo(s string) error {
	if err := checkLen(TypeMaLo, s, 11); err != nil {
		return err
	}
	if i := firstNonDigit(s); i >= 0 {
		return fail(TypeMaLo, s, ErrCharacter, i, "digits only")
	}
	if s[0] == '0' {
		return fail(TypeMaLo, s, ErrPrefix, 0, "first digit must not be 0")
	}
	if want := maloCheck(s[:10]); want != s[10] {
		return checkFail(TypeMaLo, s, want, s[10])
	}
	return nil
}

// ValidateMeLo checks the format of a Messlokations-ID (Zählpunktbezeichnung):
// 33 characters, the country code "DE", then 31 upper-case letters or digits.
// The ID has no check digit.
//
// Unverified: edifact.md does not describe the MeLo-ID; the length and the
// "DE" prefix come from the issue brief (issue 3). The character set is the
// conservative [0-9A-Z].
func ValidateMeLo(s string) error {
	if err := checkLen(TypeMeLo, s, 33); err != nil {
		return err
	}
	if s[0] != 'D' || s[1] != 'E' {
		p := 0
		if s[0] == 'D' {
			p = 1
		}
		return fail(TypeMeLo, s, ErrPrefix, p, `want country code "DE"`)
	}
	for i := 2; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			return fail(TypeMeLo, s, ErrCharacter, i, "want 0-9 or A-Z")
		}
	}
	return nil
}

// resourcePrefix is the first character of the 11-character ids of
// Netzlokation, technische and steuerbare Ressource.
//
// Unverified: edifact.md does not describe these ids. The layout (prefix letter E / D / C,
// then 10 characters [0-9A-Z], the last being a check character) is the BDEW
// Identifikatoren convention as commonly documented; the check character
// algorithm is not in any reference available to this project, so it is NOT
// verified here. Only length, prefix and character set are checked.
var resourcePrefix = map[Type]byte{
	TypeNeLo:                'E',
	TypeTechnischeRessource: 'D',
	TypeSteuerbareRessource: 'C',
}

func validateResource(t Type, s string) error {
	if err := checkLen(t, s, 11); err != nil {
		return err
	}
	if want := resourcePrefix[t]; s[0] != want {
		return fail(t, s, ErrPrefix, 0, fmt.Sprintf("want %c", want))
	}
	for i := 1; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			return fail(t, s, ErrCharacter, i, "want 0-9 or A-Z")
		}
	}
	return nil
}

// ValidateNeLo checks the format of a Netzlokations-ID: 11 characters,
// "E" + 10 characters [0-9A-Z], the last a check character whose value is
// not verified (see the note on resource ids in this file; unverified).
func ValidateNeLo(s string) error { return validateResource(TypeNeLo, s) }

// ValidateTechnischeRessource checks the format of a TR-ID: 11 characters,
// "D" + 10 characters [0-9A-Z] (check character not verified;
// unverified layout, see ValidateNeLo).
func ValidateTechnischeRessource(s string) error {
	return validateResource(TypeTechnischeRessource, s)
}

// ValidateSteuerbareRessource checks the format of an SR-ID: 11 characters,
// "C" + 10 characters [0-9A-Z] (check character not verified;
// unverified layout, see ValidateNeLo).
func ValidateSteuerbareRessource(s string) error {
	return validateResource(TypeSteuerbareRessource, s)
}

// ClassifyLocation tells which location id s is by its shape: 11 digits →
// MaLo, 33 characters starting "DE" → MeLo, 11 characters starting E / D /
// C → NeLo / TR / SR. It returns the type together with the result of that
// type's validator, or TypeUnknown and an *Error with ErrPrefix/ErrLength
// when s has none of these shapes.
func ClassifyLocation(s string) (Type, error) {
	switch {
	case len(s) == 11 && firstNonDigit(s) < 0:
		return TypeMaLo, ValidateMaLo(s)
	case len(s) == 33 && s[0] == 'D' && s[1] == 'E':
		return TypeMeLo, ValidateMeLo(s)
	case len(s) == 11:
		for t, p := range resourcePrefix {
			if s[0] == p {
				return t, validateResource(t, s)
			}
		}
	}
	if s == "" {
		return TypeUnknown, fail(TypeUnknown, s, ErrEmpty, -1, "")
	}
	return TypeUnknown, fail(TypeUnknown, s, ErrLength, -1, "not the shape of a MaLo, MeLo, NeLo, TR or SR id")
}
