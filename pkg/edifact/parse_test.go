package edifact

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

func mustParse(t *testing.T, s string, opts ...Option) *Interchange {
	t.Helper()
	ix, err := Parse([]byte(s), opts...)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return ix
}

func TestParseWorkedExample(t *testing.T) {
	ix := mustParse(t, example55001)
	if !ix.HasUNA || ix.Delimiters != DefaultDelimiters || ix.Encoding != EncodingLatin1 {
		t.Fatalf("UNA/delimiters/encoding: %v %+v %v", ix.HasUNA, ix.Delimiters, ix.Encoding)
	}
	if got := len(ix.Segments); got != 13 {
		t.Fatalf("segments = %d, want 13", got)
	}
	u := ix.UNB()
	want := UNB{SyntaxID: "UNOC", SyntaxVersion: "3", Sender: Party{"9900000000004", "500"},
		Recipient: Party{"9900000000011", "500"}, Date: "261120", Time: "0915", ControlRef: "MK26112000017", Segment: ix.Header()}
	if u != want {
		t.Fatalf("UNB = %+v\nwant %+v", u, want)
	}
	if p, ok := u.Prepared(); !ok || p.Format("2006-01-02T15:04Z07:00") != "2026-11-20T09:15Z" {
		t.Fatalf("Prepared = %v %v", p, ok)
	}
	if len(ix.Messages) != 1 {
		t.Fatalf("messages = %d", len(ix.Messages))
	}
	m := &ix.Messages[0]
	h := m.Header()
	if h.Ref != "1" || h.MessageID != (MessageID{"UTILMD", "D", "11A", "UN", "S2.2"}) {
		t.Fatalf("UNH = %+v", h)
	}
	unt, ok := m.Trailer()
	if !ok || unt.SegmentCount != "11" || unt.Ref != "1" {
		t.Fatalf("UNT = %+v %v", unt, ok)
	}
	z, ok := ix.UNZ()
	if !ok || z.MessageCount != "1" || z.ControlRef != "MK26112000017" {
		t.Fatalf("UNZ = %+v", z)
	}
	rff, i := m.Find(0, "RFF", "Z13")
	if rff == nil || i != 9 || m.Position(rff) != 10 || rff.Value(0, 1) != "55001" {
		t.Fatalf("RFF+Z13 at %d (pos %d)", i, m.Position(rff))
	}
	// positions: index and byte offset of every segment
	for k, s := range ix.Segments {
		if s.Index != k {
			t.Fatalf("segment %d has Index %d", k, s.Index)
		}
		if !bytes.HasPrefix([]byte(example55001[s.Offset:]), []byte(s.Tag)) {
			t.Fatalf("segment %d offset %d does not point at %s", k, s.Offset, s.Tag)
		}
		if string(s.Raw()) != example55001[s.Offset:s.Offset+len(s.Raw())] {
			t.Fatalf("Raw mismatch at %d", k)
		}
	}
	dtm, _ := m.Find(0, "DTM", "137")
	c := dtm.Element(0).Component(1)
	if c.String() != "202611200915+00" || string(c.Raw()) != "202611200915?+00" {
		t.Fatalf("escaped DTM: %q raw %q", c.String(), c.Raw())
	}
	sts, _ := m.Find(0, "STS", "")
	if len(sts.Elements) != 4 || !sts.Element(1).IsEmpty() || sts.Value(2, 0) != "E03" {
		t.Fatalf("STS elements: %v", sts.Elements)
	}
	nad, _ := m.Find(0, "NAD", "MS")
	if got := nad.Element(1).Strings(); len(got) != 3 || got[1] != "" || got[2] != "293" {
		t.Fatalf("NAD C082 = %q", got)
	}
}

func TestParseNoUNAUsesDefaults(t *testing.T) {
	ix := mustParse(t, strings.TrimPrefix(example55001, "UNA:+.? '"))
	if ix.HasUNA || ix.Delimiters != DefaultDelimiters || len(ix.Messages) != 1 {
		t.Fatalf("HasUNA=%v delims=%+v", ix.HasUNA, ix.Delimiters)
	}
}

