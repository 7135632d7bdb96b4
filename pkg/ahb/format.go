package ahb

import (
	"strconv"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
)

// checkFormat checks an unescaped value against a MIG format ("an..35",
// "n..15", "a3", "n1" …, UN/EDIFACT syntax: a alphabetic, n numeric, an
// alphanumeric; "..n" maximum length, "n" exact length). For numeric values
// the decimal mark and a leading minus sign do not count towards the length
// (ISO 9735). It returns the CONTRL DE0085 code and a reason, or 0.
//
// Alphabetic content is not checked character by character (EDI@Energy
// values marked "a" include codes with digits in practice); only numeric
// content is, as the MIG's n formats are unambiguous.
func checkFormat(v []byte, format string) (edifact.Code, string) {
	class, spec := format, ""
	for i := 0; i < len(format); i++ {
		if format[i] == '.' || (format[i] >= '0' && format[i] <= '9') {
			class, spec = format[:i], format[i:]
			break
		}
	}
	variable := strings.HasPrefix(spec, "..")
	n, err := strconv.Atoi(strings.TrimPrefix(spec, ".."))
	if err != nil || n <= 0 {
		return 0, "" // format not understood: not checked
	}
	length := len(v)
	if class == "n" {
		digits := 0
		for i, c := range v {
			switch {
			case c >= '0' && c <= '9':
				digits++
			case c == '-' && i == 0:
			case c == '.' || c == ',':
			default:
				return edifact.CodeWrongCharType, "non-numeric character in a numeric data element"
			}
		}
		length = digits
	} else {
		length = utf8Len(v)
	}
	switch {
	case length > n:
		return edifact.CodeTooLong, "longer than " + strconv.Itoa(n)
	case !variable && length < n:
		return edifact.CodeTooShort, "shorter than " + strconv.Itoa(n)
	}
	return 0, ""
}

// utf8Len counts characters: UTF-8 sequences count once, other bytes (ISO
// 8859-1) once each.
func utf8Len(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		if b[i]&0xC0 != 0x80 {
			n++
		}
	}
	return n
}
