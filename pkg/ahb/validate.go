package ahb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/mako-engine/mako/pkg/ahb/cond"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

// Option configures Validate.
type Option func(*config)

type config struct {
	fv       fv.Version
	pid      string
	received time.Time
	sector   string
	noEval   bool
	order    bool
}

// WithMIGOrder also reports segments out of MIG order (CONTRL UCS 15). The
// order is derived from the order of the AHB lines (the MIG documents
// themselves are not machine-readable here), so it is off by default: a
// wrong derivation must not reject a message.
func WithMIGOrder() Option { return func(c *config) { c.order = true } }

// WithFV applies the AHB of format version v instead of resolving it.
func WithFV(v fv.Version) Option { return func(c *config) { c.fv = v } }

// WithPID applies the AHB column of pid to every transaction instead of the
// PID the transaction carries (RFF+Z13; BGM 1001 for APERAK).
func WithPID(pid string) Option { return func(c *config) { c.pid = pid } }

// WithReceived resolves the format version from the receipt time t (the rule
// of edifact.md §7.3: the receipt time, not a sender-controlled date). Without
// it and without WithFV, the message's DTM+137 is used.
func WithReceived(t time.Time) Option { return func(c *config) { c.received = t } }

// WithSector selects the UTILMD AHB ("Strom" or "Gas") instead of deriving it
// from UNH 0057 or the PID prefix.
func WithSector(s string) Option { return func(c *config) { c.sector = s } }

// WithoutNotEvaluated drops the list of not evaluated lines from the report
// (they are still never counted as findings); saves allocations on hot paths.
func WithoutNotEvaluated() Option { return func(c *config) { c.noEval = true } }

// ErrUnknownPID reports a PID the AHB data of the FV and type does not have.
var ErrUnknownPID = errors.New("ahb: PID not in the AHB")

// ErrNoPID reports a transaction without a PID (and no WithPID option).
var ErrNoPID = errors.New("ahb: transaction carries no PID")

// Refusal is implemented by the errors with which a producer of outbound
// messages refuses to send one that violates its AHB (e.g. the
// *gpke.NonConformantError of a decision): a worker that sees one counts it
// for alerting (metrics AHBRefused) without knowing the process family.
type Refusal interface {
	error
	// RefusedPIDs returns the PIDs of the refused message's transactions.
	RefusedPIDs() []string
}

