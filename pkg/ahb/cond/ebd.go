package cond

import (
	_ "embed" // ebdcodes.txt
	"strings"

	"github.com/mako-engine/mako/pkg/fv"
)

//go:generate go run ./internal/tablegen

// ebdCodes is the EBD answer-code table (see its header and
// internal/tablegen): per FV, EBD or code list, the codes and their cluster.
//
//go:embed ebdcodes.txt
var ebdCodes string

// ebdTable maps an EBD or code list id (E_0624, G_0009) to its codes and
// their cluster ('A' Ablehnung, 'Z' Zustimmung, '-' none).
type ebdTable map[string]map[string]byte

// tableRows calls f with the fields after prefix of every non-empty line
// of an embedded table that starts with prefix.
func tableRows(table, prefix string, f func(fields []string)) {
	for line := range strings.SplitSeq(table, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			if fields := strings.Fields(rest); len(fields) > 0 {
				f(fields)
			}
		}
	}
}

// loadEBD reads the table of one format version from ebdCodes.
func loadEBD(v fv.Version) ebdTable {
	t := ebdTable{}
	tableRows(ebdCodes, v.String()+" ", func(f []string) {
		codes := make(map[string]byte, len(f)-1)
		for _, c := range f[1:] {
			code, cl, ok := strings.Cut(c, ":")
			if ok && len(cl) == 1 {
				codes[code] = cl[0]
			}
		}
		t[f[0]] = codes
	})
	return t
}

// cluster returns the cluster of code in list id; ok is false when the
// list or the code is not in the table or no cluster is given.
func (t ebdTable) cluster(id, code string) (byte, bool) {
	cs, ok := t[id]
	if !ok {
		return 0, false
	}
	cl, ok := cs[code]
	if !ok || cl == '-' {
		return 0, false
	}
	return cl, true
}

// answerCluster: "Es sind nur Antwortcodes aus dem Cluster Ablehnung
// (Zustimmung) erlaubt" on DE9013 of STS+E01, the EBD taken from DE1131 of
// the same segment. Unknown when the EBD or the code is not in the table.
func answerCluster(t ebdTable, want byte) Predicate {
	return func(sc *Scope) Tri {
		s := sc.segment()
		if s == nil || !s.Is("STS", "E01") {
			return Unknown
		}
		codes, ok := t[string(s.Element(2).Component(1).Raw())] // no allocation: map index by converted bytes
		if !ok {
			return Unknown
		}
		cl, ok := codes[sc.Value]
		return triOK(cl == want, ok && cl != '-')
	}
}

// rejectionExcept: "Bis auf den Code x sind alle Codes aus EBD id im
// Cluster Ablehnung erlaubt".
func rejectionExcept(t ebdTable, id, except string) Predicate {
	return func(sc *Scope) Tri {
		if sc.Value == except {
			return False
		}
		cl, ok := t.cluster(id, sc.Value)
		return triOK(cl == 'A', ok)
	}
}

// inCodeList: "Es sind alle Codes aus der Codeliste id erlaubt": True for a
// code of the list; Unknown for others (the list in the data may be
// incomplete, so a code outside it is not called a violation).
func inCodeList(t ebdTable, id string) Predicate {
	return func(sc *Scope) Tri {
		if cs, ok := t[id]; ok {
			if _, ok := cs[sc.Value]; ok {
				return True
			}
		}
		return Unknown
	}
}