func TestParseCustomUNAAndDecimalComma(t *testing.T) {
	in := "UNA|*,# !UNB*UNOC|3*1*2*261120|0915*R1!UNH*1*MSCONS|D|04B|UN|2.5!QTY*220|12,5#!#*#|#|!UNT*3*1!UNZ*1*R1!"
	ix := mustParse(t, in)
	d := ix.Delimiters
	if d.Component != '|' || d.Element != '*' || d.Decimal != ',' || d.Release != '#' || d.Segment != '!' {
		t.Fatalf("delims = %+v", d)
	}
	qty := &ix.Messages[0].Segments[1]
	if got := qty.Value(0, 1); got != "12,5!*||" {
		t.Fatalf("QTY value = %q", got)
	}
	if !containsWarning(ix.Warnings, "decimal comma") {
		t.Fatalf("warnings: %v", ix.Warnings)
	}
	out, err := ix.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := "UNA:+.? 'UNB+UNOC:3+1+2+261120:0915+R1'UNH+1+MSCONS:D:04B:UN:2.5'QTY+220:12,5!*||'UNT+3+1'UNZ+1+R1'"
	if string(out) != want {
		t.Fatalf("re-serialized:\n%s\nwant\n%s", out, want)
	}
}

func TestParseInvalidUNA(t *testing.T) {
	for _, in := range []string{"UNA:+", "UNA::.? 'UNB'", "UNA:+.?A'UNB'", "UNA:+;? 'UNB'", "UNAA+.? 'UNB'"} {
		_, err := Parse([]byte(in))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Code != CodeInvalidServiceCharUNA || se.Level != LevelInterchange {
			t.Errorf("%q: err = %v, want UCI 20", in, err)
		}
	}
}

