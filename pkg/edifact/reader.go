package edifact

import (
	"errors"
	"io"
	"unicode/utf8"
)

// Reader streams an interchange from an io.Reader segment by segment with a
// bounded buffer (at most Limits.MaxSegmentBytes plus one read chunk), for
// interchanges too large to hold in memory. Segments returned by Reader own
// their memory. Limits.MaxBytes and Limits.MaxSegments apply to the whole
// stream. Not safe for concurrent use.
type Reader struct {
	src      io.Reader
	cfg      config
	buf      []byte // buffered unread input is buf[start:]
	start    int
	offset   int // stream offset of buf[0]
	eof      bool
	started  bool
	d        Delimiters
	hasUNA   bool
	enc      Encoding
	class    [256]uint8
	index    int
	err      error
	unb, unz *Segment
	pending  *Segment
	warnUTF8 bool
	newlines bool
	nmsg     int
	// arenas from which returned segments take their memory; a new chunk
	// replaces a full one, so memory stays bounded by what the caller holds
	arena []byte
	comps []Component
	elems []Element
}

const arenaItems = 1024

// carve copies b into the byte arena and returns the copy.
func (r *Reader) carve(b []byte) []byte {
	if cap(r.arena)-len(r.arena) < len(b) {
		r.arena = make([]byte, 0, max(readChunk, len(b)))
	}
	n := len(r.arena)
	r.arena = append(r.arena, b...)
	return r.arena[n:len(r.arena):len(r.arena)]
}

const readChunk = 32 << 10

// NewReader returns a Reader over r. The UNA (if any) is read with the first
// call to Next.
func NewReader(r io.Reader, opts ...Option) *Reader {
	return &Reader{src: r, cfg: newConfig(opts)}
}

// Delimiters returns the delimiters in effect (valid after the first Next).
func (r *Reader) Delimiters() Delimiters { return r.d }

// HasUNA reports whether the stream began with UNA (valid after the first Next).
func (r *Reader) HasUNA() bool { return r.hasUNA }

// Encoding returns the decoding in effect; with EncodingAuto it switches to
// EncodingUTF8 at the first segment that is valid multi-byte UTF-8.
func (r *Reader) Encoding() Encoding { return r.enc }

// Warnings returns the tolerated deviations seen so far.
func (r *Reader) Warnings() []string {
	var w []string
	if r.warnUTF8 {
		w = append(w, "input is UTF-8 with multi-byte sequences although UNOC (ISO 8859-1) is declared; decoded as UTF-8")
	}
	if r.newlines {
		w = append(w, "line breaks between segments (skipped)")
	}
	return w
}

// fill reads one more chunk; it enforces MaxBytes.
func (r *Reader) fill() error {
	if r.eof {
		return io.EOF
	}
	if r.start > 0 && r.start >= len(r.buf)/2 {
		n := copy(r.buf, r.buf[r.start:])
		r.buf = r.buf[:n]
		r.offset += r.start
		r.start = 0
	}
	if cap(r.buf)-len(r.buf) < readChunk {
		nb := make([]byte, len(r.buf), 2*cap(r.buf)+readChunk)
		copy(nb, r.buf)
		r.buf = nb
	}
	n, err := r.src.Read(r.buf[len(r.buf):cap(r.buf)])
	r.buf = r.buf[:len(r.buf)+n]
	if r.offset+len(r.buf) > r.cfg.limits.MaxBytes {
		return &LimitError{Limit: "MaxBytes", Max: r.cfg.limits.MaxBytes, Offset: r.cfg.limits.MaxBytes, SegmentIndex: r.index}
	}
	if err == io.EOF {
		r.eof = true
		if n == 0 {
			return io.EOF
		}
		return nil
	}
	return err
}

func (r *Reader) begin() error {
	r.started = true
	for len(r.buf)-r.start < 9 && !r.eof {
		if err := r.fill(); err != nil && err != io.EOF {
			return err
		}
	}
	b := r.buf[r.start:]
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		r.start += 3
		b = b[3:]
	}
	d, has, n, err := readUNA(b)
	if err != nil {
		return err
	}
	r.d, r.hasUNA = d, has
	r.start += n
	r.enc = r.cfg.encoding
	r.class = classFor(d)
	return nil
}

// Next returns the next segment or io.EOF. After an error other than io.EOF
// every further call returns the same error.
func (r *Reader) Next() (Segment, error) {
	if r.pending != nil {
		s := *r.pending
		r.pending = nil
		return s, nil
	}
	if r.err != nil {
		return Segment{}, r.err
	}
	s, err := r.next()
	if err != nil {
		r.err = err
	}
	return s, err
}