// Error wraps a validation failure with the message concerned.
type Error struct {
	// Type and Ref are UNH 0065 and 0062 of the message.
	Type, Ref string
	// FV is the format version, if it was resolved.
	FV  string
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("ahb: validate %s message %q (%s): %v", e.Type, e.Ref, e.FV, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Validate checks one message against the MIG tree and the AHB column of the
// PID of each of its transactions (UTILMD/UTILTS: per SG4; the other types:
// per message). The format version is WithFV, else resolved from
// WithReceived, else from DTM+137 (pkg/fv key dates). Conditions are
// evaluated with pkg/ahb/cond; an undecidable condition yields a
// NotEvaluated entry, never a finding. The error is an *Error wrapping
// ErrNoData, ErrUnknownPID, ErrNoPID or an FV resolution error.
func Validate(msg *edifact.Message, opts ...Option) (*Report, error) {
	r := runPool.Get().(*run)
	defer r.release()
	r.cfg = config{}
	for _, o := range opts {
		o(&r.cfg)
	}
	c := &r.cfg
	typ := messageType(msg)
	fail := func(v fv.Version, err error) (*Report, error) {
		s := ""
		if !v.IsZero() {
			s = v.String()
		}
		return nil, &Error{Type: typ, Ref: msg.Ref(), FV: s, Err: err}
	}
	v := c.fv
	if v.IsZero() {
		t := c.received
		if t.IsZero() {
			if s, _ := msg.Find(0, "DTM", "137"); s != nil {
				val := s.Element(0).Component(1)
				d, err := catalog.ParseDTM(bytesView(val.Bytes(), val), view(s.Element(0).Component(2)))
				if err != nil {
					return fail(v, fmt.Errorf("DTM+137 unreadable, format version not resolvable: %w", err))
				}
				t = d.Start
			}
		}
		switch {
		case t.IsZero() && typ == "CONTRL":
			// CONTRL carries no DTM; its MIG 2.0b / AHB 1.0 is the same in
			// every FV the data holds (edifact.md §7.2), so the newest serves
			if vs := Versions(); len(vs) > 0 {
				v = vs[len(vs)-1]
			}
		case t.IsZero():
			return fail(v, errors.New("no DTM+137 and no receipt time: format version not resolvable"))
		default:
			var err error
			if v, err = fv.Resolve(t); err != nil {
				return fail(v, err)
			}
		}
	}
	txs := edifact.Transactions(msg)
	sector := c.sector
	if typ == catalog.UTILMD && sector == "" {
		sector = utilmdSector(msg, txs, c.pid)
	}
	spec, err := Load(Key{FV: v, Type: typ, Sector: sector})
	if err != nil {
		return fail(v, err)
	}
	r.reset(spec, msg)
	rep, err := r.validate(txs)
	if err != nil {
		return fail(v, err)
	}
	return rep, nil
}

// messageTypes memoises catalog.MessageTypes (which returns a fresh copy).
var messageTypes = sync.OnceValue(catalog.MessageTypes)

// messageType returns UNH 0065 without allocating for the known types.
func messageType(msg *edifact.Message) string {
	if len(msg.Segments) == 0 || msg.Segments[0].Tag != "UNH" {
		return ""
	}
	c := msg.Segments[0].Element(1).Component(0)
	for _, t := range messageTypes() {
		if c.Equal(t) {
			return t
		}
	}
	return c.String()
}

func utilmdSector(msg *edifact.Message, txs []edifact.Transaction, pid string) string {
	if len(msg.Segments) > 0 {
		if v := msg.Segments[0].Element(1).Component(4).Bytes(); len(v) > 0 {
			switch v[0] {
			case 'S', 's':
				return "Strom"
			case 'G', 'g':
				return "Gas"
			}
		}
	}
	if pid == "" && len(txs) > 0 {
		pid = txs[0].PID
	}
	if strings.HasPrefix(pid, "44") {
		return "Gas"
	}
	return "Strom"
}

// inst is one group instance of the message (the root instance is the message).
type inst struct {
	g                *groupSpec
	parent           *inst
	start, end       int   // segment range [start, end) in msg.Segments
	spanOff, spanLen int   // this instance's spans in run.spanBuf (spanLen 0: not yet computed)
	first, last      int   // own segments (trigger first for a group), linked by run.nextSeg; -1 if none
	child            *inst // first child instance; siblings linked by next
	lastChild        *inst
	next             *inst
	cursor           int
	pid              *pidSpec
	tx               string
}

type run struct {
	spec    *Spec
	msg     *edifact.Message
	cfg     config
	rep     *Report
	buf     []Finding // scratch for candidate evaluation
	spanBuf []cond.Span
	insts   []inst
	nextSeg []int32 // own-segment chain per instance: the next own segment, -1 at the end
	sc      cond.Scope
	cc      []*blockSpec // scratch stack of candidate blocks
	// substitute maps a group instance whose trigger qualifier fits no AHB
	// variant to the required variant it stands for (see orphan)
	substitute map[*inst]*blockSpec
	// cur is the instance of the Scope last filled (cond.Tree: Child)
	cur *inst
}

// substituteLine returns the index of a line of b with the segment's tag
// that no segment matched and that the AHB requires here, or -1: a segment
// whose qualifier fits no line then stands for the missing required line, and
// its qualifier is reported as a code error (Z39) instead of a missing
// segment plus content the AHB does not foresee.
func (r *run) substituteLine(x *inst, b *blockSpec, seg *edifact.Segment, used []bool) int {
	for j, l := range b.lines {
		if j == 0 || l.line.Seg != seg.Tag || l.expr == nil || (j < len(used) && used[j]) || r.present(x, l) {
			continue
		}
		sc := r.scope(x, -1, "")
		if res := l.expr.Eval(r.spec.Set, sc); res.Required == cond.True && !l.perItem {
			return j
		}
	}
	return -1
}

// orphan returns a child instance of x of group g whose trigger qualifier
// fits no child block of b, and that stands for no other block yet.
func (r *run) orphan(x *inst, b *blockSpec, g *groupSpec) *inst {
	for c := x.child; c != nil; c = c.next {
		if c.g != g || r.substitute[c] != nil {
			continue
		}
		trig := &r.msg.Segments[c.start]
		fits := false
		for _, cb := range b.children {
			if cb.group == g && r.qualifies(cb.lines[0], trig) {
				fits = true
				break
			}
		}
		if !fits {
			return c
		}
	}
	return nil
}

// runPool recycles the scratch buffers of a validation run (instances,
// segment chains, spans, candidate stack); a run holds no state across calls.
var runPool = sync.Pool{New: func() any { return new(run) }}

func (r *run) reset(spec *Spec, msg *edifact.Message) {
	r.spec, r.msg, r.rep, r.substitute = spec, msg, nil, nil
	r.spanBuf, r.cc = r.spanBuf[:0], r.cc[:0]
}

// release clears the references to the message and report and returns the
// run to the pool.
func (r *run) release() {
	r.msg, r.rep, r.spec, r.substitute, r.cur = nil, nil, nil, nil, nil
	r.sc = cond.Scope{}
	clear(r.insts)
	runPool.Put(r)
}

func (r *run) validate(txs []edifact.Transaction) (*Report, error) {
	s := r.spec
	r.rep = &Report{FV: s.fvName, Type: s.Key.Type, Sector: s.Key.Sector, Version: s.File.Version}
	root := r.segment()
	// PIDs: per transaction, or one per message
	pidOf := func(id string) (*pidSpec, error) {
		if r.cfg.pid != "" {
			id = r.cfg.pid
		}
		if id == "" {
			return nil, ErrNoPID
		}
		return s.pid(id)
	}
	switch s.Key.Type {
	case "APERAK":
		p, err := pidOf(r.msg.Segments[min(1, len(r.msg.Segments)-1)].Value(0, 0))
		if err != nil {
			return nil, err
		}
		root.pid = p
	case "CONTRL":
		id := ""
		if u, _ := r.msg.Find(0, "UCI", ""); u != nil {
			id = u.Value(3, 0)
			if id == "4" {
				id = "4-UCI"
				if m, _ := r.msg.Find(0, "UCM", ""); m != nil {
					id = "4-UCM"
				}
			}
		}
		p, err := pidOf(id)
		if err != nil {
			return nil, err
		}
		root.pid = p
	default:
		if len(txs) == 0 {
			p, err := pidOf("")
			if err != nil {
				return nil, err
			}
			root.pid = p
			break
		}
		for i, tx := range txs {
			p, err := pidOf(tx.PID)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				root.pid = p
			}
			if tx.Opening == nil {
				continue
			}
			for c := root.child; c != nil; c = c.next {
				if c.start == tx.Start {
					c.pid, c.tx = p, tx.ID
				}
			}
		}
	}
	for c := root.child; c != nil; c = c.next {
		if c.pid != nil {
			r.rep.PIDs = append(r.rep.PIDs, c.pid.id)
		}
	}
	if len(r.rep.PIDs) == 0 {
		r.rep.PIDs = append(r.rep.PIDs, root.pid.id)
	}
	// structure findings were made before the PIDs were known
	for i := range r.rep.Findings {
		if f := &r.rep.Findings[i]; f.PID == "" {
			p := root.pid
			for c := root.child; c != nil; c = c.next {
				if c.pid != nil && f.Segment >= c.start && f.Segment < c.end {
					p = c.pid
				}
			}
			f.PID, f.Rule = p.id, strings.Replace(f.Rule, "@:", "@"+p.id+":", 1)
		}
	}
	r.check(root, root.pid.roots, root.pid)
	slices.SortStableFunc(r.rep.Findings, func(a, b Finding) int { return a.Segment - b.Segment })
	return r.rep, nil
}

// segment splits the message into group instances along the MIG tree and
// reports MIG structure findings.
func (r *run) segment() *inst {
	n := len(r.msg.Segments)
	if cap(r.insts) < 1+n {
		r.insts = make([]inst, 1, 1+n)
	}
	r.insts = r.insts[:1]
	if cap(r.nextSeg) < n {
		r.nextSeg = make([]int32, n)
	}
	r.nextSeg = r.nextSeg[:n]
	root := &r.insts[0]
	*root = inst{g: r.spec.root, end: n, cursor: -1, first: -1, last: -1}
	cur := root
	for i := range r.msg.Segments {
		seg := &r.msg.Segments[i]
		tag := seg.Tag
		// candidate places, innermost first: an own segment of an open
		// instance or the trigger of a child group; a place whose AHB lines
		// carry the segment's qualifier wins over one that only fits the tag
		var bestX *inst
		var bestC *groupSpec
		bestScore := 0
		for x := cur; x != nil && bestScore < 2; x = x.parent {
			if x.g.own[tag] {
				if sc := x.g.quals[tag].score(seg); sc > bestScore {
					bestX, bestC, bestScore = x, nil, sc
				}
			}
			for _, c := range x.g.children {
				if c.trigger != tag {
					continue
				}
				if sc := c.quals[tag].score(seg); sc > bestScore {
					bestX, bestC, bestScore = x, c, sc
					if sc == 2 {
						break
					}
				}
			}
		}
		placed := bestX != nil
		if x := bestX; x != nil {
			item := tag
			if bestC != nil {
				item = bestC.id
			}
			if rk := x.g.rank[item]; x.g.ordered && rk < x.cursor {
				if r.cfg.order {
					r.migOrder(x, i)
				}
			} else {
				x.cursor = rk
			}
			r.close(cur, x, i)
			if bestC == nil {
				r.addSeg(x, i)
				cur = x
			} else {
				r.insts = append(r.insts, inst{g: bestC, parent: x, start: i, end: n, first: -1, last: -1})
				ni := &r.insts[len(r.insts)-1]
				r.addSeg(ni, i)
				if x.lastChild == nil {
					x.child = ni
				} else {
					x.lastChild.next = ni
				}
				x.lastChild = ni
				cur = ni
			}
		}
		if !placed {
			f := Finding{Kind: KindMIGStructure, Segment: i, Tag: tag, Group: groupPath(cur), Level: edifact.LevelSegment, Code: edifact.CodeNotSupportedHere,
				Text: fmt.Sprintf("segment %s is not allowed at this place of the %s %s MIG tree", tag, r.spec.Key.Type, r.spec.File.Version)}
			if !r.spec.known[tag] {
				f.Kind, f.Level, f.Code = KindNotForeseen, 0, 0
				f.Text = fmt.Sprintf("segment %s is used by no AHB line of %s %s", tag, r.spec.Key.Type, r.spec.Key.FV)
			}
			r.add(f, "")
		}
	}
	r.close(cur, root, n)
	return root
}

// addSeg appends segment i to the own segments of x.
func (r *run) addSeg(x *inst, i int) {
	r.nextSeg[i] = -1
	if x.last < 0 {
		x.first = i
	} else {
		r.nextSeg[x.last] = int32(i)
	}
	x.last = i
}

// close ends the instances from cur up to (excluding) x at segment i.
func (r *run) close(cur, x *inst, i int) {
	for y := cur; y != nil && y != x; y = y.parent {
		y.end = i
	}
}

func (r *run) migOrder(x *inst, i int) {
	tag := r.msg.Segments[i].Tag
	r.add(Finding{Kind: KindMIGStructure, Segment: i, Tag: tag, Group: groupPath(x), Level: edifact.LevelSegment, Code: edifact.CodeNotSupportedHere,
		Text: fmt.Sprintf("segment %s is out of MIG order in %s", tag, groupName(x))}, "")
}

func groupName(x *inst) string {
	if x.g.id == "" {
		return "the message"
	}
	return x.g.id
}

// groupPath returns the group path of an instance, e.g. "SG4/SG8".
func groupPath(x *inst) string {
	if x == nil || x.g.id == "" {
		return ""
	}
	if p := groupPath(x.parent); p != "" {
		return p + "/" + x.g.id
	}
	return x.g.id
}

// add appends a finding, filling rule and position.
func (r *run) add(f Finding, pid string) {
	r.rep.Findings = append(r.rep.Findings, r.fill(f, pid))
}

func (r *run) fill(f Finding, pid string) Finding {
	f.PID = pid
	if f.Rule == "" {
		f.Rule = f.Kind.String() + "@" + pid + ":" + strings.TrimPrefix(f.Group+"/"+f.Tag, "/")
	} else {
		f.Rule = f.Kind.String() + "@" + pid + ":" + f.Rule
	}
	if f.Segment >= 0 && f.Segment < len(r.msg.Segments) {
		f.Position = f.Segment + 1
	}
	if f.APERAK == "" {
		f.APERAK = f.Kind.APERAK()
	}
	return f
}

// scope fills the run's cond.Scope for instance x (the Scope is reused, so
// evaluation allocates nothing) and returns it.
func (r *run) scope(x *inst, seg int, value string) *cond.Scope {
	pid := ""
	if p := pidOfInst(x); p != nil {
		pid = p.id
	}
	r.cur = x
	r.sc = cond.Scope{Msg: r.msg, PID: pid, FV: r.spec.Key.FV, Groups: r.spansOf(x), Segment: seg, Value: value, Tree: r}
	return &r.sc
}

// Child implements cond.Tree over the run's segmentation: the i-th child
// instance of group g of the instance parent, an ancestor of (or) the
// instance whose Scope is being evaluated.
func (r *run) Child(parent cond.Span, g string, i int) (cond.Span, bool) {
	for y := r.cur; y != nil; y = y.parent {
		if y.g.id != parent.Group || y.start != parent.Start || y.end != parent.End {
			continue
		}
		for c := y.child; c != nil; c = c.next {
			if c.g.id != g {
				continue
			}
			if i == 0 {
				return cond.Span{Group: g, Start: c.start, End: c.end}, true
			}
			i--
		}
		return cond.Span{}, false
	}
	return cond.Span{}, false
}

// spansOf returns the group spans of x (outermost first), computed once per
// instance into the run's span buffer.
func (r *run) spansOf(x *inst) []cond.Span {
	if x.g.id == "" {
		return nil
	}
	if x.spanLen == 0 {
		p := r.spansOf(x.parent)
		x.spanOff = len(r.spanBuf)
		r.spanBuf = append(r.spanBuf, p...)
		r.spanBuf = append(r.spanBuf, cond.Span{Group: x.g.id, Start: x.start, End: x.end})
		x.spanLen = len(p) + 1
	}
	return r.spanBuf[x.spanOff : x.spanOff+x.spanLen : x.spanOff+x.spanLen]
}

func pidOfInst(x *inst) *pidSpec {
	for y := x; y != nil; y = y.parent {
		if y.pid != nil {
			return y.pid
		}
	}
	return nil
}

func txOfInst(x *inst) string {
	for y := x; y != nil; y = y.parent {
		if y.tx != "" {
			return y.tx
		}
	}
	return ""
}

// check validates instance x against its candidate AHB blocks (several when
// the AHB has more than one variant of the group with the same qualifier):
// the candidate with the fewest findings is taken, so that a finding is only
// reported when every variant has it.
func (r *run) check(x *inst, cands []*blockSpec, pid *pidSpec) {
	if x.pid != nil {
		pid = x.pid
	}
	if len(cands) == 1 {
		r.local(x, cands[0], pid)
	}
	var best []Finding
	var bestEval []NotEvaluated
	for i, b := range cands {
		if len(cands) == 1 {
			break
		}
		mark, markEval := len(r.rep.Findings), len(r.rep.NotEvaluated)
		r.local(x, b, pid)
		got := r.rep.Findings[mark:]
		if i == 0 || len(got) < len(best) {
			best = append(best[:0], got...)
			bestEval = append(bestEval[:0], r.rep.NotEvaluated[markEval:]...)
		}
		r.rep.Findings = r.rep.Findings[:mark]
		r.rep.NotEvaluated = r.rep.NotEvaluated[:markEval]
		if len(best) == 0 {
			break
		}
	}
	r.rep.Findings = append(r.rep.Findings, best...)
	r.rep.NotEvaluated = append(r.rep.NotEvaluated, bestEval...)
	// children
	for c := x.child; c != nil; c = c.next {
		mark := len(r.cc)
		var sameGroup bool
		blocksOf := cands
		if c.pid != nil && c.pid != pid {
			blocksOf = c.pid.roots
		}
		trig := &r.msg.Segments[c.start]
		for _, b := range blocksOf {
			for _, cb := range b.children {
				if cb.group != c.g {
					continue
				}
				sameGroup = true
				if r.qualifies(cb.lines[0], trig) {
					r.cc = append(r.cc, cb)
				}
			}
		}
		cc := r.cc[mark:len(r.cc):len(r.cc)]
		cpid := pid
		if c.pid != nil {
			cpid = c.pid
		}
		if len(cc) == 0 {
			r.cc = r.cc[:mark]
			if sb := r.substitute[c]; sb != nil {
				r.check(c, []*blockSpec{sb}, cpid)
				continue
			}
			if !r.misplaced(blocksOf, c.g) {
				text := fmt.Sprintf("group %s is not foreseen by the AHB of PID %s here", c.g.id, cpid.id)
				if sameGroup {
					text = fmt.Sprintf("group %s opened by %s is not foreseen by the AHB of PID %s here (no variant with this qualifier)", c.g.id, segKey(trig), cpid.id)
				}
				r.add(Finding{Kind: KindNotForeseen, Segment: c.start, Group: groupPath(c), Tag: trig.Tag, Qualifier: trig.Value(0, 0), Transaction: txOfInst(c), Text: text}, cpid.id)
			}
			continue
		}
		if len(cc) == 1 && cc[0].expr != nil {
			// a present group whose AHB condition is decided false must not be used
			if res := cc[0].expr.Eval(r.spec.Set, r.scope(c, c.start, "")); res.Allowed == cond.False {
				r.addLine(Finding{Kind: KindNotAllowed, Segment: c.start, Group: groupPath(c), Tag: trig.Tag, Qualifier: trig.Value(0, 0), Transaction: txOfInst(c), Expr: cc[0].exprText,
					Text: fmt.Sprintf("group %s %s must not be used: its AHB condition %q is not met", c.g.id, segKey(trig), cc[0].exprText)}, cpid.id, cc[0].lines[0])
			}
		}
		if len(cc) == 1 && cc[0].once && cc[0].parent != nil && cc[0].parent.group == x.g && x.g.id == "SG4" {
			// [2061]: at most one instance of this variant per SG4 (transaction)
			for p := x.child; p != c; p = p.next {
				if p.g == c.g && r.qualifies(cc[0].lines[0], &r.msg.Segments[p.start]) {
					r.addLine(Finding{Kind: KindRepetition, Segment: c.start, Group: groupPath(c), Tag: trig.Tag, Qualifier: trig.Value(0, 0), Transaction: txOfInst(c), Expr: cc[0].exprText,
						Text: fmt.Sprintf("group %s %s is repeated; the AHB of PID %s allows it exactly once per transaction (%s)", c.g.id, segKey(trig), cpid.id, cc[0].exprText)}, cpid.id, cc[0].lines[0])
					break
				}
			}
		}
		r.check(c, cc, cpid)
		r.cc = r.cc[:mark]
	}
}

// misplaced reports whether one of the blocks has a child block of group g
// that the source placed elsewhere (row defect): then nothing is reported.
func (r *run) misplaced(blocks []*blockSpec, g *groupSpec) bool {
	for _, b := range blocks {
		for _, cb := range b.children {
			if cb.misplace {
				return true
			}
		}
	}
	return false
}

func segKey(s *edifact.Segment) string {
	if q := s.Value(0, 0); q != "" {
		return s.Tag + "+" + q
	}
	return s.Tag
}

// qualifies reports whether segment s matches line l (tag and qualifier).
func (r *run) qualifies(l *lineSpec, s *edifact.Segment) bool {
	if l.line.Seg != s.Tag {
		return false
	}
	if l.qual < 0 {
		return true
	}
	e := l.elems[l.qual].e
	c := s.Element(e.Pos).Component(e.Sub)
	for _, code := range e.Codes {
		if c.Equal(code[0]) {
			return true
		}
	}
	return false
}

// local checks the own segments, data elements and child-group presence of
// instance x against block b.
func (r *run) local(x *inst, b *blockSpec, pid *pidSpec) {
	tx := txOfInst(x)
	var used [64]bool // lines of b matched by a segment (b has at most a few dozen lines)
	for si := x.first; si >= 0; si = int(r.nextSeg[si]) {
		seg := &r.msg.Segments[si]
		li := -1
		for j, l := range b.lines {
			if r.qualifies(l, seg) && (j >= len(used) || !used[j]) {
				li = j
				break
			}
		}
		if li < 0 { // a repetition of a line already matched
			for j, l := range b.lines {
				if r.qualifies(l, seg) {
					li = j
					if l.once {
						r.addLine(Finding{Kind: KindRepetition, Segment: si, Group: groupPath(x), Tag: seg.Tag, Qualifier: seg.Value(0, 0), Transaction: tx, Expr: l.line.Expr,
							Text: fmt.Sprintf("segment %s is repeated; the AHB of PID %s allows it exactly once per transaction (%s)", segKey(seg), pid.id, l.line.Expr)}, pid.id, l)
					}
					break
				}
			}
		}
		if li < 0 {
			li = r.substituteLine(x, b, seg, used[:])
		}
		if li < 0 {
			if b.group.trigger == seg.Tag && si == x.start {
				continue
			}
			if x.parent == nil && (seg.Tag == "UNH" || seg.Tag == "UNT") {
				continue // the service segments frame every message; most AHB tables omit UNT
			}
			r.add(Finding{Kind: KindNotForeseen, Segment: si, Group: groupPath(x), Tag: seg.Tag, Qualifier: seg.Value(0, 0), Transaction: tx,
				Text: fmt.Sprintf("segment %s is not foreseen by the AHB of PID %s here", segKey(seg), pid.id)}, pid.id)
			continue
		}
		if li < len(used) {
			used[li] = true
		}
		l := b.lines[li]
		if l.expr != nil {
			sc := r.scope(x, si, "")
			res := l.expr.Eval(r.spec.Set, sc)
			if res.Allowed == cond.False {
				r.addLine(Finding{Kind: KindNotAllowed, Segment: si, Group: groupPath(x), Tag: seg.Tag, Qualifier: seg.Value(0, 0), Transaction: tx, Expr: l.line.Expr,
					Text: fmt.Sprintf("segment %s must not be used: its AHB condition %q is not met", segKey(seg), l.line.Expr)}, pid.id, l)
			}
		}
		r.elements(x, si, l, pid, tx)
	}
	// missing lines
	for j, l := range b.lines {
		if j == 0 || (j < len(used) && used[j]) || l.expr == nil {
			continue
		}
		if j >= len(used) && r.present(x, l) {
			continue
		}
		sc := r.scope(x, -1, "")
		res := l.expr.Eval(r.spec.Set, sc)
		switch {
		case res.Required == cond.True && l.perItem:
			r.notEvaluatedRepeat(l.neRule, x.start, "", l.line.Expr, l.expr, pid)
		case res.Required == cond.True:
			r.addLine(Finding{Kind: KindMissingSegment, Segment: x.start, Group: groupPath(x), Tag: l.line.Seg, Qualifier: qualText(l), Transaction: tx, Expr: l.line.Expr,
				Text: fmt.Sprintf("segment %s (%s) is missing; the AHB of PID %s requires it (%s)", l.key(), l.line.Section, pid.id, l.line.Expr)}, pid.id, l)
		case res.Required == cond.Unknown && mayRequire(l.expr):
			r.notEvaluated(l.neRule, x.start, "", l.line.Expr, &res, pid)
		}
	}
	// missing child groups
	for _, cb := range b.children {
		if cb.misplace || cb.expr == nil {
			continue
		}
		found := false
		for c := x.child; c != nil; c = c.next {
			if c.g == cb.group && r.qualifies(cb.lines[0], &r.msg.Segments[c.start]) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		sc := r.scope(x, -1, "")
		res := cb.expr.Eval(r.spec.Set, sc)
		if res.Required == cond.True && !cb.perItem {
			if c := r.orphan(x, b, cb.group); c != nil {
				// an instance of the group whose qualifier fits no variant:
				// it stands for the required one, its qualifier is a code error
				if r.substitute == nil {
					r.substitute = map[*inst]*blockSpec{}
				}
				r.substitute[c] = cb
				continue
			}
		}
		l := cb.lines[0]
		switch {
		case res.Required == cond.True && cb.perItem:
			r.notEvaluatedRepeat(l.neRule, x.start, "", cb.exprText, cb.expr, pid)
		case res.Required == cond.True:
			r.addLine(Finding{Kind: KindMissingGroup, Segment: x.start, Group: strings.TrimPrefix(groupPath(x)+"/"+cb.group.id, "/"), Tag: l.line.Seg, Qualifier: qualText(l), Transaction: tx, Expr: cb.exprText,
				Text: fmt.Sprintf("group %s %s (%s) is missing; the AHB of PID %s requires it (%s)", cb.group.id, l.key(), l.line.Section, pid.id, cb.exprText)}, pid.id, l)
		case res.Required == cond.Unknown && mayRequire(cb.expr):
			r.notEvaluated(l.neRule, x.start, "", cb.exprText, &res, pid)
		}
	}
}

func (r *run) present(x *inst, l *lineSpec) bool {
	for si := x.first; si >= 0; si = int(r.nextSeg[si]) {
		if r.qualifies(l, &r.msg.Segments[si]) {
			return true
		}
	}
	return false
}

func (r *run) addLine(f Finding, pid string, l *lineSpec) {
	f.Rule, f.Section = l.id, l.line.Section
	if f.DataElement != "" {
		f.Rule += "/" + f.DataElement
	}
	r.add(f, pid)
}

func qualText(l *lineSpec) string {
	k := l.key()
	_, q, _ := strings.Cut(k, "+")
	return q
}

// mayRequire reports whether some pair of the expression has a status that
// makes the line required (Muss, X, U).
func mayRequire(e *cond.Expr) bool {
	for _, s := range e.Statuses() {
		if s.Required() {
			return true
		}
	}
	return false
}

func (r *run) notEvaluated(rule string, seg int, de, expr string, res *cond.Result, pid *pidSpec) {
	if r.cfg.noEval {
		return
	}
	ne := NotEvaluated{Rule: rule, Segment: seg, DataElement: de, Expr: expr}
	refs := res.NotEvaluated()
	ne.Conditions = make([]string, 0, len(refs))
	for _, ref := range refs {
		ne.Conditions = append(ne.Conditions, pid.refString(ref))
	}
	r.rep.NotEvaluated = append(r.rep.NotEvaluated, ne)
}

// notEvaluatedRepeat records a required line whose count depends on a
// repeatability condition (Spec.perItem) as not evaluated.
func (r *run) notEvaluatedRepeat(rule string, seg int, de, expr string, e *cond.Expr, pid *pidSpec) {
	if r.cfg.noEval {
		return
	}
	ne := NotEvaluated{Rule: rule, Segment: seg, DataElement: de, Expr: expr}
	for _, ref := range e.Refs() {
		if cond.KindOf(ref) == cond.KindRepeat {
			ne.Conditions = append(ne.Conditions, pid.refString(ref))
		}
	}
	r.rep.NotEvaluated = append(r.rep.NotEvaluated, ne)
}

// elements checks the data elements of segment si against line l.
func (r *run) elements(x *inst, si int, l *lineSpec, pid *pidSpec, tx string) {
	seg := &r.msg.Segments[si]
	for k := range l.elems {
		es := &l.elems[k]
		e := es.e
		if e.Pos < 0 {
			continue
		}
		c := seg.Element(e.Pos).Component(e.Sub)
		mk := func(k Kind) Finding { // built only when there is a finding
			return Finding{Kind: k, Segment: si, Group: groupPath(x), Tag: seg.Tag, Qualifier: seg.Value(0, 0), Transaction: tx, DataElement: e.ID, Element: e.Pos + 1, Component: e.Sub + 1, Expr: e.Expr}
		}
		if c.IsEmpty() {
			if es.expr == nil {
				continue
			}
			sc := r.scope(x, si, "")
			res := es.expr.Eval(r.spec.Set, sc)
			switch {
			case res.Required == cond.True:
				f := mk(KindMissingElement)
				f.Text = fmt.Sprintf("data element %s (%s) of %s is missing; the AHB of PID %s requires it (%s)", e.ID, e.Name, segKey(seg), pid.id, e.Expr)
				r.addLine(f, pid.id, l)
			case res.Required == cond.Unknown && mayRequire(es.expr):
				r.notEvaluated(es.neRule, si, e.ID, e.Expr, &res, pid)
			}
			continue
		}
		if len(e.Codes) > 0 {
			ok := false
			for _, code := range e.Codes {
				if c.Equal(code[0]) {
					ok = true
					break
				}
			}
			if !ok {
				f := mk(KindCode)
				f.Value = c.String()
				f.Text = fmt.Sprintf("code %q in data element %s of %s is not in the AHB list of PID %s (%s)", f.Value, e.ID, segKey(seg), pid.id, codeList(e.Codes))
				r.addLine(f, pid.id, l)
				continue
			}
		}
		val := c.Bytes() // unescaped once (aliases the input when it holds no release character)
		if es.format != "" {
			if code, why := checkFormat(val, es.format); code != 0 {
				f := mk(KindMIGFormat)
				f.Value, f.Level, f.Code = c.String(), edifact.LevelElement, code
				f.Expr = es.format
				f.Text = fmt.Sprintf("data element %s of %s violates the MIG format %s: %s", e.ID, segKey(seg), es.format, why)
				r.addLine(f, pid.id, l)
				continue
			}
		}
		if seg.Tag == "DTM" && e.ID == "2380" && knownDTMFormat(seg.Element(e.Pos).Component(2)) {
			if _, err := catalog.ParseDTM(bytesView(val, c), view(seg.Element(e.Pos).Component(2))); err != nil && errors.Is(err, catalog.ErrDTMFormat) {
				f := mk(KindFormat)
				f.Value = c.String()
				f.Text = fmt.Sprintf("date %q does not match DTM format %s", f.Value, seg.Value(e.Pos, 2))
				r.addLine(f, pid.id, l)
				continue
			}
		}
		if es.value {
			sc := r.scope(x, si, bytesView(val, c))
			res := es.expr.Eval(r.spec.Set, sc)
			switch res.Format {
			case cond.False:
				f := mk(KindFormat)
				f.Value = c.String()
				f.Text = fmt.Sprintf("value %q of data element %s violates the format condition of %q", f.Value, e.ID, e.Expr)
				r.addLine(f, pid.id, l)
			case cond.Unknown:
				if res.Allowed != cond.False {
					r.notEvaluated(es.neRule, si, e.ID, e.Expr, &res, pid)
				}
			}
		}
	}
}

func codeList(codes [][2]string) string {
	var b strings.Builder
	for i, c := range codes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c[0])
	}
	return b.String()
}