func TestParseReleaseCharacter(t *testing.T) {
	ix := mustParse(t, "UNB+UNOC:3+A??B+C?:D+E?'F'UNZ+0+X?+Y'")
	unb := ix.Header()
	for i, want := range []string{"A?B", "C:D", "E'F"} {
		if got := unb.Value(i+1, 0); got != want {
			t.Errorf("element %d = %q, want %q", i+2, got, want)
		}
	}
	if len(unb.Element(2)) != 1 {
		t.Errorf("escaped ':' split the element: %v", unb.Element(2))
	}
	if got := ix.Segments[1].Value(1, 0); got != "X+Y" {
		t.Errorf("UNZ ref = %q", got)
	}
	// a trailing lone release character is an error
	_, err := Parse([]byte("UNB+UNOC:3+A'UNZ+0+X?"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 20 {
		t.Fatalf("lone release: err = %v", err)
	}
	// "??" at the end escapes itself and is fine
	mustParse(t, "UNB+UNOC:3+A'UNZ+0+X??'")
}

func TestParseLineBreaksOnlyBetweenSegments(t *testing.T) {
	in := strings.ReplaceAll(example55001, "'", "'\r\n")
	ix := mustParse(t, in)
	if len(ix.Segments) != 13 || !containsWarning(ix.Warnings, "line breaks") {
		t.Fatalf("segments=%d warnings=%v", len(ix.Segments), ix.Warnings)
	}
	rep := Check(ix)
	if !rep.Clean() {
		t.Fatalf("CRLF between segments must be clean: %v", rep.Findings)
	}
	out, err := ix.Bytes()
	if err != nil || string(out) != example55001 {
		t.Fatalf("canonical output differs: %v\n%s", err, out)
	}
	// inside a segment a line break is an invalid character (CONTRL 21)
	bad := strings.Replace(example55001, "BGM+E01+DOK", "BGM+E01+D\nOK", 1)
	rep = Check(mustParse(t, bad))
	f := findRule(rep, "invalid-character")
	if f == nil || f.Level != LevelElement || f.Code != CodeInvalidChar || f.Position != 2 || f.Element != 2 || f.Component != 1 {
		t.Fatalf("line break inside segment: %+v", rep.Findings)
	}
}

func TestParseEncodings(t *testing.T) {
	latin := strings.Replace(example55001, "DOK26112000001", "Stra\xdfe", 1)
	ix := mustParse(t, latin)
	bgm := &ix.Messages[0].Segments[1]
	if ix.Encoding != EncodingLatin1 || bgm.Value(1, 0) != "Straße" {
		t.Fatalf("latin1: enc=%v value=%q", ix.Encoding, bgm.Value(1, 0))
	}
	if !Check(ix).Clean() {
		t.Fatal("ISO 8859-1 letters must be clean")
	}
	utf := strings.Replace(example55001, "DOK26112000001", "Straße", 1)
	ix = mustParse(t, utf)
	if ix.Encoding != EncodingUTF8 || ix.Messages[0].Segments[1].Value(1, 0) != "Straße" || !containsWarning(ix.Warnings, "UTF-8") {
		t.Fatalf("utf8: enc=%v warnings=%v", ix.Encoding, ix.Warnings)
	}
	if !Check(ix).Clean() {
		t.Fatal("UTF-8 encoded ISO 8859-1 letters are tolerated")
	}
	out, err := ix.Bytes()
	if err != nil || string(out) != latin {
		t.Fatalf("UTF-8 input must serialize as ISO 8859-1: %v", err)
	}
	// a character outside ISO 8859-1 (UTF-8 encoded Euro sign) → CONTRL 21
	euro := strings.Replace(example55001, "DOK26112000001", "DOK€", 1)
	rep := Check(mustParse(t, euro))
	f := findRule(rep, "invalid-character")
	if f == nil || f.Code != CodeInvalidChar || f.Level != LevelElement || f.Element != 2 || f.Component != 1 || f.Position != 2 {
		t.Fatalf("euro: %v", rep.Findings)
	}
	// C1 control byte under ISO 8859-1 → 21
	c1 := strings.Replace(example55001, "DOK26112000001", "DOK\x85", 1)
	if f := findRule(Check(mustParse(t, c1)), "invalid-character"); f == nil {
		t.Fatal("C1 control not flagged")
	}
	// forced encoding
	ix = mustParse(t, utf, WithEncoding(EncodingLatin1))
	if ix.Encoding != EncodingLatin1 {
		t.Fatal("WithEncoding ignored")
	}
}

func TestParseBOMAndUnterminated(t *testing.T) {
	ix := mustParse(t, "\xef\xbb\xbf"+strings.TrimSuffix(example55001, "'"))
	if len(ix.Segments) != 13 || !containsWarning(ix.Warnings, "byte order mark") || !containsWarning(ix.Warnings, "terminator") {
		t.Fatalf("segments=%d warnings=%v", len(ix.Segments), ix.Warnings)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\r\n", "UNA:+.? '"} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrNotEDIFACT) {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	big := strings.Repeat("FTX+A'", 200)
	cases := []struct {
		name  string
		in    string
		opt   Option
		limit string
	}{
		{"bytes", big, WithMaxBytes(100), "MaxBytes"},
		{"segments", big, WithMaxSegments(50), "MaxSegments"},
		{"segment bytes", "FTX+" + strings.Repeat("A:", 100) + "'", WithLimits(Limits{MaxSegmentBytes: 50, MaxComponents: 1000}), "MaxSegmentBytes"},
		{"elements", "FTX" + strings.Repeat("+A", 100) + "'", nil, "MaxElements"},
		{"components", "FTX+" + strings.Repeat("A:", 100) + "'", nil, "MaxComponents"},
		{"component bytes", "FTX+" + strings.Repeat("A", 5000) + "'", nil, "MaxComponentBytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := Parse([]byte(tc.in), tc.opt)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tc.limit || !errors.Is(err, ErrLimit) || ix != nil {
				t.Fatalf("err = %v, want %s", err, tc.limit)
			}
			_, err = readAll(NewReader(strings.NewReader(tc.in), tc.opt))
			if !errors.As(err, &le) || le.Limit != tc.limit {
				t.Fatalf("Reader err = %v, want %s", err, tc.limit)
			}
		})
	}
}

func readAll(r *Reader) ([]Segment, error) {
	var out []Segment
	for {
		s, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
}

func segmentsEqual(t *testing.T, a, b []Segment) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("segment count %d vs %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Tag != y.Tag || x.Index != y.Index || x.Offset != y.Offset || !bytes.Equal(x.raw, y.raw) || len(x.Elements) != len(y.Elements) {
			t.Fatalf("segment %d: %+v vs %+v", i, x, y)
		}
		for e := range x.Elements {
			if strings.Join(x.Elements[e].Strings(), "|") != strings.Join(y.Elements[e].Strings(), "|") {
				t.Fatalf("segment %d element %d differs", i, e)
			}
		}
		if (x.issue == nil) != (y.issue == nil) || x.issue != nil && *x.issue != *y.issue {
			t.Fatalf("segment %d char issue %+v vs %+v", i, x.issue, y.issue)
		}
	}
}

