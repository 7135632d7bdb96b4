package edifact

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"
)

// byte classes of the tokenizer's lookup table
const (
	clsPlain uint8 = iota
	clsComp
	clsElem
	clsRel
	clsTerm
	clsInvalid
	clsHigh
)

// Tokenizer splits a complete interchange held in memory into segments. It
// reads the UNA service string advice (or applies the defaults), skips CR/LF
// between segments and honours the release character everywhere. Components
// alias the input.
//
// A Tokenizer is not safe for concurrent use.
type Tokenizer struct {
	data     []byte
	pos      int
	d        Delimiters
	hasUNA   bool
	enc      Encoding
	lim      Limits
	class    [256]uint8
	index    int
	newlines bool
	bom      bool
	unterm   bool

	comps []Component
	elems []Element
}

// NewTokenizer prepares tokenizing data. It fails with a *SyntaxError (UCI
// 20) when a UNA is present but invalid, and with a *LimitError when data is
// larger than Limits.MaxBytes.
func NewTokenizer(data []byte, opts ...Option) (*Tokenizer, error) {
	cfg := newConfig(opts)
	t := &Tokenizer{}
	if err := t.init(data, cfg); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Tokenizer) init(data []byte, cfg config) error {
	t.lim = cfg.limits
	if len(data) > t.lim.MaxBytes {
		return &LimitError{Limit: "MaxBytes", Max: t.lim.MaxBytes, Offset: t.lim.MaxBytes}
	}
	t.data = data
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		t.bom = true
		t.pos = 3
	}
	d, hasUNA, n, err := readUNA(data[t.pos:])
	if err != nil {
		if se, ok := err.(*SyntaxError); ok {
			se.Offset += t.pos
		}
		return err
	}
	t.d, t.hasUNA = d, hasUNA
	t.pos += n
	t.enc = cfg.encoding
	if t.enc == EncodingAuto {
		t.enc = detectEncoding(data[t.pos:])
	}
	t.class = classFor(t.d)
	return nil
}

// defaultClass is the class table of DefaultDelimiters, computed once
// (read-only afterwards).
var defaultClass = classTable(DefaultDelimiters)

func classFor(d Delimiters) [256]uint8 {
	if d == DefaultDelimiters {
		return defaultClass
	}
	return classTable(d)
}

// readUNA reads an optional UNA at the start of b and returns the delimiters,
// whether UNA was present and how many bytes it occupied.
func readUNA(b []byte) (Delimiters, bool, int, error) {
	if len(b) < 3 || b[0] != 'U' || b[1] != 'N' || b[2] != 'A' {
		return DefaultDelimiters, false, 0, nil
	}
	if len(b) < 9 {
		return Delimiters{}, true, 0, &SyntaxError{Level: LevelInterchange, Code: CodeInvalidServiceCharUNA,
			SegmentTag: "UNA", SegmentIndex: -1, Msg: "UNA is shorter than its six service characters"}
	}
	d := Delimiters{Component: b[3], Element: b[4], Decimal: b[5], Release: b[6], Reserved: b[7], Segment: b[8]}
	if err := d.Validate(); err != nil {
		err.(*SyntaxError).SegmentIndex = -1
		return Delimiters{}, true, 0, err
	}
	return d, true, 9, nil
}

