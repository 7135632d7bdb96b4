package edifact

import (
	"strings"
	"unicode/utf8"
)

// Encoding is the character decoding applied to component values.
type Encoding uint8

// Encodings.
const (
	// EncodingAuto (the default) decodes ISO 8859-1 (UNOC) unless the input is
	// valid UTF-8 containing multi-byte sequences, in which case it decodes
	// UTF-8 and records a warning (ref §1.2).
	EncodingAuto Encoding = iota
	// EncodingLatin1 decodes ISO 8859-1, the character set UNOC declares.
	EncodingLatin1
	// EncodingUTF8 decodes UTF-8 (tolerance for files that ignore UNOC).
	EncodingUTF8
)

// String returns "auto", "ISO-8859-1" or "UTF-8".
func (e Encoding) String() string {
	switch e {
	case EncodingLatin1:
		return "ISO-8859-1"
	case EncodingUTF8:
		return "UTF-8"
	}
	return "auto"
}

// component flags
const (
	fEscaped  uint8 = 1 << iota // raw contains the release character
	fHigh                       // raw contains bytes >= 0x80 in ISO 8859-1 mode
	fHighSeen                   // tokenizer-internal: a byte >= 0x80 was seen
)

// Component is one simple data element or component of a composite. Its
// bytes are a sub-slice of the parsed input (zero copy); release characters
// are removed lazily by [Component.Bytes] and [Component.String].
type Component struct {
	raw   []byte
	flags uint8
	rel   byte
}

// Raw returns the component exactly as in the input, release characters
// included. The slice aliases the input; do not modify it.
func (c Component) Raw() []byte { return c.raw }

// IsEmpty reports whether the component is absent or empty.
func (c Component) IsEmpty() bool { return len(c.raw) == 0 }

// Bytes returns the unescaped bytes in the input encoding (ISO 8859-1 or
// UTF-8). Without release characters it aliases the input (no allocation).
func (c Component) Bytes() []byte {
	if c.flags&fEscaped == 0 {
		return c.raw
	}
	return unescape(c.raw, c.rel)
}

// String returns the unescaped value as a Go (UTF-8) string; ISO 8859-1
// bytes are converted.
func (c Component) String() string {
	if c.flags&(fEscaped|fHigh) == 0 {
		return string(c.raw)
	}
	b := c.Bytes()
	if c.flags&fHigh == 0 {
		return string(b)
	}
	return latin1ToString(b)
}

// Equal reports whether the unescaped value equals s (no allocation when the
// component holds neither release characters nor ISO 8859-1 high bytes).
func (c Component) Equal(s string) bool {
	if c.flags&(fEscaped|fHigh) == 0 {
		return string(c.raw) == s
	}
	return c.String() == s
}

func unescape(raw []byte, rel byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] == rel && i+1 < len(raw) {
			i++
		}
		out = append(out, raw[i])
	}
	return out
}

