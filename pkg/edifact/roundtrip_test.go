package edifact

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// alphabet for generated values: letters, digits, every default service
// character, space and ISO 8859-1 letters.
var alphabet = []rune("AZaz09 .,-/+:'?äöüßÄÖÜé")

func randText(r *rand.Rand, max int) string {
	n := r.IntN(max + 1)
	var sb strings.Builder
	for range n {
		sb.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

type genSeg struct {
	tag  string
	vals []Value
}

func randSegments(r *rand.Rand) []genSeg {
	tags := []string{"BGM", "DTM", "NAD", "IDE", "STS", "LOC", "RFF", "FTX", "QTY", "SEQ", "CCI", "CAV"}
	var out []genSeg
	for range 1 + r.IntN(20) {
		var vals []Value
		for range r.IntN(6) {
			v := Value{}
			for range 1 + r.IntN(4) {
				v = append(v, randText(r, 8))
			}
			vals = append(vals, v)
		}
		out = append(out, genSeg{tags[r.IntN(len(tags))], vals})
	}
	return out
}

// trimmed is what the builder is documented to write: trailing empty
// components and elements omitted.
func trimmed(vals []Value) [][]string {
	var out [][]string
	for _, v := range vals {
		k := len(v)
		for k > 0 && v[k-1] == "" {
			k--
		}
		out = append(out, append([]string(nil), v[:k]...))
	}
	n := len(out)
	for n > 0 && len(out[n-1]) == 0 {
		n--
	}
	return out[:n]
}

// TestRoundTripProperty: build → parse yields the same values, the control
// segments are right and clean, and parse → serialize is byte-exact.
func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 500 {
		b := NewInterchangeBuilder(lfParty, nbParty, fmt.Sprintf("R%d", iter), exTime)
		var msgs [][]genSeg
		for k := range 1 + r.IntN(3) {
			segs := randSegments(r)
			m := b.Message(fmt.Sprint(k+1), "UTILMD", "D", "11A", "UN", "S2.2")
			for _, s := range segs {
				m.Segment(s.tag, s.vals...)
			}
			msgs = append(msgs, segs)
		}
		data, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		ix, err := Parse(data)
		if err != nil {
			t.Fatalf("iter %d: %v\n%s", iter, err, data)
		}
		if len(ix.Messages) != len(msgs) {
			t.Fatalf("iter %d: %d messages", iter, len(ix.Messages))
		}
		for k, segs := range msgs {
			m := ix.Messages[k]
			if len(m.Segments) != len(segs)+2 {
				t.Fatalf("iter %d msg %d: %d segments", iter, k, len(m.Segments))
			}
			for i, s := range segs {
				got := m.Segments[i+1]
				want := trimmed(s.vals)
				if got.Tag != s.tag || len(got.Elements) != len(want) {
					t.Fatalf("iter %d: segment %s has %d elements, want %d (%q)\n%s", iter, got.Tag, len(got.Elements), len(want), want, data)
				}
				for e := range want {
					gs := got.Elements[e].Strings()
					if len(want[e]) == 0 {
						if len(gs) != 1 || gs[0] != "" {
							t.Fatalf("iter %d: empty element became %q", iter, gs)
						}
						continue
					}
					if strings.Join(gs, "\x00") != strings.Join(want[e], "\x00") {
						t.Fatalf("iter %d: element %d = %q, want %q", iter, e, gs, want[e])
					}
				}
			}
		}
		// control counts and references are right: only the PID check may fire
		for _, f := range Check(ix).Findings {
			if f.Level == LevelInterchange || f.Level == LevelMessage {
				t.Fatalf("iter %d: %v", iter, f)
			}
		}
		out, err := ix.Bytes()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("iter %d: serialize not byte-exact: %v\n%s\n%s", iter, err, data, out)
		}
		// and through the streaming reader
		got, err := readAll(NewReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		segmentsEqual(t, ix.Segments, got)
	}
}

func TestBuilderErrorsAndOptions(t *testing.T) {
	b := NewInterchangeBuilder(lfParty, nbParty, "R1", exTime, WithAppRef("EM"), WithTestIndicator())
	b.Message("1", "MSCONS", "D", "04B", "UN", "2.5").CommonAccess("DAR1", "1", "C").Segment("BGM", E("7"))
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := "UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+R1++EM++++1'" +
		"UNH+1+MSCONS:D:04B:UN:2.5+DAR1+1:C'BGM+7'UNT+3+1'UNZ+1+R1'"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	ix := mustParse(t, string(out))
	if u := ix.UNB(); u.AppRef != "EM" || !u.IsTest() {
		t.Fatalf("UNB %+v", u)
	}
	if h := ix.Messages[0].Header(); h.CommonAccessRef != "DAR1" || h.SequenceNumber != "1" || h.FirstLast != "C" {
		t.Fatalf("UNH %+v", h)
	}
	for _, bad := range []struct {
		tag string
		v   Value
	}{{"FTX", E("Euro €")}, {"ftx", E("x")}, {"FTX", E("a\nb")}, {"FTX", E("\xff")}} {
		b := NewInterchangeBuilder(lfParty, nbParty, "R1", exTime)
		b.Message("1", "UTILMD", "D", "11A", "UN", "S2.2").Segment("BGM", E("E01")).Segment(bad.tag, bad.v)
		_, err := b.Bytes()
		be, ok := err.(*BuildError)
		if !ok || be.Position != 3 || be.Message != "1" {
			t.Errorf("%s %q: err %v", bad.tag, bad.v, err)
		}
	}
	// a time zone other than UTC is written in UTC
	cet := exTime.In(mustLoc(t, "Europe/Berlin"))
	out, _ = NewInterchangeBuilder(lfParty, nbParty, "R1", cet).Bytes()
	if !bytes.Contains(out, []byte("+261120:0915+R1'")) {
		t.Fatalf("S004 not UTC: %s", out)
	}
	// AppendSegment and Canonical agree
	seg, err := AppendSegment(nil, "FTX", E("Z02"), E(""), E(""), C("RFF", "RFF+Z13:55999"))
	if err != nil || string(seg) != "FTX+Z02+++RFF:RFF?+Z13?:55999'" {
		t.Fatalf("AppendSegment %q %v", seg, err)
	}
	rff, _ := mustParse(t, example55999).Messages[0].Find(0, "RFF", "Z13")
	if rff.Canonical() != "RFF+Z13:55999" {
		t.Fatalf("Canonical %q", rff.Canonical())
	}
}
