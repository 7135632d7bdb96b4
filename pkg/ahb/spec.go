package ahb

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/mako-engine/mako/pkg/ahb/cond"
	"github.com/mako-engine/mako/pkg/ahb/model"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

//go:embed data/FV*/*.json
var dataFS embed.FS

// ErrNoData reports that the embedded data has no AHB for the requested
// format version and message type.
var ErrNoData = errors.New("ahb: no AHB data")

// Versions returns the format versions the embedded data covers, oldest first.
func Versions() []fv.Version {
	entries, _ := fs.ReadDir(dataFS, "data")
	var out []fv.Version
	for _, e := range entries {
		if v, err := fv.Parse(e.Name()); err == nil && e.IsDir() {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, fv.Version.Compare)
	return out
}

// Key names one data file: a format version, a message type and, for UTILMD,
// the sector ("Strom" or "Gas").
type Key struct {
	FV     fv.Version
	Type   string
	Sector string
}

func (k Key) file() string {
	name := k.Type
	if k.Sector != "" {
		name += "-" + k.Sector
	}
	return path.Join("data", k.FV.String(), name+".json")
}

// Keys returns the data files of one format version.
func Keys(v fv.Version) []Key {
	entries, _ := fs.ReadDir(dataFS, path.Join("data", v.String()))
	var out []Key
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		typ, sector, _ := strings.Cut(name, "-")
		out = append(out, Key{FV: v, Type: typ, Sector: sector})
	}
	return out
}

// Spec is the compiled AHB and MIG model of one Key. It is immutable and safe
// for concurrent use.
type Spec struct {
	// File is the decoded data file.
	File *model.File
	// Key names the data file.
	Key Key
	// Set holds the condition predicates for the message type and FV.
	Set *cond.Set

	fvName  string // Key.FV.String()
	root    *groupSpec
	groups  map[string]*groupSpec
	known   map[string]bool // every segment tag of the MIG model
	layouts map[string]*model.Layout
	raws    []model.RawPID
	pidIdx  map[string]int
	lazy    []lazyPID // per raw PID, compiled on first use
}

// lazyPID is one PID compiled on first use (loading an FV decodes only the
// MIG and indexes the PIDs).
type lazyPID struct {
	once  sync.Once
	model *model.PID
	spec  *pidSpec
	err   error
}

// groupSpec is one node of the MIG tree; the root node has id "".
type groupSpec struct {
	id       string
	parent   *groupSpec
	trigger  string
	rank     map[string]int // item → MIG order index
	ordered  bool
	children []*groupSpec
	own      map[string]bool
	quals    map[string]*qualSet // segment tag → qualifiers the AHB lines of this group use
}

// qualSet is the union of the qualifiers of the AHB lines of one segment tag
// in one group, over all PIDs; it steers which group a segment belongs to
// when the MIG tree alone is ambiguous (e.g. MSCONS SG2 and SG5 both open
// with NAD).
type qualSet struct {
	any     bool // some line of the tag has no qualifier
	entries []qualEntry
}

type qualEntry struct {
	pos, sub int
	codes    map[string]bool
}

// score returns 2 when the segment carries one of the qualifiers (or the set
// has a line without qualifier), 1 otherwise (the tag fits, the qualifier
// does not or is unknown).
func (q *qualSet) score(seg *edifact.Segment) int {
	if q == nil {
		return 1
	}
	if q.any {
		return 2
	}
	for _, e := range q.entries {
		if e.codes[string(seg.Element(e.pos).Component(e.sub).Bytes())] {
			return 2
		}
	}
	return 1
}

func qualSets(qs []model.Qualifier) map[string]*qualSet {
	m := map[string]*qualSet{}
	for _, q := range qs {
		set := m[q.Tag]
		if set == nil {
			set = &qualSet{}
			m[q.Tag] = set
		}
		if len(q.Codes) == 0 {
			set.any = true
			continue
		}
		e := qualEntry{pos: q.Pos, sub: q.Sub, codes: make(map[string]bool, len(q.Codes))}
		for _, c := range q.Codes {
			e.codes[c] = true
		}
		set.entries = append(set.entries, e)
	}
	return m
}

// pid returns the compiled AHB column of a PID, compiling it on first use.
func (s *Spec) pid(id string) (*pidSpec, error) {
	i, ok := s.pidIdx[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s (%s %s %s)", ErrUnknownPID, id, s.Key.FV, s.Key.Type, s.Key.Sector)
	}
	l := &s.lazy[i]
	l.once.Do(func() {
		l.model, l.err = model.DecodePID(s.raws[i])
		if l.err == nil {
			l.spec = s.buildPID(l.model)
		}
	})
	return l.spec, l.err
}

