package cond

import (
	"testing"
)

const hdr = "BGM+E01+D1'DTM+137:202610010800?+00:303'NAD+MS+9900000000001::293'NAD+MR+9900000000002::293'"

func ide(segs string) string { return hdr + "IDE+24+V1'" + segs }

// trio returns a true, a false and a no-context case for a transaction
// level condition.
func trio(n uint16, yes, no, at string) []predCase {
	return []predCase{
		{ref: r(n), body: ide(yes), at: at, want: True},
		{ref: r(n), body: ide(no), at: at, want: False},
		{ref: r(n), body: ide(yes), at: at, nogroups: true, want: Unknown},
	}
}

// trioSeg is trio for a condition on the line's own segment: its unknown
// case is the line without a segment.
func trioSeg(n uint16, yes, no, at string) []predCase {
	c := trio(n, yes, no, at)
	c[2].nogroups, c[2].absent = false, true
	return c
}

func sharedUTILMDCases(t *testing.T) []predCase {
	var cs []predCase
	add := func(c ...predCase) { cs = append(cs, c...) }
	add(trio(7, "STS+7++ZH1'", "STS+7++E03'", "STS")...)
	add(trio(11, "STS+7++E03'", "STS+7++ZG9'", "STS")...)
	add(trio(12, "DTM+93:202611010000?+00:303'", "DTM+471:202611010000?+00:303'", "IDE")...)
	add(trio(18, "DTM+92:202611010000?+00:303'", "DTM+93:202611010000?+00:303'", "IDE")...)
	add(trio(35, "DTM+Z01:003T:Z01'", "DTM+Z01:003R:Z01'", "DTM+Z01")...)
	add(predCase{ref: r(35), body: ide("STS+7++E03'"), at: "STS", want: False})
	add(trio(249, "STS+E01++A01:E_0624'STS+E01++A02:E_0624'", "STS+E01++A01:E_0624'STS+E01++A02:E_0622'", "STS")...)
	add(trioSeg(209, "DTM+92:202611010000?+00:303'", "DTM+92:20261101:102'", "DTM+92")...)
	de := "NAD+Z04+++Muster:Erika:::Z01+Hauptstr. 1+Berlin++10115+DE'"
	add(predCase{ref: r(268), body: ide(de), at: "NAD+Z04", want: True},
		predCase{ref: r(268), body: ide("NAD+Z04+++Muster:Erika:::Z01+Rue 1+Paris++75001+FR'"), at: "NAD+Z04", want: Unknown})
	for _, n := range []uint16{165, 166} {
		add(predCase{ref: r(n), body: ide("DTM+92:202611010000?+00:303'"), at: "DTM", want: True},
			predCase{ref: r(n), body: ide("DTM+92:202611010000?+00:303'"), at: "DTM", absent: true, want: Unknown})
	}
	return cs
}

