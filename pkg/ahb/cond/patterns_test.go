package cond

import (
	"testing"

	"github.com/mako-engine/mako/pkg/fv"
)

// TestPatternRows checks every generated pattern condition of every AHB on
// fragments:
// the segment present, absent, and no context (no transaction for SG4
// rows, no message for message rows).
func TestPatternRows(t *testing.T) {
	for _, name := range ahbNames {
		sector := struct {
			name string
			rows []patternRow
		}{name, ahbPatterns(name)}
		for _, v := range []fv.Version{fv2604, fv2610} {
			set := PredicatesFor(sector.name, v)
			var cs []predCase
			for _, r := range sector.rows {
				if r.fv != "" && r.fv != v.String() {
					continue
				}
				if set.Quote(cref(r.n)) != r.text {
					continue // a hand-written predicate takes precedence
				}
				if r.shape == "ajt" || r.shape == "ajtgroup" {
					continue // TestREMADVPatternRows
				}
				if r.shape == "header" {
					seg := r.tag + "+"
					if r.qual == "1" {
						seg += "+"
					}
					yes := seg + r.codes[0]
					if r.code != "" {
						yes += "+" + r.code
					}
					yes += "'"
					no := seg + "ZZZ'"
					if r.neg {
						yes, no = no, yes
					}
					// the segment after the first LIN is not in the header
					cs = append(cs,
						predCase{ref: cref(r.n), body: "BGM+ZZZ+D1'" + yes + "LIN+1'", at: "BGM", want: True},
						predCase{ref: cref(r.n), body: "BGM+ZZZ+D1'" + no + "LIN+1'" + yes, at: "BGM", want: False},
						predCase{ref: cref(r.n), body: "BGM+ZZZ+D1'" + yes, at: "BGM", nomsg: true, want: Unknown})
					continue
				}
				if r.shape == "role" {
					for _, c := range []struct {
						role string
						want Tri
					}{{r.codes[0], TriOf(!r.neg)}, {"XYZ", TriOf(r.neg)}, {"", Unknown}} {
						m := fragment(t, ide(""))
						sc := &Scope{Msg: m, Segment: -1}
						if r.tag == "MR" {
							sc.ReceiverRole = c.role
						} else {
							sc.SenderRole = c.role
						}
						if got := set.Eval(cref(r.n), sc); got != c.want {
							t.Errorf("%s [%d] role %q: got %v, want %v", sector.name, r.n, c.role, got, c.want)
						}
					}
					continue
				}
				yes, no := r.tag+"+"+r.qual+"'", "FTX+ZZZ'"
				switch r.shape {
				case "answer":
					yes = "STS+E01++" + r.codes[0] + "'"
				case "reason":
					yes = "STS+7++" + r.codes[0] + "'"
				case "supplement":
					yes = "STS+7++E01+" + r.codes[0] + "'"
				case "group":
					yes = r.tag + "+" + r.quals[0]
					if r.code != "" {
						yes += "++" + r.code
					}
					yes += "'"
				}
				if r.neg && r.shape != "group" {
					yes, no = no, yes
				}
				if r.scope == "" {
					body := func(s string) string { return s + "IDE+24+V1'" }
					switch r.tag {
					case "BGM":
					case "IDE": // the message with or without a transaction
						body = func(s string) string { return "BGM+E01+D1'" + s }
						yes, no = "IDE+24+V1'", "FTX+ZZZ'"
						if r.neg {
							yes, no = no, yes
						}
					default:
						body = func(s string) string { return "BGM+E01+D1'" + s + "IDE+24+V1'" }
					}
					if r.tag == "BGM" && !r.neg {
						no = "BGM+ZZZ+D1'"
					}
					if r.tag == "BGM" && r.neg {
						yes = "BGM+ZZZ+D1'"
					}
					cs = append(cs,
						predCase{ref: cref(r.n), body: body(yes), at: "BGM", want: True},
						predCase{ref: cref(r.n), body: body(no), at: "BGM", want: False},
						predCase{ref: cref(r.n), body: body(yes), at: "BGM", nomsg: true, want: Unknown})
					continue
				}
				if r.shape == "group" {
					open := "SEQ+ZZZ'"
					if len(r.open) > 0 {
						open = "SEQ+" + r.open[0] + "'"
					}
					at := "SEQ"
					if r.scope == "SG10" {
						open += "CCI+ZZZ'"
						at = "CCI"
						if r.tag == "CCI" {
							open = open[:len(open)-len("CCI+ZZZ'")]
							at = "CCI#1"
						}
					}
					body := func(s string) string { return ide(open + s) }
					if r.tag == "SEQ" { // the SG8 opener itself
						cs = append(cs,
							predCase{ref: cref(r.n), body: ide(yes), at: "SEQ", want: TriOf(!r.neg)},
							predCase{ref: cref(r.n), body: ide("SEQ+ZZZ'"), at: "SEQ", want: TriOf(r.neg)},
							predCase{ref: cref(r.n), body: ide(yes), at: "SEQ", nogroups: true, want: Unknown})
						continue
					}
					if r.scope == "SG10" && r.tag == "CCI" {
						// the SG10 is opened by the CCI under test (or by a CCI+ZZZ)
						cs = append(cs,
							predCase{ref: cref(r.n), body: body(yes), at: "CCI", want: TriOf(!r.neg)},
							predCase{ref: cref(r.n), body: body("CCI+ZZZ'"), at: "CCI", want: TriOf(r.neg)},
							predCase{ref: cref(r.n), body: body(yes), at: "CCI", nogroups: true, want: Unknown})
						continue
					}
					cs = append(cs,
						predCase{ref: cref(r.n), body: body(yes), at: at, want: TriOf(!r.neg)},
						predCase{ref: cref(r.n), body: body("FTX+ZZZ'"), at: at, want: TriOf(r.neg)},
						predCase{ref: cref(r.n), body: body(yes), at: at, nogroups: true, want: Unknown})
					if len(r.open) > 0 {
						// a line in another SG8: no instance opens as named (Unknown), or
						// the one that does beside it decides.
						cs = append(cs, predCase{ref: cref(r.n), body: ide("SEQ+ZZZ'" + yes), at: "SEQ", want: Unknown})
						if r.scope == "SG8" {
							cs = append(cs,
								predCase{ref: cref(r.n), body: ide(open + yes + "SEQ+ZZZ'"), at: "SEQ#2", want: TriOf(!r.neg)},
								predCase{ref: cref(r.n), body: ide(open + "FTX+ZZZ'SEQ+ZZZ'"), at: "SEQ#2", want: TriOf(r.neg)},
								predCase{ref: cref(r.n), body: ide(open + yes + open + yes + "SEQ+ZZZ'"), at: "SEQ#3", want: Unknown})
						}
					}
					continue
				}
				cs = append(cs,
					predCase{ref: cref(r.n), body: ide(yes), at: "IDE", want: True},
					predCase{ref: cref(r.n), body: ide(no), at: "IDE", want: False},
					predCase{ref: cref(r.n), body: ide(yes), at: "IDE", nogroups: true, want: Unknown})
			}
			runCases(t, sector.name, v, cs)
			t.Logf("%s %s: %d pattern cases", sector.name, v, len(cs))
		}
	}
}

