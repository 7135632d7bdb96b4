package cond

import (
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// invoicGroupsAt returns the INVOIC group instances enclosing segment i by a
// simplified tree: SG26 from LIN to the next LIN/UNS, SG39 from ALC inside
// it, SG52 from TAX after UNS.
func invoicGroupsAt(m *edifact.Message, i int) []Span {
	segs := m.Segments
	end := func(from int, stops ...string) int {
		for j := from + 1; j < len(segs); j++ {
			for _, s := range stops {
				if segs[j].Tag == s {
					return j
				}
			}
		}
		return len(segs)
	}
	back := func(tag string, stops ...string) int {
		for j := i; j >= 0; j-- {
			if segs[j].Tag == tag {
				return j
			}
			for _, s := range stops {
				if segs[j].Tag == s {
					return -1
				}
			}
		}
		return -1
	}
	var out []Span
	if l := back("LIN", "UNS"); l >= 0 {
		out = append(out, Span{"SG26", l, end(l, "LIN", "UNS", "UNT")})
		if a := back("ALC", "LIN"); a >= 0 {
			out = append(out, Span{"SG39", a, end(a, "ALC", "LIN", "UNS", "UNT")})
		}
	}
	if t := back("TAX", "UNS"); t >= 0 && back("UNS") >= 0 {
		out = append(out, Span{"SG52", t, end(t, "TAX", "UNT")})
	}
	return out
}

func TestINVOICPredicates(t *testing.T) {
	set := PredicatesFor("INVOIC", fv2610)
	hd := func(extra string) string {
		return "BGM+380+R1'DTM+137:202610010800?+00:303'" + extra + "NAD+MR+9900000000004::293+++++++DE'"
	}
	lin := "LIN+1++9990001000748:Z01'"
	type c struct {
		n      uint16
		body   string
		at     string
		value  string
		recv   string
		nomsg  bool
		nogrp  bool
		absent bool
		want   Tri
	}
	cs := []c{
		{n: 5, body: "BGM+380+R1'NAD+MR+9900000000004::293+++++++AT'", at: "BGM", want: True},
		{n: 5, body: hd(""), at: "BGM", want: False},
		{n: 5, body: "BGM+380+R1'NAD+MR+9900000000004::293'", at: "BGM", want: Unknown},
		{n: 6, body: hd(""), at: "BGM", want: True},
		{n: 6, body: "BGM+380+R1'NAD+MR+9900000000004::293+++++++AT'", at: "BGM", want: False},
		{n: 6, body: hd(""), at: "BGM", nomsg: true, want: Unknown},
		{n: 9, body: hd("") + lin + "DTM+155:20261001:102'", at: "LIN", want: True},
		{n: 9, body: hd("") + lin + "DTM+203:20261001:102'", at: "LIN", want: False},
		{n: 9, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 10, body: hd("") + lin + "DTM+203:20261001:102'", at: "LIN", want: True},
		{n: 10, body: hd("") + lin + "DTM+156:20261001:102'", at: "LIN", want: False},
		{n: 10, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 12, body: hd("") + lin + "QTY+136:1:KWH'", at: "LIN", want: True},
		{n: 12, body: hd("") + lin + "QTY+47:1:KWH'", at: "LIN", want: False},
		{n: 12, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 14, body: hd("") + lin, at: "LIN", want: True},
		{n: 14, body: hd("") + "LIN+1++9990001000749:Z01'", at: "LIN", want: False},
		{n: 14, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 17, body: hd("DTM+Z11:20261001:102'"), at: "BGM", want: True},
		{n: 17, body: hd("") + lin + "DTM+Z11:20261001:102'", at: "BGM", want: False},
		{n: 17, body: hd(""), at: "BGM", nomsg: true, want: Unknown},
		{n: 18, body: hd("IMD++ABR'"), at: "BGM", want: True},
		{n: 18, body: hd("IMD++WIM'"), at: "BGM", want: False},
		{n: 18, body: hd(""), at: "BGM", nomsg: true, want: Unknown},
		{n: 20, body: hd("") + "UNS+S'MOA+9:12.50'", at: "BGM", want: True},
		{n: 20, body: hd("") + "UNS+S'MOA+9:-12.50'", at: "BGM", want: False},
		{n: 20, body: hd(""), at: "BGM", want: Unknown},
		{n: 21, body: hd("") + "UNS+S'MOA+9:-12.50'", at: "BGM", want: True},
		{n: 21, body: hd("") + "UNS+S'MOA+9:0'", at: "BGM", want: False},
		{n: 21, body: hd(""), at: "BGM", want: Unknown},
		{n: 22, body: hd(""), at: "BGM", want: True},
		{n: 22, body: hd(""), at: "BGM", absent: true, want: Unknown},
		{n: 23, body: hd("NAD+IV+9900000000004::293++Muster'"), at: "NAD+IV", want: True},
		{n: 23, body: hd("NAD+IV+9900000000004::293+Zeile'"), at: "NAD+IV", want: False},
		{n: 23, body: hd("NAD+IV+9900000000004::293'"), at: "NAD+IV", absent: true, want: Unknown},
		{n: 26, body: hd("") + lin + "ALC+A+:Z04'", at: "LIN", want: True},
		{n: 26, body: hd("") + lin + "ALC+A+:Z01'", at: "LIN", want: False},
		{n: 26, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 27, body: hd("") + lin + "ALC+C+:Z02'", at: "LIN", want: True},
		{n: 27, body: hd("") + lin + "ALC+A+:Z01'", at: "LIN", want: False},
		{n: 27, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 30, body: hd(""), at: "BGM", recv: "NB", want: True},
		{n: 30, body: hd(""), at: "BGM", recv: "KN", want: False},
		{n: 30, body: hd(""), at: "BGM", want: Unknown},
		{n: 32, body: hd("") + lin + "ALC+A+:Z01'", at: "LIN", want: True},
		{n: 32, body: hd("") + lin + "ALC+A+:Z04'", at: "LIN", want: False},
		{n: 32, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 36, body: hd("DTM+156:20191201:102'"), at: "BGM", want: True},
		{n: 36, body: hd("DTM+156:20191130:102'"), at: "BGM", want: False},
		{n: 36, body: hd("DTM+156:2019:602'"), at: "BGM", want: Unknown},
		{n: 45, body: hd(""), at: "BGM", value: "9900000000004", want: True},
		{n: 45, body: hd(""), at: "BGM", value: "9800000000007", want: False},
		{n: 45, body: hd(""), at: "BGM", value: "4012345000009", want: Unknown},
		{n: 49, body: hd("IMD++ABR'"), at: "BGM", want: True},
		{n: 49, body: hd("IMD++Z44'"), at: "BGM", want: False},
		{n: 49, body: hd(""), at: "BGM", nomsg: true, want: Unknown},
		{n: 51, body: hd("") + lin + "DTM+156:202212312300?+00:303'", at: "LIN", want: True},
		{n: 51, body: hd("") + lin + "DTM+156:20230102:102'", at: "LIN", want: False},
		{n: 51, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown},
		{n: 56, body: hd(""), at: "BGM", want: True},
		{n: 56, body: "BGM+380+R1'DTM+137:202212312259?+00:303'", at: "BGM", want: False},
		{n: 56, body: "BGM+380+R1'DTM+137:x:303'", at: "BGM", want: Unknown},
		{n: 58, body: hd("") + "UNS+S'TAX+7+VAT'MOA+113:1'", at: "TAX", want: True},
		{n: 58, body: hd("") + "UNS+S'TAX+7+VAT'MOA+124:1'", at: "TAX", want: False},
		{n: 58, body: hd("") + "UNS+S'TAX+7+VAT'MOA+113:1'", at: "TAX", nogrp: true, want: Unknown},
		{n: 60, body: hd("DTM+203:202610010800?+00:303'"), at: "DTM+203", want: True},
		{n: 60, body: hd("DTM+203:20261001:102'"), at: "DTM+203", want: False},
		{n: 60, body: hd("DTM+203:20261001:102'"), at: "DTM+203", absent: true, want: Unknown},
		{n: 61, body: hd("DTM+203:20261001:102'"), at: "DTM+203", want: True},
		{n: 61, body: hd("DTM+203:202610010800?+00:303'"), at: "DTM+203", want: False},
		{n: 61, body: hd("DTM+203:20261001:102'"), at: "DTM+203", absent: true, want: Unknown},
		{n: 78, body: hd("GEI+Z01'"), at: "BGM", want: True},
		{n: 78, body: hd("GEI+Z08'"), at: "BGM", want: False},
		{n: 78, body: hd(""), at: "BGM", nomsg: true, want: Unknown},
		{n: 84, body: hd("") + lin + "ALC+C+:Z03'", at: "ALC", want: True},
		{n: 84, body: hd("") + lin + "ALC+C+:Z09'", at: "ALC", want: False},
		{n: 84, body: hd("") + lin + "ALC+C+:Z03'", at: "ALC", nogrp: true, want: Unknown},
		{n: 85, body: hd("") + lin + "QTY+136:5:DAY'", at: "QTY", want: True},
		{n: 85, body: hd("") + lin + "QTY+136:5:MON'", at: "QTY", want: False},
		{n: 85, body: hd("") + lin + "QTY+136:5:DAY'", at: "QTY", absent: true, want: Unknown},
		{n: 86, body: hd("") + lin + "QTY+136:5:ANN'", at: "QTY", want: True},
		{n: 86, body: hd("") + lin + "QTY+136:5:DAY'", at: "QTY", want: False},
		{n: 86, body: hd("") + lin + "QTY+136:5:DAY'", at: "QTY", absent: true, want: Unknown},
		{n: 490, body: hd(""), at: "BGM", value: "202607010800+00", want: True},
		{n: 490, body: hd(""), at: "BGM", value: "202612010800+00", want: False},
		{n: 490, body: hd(""), at: "BGM", value: "20261201", want: Unknown},
		{n: 491, body: hd(""), at: "BGM", value: "202612010800+00", want: True},
		{n: 491, body: hd(""), at: "BGM", value: "202607010800+00", want: False},
		{n: 491, body: hd(""), at: "BGM", value: "x", want: Unknown},
		{n: 492, body: hd(""), at: "BGM", want: True},
		{n: 492, body: "BGM+380+R1'NAD+MR+9800000000007::332'", at: "BGM", want: False},
		{n: 492, body: "BGM+380+R1'", at: "BGM", want: Unknown},
		{n: 493, body: "BGM+380+R1'NAD+MR+9800000000007::332'", at: "BGM", want: True},
		{n: 493, body: hd(""), at: "BGM", want: False},
		{n: 493, body: "BGM+380+R1'", at: "BGM", want: Unknown},
	}
	// header IMD / GEI / DTM kinds with the same shape as [18]/[78]/[36].
	for n, code := range map[uint16]string{19: "WIM", 41: "SOR", 47: "Z43", 48: "Z44", 53: "Z45", 54: "JVR", 55: "ABS", 66: "KON", 73: "MSB", 87: "TEC"} {
		cs = append(cs, c{n: n, body: hd("IMD++" + code + "'"), at: "BGM", want: True},
			c{n: n, body: hd("IMD++XXX'") + lin + "IMD++" + code + "'", at: "BGM", want: False},
			c{n: n, body: hd(""), at: "BGM", nomsg: true, want: Unknown})
	}
	for n, code := range map[uint16]string{44: "ABS", 50: "SOR", 70: "Z45"} {
		cs = append(cs, c{n: n, body: hd("IMD++XXX'"), at: "BGM", want: True},
			c{n: n, body: hd("IMD++" + code + "'"), at: "BGM", want: False},
			c{n: n, body: hd(""), at: "BGM", nomsg: true, want: Unknown})
	}
	for n, code := range map[uint16]string{79: "Z09", 80: "Z01", 81: "Z04", 82: "Z05", 83: "Z10"} {
		cs = append(cs, c{n: n, body: hd("GEI+ZZZ'"), at: "BGM", want: True},
			c{n: n, body: hd("GEI+" + code + "'"), at: "BGM", want: False},
			c{n: n, body: hd(""), at: "BGM", nomsg: true, want: Unknown})
	}
	for n, d := range map[uint16][3]string{ // qualifier, true value, false value (all 102)
		57: {"156", "20230101", "20230102"}, 64: {"156", "20240101", "20240102"},
		71: {"155", "20240101", "20231231"}, 88: {"155", "20260101", "20251231"},
	} {
		cs = append(cs, c{n: n, body: hd("DTM+" + d[0] + ":" + d[1] + ":102'"), at: "BGM", want: True},
			c{n: n, body: hd("DTM+" + d[0] + ":" + d[2] + ":102'"), at: "BGM", want: False},
			c{n: n, body: hd(""), at: "BGM", nomsg: true, want: Unknown})
	}
	for n, d := range map[uint16][3]string{59: {"155", "20230101", "20221231"}, 65: {"155", "20240101", "20231231"}, 77: {"156", "20240101", "20240102"}} {
		cs = append(cs, c{n: n, body: hd("") + lin + "DTM+" + d[0] + ":" + d[1] + ":102'", at: "LIN", want: True},
			c{n: n, body: hd("") + lin + "DTM+" + d[0] + ":" + d[2] + ":102'", at: "LIN", want: False},
			c{n: n, body: hd("") + lin, at: "LIN", nogrp: true, want: Unknown})
	}
	for n, ch := range map[uint16][2]string{74: {"EM", "TE"}, 75: {"TE", "EM"}} {
		cs = append(cs, c{n: n, body: hd("COM+x:" + ch[0] + "'"), at: "COM", want: True},
			c{n: n, body: hd("COM+x:" + ch[1] + "'"), at: "COM", want: False},
			c{n: n, body: hd("COM+x:" + ch[0] + "'"), at: "COM", absent: true, want: Unknown})
	}
	seen := map[Ref][3]bool{}
	for _, x := range cs {
		m := fragmentWith(t, "UNH+1+INVOIC:D:06A:UN:2.8e'", x.body)
		i := locate(t, m, x.at)
		sc := &Scope{Msg: m, PID: "31001", FV: fv2610, Groups: invoicGroupsAt(m, i), Segment: i, Value: x.value, ReceiverRole: x.recv}
		if x.nomsg {
			sc.Msg, sc.Groups = nil, nil
		}
		if x.nogrp {
			sc.Groups = nil
		}
		if x.absent {
			sc.Segment = -1
		}
		got := set.Eval(r(x.n), sc)
		if got != x.want {
			t.Errorf("INVOIC [%d] on %q at %s value %q: got %v, want %v", x.n, x.body, x.at, x.value, got, x.want)
		}
		s := seen[r(x.n)]
		s[[...]int{Unknown: 2, False: 0, True: 1}[got]] = true
		seen[r(x.n)] = s
	}
	checkAllTested(t, set, seen, map[Ref]int{r(22): neverFalse})
}
