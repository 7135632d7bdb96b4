package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mako-engine/mako/pkg/ahb/model"
)

// mapperType is what the FV2604 per-PID schemas of edifact-mapper say about
// one message type (and UTILMD sector): the group tree and segment layouts.
type mapperType struct {
	parents  map[string]map[string]bool // group → parent groups seen ("" = message level)
	triggers map[string]string          // group → opening segment tag
	segs     map[string][]string        // group → segment tags, first seen order
	layout   map[string]map[[2]int]string
}

type mapperGroup struct {
	SourceGroup   string `json:"source_group"`
	Discriminator *struct {
		Segment string `json:"segment"`
	} `json:"discriminator"`
	Segments []mapperSegment        `json:"segments"`
	Children map[string]mapperGroup `json:"children"`
}

type mapperSegment struct {
	ID       string `json:"id"`
	Elements []struct {
		ID         string `json:"id"`
		Index      int    `json:"index"`
		Components []struct {
			ID  string `json:"id"`
			Sub int    `json:"sub_index"`
		} `json:"components"`
	} `json:"elements"`
}

func loadMapper(dir, sector string) (*mapperType, error) {
	mt := &mapperType{parents: map[string]map[string]bool{}, triggers: map[string]string{}, segs: map[string][]string{}, layout: map[string]map[[2]int]string{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return mt, nil // type not covered by the mapper: no tree, no layouts
	}
	for _, fn := range files {
		pid := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(fn), "pid_"), "_schema.json")
		if sector == "Strom" && strings.HasPrefix(pid, "44") || sector == "Gas" && strings.HasPrefix(pid, "55") {
			continue
		}
		b, err := os.ReadFile(fn)
		if err != nil {
			return nil, err
		}
		var s struct {
			Root   []mapperSegment        `json:"root_segments"`
			Fields map[string]mapperGroup `json:"fields"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		for _, seg := range s.Root {
			mt.addLayout(seg)
		}
		for _, g := range s.Fields {
			mt.walk(g, "")
		}
	}
	return mt, nil
}

func (mt *mapperType) walk(g mapperGroup, parent string) {
	id := g.SourceGroup
	if id == "" {
		return
	}
	if mt.parents[id] == nil {
		mt.parents[id] = map[string]bool{}
	}
	mt.parents[id][parent] = true
	if g.Discriminator != nil && mt.triggers[id] == "" {
		mt.triggers[id] = g.Discriminator.Segment
	}
	for _, seg := range g.Segments {
		if !slices.Contains(mt.segs[id], seg.ID) {
			mt.segs[id] = append(mt.segs[id], seg.ID)
		}
		mt.addLayout(seg)
	}
	for _, c := range g.Children {
		mt.walk(c, id)
	}
}

func (mt *mapperType) addLayout(seg mapperSegment) {
	m := mt.layout[seg.ID]
	if m == nil {
		m = map[[2]int]string{}
		mt.layout[seg.ID] = m
	}
	for _, e := range seg.Elements {
		if len(e.Components) == 0 {
			if e.ID != "" {
				m[[2]int{e.Index, 0}] = e.ID
			}
			continue
		}
		for _, c := range e.Components {
			m[[2]int{e.Index, c.Sub}] = c.ID
		}
	}
}

// layouts returns the segment layouts with the MIG formats ("SEG DE" keys).
func (mt *mapperType) layouts(formats map[string]string) []model.Layout {
	tags := make([]string, 0, len(mt.layout))
	for t := range mt.layout {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	out := make([]model.Layout, 0, len(tags))
	for _, t := range tags {
		l := model.Layout{Tag: t}
		for pos, id := range mt.layout[t] {
			l.Elements = append(l.Elements, model.Element{ID: id, Pos: pos[0], Sub: pos[1], Format: formats[t+" "+id]})
		}
		sort.Slice(l.Elements, func(i, j int) bool {
			a, b := l.Elements[i], l.Elements[j]
			return a.Pos < b.Pos || a.Pos == b.Pos && a.Sub < b.Sub
		})
		out = append(out, l)
	}
	return out
}

// deriveMIG builds the group tree and item order of f from the mapper tree
// (FV2604) checked against the order of the AHB lines of f's own format
// version: a group whose mapper parent is not open where the AHB opens it (a
// group the FV moved, e.g. the contact group of UTILMD S2.2) or that the
// mapper lacks gets the innermost group that is open at every place the AHB
// opens it. useMapperOnly adds groups that only the mapper knows (FV2604).
func deriveMIG(f *model.File, mt *mapperType, useMapperOnly bool) (model.MIG, []string) {
	var repairs []string
	base := map[string]string{}
	for g, ps := range mt.parents {
		if len(ps) == 1 {
			for p := range ps {
				base[g] = p
			}
		}
	}
	// pass 1: observe the open groups where each group opens
	obs := map[string][][]string{}
	conflict := map[string]bool{}
	confirmed := map[string]int{}
	badPIDs := map[string][]string{}
	for _, pid := range f.PIDs {
		var stack []string
		for _, l := range pid.Lines {
			if l.Group == "" {
				stack = stack[:0]
				continue
			}
			if l.GroupExpr == "" && slices.Contains(stack, l.Group) {
				stack = stack[:slices.Index(stack, l.Group)+1]
				continue
			}
			if i := slices.Index(stack, l.Group); i >= 0 {
				stack = stack[:i]
			}
			obs[l.Group] = append(obs[l.Group], slices.Clone(stack))
			p, known := base[l.Group]
			switch {
			case known && p == "":
				stack = stack[:0]
				confirmed[l.Group]++
			case known && slices.Contains(stack, p):
				stack = stack[:slices.Index(stack, p)+1]
				confirmed[l.Group]++
			default:
				conflict[l.Group] = true
				if n := len(badPIDs[l.Group]); n == 0 || badPIDs[l.Group][n-1] != pid.ID {
					badPIDs[l.Group] = append(badPIDs[l.Group], pid.ID)
				}
			}
			stack = append(stack, l.Group)
		}
	}
	parent := map[string]string{}
	origin := map[string]string{}
	for g, os := range obs {
		if conflict[g] && confirmed[g] >= len(os)-confirmed[g] {
			// most lines confirm the mapper tree: the others are row defects
			repairs = append(repairs, fmt.Sprintf("group tree: %s kept under %q (confirmed by %d of %d group openings); the AHB lines of PIDs %s open it elsewhere (source row defect, lines kept as they are)", g, base[g], confirmed[g], len(os), strings.Join(badPIDs[g], ", ")))
			conflict[g] = false
		}
		if !conflict[g] {
			parent[g], origin[g] = base[g], "mapper tree, confirmed by the AHB line order"
			continue
		}
		common := os[0]
		for _, o := range os[1:] {
			common = slices.DeleteFunc(slices.Clone(common), func(x string) bool { return !slices.Contains(o, x) })
		}
		p := ""
		if len(common) > 0 {
			p = common[len(common)-1]
		}
		parent[g], origin[g] = p, "derived from the AHB line order"
		if bp, ok := base[g]; ok {
			repairs = append(repairs, fmt.Sprintf("group tree: %s moved from parent %q (FV2604 mapper tree) to %q (AHB line order of %s)", g, bp, p, f.FV))
		} else if len(mt.parents) > 0 {
			repairs = append(repairs, fmt.Sprintf("group tree: %s not in the FV2604 mapper tree; parent %q derived from the AHB line order", g, p))
		}
	}
	if len(mt.parents) == 0 {
		repairs = append(repairs, "group tree: the mapper has no schema for this type; the whole tree is derived from the AHB line order")
	}
	// pass 2: item sequences per block
	type block struct {
		group string
		seq   []string
	}
	seqs := map[string][][]string{}
	triggers := map[string]map[string]int{}
	for _, pid := range f.PIDs {
		root := &block{}
		stack := []*block{root}
		flush := func(b *block) { seqs[b.group] = append(seqs[b.group], b.seq) }
		add := func(b *block, item string) {
			if n := len(b.seq); n == 0 || b.seq[n-1] != item {
				b.seq = append(b.seq, item)
			}
		}
		popTo := func(g string) bool {
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].group == g {
					for _, b := range stack[i+1:] {
						flush(b)
					}
					stack = stack[:i+1]
					return true
				}
			}
			return false
		}
		for _, l := range pid.Lines {
			if l.Group == "" {
				popTo("")
				add(root, l.Seg)
				continue
			}
			if l.GroupExpr == "" && popTo(l.Group) {
				add(stack[len(stack)-1], l.Seg)
				continue
			}
			if !popTo(parent[l.Group]) {
				popTo("")
			}
			add(stack[len(stack)-1], l.Group)
			b := &block{group: l.Group, seq: []string{l.Seg}}
			stack = append(stack, b)
			if triggers[l.Group] == nil {
				triggers[l.Group] = map[string]int{}
			}
			triggers[l.Group][l.Seg]++
		}
		for i := len(stack) - 1; i >= 0; i-- {
			flush(stack[i])
		}
	}
	var mig model.MIG
	mig.Root, mig.RootOrdered = order(seqs[""])
	if !slices.Contains(mig.Root, "UNT") {
		mig.Root = append(mig.Root, "UNT")
	}
	ids := make([]string, 0, len(parent))
	for g := range parent {
		ids = append(ids, g)
	}
	if useMapperOnly {
		for g := range mt.parents {
			if _, ok := parent[g]; !ok {
				if p, ok := base[g]; ok {
					parent[g], origin[g] = p, "mapper tree only (no AHB line of this FV uses it)"
					ids = append(ids, g)
				}
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return groupNum(ids[i]) < groupNum(ids[j]) })
	for _, g := range ids {
		grp := model.Group{ID: g, Parent: parent[g], Origin: origin[g]}
		grp.Trigger = mt.triggers[g]
		best := 0
		for seg, n := range triggers[g] {
			if n > best || n == best && seg < grp.Trigger {
				grp.Trigger, best = seg, n
			}
		}
		if mt.triggers[g] != "" && grp.Trigger != mt.triggers[g] {
			repairs = append(repairs, fmt.Sprintf("group tree: %s opens with %s in the AHB lines, %s in the mapper tree; the AHB wins", g, grp.Trigger, mt.triggers[g]))
		}
		if s, ok := seqs[g]; ok {
			grp.Items, grp.Ordered = order(s)
		} else {
			grp.Items = slices.Clone(mt.segs[g])
			var kids []string
			for c, p := range parent {
				if p == g {
					kids = append(kids, c)
				}
			}
			slices.SortFunc(kids, func(a, b string) int { return groupNum(a) - groupNum(b) })
			grp.Items = append(grp.Items, kids...)
		}
		if len(grp.Items) == 0 || grp.Items[0] != grp.Trigger {
			grp.Items = append([]string{grp.Trigger}, slices.DeleteFunc(grp.Items, func(x string) bool { return x == grp.Trigger })...)
		}
		mig.Groups = append(mig.Groups, grp)
	}
	// every group must be an item of its parent
	for _, g := range mig.Groups {
		items := &mig.Root
		if g.Parent != "" {
			for i := range mig.Groups {
				if mig.Groups[i].ID == g.Parent {
					items = &mig.Groups[i].Items
				}
			}
		}
		if !slices.Contains(*items, g.ID) {
			*items = append(*items, g.ID)
		}
	}
	sort.Strings(repairs)
	return mig, repairs
}

func groupNum(g string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(g, "SG"))
	return n
}

// order merges item sequences into one order (topological, ties by first
// appearance). ordered is false when the sequences contradict each other.
func order(seqs [][]string) (items []string, ordered bool) {
	first := map[string]int{}
	after := map[string]map[string]bool{}
	for _, s := range seqs {
		for i, a := range s {
			if _, ok := first[a]; !ok {
				first[a] = len(first)
			}
			for _, b := range s[i+1:] {
				if a == b {
					continue
				}
				if after[a] == nil {
					after[a] = map[string]bool{}
				}
				after[a][b] = true
			}
		}
	}
	all := make([]string, 0, len(first))
	for a := range first {
		all = append(all, a)
	}
	sort.Slice(all, func(i, j int) bool { return first[all[i]] < first[all[j]] })
	indeg := map[string]int{}
	for a, bs := range after {
		for b := range bs {
			if !after[b][a] { // a pair seen both ways is a contradiction
				indeg[b]++
			} else {
				_ = a
			}
		}
	}
	ordered = true
	for a, bs := range after {
		for b := range bs {
			if after[b][a] {
				ordered = false
				_ = a
			}
		}
	}
	if !ordered {
		return all, false
	}
	done := map[string]bool{}
	for len(items) < len(all) {
		progressed := false
		for _, a := range all {
			if done[a] || indeg[a] > 0 {
				continue
			}
			done[a] = true
			items = append(items, a)
			for b := range after[a] {
				indeg[b]--
			}
			progressed = true
			break
		}
		if !progressed {
			return all, false
		}
	}
	return items, true
}

// fillQualifiers records per group (and at message level) the qualifiers
// the AHB lines use, over all PIDs, walking the lines along the final tree.
func fillQualifiers(f *model.File) {
	parent := map[string]string{}
	for _, g := range f.MIG.Groups {
		parent[g.ID] = g.Parent
	}
	type key struct{ group, tag string }
	type acc struct {
		pos, sub int
		any      bool
		codes    []string
	}
	quals := map[key][]*acc{}
	var order []key
	add := func(group string, l *model.Line) {
		k := key{group, l.Seg}
		if _, ok := quals[k]; !ok {
			order = append(order, k)
			quals[k] = nil
		}
		if len(l.Elements) == 0 || len(l.Elements[0].Codes) == 0 || l.Elements[0].Pos < 0 {
			quals[k] = append(quals[k], &acc{any: true})
			return
		}
		e := l.Elements[0]
		var a *acc
		for _, x := range quals[k] {
			if !x.any && x.pos == e.Pos && x.sub == e.Sub {
				a = x
			}
		}
		if a == nil {
			a = &acc{pos: e.Pos, sub: e.Sub}
			quals[k] = append(quals[k], a)
		}
		for _, c := range e.Codes {
			if !slices.Contains(a.codes, c[0]) {
				a.codes = append(a.codes, c[0])
			}
		}
	}
	for _, p := range f.PIDs {
		for i := range p.Lines {
			add(p.Lines[i].Group, &p.Lines[i])
		}
	}
	build := func(group string) []model.Qualifier {
		var out []model.Qualifier
		for _, k := range order {
			if k.group != group {
				continue
			}
			seenAny := false
			for _, a := range quals[k] {
				if a.any {
					if !seenAny {
						out = append(out, model.Qualifier{Tag: k.tag, Pos: -1, Sub: -1})
					}
					seenAny = true
					continue
				}
				codes := slices.Clone(a.codes)
				slices.Sort(codes)
				out = append(out, model.Qualifier{Tag: k.tag, Pos: a.pos, Sub: a.sub, Codes: codes})
			}
		}
		slices.SortStableFunc(out, func(a, b model.Qualifier) int { return strings.Compare(a.Tag, b.Tag) })
		return out
	}
	f.MIG.RootQualifiers = build("")
	for i := range f.MIG.Groups {
		f.MIG.Groups[i].Qualifiers = build(f.MIG.Groups[i].ID)
	}
}
