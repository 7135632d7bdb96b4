package edifact

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzSeeds are added in code; more seeds (and every crasher found by local
// fuzzing) live in testdata/fuzz/<Target>/.
var fuzzSeeds = []string{
	example55001, example55999, aperak313, contrl55999,
	"UNA|*,# !UNB*UNOC|3*1!QTY*220|12,5#!#*!",
	"UNB+UNOC:3+A??B+C?:D+E?'F'UNZ+0+X?+Y'",
	"UNB+A'UNZ+0+X?",
	"\xef\xbb\xbfUNB+UNOC:3'\r\nUNH+1+UTILMD:D:11A:UN:S2.2'\r\nFTX+Straße €'\r\nUNT+2+1'\r\nUNZ+1+X",
	"UNA:+.? ", "UNA", "'''", "+:+:'", "UNH+1'UNH+2'UNT+1+2'",
}

func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := NewTokenizer(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("NewTokenizer: unexpected error type %T", err)
			}
			return
		}
		last := -1
		for {
			s, err := tok.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var se *SyntaxError
				var le *LimitError
				if !errors.As(err, &se) && !errors.As(err, &le) {
					t.Fatalf("Next: unexpected error type %T", err)
				}
				return
			}
			if s.Offset <= last || s.Offset+len(s.Raw()) > len(data) || !bytes.Equal(data[s.Offset:s.Offset+len(s.Raw())], s.Raw()) {
				t.Fatalf("segment %d: offset %d raw %q", s.Index, s.Offset, s.Raw())
			}
			last = s.Offset
			if len(s.Elements) > DefaultLimits.MaxElements {
				t.Fatalf("limit not enforced: %d elements", len(s.Elements))
			}
			for _, e := range s.Elements {
				if len(e) > DefaultLimits.MaxComponents {
					t.Fatalf("limit not enforced: %d components", len(e))
				}
				for _, c := range e {
					_ = c.String()
				}
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	reuse := NewParser() // shared across inputs: exercises memory reuse
	f.Fuzz(func(t *testing.T, data []byte) {
		if full, err := Parse(data); err == nil {
			again, err := reuse.Parse(data)
			if err != nil {
				t.Fatalf("Parser: %v", err)
			}
			segmentsEqual(t, full.Segments, again.Segments)
		}
		ix, rep, err := Analyze(data)
		if err != nil {
			return
		}
		if rep == nil || ix == nil {
			t.Fatal("nil report without error")
		}
		for _, f := range rep.Findings {
			if f.Level < LevelInterchange || f.Level > LevelElement || f.Code == 0 {
				t.Fatalf("malformed finding %+v", f)
			}
		}
		if _, _, _, err := BuildCONTRL(ix, rep, ContrlParams{Ref: "F1", Time: exTime}); err != nil {
			// partner values outside ISO 8859-1 cannot be echoed; anything
			// else is a bug
			var be *BuildError
			if !errors.As(err, &be) {
				t.Fatalf("BuildCONTRL: %v", err)
			}
		}
		// the streaming reader sees the same segments (given the same
		// encoding: in EncodingAuto the Reader decides per segment)
		if full, err := Parse(data); err == nil {
			got, rerr := readAll(NewReader(bytes.NewReader(data), WithEncoding(full.Encoding)))
			if rerr == nil {
				segmentsEqual(t, full.Segments, got)
			}
		}
		// serialize → parse keeps every value
		out, err := ix.Bytes()
		if err != nil {
			return
		}
		ix2, err := Parse(out, WithEncoding(EncodingLatin1)) // the canonical output is ISO 8859-1 by contract
		if err != nil {
			if len(ix.Segments) == 0 {
				return
			}
			t.Fatalf("re-parse of serialized output: %v\n%q\n%q", err, data, out)
		}
		if len(ix2.Segments) != len(ix.Segments) {
			t.Fatalf("segment count %d → %d\n%q\n%q", len(ix.Segments), len(ix2.Segments), data, out)
		}
		for i := range ix.Segments {
			a, b := &ix.Segments[i], &ix2.Segments[i]
			if a.Canonical() != b.Canonical() {
				t.Fatalf("segment %d: %q → %q", i, a.Canonical(), b.Canonical())
			}
		}
	})
}
