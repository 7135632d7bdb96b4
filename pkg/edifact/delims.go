package edifact

import "fmt"

// Delimiters are the six service characters of the UNA service string advice
// (ref §1.1): component separator, data element separator, decimal mark,
// release character, reserved position and segment terminator.
type Delimiters struct {
	Component byte // default ':'
	Element   byte // default '+'
	Decimal   byte // default '.'; EDI@Energy also meets ','
	Release   byte // default '?'; a space means "no release character"
	Reserved  byte // default ' ' (syntax version 3)
	Segment   byte // default '\''
}

// DefaultDelimiters are the syntax-3 defaults that apply when UNA is absent;
// they are also the only delimiters the builder emits ("UNA:+.? '").
var DefaultDelimiters = Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Reserved: ' ', Segment: '\''}

// UNA returns the nine-byte service string advice for d, e.g. "UNA:+.? '".
func (d Delimiters) UNA() []byte {
	return []byte{'U', 'N', 'A', d.Component, d.Element, d.Decimal, d.Release, d.Reserved, d.Segment}
}

// hasRelease reports whether d declares a release character.
func (d Delimiters) hasRelease() bool { return d.Release != ' ' && d.Release != 0 }

// Validate reports an error (a *SyntaxError with CONTRL UCI 20) when d cannot
// serve as a service string advice: a service character that is a letter,
// digit, control character or space (only the release and reserved positions
// may be a space), separators that coincide, or a decimal mark other than
// '.' or ','.
func (d Delimiters) Validate() error {
	if d == DefaultDelimiters {
		return nil
	}
	bad := func(what string, c byte) error {
		return &SyntaxError{Level: LevelInterchange, Code: CodeInvalidServiceCharUNA, SegmentTag: "UNA",
			Msg: fmt.Sprintf("UNA %s %q is not valid as a service character", what, c)}
	}
	svc := []struct {
		name string
		c    byte
	}{{"component separator", d.Component}, {"data element separator", d.Element}, {"segment terminator", d.Segment}}
	for _, s := range svc {
		if !serviceCharOK(s.c) {
			return bad(s.name, s.c)
		}
	}
	if d.hasRelease() && !serviceCharOK(d.Release) {
		return bad("release character", d.Release)
	}
	if d.Reserved != ' ' && !serviceCharOK(d.Reserved) {
		return bad("reserved position", d.Reserved)
	}
	if d.Decimal != '.' && d.Decimal != ',' {
		return bad("decimal mark", d.Decimal)
	}
	var buf [4]byte
	used := append(buf[:0], d.Component, d.Element, d.Segment)
	if d.hasRelease() {
		used = append(used, d.Release)
	}
	for i := range used {
		for j := i + 1; j < len(used); j++ {
			if used[i] == used[j] {
				return bad("service character used twice:", used[i])
			}
		}
	}
	return nil
}

func serviceCharOK(c byte) bool {
	switch {
	case c <= ' ', c == 0x7f, c >= 0x80:
		return false
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return false
	}
	return true
}
