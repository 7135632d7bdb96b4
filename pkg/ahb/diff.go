package ahb

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mako-engine/mako/pkg/ahb/model"
	"github.com/mako-engine/mako/pkg/fv"
)

// LineInfo is one AHB line of a PID with its stable id.
type LineInfo struct {
	// ID is the line id as used in Finding.Rule: the group path of the AHB
	// block and "TAG+QUALIFIERS", with "#n" appended to the n-th (n ≥ 2)
	// line of the same id.
	ID string
	// Depth is the nesting depth of the line's group (0 at message level).
	Depth int
	// Line is the AHB line.
	Line *model.Line
}

// Lines returns the AHB lines of a PID in document order.
func (s *Spec) Lines(pid string) ([]LineInfo, bool) {
	p, err := s.pid(pid)
	if err != nil {
		return nil, false
	}
	type item struct {
		l     *lineSpec
		depth int
	}
	var items []item
	var walk func(b *blockSpec, depth int)
	walk = func(b *blockSpec, depth int) {
		for _, l := range b.lines {
			items = append(items, item{l, depth})
		}
		for _, c := range b.children {
			walk(c, depth+1)
		}
	}
	walk(p.root, 0)
	slices.SortFunc(items, func(a, b item) int { return a.l.seq - b.l.seq }) // document order
	out := make([]LineInfo, 0, len(items))
	seen := map[string]int{}
	for _, it := range items {
		id := it.l.id
		seen[id]++
		if n := seen[id]; n > 1 {
			id = fmt.Sprintf("%s#%d", id, n)
		}
		out = append(out, LineInfo{ID: id, Depth: it.depth, Line: it.l.line})
	}
	return out, true
}

// Find returns the spec of a format version that holds pid (searching every
// message type and sector of that FV).
func Find(v fv.Version, pid string) (*Spec, error) {
	for _, k := range Keys(v) {
		s, err := Load(k)
		if err != nil {
			return nil, err
		}
		if s.Has(pid) {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: %s in %s", ErrUnknownPID, pid, v)
}

// ChangeKind says how an AHB line or PID changed between two format versions.
type ChangeKind string

// Change kinds.
const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one difference between the AHB of two format versions.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Type and Sector name the message type.
	Type   string `json:"type"`
	Sector string `json:"sector,omitempty"`
	// PID is the Prüfidentifikator.
	PID string `json:"pid"`
	// Line is the line id ("" for a PID added or removed as a whole).
	Line string `json:"line,omitempty"`
	// Old and New describe the line (or the PID name) before and after.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// Diff compares the AHB data of format versions a and b: PIDs added and
// removed, and per PID present in both the lines added, removed or changed
// (segment or group expression, data element expressions, code lists). With
// pid set, only that PID is compared.
func Diff(a, b fv.Version, pid string) ([]Change, error) {
	var out []Change
	keys := map[string]Key{}
	for _, k := range Keys(a) {
		keys[k.Type+"-"+k.Sector] = k
	}
	for _, k := range Keys(b) {
		keys[k.Type+"-"+k.Sector] = k
	}
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		k := keys[n]
		sa, errA := Load(Key{FV: a, Type: k.Type, Sector: k.Sector})
		sb, errB := Load(Key{FV: b, Type: k.Type, Sector: k.Sector})
		if errA != nil && errB != nil {
			continue
		}
		pa, pb := map[string]bool{}, map[string]bool{}
		if errA == nil {
			for _, p := range sa.PIDs() {
				pa[p] = true
			}
		}
		if errB == nil {
			for _, p := range sb.PIDs() {
				pb[p] = true
			}
		}
		all := make([]string, 0, len(pa)+len(pb))
		for p := range pa {
			all = append(all, p)
		}
		for p := range pb {
			if !pa[p] {
				all = append(all, p)
			}
		}
		slices.Sort(all)
		for _, p := range all {
			if pid != "" && p != pid {
				continue
			}
			c := Change{Type: k.Type, Sector: k.Sector, PID: p}
			switch {
			case !pb[p]:
				c.Kind, c.Old = Removed, sa.raws[sa.pidIdx[p]].Name
				out = append(out, c)
			case !pa[p]:
				c.Kind, c.New = Added, sb.raws[sb.pidIdx[p]].Name
				out = append(out, c)
			default:
				out = append(out, diffPID(sa, sb, p)...)
			}
		}
	}
	return out, nil
}

func diffPID(sa, sb *Spec, pid string) []Change {
	la, _ := sa.Lines(pid)
	lb, _ := sb.Lines(pid)
	ma := map[string]*model.Line{}
	for _, l := range la {
		ma[l.ID] = l.Line
	}
	mb := map[string]*model.Line{}
	for _, l := range lb {
		mb[l.ID] = l.Line
	}
	base := Change{Type: sa.Key.Type, Sector: sa.Key.Sector, PID: pid}
	var out []Change
	for _, l := range la {
		if _, ok := mb[l.ID]; !ok {
			c := base
			c.Kind, c.Line, c.Old = Removed, l.ID, describe(l.Line)
			out = append(out, c)
		}
	}
	for _, l := range lb {
		old, ok := ma[l.ID]
		c := base
		c.Line = l.ID
		switch {
		case !ok:
			c.Kind, c.New = Added, describe(l.Line)
		case describe(old) != describe(l.Line):
			c.Kind, c.Old, c.New = Changed, describe(old), describe(l.Line)
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// describe renders an AHB line compactly: expressions and code lists, the
// parts whose change matters to an implementation.
func describe(l *model.Line) string {
	var b strings.Builder
	b.WriteString(l.Expr)
	if l.GroupExpr != "" {
		b.WriteString(" (group: " + l.GroupExpr + ")")
	}
	for _, e := range l.Elements {
		b.WriteString("; " + e.ID + " " + e.Expr)
		if len(e.Codes) > 0 {
			b.WriteString(" [")
			for i, c := range e.Codes {
				if i > 0 {
					b.WriteString(" ")
				}
				b.WriteString(c[0])
				if c[1] != "" && c[1] != "X" {
					b.WriteString(" " + c[1])
				}
			}
			b.WriteString("]")
		}
	}
	return b.String()
}