// TestREMADVPatternRows checks the REMADV AJT pattern conditions on a
// document (SG5 DOC) with a header AJT (SG7) and a position AJT (SG12 in
// SG10 DLI).
func TestREMADVPatternRows(t *testing.T) {
	for _, v := range []fv.Version{fv2604, fv2610} {
		set := PredicatesFor("REMADV", v)
		n := 0
		for _, r := range ahbPatterns("REMADV") {
			if (r.shape != "ajt" && r.shape != "ajtgroup") || (r.fv != "" && r.fv != v.String()) || set.Quote(cref(r.n)) != r.text {
				continue
			}
			ajt := func(code string) string {
				if r.shape == "ajtgroup" {
					s := "AJT+" + code
					if r.code != "" {
						s += "+" + r.code
					}
					return s + "'"
				}
				if r.qual == "1" {
					return "AJT+A01+" + code + "'"
				}
				return "AJT+" + code + "+E_0000'"
			}
			for _, c := range []struct {
				code string
				want Tri
			}{{r.codes[0], True}, {"ZZZ", False}} {
				head, pos := ajt("ZZZ"), ajt("ZZZ")
				if r.scope == "SG12" || r.scope == "" {
					pos = ajt(c.code)
				} else {
					head = ajt(c.code)
				}
				m := fragmentWith(t, "UNH+1+REMADV:D:05A:UN:2.9d'", "BGM+481+D1'DOC+380+R1'"+head+"DLI+1'"+pos)
				segs := len(m.Segments) - 1 // UNT
				doc, aj1, dli, aj2 := 2, 3, 4, 5
				sg5 := Span{"SG5", doc, segs}
				scopes := map[string]*Scope{
					"SG5":  {Msg: m, Groups: []Span{sg5}, Segment: doc},
					"SG7":  {Msg: m, Groups: []Span{sg5, {"SG7", aj1, dli}}, Segment: aj1},
					"SG12": {Msg: m, Groups: []Span{sg5, {"SG10", dli, segs}, {"SG12", aj2, segs}}, Segment: aj2},
					"":     {Msg: m, Groups: []Span{sg5, {"SG10", dli, segs}, {"SG12", aj2, segs}}, Segment: aj2},
				}
				sc := scopes[r.scope]
				if got := set.Eval(cref(r.n), sc); got != c.want {
					t.Errorf("REMADV %s [%d] %q with %s: got %v, want %v", v, r.n, r.text, c.code, got, c.want)
				}
				sc.Groups = nil
				if r.scope == "" {
					sc.Segment = doc
				}
				if got := set.Eval(cref(r.n), sc); got != Unknown {
					t.Errorf("REMADV %s [%d] %q without context: got %v", v, r.n, r.text, got)
				}
				n++
			}
		}
		t.Logf("REMADV %s: %d AJT pattern cases", v, n)
	}
}
