package cond

import (
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// msconsGroupsAt returns the MSCONS group instances enclosing segment i by
// a simplified tree: SG6 from LOC to the next LOC/UNS/UNT, SG9 from LIN to
// the next LIN/LOC/UNS/UNT, SG10 from QTY to the next QTY/LIN/LOC/UNS/UNT.
func msconsGroupsAt(m *edifact.Message, i int) []Span {
	segs := m.Segments
	open := func(tag string, stops ...string) int {
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
	var out []Span
	if l := open("LOC", "UNH"); l >= 0 {
		out = append(out, Span{"SG6", l, end(l, "LOC", "UNS", "UNT")})
		if n := open("LIN", "LOC"); n >= 0 {
			out = append(out, Span{"SG9", n, end(n, "LIN", "LOC", "UNS", "UNT")})
			if q := open("QTY", "LIN"); q >= 0 {
				out = append(out, Span{"SG10", q, end(q, "QTY", "LIN", "LOC", "UNS", "UNT")})
			}
		}
	}
	return out
}

func TestMSCONSPredicates(t *testing.T) {
	set := PredicatesFor("MSCONS", fv2610)
	const hd = "BGM+7+D1'DTM+137:202610010800?+00:303'NAD+MS+9900000000001::293'NAD+MR+9900000000004::293'UNS+D'NAD+DP'"
	loc := "LOC+172+51238696781'"
	cases := []struct {
		n      uint16
		body   string
		at     string
		value  string
		unh    string // UNH S010 (DE0070:0073), "" none
		nomsg  bool
		absent bool
		want   Tri
	}{
		{n: 23, body: hd, at: "BGM", unh: "1:C", want: True},
		{n: 23, body: hd, at: "BGM", unh: "2:F", want: False},
		{n: 23, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 38, body: hd + "LOC+172+DE0001234567890123456789012345678'", at: "LOC", want: True},
		{n: 38, body: hd + loc, at: "LOC", want: False},
		{n: 38, body: hd, at: "BGM", want: Unknown},
		{n: 119, body: hd + loc, at: "LOC", want: True},
		{n: 119, body: hd + "LOC+172+DE0001234567890123456789012345678'", at: "LOC", want: False},
		{n: 119, body: hd, at: "BGM", want: Unknown},
		{n: 46, body: hd + loc, at: "LOC", want: True},
		{n: 46, body: hd + "LOC+172+DE0001234567890123456789012345678'", at: "LOC", want: False},
		{n: 46, body: hd, at: "BGM", want: Unknown},
		{n: 62, body: hd + "LOC+172+DE0001234567890123456789012345678'", at: "LOC", want: True},
		{n: 62, body: hd + loc, at: "LOC", want: False},
		{n: 62, body: hd, at: "BGM", want: Unknown},
		{n: 68, body: hd, at: "BGM", want: True},
		{n: 68, body: "BGM+Z28+D1'", at: "BGM", want: False},
		{n: 68, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 69, body: "BGM+Z28+D1'", at: "BGM", want: True},
		{n: 69, body: hd, at: "BGM", want: False},
		{n: 69, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 70, body: "BGM+BK+D1'", at: "BGM", want: True},
		{n: 70, body: hd, at: "BGM", want: False},
		{n: 70, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 71, body: "BGM+Z39+D1'", at: "BGM", want: True},
		{n: 71, body: hd, at: "BGM", want: False},
		{n: 71, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 90, body: "BGM+Z41+D1'", at: "BGM", want: True},
		{n: 90, body: hd, at: "BGM", want: False},
		{n: 90, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 91, body: "BGM+Z42+D1'", at: "BGM", want: True},
		{n: 91, body: hd, at: "BGM", want: False},
		{n: 91, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 121, body: "BGM+Z43+D1'", at: "BGM", want: True},
		{n: 121, body: hd, at: "BGM", want: False},
		{n: 121, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 150, body: "BGM+Z69+D1'", at: "BGM", want: True},
		{n: 150, body: hd, at: "BGM", want: False},
		{n: 150, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 151, body: "BGM+Z27+D1'", at: "BGM", want: True},
		{n: 151, body: hd, at: "BGM", want: False},
		{n: 151, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 152, body: hd, at: "BGM", want: True},
		{n: 152, body: "BGM+Z27+D1'", at: "BGM", want: False},
		{n: 152, body: hd, at: "BGM", nomsg: true, want: Unknown},
		{n: 83, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z39'", at: "QTY", want: True},
		{n: 83, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z38'", at: "QTY", want: False},
		{n: 83, body: hd + loc, at: "LOC", want: Unknown},
		{n: 84, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z38'", at: "QTY", want: True},
		{n: 84, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z39'", at: "QTY", want: False},
		{n: 84, body: hd + loc, at: "LOC", want: Unknown},
		{n: 85, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z38'", at: "QTY", want: True},
		{n: 85, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z36'", at: "QTY", want: False},
		{n: 85, body: hd + loc, at: "LOC", want: Unknown},
		{n: 86, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z38'", at: "QTY", want: True},
		{n: 86, body: hd + loc + "LIN+1'QTY+220:1'STS+10+Z37'", at: "QTY", want: False},
		{n: 86, body: hd + loc, at: "LOC", want: Unknown},
		{n: 92, body: hd + loc + "LIN+1'QTY+67:1'DTM+7:x'", at: "DTM+7", want: True},
		{n: 92, body: hd + loc + "LIN+1'QTY+220:1'DTM+7:x'", at: "DTM+7", want: False},
		{n: 92, body: hd + loc + "LIN+1'", at: "LIN", want: Unknown},
		{n: 93, body: hd + loc + "LIN+1'QTY+220:1'DTM+7:x'", at: "DTM+7", want: True},
		{n: 93, body: hd + loc + "LIN+1'QTY+67:1'DTM+7:x'", at: "DTM+7", want: False},
		{n: 93, body: hd + loc + "LIN+1'", at: "LIN", want: Unknown},
		{n: 94, body: hd + loc + "LIN+1'QTY+201:1'", at: "QTY", want: True},
		{n: 94, body: hd + loc + "LIN+1'QTY+67:1'", at: "QTY", want: False},
		{n: 94, body: hd + loc + "LIN+1'", at: "LIN", want: Unknown},
		{n: 95, body: hd + loc + "LIN+1'QTY+20:1'", at: "QTY", want: True},
		{n: 95, body: hd + loc + "LIN+1'QTY+67:1'", at: "QTY", want: False},
		{n: 95, body: hd + loc + "LIN+1'", at: "LIN", want: Unknown},
		{n: 96, body: hd + loc + "LIN+1'QTY+Z18:1'", at: "QTY", want: True},
		{n: 96, body: hd + loc + "LIN+1'QTY+67:1'", at: "QTY", want: False},
		{n: 96, body: hd + loc + "LIN+1'", at: "LIN", want: Unknown},
		{n: 100, body: hd + loc + "LIN+1'PIA+5+AUA:Z08'", at: "LIN", want: True},
		{n: 100, body: hd + loc + "LIN+1'PIA+5+FPA:Z08'", at: "LIN", want: False},
		{n: 100, body: hd + loc, at: "LOC", want: Unknown},
		{n: 101, body: hd + loc + "LIN+1'PIA+5+FPA:Z08'", at: "LIN", want: True},
		{n: 101, body: hd + loc + "LIN+1'PIA+5+AUA:Z08'", at: "LIN", want: False},
		{n: 101, body: hd + loc, at: "LOC", want: Unknown},
		{n: 111, body: hd + loc + "LIN+1'QTY+220:1'DTM+9:202610010800?+00:303'", at: "DTM+9", want: True},
		{n: 111, body: hd + loc + "LIN+1'QTY+220:1'DTM+9:20261001:102'", at: "DTM+9", want: False},
		{n: 111, body: hd + loc + "LIN+1'QTY+220:1'DTM+9:20261001:102'", at: "DTM+9", absent: true, want: Unknown},
		{n: 134, body: hd + loc + "LIN+1'QTY+220:1'DTM+9:20261001:102'", at: "DTM+9", want: True},
		{n: 134, body: hd + loc + "LIN+1'QTY+220:1'DTM+9:202610010800?+00:303'", at: "DTM+9", want: False},
		{n: 134, body: hd + loc + "LIN+1'QTY+220:1'DTM+9:20261001:102'", at: "DTM+9", absent: true, want: Unknown},
		{n: 113, body: hd + loc + "RFF+AGK:1'", at: "RFF", want: True},
		{n: 113, body: hd + loc + "RFF+Z13:1'", at: "RFF", want: False},
		{n: 113, body: hd, at: "BGM", want: Unknown},
		{n: 131, body: hd + loc + "RFF+Z13:1'", at: "RFF", want: True},
		{n: 131, body: hd + loc + "RFF+AGK:1'", at: "RFF", want: False},
		{n: 131, body: hd, at: "BGM", want: Unknown},
		{n: 117, body: hd, at: "NAD+MR", value: "9900000000004", want: True},
		{n: 117, body: hd, at: "NAD+MR", value: "9800000000007", want: False},
		{n: 117, body: hd, at: "NAD+MR", value: "4012345000009", want: Unknown},
		{n: 118, body: hd, at: "NAD+MR", value: "9800000000007", want: True},
		{n: 118, body: hd, at: "NAD+MR", value: "9900000000004", want: False},
		{n: 118, body: hd, at: "NAD+MR", value: "4012345000009", want: Unknown},
		{n: 492, body: hd, at: "BGM", want: True},
		{n: 492, body: "BGM+7+D1'NAD+MR+9800000000007::332'", at: "BGM", want: False},
		{n: 492, body: "BGM+7+D1'", at: "BGM", want: Unknown},
		{n: 493, body: "BGM+7+D1'NAD+MR+9800000000007::332'", at: "BGM", want: True},
		{n: 493, body: hd, at: "BGM", want: False},
		{n: 493, body: "BGM+7+D1'", at: "BGM", want: Unknown},
		{n: 135, body: hd, at: "BGM", value: "20261001", want: True},
		{n: 135, body: hd, at: "BGM", value: "20261002", want: False},
		{n: 135, body: "BGM+7+D1'", at: "BGM", value: "20261001", want: Unknown},
		{n: 495, body: hd, at: "BGM", value: "202610010800+00", want: True},
		{n: 495, body: hd, at: "BGM", value: "202610010801+00", want: False},
		{n: 495, body: "BGM+7+D1'", at: "BGM", value: "202610010800+00", want: Unknown},
		{n: 142, body: hd + "COM+a?@b.de:EM'", at: "COM", want: True},
		{n: 142, body: hd + "COM+4930:TE'", at: "COM", want: False},
		{n: 142, body: hd + "COM+4930:TE'", at: "COM", absent: true, want: Unknown},
		{n: 143, body: hd + "COM+4930:TE'", at: "COM", want: True},
		{n: 143, body: hd + "COM+a?@b.de:EM'", at: "COM", want: False},
		{n: 143, body: hd + "COM+4930:TE'", at: "COM", absent: true, want: Unknown},
		{n: 145, body: hd + loc + "LIN+1'QTY+220:1'DTM+7:x'", at: "QTY", want: True},
		{n: 145, body: hd + loc + "LIN+1'QTY+220:1'DTM+163:x'", at: "QTY", want: False},
		{n: 145, body: hd + loc, at: "LOC", want: Unknown},
		{n: 147, body: hd + loc + "LIN+1'QTY+220:1'DTM+163:x'", at: "QTY", want: True},
		{n: 147, body: hd + loc + "LIN+1'QTY+220:1'DTM+7:x'", at: "QTY", want: False},
		{n: 147, body: hd + loc, at: "LOC", want: Unknown},
		{n: 149, body: hd + loc + "LIN+1'QTY+220:1'DTM+163:x'", at: "QTY", want: True},
		{n: 149, body: hd + loc + "LIN+1'QTY+220:1'DTM+7:x'", at: "QTY", want: False},
		{n: 149, body: hd + loc, at: "LOC", want: Unknown},
	}
	seen := map[Ref][3]bool{}
	for _, c := range cases {
		unh := "UNH+1+MSCONS:D:04B:UN:2.4c'"
		if c.unh != "" {
			unh = "UNH+1+MSCONS:D:04B:UN:2.4c++" + c.unh + "'"
		}
		m := fragmentWith(t, unh, c.body)
		i := locate(t, m, c.at)
		sc := &Scope{Msg: m, PID: "13002", FV: fv2610, Groups: msconsGroupsAt(m, i), Segment: i, Value: c.value}
		if c.nomsg {
			sc.Msg, sc.Groups = nil, nil
		}
		if c.absent {
			sc.Segment = -1
		}
		got := set.Eval(r(c.n), sc)
		if got != c.want {
			t.Errorf("MSCONS [%d] on %q at %s value %q: got %v, want %v", c.n, c.body, c.at, c.value, got, c.want)
		}
		s := seen[r(c.n)]
		s[[...]int{Unknown: 2, False: 0, True: 1}[got]] = true
		seen[r(c.n)] = s
	}
	for _, c := range []struct {
		n        uint16
		receiver bool
		role     string
	}{{32, false, "NB"}, {33, true, "LF"}, {35, false, "MSB"}, {36, true, "NB"}, {42, true, "MSB"}, {80, true, "ÜNB"}, {81, false, "ÜNB"}, {141, true, "MGV"}} {
		for _, rc := range []struct {
			role string
			want Tri
		}{{c.role, True}, {"XYZ", False}, {"", Unknown}} {
			sc := &Scope{Msg: fragmentWith(t, "UNH+1+MSCONS:D:04B:UN:2.4c'", "BGM+7+D1'"), Segment: -1}
			if c.receiver {
				sc.ReceiverRole = rc.role
			} else {
				sc.SenderRole = rc.role
			}
			got := set.Eval(r(c.n), sc)
			if got != rc.want {
				t.Errorf("MSCONS [%d] role %q: got %v, want %v", c.n, rc.role, got, rc.want)
			}
			s := seen[r(c.n)]
			s[[...]int{Unknown: 2, False: 0, True: 1}[got]] = true
			seen[r(c.n)] = s
		}
	}
	checkAllTested(t, set, seen, nil)
}