func (r *Reader) next() (Segment, error) {
	if !r.started {
		if err := r.begin(); err != nil {
			return Segment{}, err
		}
	}
	// skip CR/LF between segments
	for {
		for r.start < len(r.buf) && (r.buf[r.start] == '\r' || r.buf[r.start] == '\n') {
			r.start++
			r.newlines = true
		}
		if r.start < len(r.buf) {
			break
		}
		if err := r.fill(); err != nil {
			if err == io.EOF {
				return Segment{}, io.EOF
			}
			return Segment{}, err
		}
	}
	if r.index >= r.cfg.limits.MaxSegments {
		return Segment{}, &LimitError{Limit: "MaxSegments", Max: r.cfg.limits.MaxSegments, Offset: r.offset + r.start, SegmentIndex: r.index}
	}
	// find the unescaped terminator
	scan := r.start
	end := -1
	for {
		b := r.buf
		i := scan
		for i < len(b) {
			k := r.class[b[i]]
			if k == clsRel {
				if i+1 >= len(b) {
					break // the escaped byte is not read yet
				}
				i += 2
				continue
			}
			if k == clsTerm {
				end = i
				break
			}
			i++
		}
		if end >= 0 {
			break
		}
		scan = i
		if len(r.buf)-r.start > r.cfg.limits.MaxSegmentBytes {
			return Segment{}, &LimitError{Limit: "MaxSegmentBytes", Max: r.cfg.limits.MaxSegmentBytes, Offset: r.offset + r.start, SegmentIndex: r.index}
		}
		before := r.start
		err := r.fill()
		scan -= before - r.start // fill may compact the buffer
		if err != nil {
			if err != io.EOF {
				return Segment{}, err
			}
			end = len(r.buf) // unterminated last segment
			break
		}
	}
	if end-r.start > r.cfg.limits.MaxSegmentBytes {
		return Segment{}, &LimitError{Limit: "MaxSegmentBytes", Max: r.cfg.limits.MaxSegmentBytes, Offset: r.offset + r.start, SegmentIndex: r.index}
	}
	stop := min(end+1, len(r.buf))
	own := r.carve(r.buf[r.start:stop])
	base := r.offset + r.start
	r.start = stop
	if r.enc == EncodingAuto && !isASCII(own) && utf8.Valid(own) {
		r.enc = EncodingUTF8
		r.warnUTF8 = true
	}
	if cap(r.comps)-len(r.comps) < 64 {
		r.comps = make([]Component, 0, arenaItems)
	}
	if cap(r.elems)-len(r.elems) < 32 {
		r.elems = make([]Element, 0, arenaItems/2)
	}
	t := Tokenizer{data: own, d: r.d, enc: r.enc, lim: r.cfg.limits, class: r.class, index: r.index,
		comps: r.comps[len(r.comps):len(r.comps)], elems: r.elems[len(r.elems):len(r.elems)]}
	if t.enc == EncodingAuto {
		t.enc = EncodingLatin1
	}
	t.lim.MaxSegments = r.index + 1
	s, err := t.next()
	if err != nil {
		var se *SyntaxError
		var le *LimitError
		switch {
		case errors.As(err, &se):
			se.Offset += base
		case errors.As(err, &le):
			le.Offset += base
		}
		return Segment{}, err
	}
	// keep using the arenas unless the tokenizer had to grow past them
	if n := len(t.comps); n <= cap(r.comps)-len(r.comps) {
		r.comps = r.comps[:len(r.comps)+n]
	}
	if n := len(t.elems); n <= cap(r.elems)-len(r.elems) {
		r.elems = r.elems[:len(r.elems)+n]
	}
	s.Offset += base
	if s.issue != nil {
		s.issue.offset += base
	}
	r.index++
	return s, nil
}

// NextMessage returns the next UNH … UNT message (or the segments up to the
// next UNH/UNZ when UNT is missing), or io.EOF. UNB and UNZ are kept and
// available from UNB and UNZ; segments outside messages are skipped.
func (r *Reader) NextMessage() (*Message, error) {
	var segs []Segment
	for {
		s, err := r.Next()
		if err == io.EOF {
			if len(segs) > 0 {
				return r.msg(segs), nil
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		switch s.Tag {
		case "UNB":
			if len(segs) > 0 {
				r.pending = &s
				return r.msg(segs), nil
			}
			r.unb = &s
			continue
		case "UNZ":
			if len(segs) > 0 {
				r.pending = &s
				return r.msg(segs), nil
			}
			r.unz = &s
			continue
		case "UNH":
			if len(segs) > 0 {
				r.pending = &s
				return r.msg(segs), nil
			}
		default:
			if len(segs) == 0 {
				continue // outside a message
			}
		}
		segs = append(segs, s)
		if s.Tag == "UNT" {
			return r.msg(segs), nil
		}
	}
}

func (r *Reader) msg(segs []Segment) *Message {
	m := &Message{Segments: segs, Index: r.nmsg}
	r.nmsg++
	return m
}

// UNB returns the interchange header once NextMessage has passed it.
func (r *Reader) UNB() (UNB, bool) {
	if r.unb == nil {
		return UNB{}, false
	}
	return parseUNB(r.unb), true
}

// UNZ returns the interchange trailer once NextMessage has passed it.
func (r *Reader) UNZ() (UNZ, bool) {
	if r.unz == nil {
		return UNZ{}, false
	}
	return UNZ{MessageCount: r.unz.Value(0, 0), ControlRef: r.unz.Value(1, 0), Segment: r.unz}, true
}