// detectEncoding applies the policy of ref §1.2: ISO 8859-1 unless the bytes
// are valid UTF-8 containing at least one multi-byte sequence.
func detectEncoding(b []byte) Encoding {
	if isASCII(b) {
		return EncodingLatin1
	}
	if utf8.Valid(b) {
		return EncodingUTF8
	}
	return EncodingLatin1
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func classTable(d Delimiters) [256]uint8 {
	var t [256]uint8
	for c := 0; c < 0x20; c++ {
		t[c] = clsInvalid
	}
	t[0x7f] = clsInvalid
	for c := 0x80; c < 0x100; c++ {
		t[c] = clsHigh
	}
	t[d.Component] = clsComp
	t[d.Element] = clsElem
	if d.hasRelease() {
		t[d.Release] = clsRel
	}
	t[d.Segment] = clsTerm
	return t
}

// Delimiters returns the delimiters in effect.
func (t *Tokenizer) Delimiters() Delimiters { return t.d }

// HasUNA reports whether the input began with UNA.
func (t *Tokenizer) HasUNA() bool { return t.hasUNA }

// Encoding returns the decoding in effect (never EncodingAuto).
func (t *Tokenizer) Encoding() Encoding { return t.enc }

// Next returns the next segment, or io.EOF after the last one. The segment's
// components alias the input. Errors are *SyntaxError (lone release
// character at the end of the input) or *LimitError.
func (t *Tokenizer) Next() (Segment, error) {
	return t.next()
}

func (t *Tokenizer) next() (Segment, error) {
	data := t.data
	n := len(data)
	i := t.pos
	for i < n && (data[i] == '\r' || data[i] == '\n') {
		i++
		t.newlines = true
	}
	if i >= n {
		t.pos = i
		return Segment{}, io.EOF
	}
	if t.index >= t.lim.MaxSegments {
		return Segment{}, &LimitError{Limit: "MaxSegments", Max: t.lim.MaxSegments, Offset: i, SegmentIndex: t.index}
	}
	cls := &t.class
	rel := t.d.Release
	segStart := i
	seg := Segment{Index: t.index, Offset: segStart}
	comps, elems := t.comps, t.elems
	firstElem := len(elems)
	elemComp := len(comps) // index in comps where the current element starts
	compStart := i
	tagEnd := -1
	var flags, tagFlags uint8 // flags of the current component / of the tag
	var err error
	terminated := false
loop:
	for ; i < n; i++ {
		k := cls[data[i]]
		if k == clsPlain {
			continue
		}
		switch k {
		case clsComp:
			if tagEnd < 0 {
				continue
			}
			if comps, err = t.addComp(comps, &seg, data, compStart, i, flags, len(elems)-firstElem+1, len(comps)-elemComp+1); err != nil {
				return Segment{}, err
			}
			flags = 0
			compStart = i + 1
		case clsElem:
			if tagEnd < 0 {
				tagEnd, tagFlags, flags = i, flags, 0
				compStart = i + 1
				continue
			}
			if comps, err = t.addComp(comps, &seg, data, compStart, i, flags, len(elems)-firstElem+1, len(comps)-elemComp+1); err != nil {
				return Segment{}, err
			}
			if len(elems)-firstElem >= t.lim.MaxElements {
				return Segment{}, &LimitError{Limit: "MaxElements", Max: t.lim.MaxElements, Offset: compStart, SegmentIndex: t.index}
			}
			elems = append(elems, Element(comps[elemComp:len(comps):len(comps)]))
			elemComp = len(comps)
			flags = 0
			compStart = i + 1
		case clsRel:
			if i+1 >= n {
				return Segment{}, &SyntaxError{Level: LevelInterchange, Code: CodeInvalidServiceChar, SegmentIndex: t.index,
					Offset: i, Msg: "release character at the end of the input escapes nothing"}
			}
			flags |= fEscaped
			i++
			switch cls[data[i]] {
			case clsInvalid:
				t.noteInvalid(&seg, i, tagEnd, len(elems)-firstElem, len(comps)-elemComp, rune(data[i]))
			case clsHigh:
				flags |= fHighSeen
			}
		case clsTerm:
			terminated = true
			break loop
		case clsInvalid:
			t.noteInvalid(&seg, i, tagEnd, len(elems)-firstElem, len(comps)-elemComp, rune(data[i]))
		case clsHigh:
			flags |= fHighSeen
		}
	}
	end := i
	if end-segStart > t.lim.MaxSegmentBytes {
		return Segment{}, &LimitError{Limit: "MaxSegmentBytes", Max: t.lim.MaxSegmentBytes, Offset: segStart, SegmentIndex: t.index}
	}
	if tagEnd < 0 {
		tagEnd, tagFlags = end, flags
	} else {
		if comps, err = t.addComp(comps, &seg, data, compStart, end, flags, len(elems)-firstElem+1, len(comps)-elemComp+1); err != nil {
			return Segment{}, err
		}
		if len(elems)-firstElem >= t.lim.MaxElements {
			return Segment{}, &LimitError{Limit: "MaxElements", Max: t.lim.MaxElements, Offset: compStart, SegmentIndex: t.index}
		}
		elems = append(elems, Element(comps[elemComp:len(comps):len(comps)]))
	}
	t.comps, t.elems = comps, elems
	if tagFlags == 0 {
		seg.Tag = internTag(data[segStart:tagEnd])
	} else {
		if tagFlags&fHighSeen != 0 && t.enc != EncodingUTF8 {
			tagFlags |= fHigh
		}
		seg.Tag = Component{raw: data[segStart:tagEnd], flags: tagFlags &^ fHighSeen, rel: rel}.String()
	}
	seg.raw = data[segStart:end:end]
	if len(elems) > firstElem {
		seg.Elements = elems[firstElem:len(elems):len(elems)]
	}
	if terminated {
		t.pos = end + 1
	} else {
		t.pos = end
		t.unterm = true
	}
	t.index++
	return seg, nil
}

// addComp appends the component data[start:end] and enforces the component
// limits. elemPos/compPos are the 1-based CONTRL positions.
func (t *Tokenizer) addComp(comps []Component, seg *Segment, data []byte, start, end int, flags uint8, elemPos, compPos int) ([]Component, error) {
	if end-start > t.lim.MaxComponentBytes {
		return comps, &LimitError{Limit: "MaxComponentBytes", Max: t.lim.MaxComponentBytes, Offset: start, SegmentIndex: t.index}
	}
	if compPos > t.lim.MaxComponents {
		return comps, &LimitError{Limit: "MaxComponents", Max: t.lim.MaxComponents, Offset: start, SegmentIndex: t.index}
	}
	raw := data[start:end:end]
	if flags&fHighSeen != 0 {
		flags = t.highComponent(seg, raw, start, flags, elemPos, compPos)
	}
	return append(comps, Component{raw: raw, flags: flags, rel: t.d.Release}), nil
}

// highComponent resolves the flags of a component with bytes >= 0x80 and
// records a character outside UNOC.
func (t *Tokenizer) highComponent(seg *Segment, raw []byte, start int, flags uint8, elemPos, compPos int) uint8 {
	flags &^= fHighSeen
	var off int
	var r rune
	if t.enc != EncodingUTF8 {
		flags |= fHigh
		off, r = firstC1(raw)
	} else {
		off, r = firstNonLatin1(raw)
	}
	if off >= 0 && seg.issue == nil {
		seg.issue = &charIssue{offset: start + off, element: elemPos, comp: compPos, char: r}
	}
	return flags
}

// noteInvalid records the first invalid character of a segment.
func (t *Tokenizer) noteInvalid(seg *Segment, off, tagEnd, elemsDone, compsDone int, r rune) {
	if seg.issue != nil {
		return
	}
	ci := &charIssue{offset: off, char: r}
	if tagEnd >= 0 {
		ci.element = elemsDone + 1
		ci.comp = compsDone + 1
	}
	seg.issue = ci
}

// firstC1 returns the offset of the first ISO 8859-1 C1 control byte
// (0x80–0x9F), which UNOC does not allow, or -1.
func firstC1(b []byte) (int, rune) {
	for i, c := range b {
		if c >= 0x80 && c < 0xa0 {
			return i, rune(c)
		}
	}
	return -1, 0
}

// firstNonLatin1 returns the offset of the first rune outside the graphic
// ISO 8859-1 repertoire (C1 controls or above U+00FF), or -1.
func firstNonLatin1(b []byte) (int, rune) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 || r >= 0x80 && r < 0xa0 || r > 0xff {
			return i, r
		}
		i += size
	}
	return -1, 0
}