func TestUTILMDStromPredicates(t *testing.T) {
	cs := sharedUTILMDCases(t)
	add := func(c ...predCase) { cs = append(cs, c...) }
	add(trio(10, "STS+7++E03+ZW4+E01'", "STS+7++E03+ZW4'", "STS")...)
	add(trio(23, "STS+E01++A05'", "STS+E01++A06'", "STS")...)
	add(trio(24, "STS+E01++A25'", "STS+E01++A99'", "STS")...)
	add(trio(27, "DTM+Z01:003R:Z01'", "DTM+Z01:003M:Z01'", "DTM+Z01")...)
	add(trio(85, "DTM+Z01:003J:Z01'", "DTM+Z01:003T:Z01'", "DTM+Z01")...)
	add(predCase{ref: r(41), body: ide("SEQ+Z79+1'SEQ+ZH0+1'"), at: "SEQ+ZH0", value: "1", want: True},
		predCase{ref: r(41), body: ide("SEQ+Z79+1'SEQ+ZH0+1'"), at: "SEQ+ZH0", value: "2", want: False},
		predCase{ref: r(41), body: ide("SEQ+Z79+1'SEQ+ZH0+1'"), at: "SEQ+ZH0", value: "1", nogroups: true, want: Unknown})
	add(trio(42, "SEQ+ZH0+1'SEQ+ZH0+2'", "SEQ+ZH0+1'", "SEQ")...)
	add(predCase{ref: r(46), body: ide("LOC+Z19+C1234567890'"), at: "LOC", want: True},
		predCase{ref: r(46), body: ide("LOC+Z19+C1234567890'"), at: "LOC", absent: true, want: Unknown})
	add(trio(48, "STS+E01++A99'", "STS+E01++A01'", "STS")...)
	add(trio(49, "STS+E01++E14'", "STS+E01++A99'", "STS")...)
	add(predCase{ref: r(60), body: "BGM+Z90+D1'", at: "BGM", want: True},
		predCase{ref: r(60), body: "BGM+E01+D1'", at: "BGM", want: False},
		predCase{ref: r(60), body: "BGM+Z90+D1'", at: "BGM", nomsg: true, want: Unknown})
	add(trio(67, "SEQ+Z79+1'CCI+Z66'CAV+ZH9:::9991000002934'", "SEQ+Z79+1'CCI+Z66'CAV+ZH9:::9991000002933'", "SEQ")...)
	add(trio(79, "STS+7++Z33'", "STS+7++E03'", "STS")...)
	add(trio(83, "STS+E01++A16'", "STS+E01++A17'", "STS")...)
	add(trio(84, "STS+E01++A57'", "STS+E01++A17'", "STS")...)
	add(predCase{ref: r(87), body: ide("DTM+Z01'"), at: "DTM", value: "202610312300+00", want: True},
		predCase{ref: r(87), body: ide("DTM+Z01'"), at: "DTM", value: "202610302300+00", want: False},
		predCase{ref: r(87), body: ide("DTM+Z01'"), at: "DTM", value: "202609302200+00", want: True})
	add(predCase{ref: r(88), body: ide("DTM+157:202611010000?+00:303'DTM+Z01:x'"), at: "DTM+Z01", value: "202611010000+00", want: True},
		predCase{ref: r(88), body: ide("DTM+157:202611010000?+00:303'DTM+Z01:x'"), at: "DTM+Z01", value: "202612010000+00", want: False},
		predCase{ref: r(88), body: ide("DTM+157:202611010000?+00:303'DTM+Z01:x'"), at: "DTM+Z01", value: "202611010000+00", nogroups: true, want: Unknown})
	add(trio(96, "STS+7++E03+ZAP'", "STS+7++E03+ZW4'", "STS")...)
	add(trio(97, "SEQ+Z79+1'CCI+Z66'CAV+ZH9:::9991000002420'", "SEQ+Z79+1'CCI+Z66'CAV+ZH9:::9991000002933'", "SEQ")...)
	add(predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'CAV+E02'"), at: "CAV", want: True},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'CAV+E01'"), at: "CAV", want: False},
		// A line outside the named SG8 SEQ+Z01 is decided by the one
		// SEQ+Z01 of its transaction; without one the condition names a
		// group that is not there: Unknown, never decided on another group.
		predCase{ref: r(106), body: ide("SEQ+Z98'CCI+++ZA6'CAV+E02'"), at: "CAV", want: Unknown},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'CAV+E02'SEQ+Z98'CCI+++ZC0'"), at: "SEQ+Z98", want: True},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZC0'SEQ+Z98'CCI+++ZA6'CAV+E02'"), at: "SEQ+Z98", want: False},
		predCase{ref: r(106), body: ide("DTM+Z10:1:802'SEQ+Z01'CCI+++ZA6'CAV+E02'"), at: "DTM+Z10", want: True},
		// two SEQ+Z01 in one transaction: the text does not say which.
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'CAV+E02'SEQ+Z01'CCI+++ZC0'SEQ+Z98'"), at: "SEQ+Z98", want: Unknown},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'CAV+E02'"), at: "CAV", nogroups: true, want: Unknown})
	add(trio(192, "STS+7++E03+ZAP'", "STS+7++E03+ZW3'", "STS")...)
	add(trio(279, "STS+7++E03+ZW4'", "STS+7++E03+ZW3'", "STS")...)
	add(trio(205, "LOC+Z19+C1234567890'", "LOC+Z18+E1234567890'", "LOC")...)
	add(trio(294, "LOC+Z18+E1234567890'", "LOC+Z19+C1234567890'", "LOC")...)
	add(trio(351, "STS+E01++A14'", "STS+E01++A15'", "STS")...)
	add(trio(352, "STS+E01++A15'", "STS+E01++A13'", "STS")...)
	add(trio(355, "STS+E01++A45'", "STS+E01++A13'", "STS")...)
	add(trio(356, "STS+E01++A50'", "STS+E01++A13'", "STS")...)
	add(trio(363, "STS+E01++A50'", "STS+E01++A13'", "STS")...)
	add(trio(357, "STS+E01++A17'", "STS+E01++A13'", "STS")...)
	add(trio(358, "STS+E01++A06'", "STS+E01++A13'", "STS")...)
	add(trio(437, "STS+E01++A23'", "STS+E01++A13'", "STS")...)
	add(trio(384, "SEQ+Z98'CCI+Z37++ZD1'", "SEQ+Z98'CCI+Z37++ZD2'", "CCI")...)
	add(trio(463, "SEQ+Z01'CCI+Z61++ZF9'", "SEQ+Z01'CCI+Z61++ZG0'", "CCI")...)
	for n, code := range map[uint16]string{476: "ZW0", 477: "ZW1", 478: "ZW2", 479: "ZW3", 480: "ZW4", 481: "ZW5", 483: "ZW7"} {
		add(trio(n, "STS+7++E03+"+code+"'", "STS+7++E03+ZW6'", "STS")...)
	}
	for _, n := range []uint16{14, 130, 133, 170, 262} {
		add(predCase{ref: r(n), body: ide("DTM+92:202611010000?+00:303'"), at: "DTM+92", want: True},
			predCase{ref: r(n), body: ide("DTM+92:202611010000?+00:303'"), at: "DTM+92", absent: true, want: Unknown})
	}
	for n, v := range map[uint16][3]string{280: {"9900000000004", "9800000000007", "4012345000009"}, 334: {"9800000000007", "9900000000004", "4012345000009"}} {
		add(predCase{ref: r(n), body: hdr, at: "NAD+MR", value: v[0], want: True},
			predCase{ref: r(n), body: hdr, at: "NAD+MR", value: v[1], want: False},
			predCase{ref: r(n), body: hdr, at: "NAD+MR", value: v[2], want: Unknown})
	}
	sg10 := func(n uint16, yes, no string) {
		add(predCase{ref: r(n), body: ide("SEQ+Z01'CCI+Z17'CAV+" + yes + "'"), at: "CAV", want: True},
			predCase{ref: r(n), body: ide("SEQ+Z01'CCI+Z17'CAV+" + no + "'"), at: "CAV", want: False},
			predCase{ref: r(n), body: ide("SEQ+Z01'CCI+Z17'CAV+" + yes + "'"), at: "CAV", nogroups: true, want: Unknown})
	}
	sg10(95, "ZE5", "Z65")
	sg10(239, "Z65", "ZE5")
	sg10(461, "ZG8", "ZH1")
	sg10(462, "ZH1", "ZG8")
	same := func(n uint16, yes, no, at string) {
		add(predCase{ref: r(n), body: ide(yes), at: at, want: True},
			predCase{ref: r(n), body: ide(no), at: at, want: False},
			predCase{ref: r(n), body: ide(yes), at: at, absent: true, want: Unknown})
	}
	same(140, "SEQ+Z01'QTY+Z35:1'", "SEQ+Z01'QTY+Z37:1'", "QTY")
	same(172, "SEQ+Z01'QTY+Z37:1'", "SEQ+Z01'QTY+Z46:1'", "QTY")
	same(180, "SEQ+Z01'QTY+Z46:1'", "SEQ+Z01'QTY+Z37:1'", "QTY")
	for n, q := range map[uint16]string{440: "Z35", 442: "Z34", 450: "Z32", 451: "Z18", 452: "Z19", 456: "Z37"} {
		same(n, "SEQ+Z01'RFF+"+q+":X'", "SEQ+Z01'RFF+Z99:X'", "RFF")
	}
	pia := func(n uint16, yes, no string) {
		add(predCase{ref: r(n), body: ide("SEQ+Z01'PIA+Z02+" + yes + ":Z09'"), at: "PIA", want: True},
			predCase{ref: r(n), body: ide("SEQ+Z01'PIA+Z02+" + no + ":Z09'"), at: "PIA", want: False},
			predCase{ref: r(n), body: ide("SEQ+Z01'PIA+Z02+" + yes + ":Z09'"), at: "IDE", want: Unknown})
	}
	pia(259, "1-03-1-001", "1-02-1-001")
	pia(261, "1-10-7-001", "1-10-3-001")
	pia(270, "1-06-0-001", "1-05-0-001")
	pia(393, "1-01-0-001", "1-01-0-00000001")
	pia(394, "1-01-0-00000001-01", "1-01-0-00000001")
	pia(395, "1-01-0-00000001", "1-01-0-001")
	pia(397, "1-08-4-001", "1-08-2-001")
	pia(398, "1-08-5-001", "1-08-1-001")
	pp := func(product, prop string) string {
		return "SEQ+Z79+1'PIA+5+" + product + ":Z11'CCI+Z66'CAV+ZH9:::" + prop + "'"
	}
	add(predCase{ref: r(292), body: ide(pp("9991000002008", "9991000002107")), at: "PIA", value: "9991000002008", want: True},
		predCase{ref: r(292), body: ide(pp("9991000002008", "9991000002107")), at: "PIA", value: "9991000009999", want: False},
		predCase{ref: r(292), body: ide(pp("9991000002008", "9991000002107")), at: "PIA", value: "9991000002008", pid: "55077", want: Unknown},
		predCase{ref: r(36), body: ide(pp("9991000002008", "9991000002107")), at: "CAV", want: True},
		predCase{ref: r(36), body: ide(pp("9991000002082", "")), at: "CAV", want: False},
		predCase{ref: r(36), body: ide(pp("9991000009999", "")), at: "CAV", want: Unknown},
		predCase{ref: r(38), body: ide(pp("9991000002008", "9991000002107")), at: "CAV", value: "9991000002107", want: True},
		predCase{ref: r(38), body: ide(pp("9991000002008", "9991000002107")), at: "CAV", value: "9991000002785", want: False},
		predCase{ref: r(38), body: ide(pp("9991000009999", "9991000002107")), at: "CAV", value: "9991000002107", want: Unknown})
	ans := func(n uint16, code, ebd string, want Tri) predCase {
		return predCase{ref: r(n), body: ide("STS+E01++" + code + ":" + ebd + "'"), at: "STS+E01", value: code, want: want}
	}
	add(ans(359, "A43", "E_0624", True), ans(359, "A31", "E_0624", False), ans(359, "A31", "E_9999", Unknown), ans(359, "Z99", "E_0624", Unknown),
		ans(360, "A31", "E_0624", True), ans(360, "A43", "E_0624", False), ans(360, "A43", "E_9999", Unknown),
		ans(366, "A43", "E_0624", True), ans(366, "A30", "E_0624", False), ans(366, "A31", "E_0624", False), ans(366, "Z99", "E_0624", Unknown),
		ans(368, "A30", "E_0624", True), ans(368, "A41", "E_0624", False), ans(368, "Z99", "E_0624", Unknown))
	ub := Ref{Kind: RefTime, N: 1}
	add(predCase{ref: ub, body: ide("DTM+92:x:303'"), at: "DTM", value: "202609302200+00", want: True},
		predCase{ref: ub, body: ide("DTM+92:x:303'"), at: "DTM", value: "202612010000+00", want: False},
		predCase{ref: ub, body: ide("DTM+92:x:303'"), at: "DTM", value: "202612312300+00", want: True},
		predCase{ref: ub, body: ide("DTM+92:x:102'"), at: "DTM+92", value: "20261001", want: Unknown})
	add(predCase{ref: r(931), body: ide("DTM+92:x:102'"), at: "DTM+92", value: "20261001", want: Unknown})
	seen := runCases(t, UTILMDStrom, fv2610, cs)
	checkAllTested(t, PredicatesFor(UTILMDStrom, fv2610), seen, map[Ref]int{
		r(46): neverFalse, r(165): neverFalse, r(166): neverFalse, r(268): neverFalse,
		r(14): neverFalse, r(130): neverFalse, r(133): neverFalse, r(170): neverFalse, r(262): neverFalse,
		r(87): neverUnknown,
	})
}

