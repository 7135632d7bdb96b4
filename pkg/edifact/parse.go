package edifact

import (
	"bytes"
	"io"
)

// Parse reads one interchange held completely in data (the fast path). The
// returned model aliases data: components are sub-slices of it, so data must
// not be modified while the Interchange is in use.
//
// Parse is tolerant: structural faults (missing UNZ, wrong counts, invalid
// characters, segments outside messages) are left to [Check]. It fails with
//   - a *LimitError (errors.Is(err, ErrLimit)) when a [Limits] value is
//     exceeded; the Interchange is then nil;
//   - a *SyntaxError when the input cannot be tokenized (an invalid UNA, a
//     release character at the very end); the Interchange then holds the
//     segments read before the failure, so that a CONTRL can still be
//     addressed;
//   - ErrNotEDIFACT when data holds no segment.
func Parse(data []byte, opts ...Option) (*Interchange, error) {
	return parse(data, newConfig(opts), nil)
}

// Parser parses interchanges one after another and reuses its memory: the
// segment, element and component arrays of the previous result are
// recycled, so a steady stream of interchanges costs (almost) no
// allocation. The price: each call to Parse invalidates the Interchange the
// previous call returned. Use [Parse] when results must outlive the next
// parse. A Parser is not safe for concurrent use; use one per goroutine.
type Parser struct {
	cfg   config
	ix    Interchange
	segs  []Segment
	elems []Element
	comps []Component
	msgs  []Message
}

// NewParser returns a Parser with the given options.
func NewParser(opts ...Option) *Parser { return &Parser{cfg: newConfig(opts)} }

// Parse is [Parse] with memory reuse; see [Parser].
func (p *Parser) Parse(data []byte) (*Interchange, error) { return parse(data, p.cfg, p) }

func parse(data []byte, cfg config, reuse *Parser) (*Interchange, error) {
	var t Tokenizer
	if err := t.init(data, cfg); err != nil {
		if _, ok := err.(*LimitError); ok { // not wrapped; a type assertion avoids a heap variable
			return nil, err
		}
		return &Interchange{Source: data, Size: len(data), HasUNA: true}, err
	}
	// Pre-size the flat arrays from separator counts (SIMD-fast) so that a
	// parse costs a handful of allocations; capped by the limits.
	body := data[t.pos:]
	nSeg := min(bytes.Count(body, []byte{t.d.Segment})+1, t.lim.MaxSegments)
	nElem := min(bytes.Count(body, []byte{t.d.Element})+1, nSeg*t.lim.MaxElements)
	nComp := min(bytes.Count(body, []byte{t.d.Component})+nElem, nElem*t.lim.MaxComponents)
	var ix *Interchange
	var segs []Segment
	if reuse != nil {
		t.elems = grow(reuse.elems, nElem)
		t.comps = grow(reuse.comps, nComp)
		segs = grow(reuse.segs, nSeg)
		ix = &reuse.ix
		*ix = Interchange{Messages: reuse.msgs[:0]}
	} else {
		t.elems = make([]Element, 0, nElem)
		t.comps = make([]Component, 0, nComp)
		segs = make([]Segment, 0, nSeg)
		ix = &Interchange{}
	}
	ix.Delimiters, ix.HasUNA, ix.Encoding, ix.Size, ix.Source = t.d, t.hasUNA, t.enc, len(data), data
	ix.Segments = segs
	var perr error
	for {
		s, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := err.(*LimitError); ok {
				return nil, err
			}
			perr = err
			break
		}
		ix.Segments = append(ix.Segments, s)
	}
	ix.finish(&t)
	if reuse != nil {
		reuse.segs, reuse.elems, reuse.comps, reuse.msgs = ix.Segments, t.elems, t.comps, ix.Messages
	}
	if perr == nil && len(ix.Segments) == 0 {
		return ix, ErrNotEDIFACT
	}
	return ix, perr
}

// grow returns s emptied, with capacity for at least n items.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:0]
	}
	return make([]T, 0, n)
}

// finish records warnings and groups the segments into messages.
func (ix *Interchange) finish(t *Tokenizer) {
	if t.bom {
		ix.Warnings = append(ix.Warnings, "input starts with a UTF-8 byte order mark (skipped)")
	}
	if ix.Encoding == EncodingUTF8 {
		ix.Warnings = append(ix.Warnings, "input is UTF-8 with multi-byte sequences although UNOC (ISO 8859-1) is declared; decoded as UTF-8")
	}
	if t.newlines {
		ix.Warnings = append(ix.Warnings, "line breaks between segments (skipped)")
	}
	if t.unterm {
		ix.unterminated = true
		ix.Warnings = append(ix.Warnings, "last segment has no segment terminator")
	}
	if ix.Delimiters.Decimal != '.' {
		ix.Warnings = append(ix.Warnings, "UNA declares a decimal comma")
	}
	ix.Messages = groupMessages(ix.Messages[:0], ix.Segments)
}

// groupMessages splits segments into UNH … UNT messages. A message without
// UNT ends before the next UNH, UNZ or the end of input.
func groupMessages(msgs []Message, segs []Segment) []Message {
	start := -1
	closeAt := func(end int) { // end exclusive
		msgs = append(msgs, Message{Segments: segs[start:end:end], Index: len(msgs)})
		start = -1
	}
	for i := range segs {
		switch segs[i].Tag {
		case "UNH":
			if start >= 0 {
				closeAt(i)
			}
			start = i
		case "UNT":
			if start >= 0 {
				closeAt(i + 1)
			}
		case "UNZ", "UNB":
			// a stray UNB/UNZ followed by this message's UNT stays inside
			// the message (Check reports it); otherwise it ends the message
			if start >= 0 && !untBeforeUNH(segs[i+1:]) {
				closeAt(i)
			}
		}
	}
	if start >= 0 {
		closeAt(len(segs))
	}
	return msgs
}

// untBeforeUNH reports whether a UNT comes before the next UNH.
func untBeforeUNH(segs []Segment) bool {
	for i := range segs {
		switch segs[i].Tag {
		case "UNT":
			return true
		case "UNH":
			return false
		}
	}
	return false
}