// knownTags interns the tags of EDI@Energy messages so that segments share
// tag strings instead of allocating one each; keyed by the three tag bytes.
var knownTags = func() map[uint32]string {
	m := map[uint32]string{}
	for _, s := range []string{
		"UNA", "UNB", "UNG", "UNH", "UNS", "UNT", "UNE", "UNZ",
		"UCI", "UCM", "UCS", "UCD", "BGM", "DTM", "NAD", "CTA", "COM", "IDE", "STS", "LOC", "RFF",
		"SEQ", "CCI", "CAV", "PIA", "QTY", "MOA", "PRI", "FTX", "AGR", "ERC", "LIN", "IMD", "TAX",
		"CUX", "PAT", "ALC", "PCD", "MEA", "QVR", "CNI", "DOC", "GIS", "INP", "EQD", "TDT", "ALI",
		"PYT", "FII", "EMD", "DGS", "PCI", "GIN", "MKS", "ATT", "RCS", "TCC", "PRC",
	} {
		m[tagKey([]byte(s))] = s
	}
	return m
}()

func tagKey(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

func internTag(b []byte) string {
	if len(b) == 3 {
		if s, ok := knownTags[tagKey(b)]; ok {
			return s
		}
	}
	return string(b)
}

// String describes the tokenizer position (for debugging).
func (t *Tokenizer) String() string {
	return fmt.Sprintf("edifact.Tokenizer{pos: %d, segment: %d}", t.pos, t.index)
}