func TestReaderMatchesParse(t *testing.T) {
	inputs := []string{
		example55001, example55999, aperak313,
		strings.ReplaceAll(example55001, "'", "'\n"),
		strings.TrimPrefix(example55001, "UNA:+.? '"),
		strings.Replace(example55001, "DOK26112000001", "Straße €", 1),
		"UNA|*,# !UNB*UNOC|3*1!QTY*220|12,5#!#*!",
		"UNB+A'UNZ+0+X??'",
	}
	for _, in := range inputs {
		ix := mustParse(t, in)
		// one byte at a time exercises every buffer boundary
		got, err := readAll(NewReader(iotest.OneByteReader(strings.NewReader(in))))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		segmentsEqual(t, ix.Segments, got)
	}
	// the lone release character at the end
	_, err := readAll(NewReader(iotest.OneByteReader(strings.NewReader("UNB+A'UNZ+0+X?"))))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 13 {
		t.Fatalf("lone release via Reader: %v", err)
	}
}

func TestReaderNextMessage(t *testing.T) {
	in := buildMulti(t, 50)
	r := NewReader(bytes.NewReader(in), WithMaxBytes(len(in)))
	n := 0
	for {
		m, err := r.NextMessage()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.Index != n || m.Type() != "UTILMD" || len(m.Segments) != 11 {
			t.Fatalf("message %d: index %d type %s segments %d", n, m.Index, m.Type(), len(m.Segments))
		}
		n++
	}
	u, ok := r.UNB()
	z, ok2 := r.UNZ()
	if n != 50 || !ok || !ok2 || u.ControlRef != z.ControlRef {
		t.Fatalf("messages %d, UNB %v UNZ %v", n, ok, ok2)
	}
}

// TestSyntheticCorpus parses every file of shared/testdata/edifact-synthetic
// (CI clones the repository next to shared/) and runs the checks on it.
func TestSyntheticCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "testdata", "edifact-synthetic")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("synthetic corpus not found at %s (expected next to the repository): %v", root, err)
	}
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".edi") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		ix, err := Parse(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if len(ix.Messages) != 1 || ix.Header() == nil || ix.Trailer() == nil {
			t.Errorf("%s: %d messages, UNB %v, UNZ %v", path, len(ix.Messages), ix.Header() != nil, ix.Trailer() != nil)
			return nil
		}
		m := &ix.Messages[0]
		// the file name is the PID; it must be detected where the type carries it
		// (some generated files carry another PID or none; compare with the text)
		pid := strings.TrimSuffix(filepath.Base(path), ".edi")
		if bytes.Contains(data, []byte("RFF+Z13:"+pid+"'")) && catalog.PIDScope(m.Type()) != catalog.ScopeNone {
			found := false
			for _, tx := range Transactions(m) {
				found = found || tx.PID == pid
			}
			if !found {
				t.Errorf("%s: PID %s not detected in %+v", path, pid, Transactions(m))
			}
		}
		if out, err := ix.Bytes(); err != nil {
			t.Errorf("%s: serialize: %v", path, err)
		} else if ix2, err := Parse(out); err != nil || len(ix2.Segments) != len(ix.Segments) {
			t.Errorf("%s: re-parse: %v", path, err)
		}
		// the generated files are not all syntax-clean (wrong UNT counts,
		// UNB inside a body); the checks must run without failing
		rep := Check(ix)
		for _, f := range rep.Findings {
			if f.Level == 0 || f.Code == 0 || f.Text == "" {
				t.Errorf("%s: malformed finding %+v", path, f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 900 {
		t.Fatalf("walked only %d files", n)
	}
	t.Logf("parsed %d synthetic interchanges", n)
}

func containsWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func findRule(r *Report, rule string) *Finding {
	for i := range r.Findings {
		if r.Findings[i].Rule == rule {
			return &r.Findings[i]
		}
	}
	return nil
}

func TestParserReuse(t *testing.T) {
	p := NewParser()
	small := mustParse(t, example55001)
	for i, in := range []string{example55001, string(buildMulti(t, 20)), example55999, example55001} {
		ix, err := p.Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		fresh := mustParse(t, in)
		segmentsEqual(t, fresh.Segments, ix.Segments)
		if len(ix.Messages) != len(fresh.Messages) || !Check(ix).Clean() != !Check(fresh).Clean() {
			t.Fatalf("input %d: messages %d vs %d", i, len(ix.Messages), len(fresh.Messages))
		}
	}
	// the independent result of Parse is untouched
	segmentsEqual(t, mustParse(t, example55001).Segments, small.Segments)
	if _, err := p.Parse([]byte(strings.Repeat("A'", 10))); err != nil {
		t.Fatal(err)
	}
}