// pidSpec is the AHB column of one PID as a tree of blocks.
type pidSpec struct {
	id, name string
	root     *blockSpec
	roots    []*blockSpec // {root}, for candidate lists
	badExprs []string     // expressions pkg/ahb/cond cannot parse
	refs     map[cond.Ref]string
}

// refString renders a condition reference; the renderings of the PID's
// expressions are precomputed.
func (ps *pidSpec) refString(r cond.Ref) string {
	if s, ok := ps.refs[r]; ok {
		return s
	}
	return r.String()
}

// blockSpec is one group instance of the AHB column (a trigger line and the
// lines and child blocks up to the next instance).
type blockSpec struct {
	group    *groupSpec
	parent   *blockSpec
	expr     *cond.Expr // group expression; nil at root or when unparsable
	exprText string
	lines    []*lineSpec
	children []*blockSpec
	misplace bool // the source puts this block under a group the MIG tree does not (row defect)
	once     bool // the group expression holds [2061] (UTILMD: exactly once per SG4)
	perItem  bool // the group expression holds another repeatability condition (see perItem)
	path     string
}

// lineSpec is one AHB line.
type lineSpec struct {
	line    *model.Line
	expr    *cond.Expr
	qual    int // index into elems of the qualifying data element, -1 if none
	elems   []elemSpec
	id      string // stable line id, e.g. "SG4/SG8/SEQ+Z01"
	neRule  string // "PID:id", the rule of a NotEvaluated entry
	once    bool   // the expression holds [2061] (UTILMD: exactly once per SG4)
	perItem bool   // the expression holds another repeatability condition (see Spec.perItem)
	seq     int    // index of the line in the PID's AHB column
}

type elemSpec struct {
	neRule string // "PID:line id/DE"
	e      *model.LineElement
	expr   *cond.Expr
	format string // MIG format
	// value: the expression names a condition that checks the element's
	// value (a format condition [9xx] or a value rule such as [41], [87],
	// [359]), so a present value is evaluated against it.
	value bool
}

var specCache sync.Map // Key → *specEntry; memo of immutable embedded data

type specEntry struct {
	once sync.Once
	spec *Spec
	err  error
}

// Load returns the compiled model of k, decoding and compiling the embedded
// data on first use (the result is memoised; it is immutable).
func Load(k Key) (*Spec, error) {
	e, ok := specCache.Load(k)
	if !ok {
		e, _ = specCache.LoadOrStore(k, &specEntry{})
	}
	ent := e.(*specEntry)
	ent.once.Do(func() { ent.spec, ent.err = compile(k) })
	return ent.spec, ent.err
}

// compile decodes and compiles one data file without caching.
func compile(k Key) (*Spec, error) {
	b, err := dataFS.ReadFile(k.file())
	if err != nil {
		return nil, fmt.Errorf("%w for %s %s %s", ErrNoData, k.FV, k.Type, k.Sector)
	}
	f, raws, err := model.DecodeIndexed(b)
	if err != nil {
		return nil, fmt.Errorf("ahb: %s: %w", k.file(), err)
	}
	return build(k, f, raws)
}

func build(k Key, f *model.File, raws []model.RawPID) (*Spec, error) {
	name := k.Type
	if k.Type == "UTILMD" && k.Sector != "" {
		name = "UTILMD " + k.Sector
	}
	s := &Spec{fvName: k.FV.String(), File: f, Key: k, Set: cond.PredicatesFor(name, k.FV), groups: map[string]*groupSpec{}, known: map[string]bool{}, layouts: map[string]*model.Layout{}, raws: raws, pidIdx: make(map[string]int, len(raws)), lazy: make([]lazyPID, len(raws))}
	s.root = &groupSpec{rank: rankOf(f.MIG.Root), ordered: f.MIG.RootOrdered, own: map[string]bool{}, quals: qualSets(f.MIG.RootQualifiers)}
	for i := range f.MIG.Groups {
		g := &f.MIG.Groups[i]
		s.groups[g.ID] = &groupSpec{id: g.ID, trigger: g.Trigger, rank: rankOf(g.Items), ordered: g.Ordered, own: map[string]bool{}, quals: qualSets(g.Qualifiers)}
	}
	for i := range f.MIG.Groups {
		g := &f.MIG.Groups[i]
		gs := s.groups[g.ID]
		gs.parent = s.root
		if p, ok := s.groups[g.Parent]; ok {
			gs.parent = p
		}
		gs.parent.children = append(gs.parent.children, gs)
		for _, it := range g.Items {
			if _, isGroup := s.groups[it]; !isGroup && it != g.Trigger {
				gs.own[it] = true
				s.known[it] = true
			}
		}
		s.known[g.Trigger] = true
	}
	for _, it := range f.MIG.Root {
		if _, isGroup := s.groups[it]; !isGroup {
			s.root.own[it] = true
			s.known[it] = true
		}
	}
	for i := range f.MIG.Segments {
		s.layouts[f.MIG.Segments[i].Tag] = &f.MIG.Segments[i]
	}
	for i, r := range raws {
		s.pidIdx[r.ID] = i
	}
	return s, nil
}

