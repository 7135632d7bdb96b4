package edifact

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Value is one data element to build: its components in order. A simple
// element has one component. Build values with [E] and [C].
type Value []string

// E returns a simple data element.
func E(v string) Value { return Value{v} }

// C returns a composite data element with the given components; empty
// components in the middle are kept, trailing empty ones are omitted.
func C(components ...string) Value { return Value(components) }

// BuildError reports a value the builder cannot serialize (a character
// outside ISO 8859-1, an invalid tag).
type BuildError struct {
	Message   string // UNH 0062 of the message concerned, "" for UNB/UNZ
	Segment   string // tag
	Position  int    // 1-based segment position in the message (UNH = 1)
	Element   int    // 1-based data element position, 0 for the tag
	Component int    // 1-based component position
	Msg       string
}

// Error describes the value that could not be built and where it sits.
func (e *BuildError) Error() string {
	return fmt.Sprintf("edifact: build message %q segment %d %s element %d component %d: %s",
		e.Message, e.Position, e.Segment, e.Element, e.Component, e.Msg)
}

// BuildOption configures [NewInterchangeBuilder].
type BuildOption func(*InterchangeBuilder)

// WithAppRef sets UNB 0026 (application reference, e.g. "EM", "VL", "TL" for
// MSCONS; ref §2).
func WithAppRef(ref string) BuildOption { return func(b *InterchangeBuilder) { b.appRef = ref } }

// WithTestIndicator sets UNB 0035 = 1 (test interchange).
func WithTestIndicator() BuildOption { return func(b *InterchangeBuilder) { b.test = true } }

// InterchangeBuilder builds one interchange. It is deterministic: the
// preparation time and every reference are parameters. Not safe for
// concurrent use.
type InterchangeBuilder struct {
	sender, recipient Party
	ref               string
	t                 time.Time
	appRef            string
	test              bool
	msgs              []*MessageBuilder
}

// NewInterchangeBuilder starts an interchange from sender to recipient with
// control reference ref (UNB/UNZ 0020) prepared at t. UNB S004 is written as
// t in UTC (YYMMDD:HHMM; ref §2, §13).
func NewInterchangeBuilder(sender, recipient Party, ref string, t time.Time, opts ...BuildOption) *InterchangeBuilder {
	b := &InterchangeBuilder{sender: sender, recipient: recipient, ref: ref, t: t}
	for _, o := range opts {
		if o != nil {
			o(b)
		}
	}
	return b
}

// Message appends a message with reference ref (UNH/UNT 0062) and S009
// typ:version:release:agency:association, e.g.
// Message("1", "UTILMD", "D", "11A", "UN", "S2.2").
func (b *InterchangeBuilder) Message(ref, typ, version, release, agency, association string) *MessageBuilder {
	return b.MessageFor(ref, MessageID{Type: typ, Version: version, Release: release, Agency: agency, Association: association})
}

// MessageFor appends a message with reference ref and message identifier id.
func (b *InterchangeBuilder) MessageFor(ref string, id MessageID) *MessageBuilder {
	m := &MessageBuilder{ref: ref, id: id}
	b.msgs = append(b.msgs, m)
	return m
}

// Messages returns the number of messages added so far.
func (b *InterchangeBuilder) Messages() int { return len(b.msgs) }

// MessageBuilder collects the body segments of one message (between UNH and
// UNT, both of which the builder writes).
type MessageBuilder struct {
	ref     string
	id      MessageID
	car     string
	seq, fl string
	segs    []builtSegment
}

type builtSegment struct {
	tag  string
	vals []Value
}

// CommonAccess sets UNH 0068 and S010 (0070:0073) for a list split over
// several messages (ref §3): car is the DAR of the series' first interchange,
// seq the sequence number, firstLast "C" (first) or "F" (last).
func (m *MessageBuilder) CommonAccess(car, seq, firstLast string) *MessageBuilder {
	m.car, m.seq, m.fl = car, seq, firstLast
	return m
}

// Segment appends a body segment. Values are plain (unescaped) text; the
// builder escapes service characters. Trailing empty elements and
// components are omitted.
func (m *MessageBuilder) Segment(tag string, values ...Value) *MessageBuilder {
	m.segs = append(m.segs, builtSegment{tag: tag, vals: values})
	return m
}

// Position returns the CONTRL segment position (UNH = 1) the next Segment
// call will occupy.
func (m *MessageBuilder) Position() int { return len(m.segs) + 2 }