func TestUTILMDStromPredicatesFV2604(t *testing.T) {
	var cs []predCase
	add := func(c ...predCase) { cs = append(cs, c...) }
	add(trio(23, "STS+E01++A99'", "STS+E01++A06'", "STS")...)
	add(trio(24, "STS+E01++A25'", "STS+E01++A06'", "STS")...)
	add(trioSeg(158, "DTM+Z01:202611010000:106'", "DTM+Z01:202611010000?+00:303'", "DTM+Z01")...)
	add(predCase{ref: r(313), body: "DTM+137:202604010800?+00:303'", at: "DTM", want: True},
		predCase{ref: r(313), body: "DTM+137:202603302200?+00:303'", at: "DTM", want: False},
		predCase{ref: r(313), body: "DTM+137:202604010800?+00:303'", at: "DTM", nomsg: true, want: Unknown})
	add(trioSeg(321, "COM+info?@example.de:EM'", "COM+4930123:TE'", "COM")...)
	add(trioSeg(322, "COM+4930123:TE'", "COM+info?@example.de:EM'", "COM")...)
	add(predCase{ref: r(939), body: ide("COM+x:EM'"), at: "COM", value: "a@b.de", want: True},
		predCase{ref: r(939), body: ide("COM+x:EM'"), at: "COM", value: "ab.de", want: False},
		predCase{ref: r(940), body: ide("COM+x:TE'"), at: "COM", value: "+4930123", want: True},
		predCase{ref: r(940), body: ide("COM+x:TE'"), at: "COM", value: "030 123", want: False})
	runCases(t, UTILMDStrom, fv2604, cs)
}