func rankOf(items []string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		if _, ok := m[it]; !ok {
			m[it] = i
		}
	}
	return m
}

func (ps *pidSpec) parse(expr string) *cond.Expr {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	e, err := cond.Parse(expr)
	if err != nil {
		ps.badExprs = append(ps.badExprs, expr)
		return nil
	}
	if ps.refs == nil {
		ps.refs = map[cond.Ref]string{}
	}
	for _, r := range e.Refs() {
		ps.refs[r] = r.String()
	}
	return e
}

func (s *Spec) buildPID(p *model.PID) *pidSpec {
	ps := &pidSpec{id: p.ID, name: p.Name, root: &blockSpec{group: s.root}}
	ps.roots = []*blockSpec{ps.root}
	defer ps.fillRules()
	stack := []*blockSpec{ps.root}
	popTo := func(g *groupSpec) bool {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].group == g {
				stack = stack[:i+1]
				return true
			}
		}
		return false
	}
	for i := range p.Lines {
		l := &p.Lines[i]
		ls := s.buildLine(ps, l)
		ls.seq = i
		if l.Group == "" {
			popTo(s.root)
			ls.id = ls.key()
			ps.root.lines = append(ps.root.lines, ls)
			continue
		}
		g, ok := s.groups[l.Group]
		if !ok {
			continue // group unknown to the MIG tree: the converter keeps every AHB group, so this does not happen
		}
		if l.GroupExpr == "" && popTo(g) {
			b := stack[len(stack)-1]
			ls.id = b.path + "/" + ls.key()
			b.lines = append(b.lines, ls)
			continue
		}
		b := &blockSpec{group: g, exprText: l.GroupExpr, expr: ps.parse(l.GroupExpr)}
		b.once, b.perItem = s.oncePerTransaction(b.expr), s.perItem(b.expr)
		if !popTo(g.parent) {
			b.misplace = true
			popTo(s.root)
			for i := len(stack) - 1; i > 0; i-- { // innermost open ancestor of g
				if isAncestor(stack[i].group, g) {
					stack = stack[:i+1]
					break
				}
			}
		}
		parent := stack[len(stack)-1]
		b.parent = parent
		b.path = strings.TrimPrefix(parent.path+"/", "/") + g.id
		ls.id = b.path + "/" + ls.key()
		b.lines = append(b.lines, ls)
		parent.children = append(parent.children, b)
		stack = append(stack, b)
	}
	return ps
}

// fillRules precomputes the rule strings of NotEvaluated entries.
func (ps *pidSpec) fillRules() {
	var walk func(b *blockSpec)
	walk = func(b *blockSpec) {
		for _, l := range b.lines {
			l.neRule = ps.id + ":" + l.id
			for i := range l.elems {
				l.elems[i].neRule = l.neRule + "/" + l.elems[i].e.ID
			}
		}
		for _, c := range b.children {
			walk(c)
		}
	}
	walk(ps.root)
}

// oncePerTransaction reports whether a UTILMD expression holds [2061]
// ("Segment bzw. Segmentgruppe ist genau einmal je SG4 IDE (Vorgang)
// anzugeben", the same text in the Strom and Gas AHB condition lists).
func (s *Spec) oncePerTransaction(e *cond.Expr) bool {
	if e == nil || s.Key.Type != "UTILMD" {
		return false
	}
	for _, r := range e.Refs() {
		if r.Kind == cond.RefCondition && r.N == 2061 {
			return true
		}
	}
	return false
}