// Ref returns the message reference (UNH 0062).
func (m *MessageBuilder) Ref() string { return m.ref }

// Bytes serializes the interchange: "UNA:+.? '", UNB with UNOC:3, each
// message with UNH and a UNT carrying the segment count and reference, and
// UNZ with the message count and reference. It fails with a *BuildError for
// values outside ISO 8859-1 or invalid tags.
func (b *InterchangeBuilder) Bytes() ([]byte, error) {
	size := 128
	for _, m := range b.msgs {
		size += 48 + len(m.segs)*40
	}
	w := segWriter{out: make([]byte, 0, size)}
	w.out = append(w.out, canonicalUNA...)
	t := b.t.UTC()
	unb := []Value{
		C("UNOC", "3"),
		C(b.sender.ID, b.sender.Qualifier),
		C(b.recipient.ID, b.recipient.Qualifier),
		C(t.Format("060102"), t.Format("1504")),
		E(b.ref),
		E(""),
		E(b.appRef),
	}
	if b.test {
		unb = append(unb, E(""), E(""), E(""), E("1"))
	}
	w.write("UNB", unb)
	for _, m := range b.msgs {
		w.msg, w.pos = m.ref, 1
		unh := []Value{E(m.ref), C(m.id.Components()...)}
		if m.car != "" || m.seq != "" || m.fl != "" {
			unh = append(unh, E(m.car), C(m.seq, m.fl))
		}
		w.write("UNH", unh)
		for _, s := range m.segs {
			w.pos++
			w.write(s.tag, s.vals)
		}
		w.pos++
		w.write("UNT", []Value{E(strconv.Itoa(w.pos)), E(m.ref)})
	}
	w.msg, w.pos = "", 0
	w.write("UNZ", []Value{E(strconv.Itoa(len(b.msgs))), E(b.ref)})
	if w.err != nil {
		return nil, w.err
	}
	return w.out, nil
}

// Interchange builds and parses the result, for callers that want the model.
func (b *InterchangeBuilder) Interchange() (*Interchange, error) {
	data, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// AppendSegment appends one canonical segment (default delimiters, escaped,
// ISO 8859-1, terminated) to dst.
func AppendSegment(dst []byte, tag string, values ...Value) ([]byte, error) {
	w := segWriter{out: dst}
	w.write(tag, values)
	if w.err != nil {
		return dst, w.err
	}
	return w.out, nil
}

type segWriter struct {
	out []byte
	err *BuildError
	msg string
	pos int
}

func (w *segWriter) fail(tag string, e, c int, msg string) {
	if w.err == nil {
		w.err = &BuildError{Message: w.msg, Segment: tag, Position: w.pos, Element: e, Component: c, Msg: msg}
	}
}

func (w *segWriter) write(tag string, vals []Value) {
	if !validTag(tag) {
		w.fail(tag, 0, 0, "segment tag must be three upper-case letters or digits")
		return
	}
	w.out = append(w.out, tag...)
	// omit trailing empty elements
	n := len(vals)
	for n > 0 && valueEmpty(vals[n-1]) {
		n--
	}
	for ei := 0; ei < n; ei++ {
		w.out = append(w.out, '+')
		v := vals[ei]
		k := len(v)
		for k > 0 && v[k-1] == "" {
			k--
		}
		for ci := 0; ci < k; ci++ {
			if ci > 0 {
				w.out = append(w.out, ':')
			}
			if err := w.appendText(v[ci]); err != "" {
				w.fail(tag, ei+1, ci+1, err)
			}
		}
	}
	w.out = append(w.out, '\'')
}

// appendText writes s escaped and encoded as ISO 8859-1.
func (w *segWriter) appendText(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return fmt.Sprintf("control character %#x is not allowed in UNOC", c)
			}
			if isServiceDefault(c) {
				w.out = append(w.out, '?')
			}
			w.out = append(w.out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return "invalid UTF-8"
		case r < 0xa0 || r > 0xff:
			return fmt.Sprintf("character %q is outside ISO 8859-1 (UNOC)", r)
		}
		w.out = append(w.out, byte(r))
		i += size
	}
	return ""
}

func valueEmpty(v Value) bool {
	for _, s := range v {
		if s != "" {
			return false
		}
	}
	return true
}

func validTag(tag string) bool {
	if len(tag) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		c := tag[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
