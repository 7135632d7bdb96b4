// Package build assembles the segments of one EDIFACT message in the order
// of the AHB lines of its Prüfidentifikator (which follow the MIG), so that a
// process family states only which AHB lines it fills and with which values,
// never the segment order or the group nesting.
//
// The caller opens group instances and adds segments by their AHB line key
// ("DTM+92", "SEQ+Z79", "CCI+Z15", "COM"); a key the PID's AHB does not
// foresee at that place is an error (Message.Err), so a builder cannot emit
// content the AHB column has no line for. Whether every mandatory line is
// present is not checked here: that is ahb.Validate's job on the result.
//
//	m, _ := build.New(fv.MustParse("FV2610"), "UTILMD", "Strom", "55001")
//	r := m.Root()
//	r.Seg("BGM+E01", edifact.E("E01"), edifact.E(doc))
//	tx := r.Group("IDE+24", edifact.E("24"), edifact.E(id))
//	tx.Group("RFF+Z13", edifact.C("Z13", "55001")) // SG6, placed after SG5 whatever the call order
//	tx.Group("LOC+Z16", edifact.E("Z16"), edifact.E(malo))
//	tx.Seg("DTM+92", edifact.C("92", start, "303"))
//	err := m.Write(mb) // BGM, SG4 IDE, DTM+92, SG5 LOC, SG6 RFF
package build

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// ErrNotForeseen marks a segment or group the PID's AHB has no line for at
// the place it was added.
var ErrNotForeseen = errors.New("build: not foreseen by the AHB")

// line is one AHB line of the PID, indexed for resolution.
type line struct {
	id      string   // ahb.LineInfo.ID
	path    string   // group path, "" at message level ("SG4/SG8")
	tag     string   // segment tag
	quals   []string // qualifiers of the line id (CAV+Z75|Z76 → Z75, Z76)
	depth   int
	trigger bool // opens a group instance
	seq     int  // index in document (= MIG) order
}

// Message collects the segments of one message (between UNH and UNT) for one
// PID. It is not safe for concurrent use.
type Message struct {
	pid   string
	lines []line
	root  *Group
	err   error
}

// Group is one instance of a segment group (or the message level) under
// construction.
type Group struct {
	m     *Message
	path  string
	depth int
	seq   int // the trigger line's seq (-1 at message level)
	bound int // first seq after the instance's lines
	items []item
}

type item struct {
	seq   int
	n     int // insertion order (stable for equal seq)
	tag   string
	vals  []edifact.Value
	group *Group
}

// New returns an empty message for pid in the AHB of format version v,
// message type typ and sector ("Strom"/"Gas" for UTILMD, "" otherwise). The
// error wraps ahb.ErrNoData or ahb.ErrUnknownPID. The PID's line index is
// computed once per process and shared (it is immutable).
func New(v fv.Version, typ, sector, pid string) (*Message, error) {
	k := key{v: v, typ: typ, sector: sector, pid: pid}
	if ls, ok := index.Load(k); ok {
		return newMessage(pid, ls.([]line)), nil
	}
	spec, err := ahb.Load(ahb.Key{FV: v, Type: typ, Sector: sector})
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", typ, pid, err)
	}
	infos, ok := spec.Lines(pid)
	if !ok {
		return nil, fmt.Errorf("build %s %s %s: %w", typ, v, pid, ahb.ErrUnknownPID)
	}
	lines := make([]line, 0, len(infos))
	prevPath := ""
	for i, li := range infos {
		id := li.ID
		base, _, _ := strings.Cut(id, "#")
		path, last := "", base
		if k := strings.LastIndexByte(base, '/'); k >= 0 {
			path, last = base[:k], base[k+1:]
		}
		tag, q, _ := strings.Cut(last, "+")
		var quals []string
		if q != "" {
			quals = strings.Split(q, "|")
		}
		trigger := path != "" && (li.Line.GroupExpr != "" || path != prevPath)
		lines = append(lines, line{id: id, path: path, tag: tag, quals: quals, depth: li.Depth, trigger: trigger, seq: i})
		prevPath = path
	}
	ls, _ := index.LoadOrStore(k, lines)
	return newMessage(pid, ls.([]line)), nil
}

// key names one PID's line index.
type key struct {
	v                fv.Version
	typ, sector, pid string
}

// index caches the immutable line index per key (a pure function of the
// embedded data, so a process-wide cache holds no mutable state).
var index sync.Map // key → []line

func newMessage(pid string, lines []line) *Message {
	m := &Message{pid: pid, lines: lines}
	m.root = &Group{m: m, seq: -1, bound: len(lines)}
	return m
}

