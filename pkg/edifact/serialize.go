package edifact

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// canonicalUNA is the only service string advice the package emits (ref §1.2).
const canonicalUNA = "UNA:+.? '"

// Bytes serializes the interchange canonically: "UNA:+.? '", the segments
// with the default delimiters, ISO 8859-1, no line breaks. For canonical
// input (that UNA, ISO 8859-1, no line breaks, terminated segments) the
// output equals the input byte for byte. Values are re-escaped when the
// input used other delimiters; UTF-8 input is converted to ISO 8859-1 and a
// character outside ISO 8859-1 is an error. Decimal marks inside values are
// copied unchanged.
func (ix *Interchange) Bytes() ([]byte, error) {
	out := make([]byte, 0, ix.Size+len(canonicalUNA))
	out = append(out, canonicalUNA...)
	var err error
	for i := range ix.Segments {
		if out, err = ix.appendSegment(out, &ix.Segments[i]); err != nil {
			return nil, err
		}
		out = append(out, DefaultDelimiters.Segment)
	}
	return out, nil
}

func (ix *Interchange) appendSegment(out []byte, s *Segment) ([]byte, error) {
	fast := ix.Delimiters == DefaultDelimiters && ix.Encoding != EncodingUTF8
	if fast {
		return append(out, s.raw...), nil
	}
	// the tag is a decoded Go string; write it back as ISO 8859-1
	var err error
	if out, err = appendEscapedUTF8(out, []byte(s.Tag)); err != nil {
		return nil, fmt.Errorf("edifact: segment %d tag: %w", s.Index, err)
	}
	for ei, e := range s.Elements {
		out = append(out, DefaultDelimiters.Element)
		for ci, c := range e {
			if ci > 0 {
				out = append(out, DefaultDelimiters.Component)
			}
			v := c.Bytes()
			if ix.Encoding == EncodingUTF8 {
				var err error
				out, err = appendEscapedUTF8(out, v)
				if err != nil {
					return nil, fmt.Errorf("edifact: segment %d (%s) element %d component %d: %w", s.Index, s.Tag, ei+1, ci+1, err)
				}
				continue
			}
			out = appendEscapedLatin1(out, v)
		}
	}
	return out, nil
}

// Canonical returns the segment as canonical EDIFACT text (default
// delimiters, release characters where needed, no terminator), decoded to a
// Go string. APERAK FTX+Z02 quotes a faulty segment this way (ref §11.4).
func (s *Segment) Canonical() string {
	var sb strings.Builder
	sb.Grow(len(s.raw) + 8)
	writeEscaped(&sb, s.Tag)
	for _, e := range s.Elements {
		sb.WriteByte('+')
		for ci, c := range e {
			if ci > 0 {
				sb.WriteByte(':')
			}
			writeEscaped(&sb, c.String())
		}
	}
	return sb.String()
}

// writeEscaped writes the UTF-8 text v with the default release character
// before every default service character.
func writeEscaped(sb *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		if isServiceDefault(v[i]) {
			sb.WriteByte('?')
		}
		sb.WriteByte(v[i])
	}
}

func isServiceDefault(c byte) bool { return c == '+' || c == ':' || c == '\'' || c == '?' }

func appendEscapedLatin1(out, v []byte) []byte {
	for _, c := range v {
		if isServiceDefault(c) {
			out = append(out, '?')
		}
		out = append(out, c)
	}
	return out
}

// appendEscapedUTF8 escapes the UTF-8 text v and writes it as ISO 8859-1.
func appendEscapedUTF8(out, v []byte) ([]byte, error) {
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && size <= 1 {
			return nil, fmt.Errorf("invalid UTF-8 at byte %d", i)
		}
		if r > 0xff {
			return nil, fmt.Errorf("character %q is outside ISO 8859-1 (UNOC)", r)
		}
		if r < utf8.RuneSelf && isServiceDefault(byte(r)) {
			out = append(out, '?')
		}
		out = append(out, byte(r))
		i += size
	}
	return out, nil
}