// perItem reports whether an expression holds a repeatability condition
// ([2000]–[2499]) other than UTILMD's [2061]: such conditions tie the number
// of instances to other content ("für jede Messlokations-ID im SG5 LOC+Z17",
// "je SG8 SEQ+Z01"), so a "Muss" line may rightly be absent when that
// content is; its absence is then reported as not evaluated, never as missing.
func (s *Spec) perItem(e *cond.Expr) bool {
	if e == nil {
		return false
	}
	for _, r := range e.Refs() {
		if r.Kind == cond.RefCondition && cond.KindOf(r) == cond.KindRepeat && !(r.N == 2061 && s.Key.Type == "UTILMD") {
			return true
		}
	}
	return false
}

func isAncestor(a, g *groupSpec) bool {
	for p := g.parent; p != nil; p = p.parent {
		if p == a {
			return true
		}
	}
	return false
}

func (s *Spec) buildLine(ps *pidSpec, l *model.Line) *lineSpec {
	ls := &lineSpec{line: l, expr: ps.parse(l.Expr), qual: -1}
	ls.once, ls.perItem = s.oncePerTransaction(ls.expr), s.perItem(ls.expr)
	lay := s.layouts[l.Seg]
	for i := range l.Elements {
		e := &l.Elements[i]
		es := elemSpec{e: e, expr: ps.parse(e.Expr)}
		es.value = es.expr != nil && es.expr.ChecksValue(s.Set)
		if lay != nil && e.Pos >= 0 {
			for _, le := range lay.Elements {
				if le.Pos == e.Pos && le.Sub == e.Sub {
					es.format = le.Format
				}
			}
		}
		if i == 0 && len(e.Codes) > 0 && e.Pos >= 0 {
			ls.qual = 0 // the first data element the line lists qualifies it (DTM+92, CCI+++Z15)
		}
		ls.elems = append(ls.elems, es)
	}
	return ls
}

// key renders the line as "TAG+QUAL" (or "TAG" without a qualifier).
func (ls *lineSpec) key() string {
	if ls.qual < 0 {
		return ls.line.Seg
	}
	var codes []string
	for _, c := range ls.elems[ls.qual].e.Codes {
		codes = append(codes, c[0])
	}
	return ls.line.Seg + "+" + strings.Join(codes, "|")
}

// qualifies reports whether the segment's qualifying data element holds one
// of the line's codes (true for a line without qualifier).
func (ls *lineSpec) qualifies(v string) bool {
	if ls.qual < 0 {
		return true
	}
	for _, c := range ls.elems[ls.qual].e.Codes {
		if c[0] == v {
			return true
		}
	}
	return false
}

// PIDs returns the PIDs of the spec in ascending order.
func (s *Spec) PIDs() []string {
	out := make([]string, 0, len(s.raws))
	for _, r := range s.raws {
		out = append(out, r.ID)
	}
	return out
}

// Has reports whether the spec holds the PID.
func (s *Spec) Has(pid string) bool {
	_, ok := s.pidIdx[pid]
	return ok
}

// PID returns the AHB column of a PID (decoded on first use).
func (s *Spec) PID(id string) (*model.PID, bool) {
	if _, err := s.pid(id); err != nil {
		return nil, false
	}
	return s.lazy[s.pidIdx[id]].model, true
}

// UnparsedExpressions returns the AHB expressions of the data that
// pkg/ahb/cond cannot parse (their lines are never evaluated). It compiles
// every PID.
func (s *Spec) UnparsedExpressions() []string {
	var out []string
	for _, r := range s.raws {
		if p, err := s.pid(r.ID); err == nil {
			out = append(out, p.badExprs...)
		}
	}
	return out
}

// CompileAll compiles every PID of the spec now instead of on first use
// (≈ 0.3 ms each), so that a service pays the cost at start-up.
func (s *Spec) CompileAll() error {
	for _, r := range s.raws {
		if _, err := s.pid(r.ID); err != nil {
			return err
		}
	}
	return nil
}

// Preload loads and compiles the data of every message type of format
// version v (for a service start-up; Validate does the same lazily).
func Preload(v fv.Version) error {
	keys := Keys(v)
	if len(keys) == 0 {
		return fmt.Errorf("%w for %s", ErrNoData, v)
	}
	for _, k := range keys {
		s, err := Load(k)
		if err != nil {
			return err
		}
		if err := s.CompileAll(); err != nil {
			return err
		}
	}
	return nil
}