// PID returns the Prüfidentifikator the message is built for.
func (m *Message) PID() string { return m.pid }

// Root returns the message level (BGM, DTM+137, SG2 …, SG4 for UTILMD).
func (m *Message) Root() *Group { return m.root }

// Err returns the first error of a Seg or Group call (a key the AHB does
// not foresee there), wrapping ErrNotForeseen.
func (m *Message) Err() error { return m.err }

func (g *Group) fail(key string, group bool) {
	if g.m.err != nil {
		return
	}
	what := "segment"
	if group {
		what = "group"
	}
	at := g.path
	if at == "" {
		at = "message level"
	}
	g.m.err = fmt.Errorf("%w: %s %s under %s in PID %s", ErrNotForeseen, what, key, at, g.m.pid)
}

// resolve finds the AHB line of key inside the instance: a line of the
// instance's own group (trigger=false) or a trigger of a direct child group
// (trigger=true), between the instance's trigger and its bound.
func (g *Group) resolve(key string, trigger bool) (int, bool) {
	tag, q, _ := strings.Cut(key, "+")
	for i := g.seq + 1; i < g.bound; i++ {
		l := &g.m.lines[i]
		if l.tag != tag || (q == "" && len(l.quals) > 0) || (q != "" && !slices.Contains(l.quals, q)) {
			continue
		}
		if trigger {
			if l.trigger && l.depth == g.depth+1 && (g.path == "" || strings.HasPrefix(l.path, g.path+"/")) {
				return i, true
			}
			continue
		}
		if l.path == g.path && l.depth == g.depth && !(l.trigger && i != g.seq) {
			return i, true
		}
	}
	return 0, false
}

// Seg adds a segment of the instance's own group; key is the AHB line key
// ("DTM+92", "STS+7", "FTX+ACB", "COM"), tag is taken from it. It returns g
// for chaining; an unforeseen key sets Message.Err.
func (g *Group) Seg(key string, vals ...edifact.Value) *Group {
	i, ok := g.resolve(key, false)
	if !ok {
		g.fail(key, false)
		return g
	}
	g.items = append(g.items, item{seq: i, n: len(g.items), tag: g.m.lines[i].tag, vals: vals})
	return g
}

// Group opens a new instance of a direct child group whose trigger segment
// has the AHB line key (e.g. "IDE+24", "SEQ+Z79", "NAD+Z09", "LOC+Z16"),
// adds the trigger segment and returns the instance. On an unforeseen key it
// sets Message.Err and returns a detached instance (its content is dropped).
func (g *Group) Group(key string, vals ...edifact.Value) *Group {
	i, ok := g.resolve(key, true)
	if !ok {
		g.fail(key, true)
		return &Group{m: g.m, seq: len(g.m.lines), bound: len(g.m.lines)}
	}
	l := &g.m.lines[i]
	bound := len(g.m.lines)
	for j := i + 1; j < len(g.m.lines); j++ {
		n := &g.m.lines[j]
		if n.depth < l.depth || (n.depth == l.depth && n.trigger) {
			bound = j
			break
		}
	}
	c := &Group{m: g.m, path: l.path, depth: l.depth, seq: i, bound: bound}
	c.items = append(c.items, item{seq: i, tag: l.tag, vals: vals})
	g.items = append(g.items, item{seq: i, n: len(g.items), group: c})
	return c
}

// Segment is one assembled segment.
type Segment struct {
	Tag    string
	Values []edifact.Value
}

// Segments returns the segments in AHB (MIG) order: in each instance its own
// segments and child instances ordered by their AHB line, instances of the
// same line in the order they were opened.
func (m *Message) Segments() ([]Segment, error) {
	if m.err != nil {
		return nil, m.err
	}
	var out []Segment
	var walk func(g *Group)
	walk = func(g *Group) {
		items := slices.Clone(g.items)
		slices.SortStableFunc(items, func(a, b item) int { return a.seq - b.seq })
		for _, it := range items {
			if it.group != nil {
				walk(it.group)
				continue
			}
			out = append(out, Segment{Tag: it.tag, Values: it.vals})
		}
	}
	walk(m.root)
	return out, nil
}

// Write appends the segments in AHB order to mb.
func (m *Message) Write(mb *edifact.MessageBuilder) error {
	segs, err := m.Segments()
	if err != nil {
		return err
	}
	for _, s := range segs {
		mb.Segment(s.Tag, s.Values...)
	}
	return nil
}