// knownDTMFormat reports whether catalog.ParseDTM knows the format code; a
// DTM value in another format (203, 106, 802 …) is not checked here.
func knownDTMFormat(c edifact.Component) bool {
	for _, f := range [...]string{catalog.DTMFormat303, catalog.DTMFormat102, catalog.DTMFormat610, catalog.DTMFormat602, catalog.DTMFormat719, catalog.DTMFormatZ01} {
		if c.Equal(f) {
			return true
		}
	}
	return false
}

// view returns the component's unescaped value as a string without copying
// when it has no release characters and no bytes ≥ 0x80 (the string then
// aliases the parsed input, which is immutable while validating; it is
// never retained). Otherwise it returns a copy.
func view(c edifact.Component) string {
	b := c.Bytes()
	raw := c.Raw()
	if len(b) == 0 {
		return ""
	}
	if len(b) == len(raw) && &b[0] == &raw[0] && ascii(b) {
		return unsafe.String(&b[0], len(b))
	}
	return c.String()
}

// bytesView returns b (the unescaped bytes of c) as a string without copying
// when b is ASCII; b is either the immutable input or a fresh copy owned by
// the caller, and the string is never retained.
func bytesView(b []byte, c edifact.Component) string {
	if len(b) == 0 {
		return ""
	}
	if ascii(b) {
		return unsafe.String(&b[0], len(b))
	}
	return c.String()
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