func latin1ToString(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for _, c := range b {
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// Element is a data element: one component for a simple element, several for
// a composite. An element present but empty has one empty component.
type Element []Component

// Component returns component i (0-based), or the zero Component if absent.
func (e Element) Component(i int) Component {
	if i < 0 || i >= len(e) {
		return Component{}
	}
	return e[i]
}

// String returns the value of component 0.
func (e Element) String() string { return e.Component(0).String() }

// Strings returns all component values.
func (e Element) Strings() []string {
	out := make([]string, len(e))
	for i, c := range e {
		out[i] = c.String()
	}
	return out
}

// IsEmpty reports whether every component is empty.
func (e Element) IsEmpty() bool {
	for _, c := range e {
		if len(c.raw) > 0 {
			return false
		}
	}
	return true
}

// Segment is one segment: its tag and data elements, with its position.
type Segment struct {
	// Tag is the segment tag, e.g. "UNH" or "RFF".
	Tag string
	// Elements are the data elements after the tag (Elements[0] is the first
	// data element, i.e. CONTRL data element position 1).
	Elements []Element
	// Index is the 0-based position of the segment in the interchange
	// (UNB = 0 when present; UNA is not a segment).
	Index int
	// Offset is the byte offset of the segment's first byte in the input.
	Offset int
	raw    []byte
	issue  *charIssue
}

// Raw returns the segment exactly as in the input, without its terminator.
// It aliases the input.
func (s *Segment) Raw() []byte { return s.raw }

// Element returns data element i (0-based, tag excluded), or nil if absent.
func (s *Segment) Element(i int) Element {
	if i < 0 || i >= len(s.Elements) {
		return nil
	}
	return s.Elements[i]
}

// Value returns component c of data element e (both 0-based) as a string,
// "" if absent.
func (s *Segment) Value(e, c int) string { return s.Element(e).Component(c).String() }

// Is reports whether the segment has the tag and, if qualifier is not empty,
// whether component 0 of data element 0 equals qualifier: Is("IDE", "24")
// matches IDE+24+…, Is("RFF", "Z13") matches RFF+Z13:55001.
func (s *Segment) Is(tag, qualifier string) bool {
	if s.Tag != tag {
		return false
	}
	return qualifier == "" || s.Element(0).Component(0).Equal(qualifier)
}

// charIssue records the first invalid character of a segment.
type charIssue struct {
	offset  int // byte offset in the input
	element int // 0 = tag, 1.. = data element position (CONTRL 0098)
	comp    int // 1-based component position (CONTRL 0104)
	char    rune
}

// Message is one UNH … UNT message. Segments is a sub-slice of the
// interchange's segments from UNH up to and including UNT (or up to the
// segment before the next UNH/UNZ when UNT is missing).
type Message struct {
	Segments []Segment
	// Index is the 0-based position of the message in the interchange.
	Index int
}

// Header returns the typed UNH view (its zero value if the message has no
// segments).
func (m *Message) Header() UNH {
	if len(m.Segments) == 0 || m.Segments[0].Tag != "UNH" {
		return UNH{}
	}
	return parseUNH(&m.Segments[0])
}

// Trailer returns the typed UNT view and whether the message ends with UNT.
func (m *Message) Trailer() (UNT, bool) {
	if len(m.Segments) == 0 {
		return UNT{}, false
	}
	last := &m.Segments[len(m.Segments)-1]
	if last.Tag != "UNT" {
		return UNT{}, false
	}
	return UNT{SegmentCount: last.Value(0, 0), Ref: last.Value(1, 0), Segment: last}, true
}

// Type returns UNH S009 0065, e.g. "UTILMD".
func (m *Message) Type() string { return m.Header().Type }

// Ref returns UNH 0062.
func (m *Message) Ref() string { return m.Header().Ref }

// Position returns the CONTRL segment position (DE0096) of s inside m, UNH =
// 1, or 0 when s is not part of m.
func (m *Message) Position(s *Segment) int {
	if len(m.Segments) == 0 {
		return 0
	}
	p := s.Index - m.Segments[0].Index + 1
	if p < 1 || p > len(m.Segments) {
		return 0
	}
	return p
}

// Find returns the first segment with tag (and qualifier, if not empty) at
// or after index from (0-based within the message), and its index; -1 if
// none.
func (m *Message) Find(from int, tag, qualifier string) (*Segment, int) {
	for i := max(from, 0); i < len(m.Segments); i++ {
		if m.Segments[i].Is(tag, qualifier) {
			return &m.Segments[i], i
		}
	}
	return nil, -1
}

// Interchange is one parsed UNA/UNB … UNZ interchange.
type Interchange struct {
	// Delimiters are those declared by UNA, or DefaultDelimiters.
	Delimiters Delimiters
	// HasUNA reports whether the input started with a UNA service string advice.
	HasUNA bool
	// Encoding is the decoding applied (EncodingLatin1 or EncodingUTF8).
	Encoding Encoding
	// Segments are all segments in input order (UNB … UNZ, UNA excluded).
	Segments []Segment
	// Messages are the UNH … UNT messages, in order.
	Messages []Message
	// Warnings are tolerated deviations (UTF-8 under UNOC, line breaks,
	// unterminated last segment); they are not syntax errors.
	Warnings []string
	// Size is the number of input bytes.
	Size int
	// Source is the input; segments and components alias it.
	Source []byte
	// unterminated is set when the last segment lacked its terminator.
	unterminated bool
}

// Header returns the UNB segment, or nil if the interchange does not start
// with one.
func (ix *Interchange) Header() *Segment {
	if len(ix.Segments) > 0 && ix.Segments[0].Tag == "UNB" {
		return &ix.Segments[0]
	}
	return nil
}

// Trailer returns the UNZ segment, or nil if the interchange does not end
// with one.
func (ix *Interchange) Trailer() *Segment {
	if n := len(ix.Segments); n > 0 && ix.Segments[n-1].Tag == "UNZ" {
		return &ix.Segments[n-1]
	}
	return nil
}

// UNB returns the typed UNB view (zero if there is no UNB).
func (ix *Interchange) UNB() UNB {
	h := ix.Header()
	if h == nil {
		return UNB{}
	}
	return parseUNB(h)
}

// UNZ returns the typed UNZ view and whether the interchange has one.
func (ix *Interchange) UNZ() (UNZ, bool) {
	t := ix.Trailer()
	if t == nil {
		return UNZ{}, false
	}
	return UNZ{MessageCount: t.Value(0, 0), ControlRef: t.Value(1, 0), Segment: t}, true
}