func TestUTILMDGasPredicates(t *testing.T) {
	cs := sharedUTILMDCases(t)
	add := func(c ...predCase) { cs = append(cs, c...) }
	add(trio(10, "STS+Z17++Z01'", "STS+7++E01'", "STS")...)
	add(trio(13, "STS+E01++Z02'", "STS+E01++Z01'", "STS")...)
	add(trio(15, "STS+E01++Z34'", "STS+E01++Z01'", "STS")...)
	add(trio(16, "STS+E01++Z12'", "STS+E01++Z01'", "STS")...)
	add(trio(19, "SEQ+Z01'CCI+++ZC0'", "SEQ+Z01'CCI+++ZA6'", "IDE")...)
	add(trio(28, "DTM+93:202611010500?+00:303'", "DTM+92:202611010500?+00:303'", "IDE")...)
	add(trio(36, "STS+E01++ZC5'", "STS+E01++Z01'", "STS")...)
	add(trioSeg(44, "DTM+Z01:202611010500:106'", "DTM+Z01:202611010500?+00:303'", "DTM+Z01")...)
	lp := func(agency string) string { return "SEQ+Z35'CCI+Z12'CAV+H0::" + agency + "'" }
	add(trio(46, lp("293"), lp("89"), "SEQ")...)
	add(trio(47, lp("89"), lp("293"), "SEQ")...)
	add(trio(48, "STS+E01++E14'", "STS+E01++Z01'", "STS")...)
	add(predCase{ref: r(58), body: ide("SEQ+Z01'CCI+Z99++W1::293'CAV+X'"), at: "CAV", want: True},
		predCase{ref: r(58), body: ide("SEQ+Z01'CCI+Z99++W1::89'CAV+X'"), at: "CAV", want: False},
		predCase{ref: r(58), body: ide("SEQ+Z01'CCI+Z99++W1::293'CAV+X'"), at: "CAV", nogroups: true, want: Unknown})
	add(trio(64, "DTM+158:202611010500?+00:303'", "DTM+92:202611010500?+00:303'", "IDE")...)
	bk := func(n int) string {
		s := "SEQ+Z01'"
		for i := 0; i < n; i++ {
			s += "CCI+Z19++BK'"
		}
		return s
	}
	add(trio(66, bk(2), bk(1), "IDE")...)
	add(trio(68, bk(3), bk(2), "IDE")...)
	add(trio(69, bk(4), bk(3), "IDE")...)
	add(trio(70, bk(5), bk(4), "IDE")...)
	add(trio(84, "STS+E01++Z35'", "STS+E01++Z01'", "STS")...)
	add(predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'"), at: "CCI", want: True},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZC0'"), at: "CCI", want: False},
		predCase{ref: r(106), body: ide("SEQ+Z35'CCI+++ZA6'"), at: "CCI", want: Unknown}, // no SEQ+Z01: not resolvable
		// SG8 SEQ+Z35 (Lastprofildaten) is decided by the SEQ+Z01 group of
		// its transaction, present or absent.
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'SEQ+Z35'CCI+Z38'"), at: "SEQ+Z35", want: True},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZC0'SEQ+Z35'CCI+Z38'"), at: "SEQ+Z35", want: False},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'SEQ+Z35'"), at: "SEQ+Z35", absent: true, want: True},
		predCase{ref: r(106), body: ide("SEQ+Z01'CCI+++ZA6'"), at: "CCI", nogroups: true, want: Unknown})
	add(predCase{ref: r(123), body: ide("SEQ+Z20'RFF+MG:123'SEQ+Z20'RFF+MG:123'"), at: "SEQ", want: True},
		predCase{ref: r(123), body: ide("SEQ+Z20'RFF+MG:123'SEQ+Z20'RFF+MG:456'"), at: "SEQ", want: False},
		predCase{ref: r(123), body: ide("SEQ+Z20'RFF+MG:123'"), at: "SEQ", nogroups: true, want: Unknown})
	add(trio(128, "SEQ+Z01'CCI+Z12'CAV+TKS'", "SEQ+Z01'CCI+Z12'CAV+TAF'", "IDE")...)
	add(predCase{ref: r(130), body: ide("SEQ+Z20'"), at: "SEQ", want: True},
		predCase{ref: r(130), body: ide("SEQ+Z20'"), at: "SEQ", absent: true, want: Unknown})
	add(trio(203, "STS+7++ZC6'", "STS+7++E01'", "STS")...)
	add(trio(212, "NAD+DP++++Hauptstr.'", "NAD+DP++Flurstueck 1+++Berlin'", "NAD+DP")...)
	add(trio(213, "NAD+Z09+++Muster'", "NAD+DP+++Muster'", "IDE")...)
	add(trio(216, "SEQ+Z01'CCI+++Z88'CAV+Z74:::Z08'", "SEQ+Z01'CCI+++Z88'CAV+Z74:::Z09'", "IDE")...)
	add(predCase{ref: r(257), body: ide("SEQ+Z02'PIA+5+7-0?:33.86.0:SRW'"), at: "PIA", want: True},
		predCase{ref: r(257), body: ide("SEQ+Z02'PIA+5+7-0?:33.87.0:SRW'"), at: "PIA", want: False},
		predCase{ref: r(257), body: ide("SEQ+Z01'PIA+5+7-0?:33.86.0:SRW'"), at: "PIA", want: Unknown}, // no SEQ+Z02
		predCase{ref: r(257), body: ide("SEQ+Z02'PIA+5+7-0?:33.86.0:SRW'SEQ+Z01'PIA+5+7-0?:33.87.0:SRW'"), at: "PIA#2", want: True},
		predCase{ref: r(257), body: ide("SEQ+Z02'PIA+5+7-0?:33.86.0:SRW'"), at: "PIA", nogroups: true, want: Unknown})
	add(trio(328, "IMD++Z36+Z12'", "IMD++Z36+Z13'", "IDE")...)
	add(trio(333, "IMD++Z36+Z13'", "IMD++Z36+Z12'", "IDE")...)
	add(trio(361, "STS+E01++A05'", "STS+E01++A04'", "STS")...)
	add(trio(362, "STS+E01++A05'", "STS+E01++A17'", "STS")...)
	add(trio(367, "STS+E01++A04'", "STS+E01++A17'", "STS")...)
	add(predCase{ref: r(442), body: ide("SEQ+Z09'RFF+MG:456'SEQ+Z03'RFF+Z11:123'"), at: "RFF+Z11", want: True},
		predCase{ref: r(442), body: ide("SEQ+Z09'RFF+MG:123'SEQ+Z03'RFF+Z11:123'"), at: "RFF+Z11", want: False},
		predCase{ref: r(442), body: ide("SEQ+Z09'RFF+MG:456'SEQ+Z03'RFF+Z11:123'"), at: "RFF+Z11", absent: true, want: Unknown})
	add(predCase{ref: r(368), body: ide("STS+E01++Z12'"), at: "STS", value: "Z12", want: True},
		predCase{ref: r(368), body: ide("STS+E01++Z99'"), at: "STS", value: "Z99", want: Unknown})
	ub := Ref{Kind: RefTime, N: 2}
	add(predCase{ref: ub, body: ide("DTM+92:x:303'"), at: "DTM+92", value: "202610010400+00", want: True},
		predCase{ref: ub, body: ide("DTM+92:x:303'"), at: "DTM+92", value: "202612010500+00", want: True},
		predCase{ref: ub, body: ide("DTM+92:x:303'"), at: "DTM+92", value: "202612010400+00", want: False},
		predCase{ref: ub, body: ide("DTM+92:x:102'"), at: "DTM+92", value: "20261001", want: Unknown})
	add(predCase{ref: r(931), body: ide("DTM+92:x:102'"), at: "DTM+92", value: "20261001", want: Unknown})
	seen := runCases(t, UTILMDGas, fv2610, cs)
	checkAllTested(t, PredicatesFor(UTILMDGas, fv2610), seen, map[Ref]int{
		r(130): neverFalse, r(368): neverFalse, r(165): neverFalse, r(166): neverFalse, r(268): neverFalse,
	})
}

// TestCombinedUTILMD checks that the plain "UTILMD" set picks the Gas AHB
// for 44xxx PIDs: [10] means STS+Z17 in Gas and STS+7++…+E01/E03 in Strom.
func TestCombinedUTILMD(t *testing.T) {
	set := PredicatesFor("UTILMD", fv2610)
	m := fragment(t, ide("STS+Z17++Z01'"))
	i := locate(t, m, "STS")
	sc := &Scope{Msg: m, PID: "44001", Groups: groupsAt(m, i), Segment: i}
	if got := set.Eval(r(10), sc); got != True {
		t.Fatalf("gas [10] = %v", got)
	}
	sc.PID = "55001"
	if got := set.Eval(r(10), sc); got != False {
		t.Fatalf("strom [10] = %v", got)
	}
}
