package cond

import (
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// Span is one instance of a segment group inside a message: its name as in
// the AHB ("SG4") and the segment indexes it covers, 0-based within
// Msg.Segments, half-open [Start, End): the group's first segment is
// Msg.Segments[Start], its last Msg.Segments[End-1].
type Span struct {
	Group      string
	Start, End int
}

// Scope is the context of one AHB line being evaluated: the message, the
// PID and format version, the group instances enclosing the line
// (outermost..innermost, e.g. SG4 then SG8 then SG10), the segment the line
// refers to (-1 if none, e.g. when asking whether a missing segment is
// required) and, for a data element line, its value (the input of format
// conditions).
//
// A predicate reads only what the Scope provides; where a condition needs
// information the Scope does not hold (the role of a partner, a previous
// message, process state) it returns Unknown.
type Scope struct {
	Msg     *edifact.Message
	PID     string
	FV      fv.Version
	Groups  []Span
	Segment int
	Value   string
	// SenderRole and ReceiverRole are the market roles of the MP-IDs in
	// NAD+MS and NAD+MR as the caller knows them from its partner master
	// data, written as in the AHB texts ("LF", "NB", "MSB", "ÜNB", "BIKO",
	// "MGV", …); "" = not known. The conditions "Wenn MP-ID in SG2 NAD+MR
	// … in der Rolle LF" are Unknown without them — the message does not
	// say which role a partner acts in.
	SenderRole, ReceiverRole string
	// Tree, when set, gives the group instances beside the enclosing ones
	// (see Tree); without it a condition that names another instance of a
	// group than the line's own is Unknown.
	Tree Tree
}

// Tree gives the predicates the group instances of the message beyond the
// ones enclosing the line, as the caller segmented it. A condition that
// names a group instance by its opening segment ("Wenn in dieser SG8
// SEQ+Z01 … vorhanden", "in derselben SG8 SEQ+Z61/ ZB3 …") may be attached
// to a line outside that instance (UTILMD Gas [106] decides SG8 SEQ+Z35,
// Strom [106] SG4 DTM+Z10): it is then resolved among the instances of the
// group beside the line's (Scope.named).
type Tree interface {
	// Child returns the i-th (0-based, in message order) instance of group
	// g directly inside the instance parent, one of Scope.Groups; false
	// when there is no i-th instance or parent is not known.
	Child(parent Span, g string, i int) (Span, bool)
}

// group returns the innermost enclosing instance of group g.
func (sc *Scope) group(g string) (Span, bool) {
	for i := len(sc.Groups) - 1; i >= 0; i-- {
		if sc.Groups[i].Group == g {
			return sc.Groups[i], true
		}
	}
	return Span{}, false
}

// whole returns the span of the whole message.
func (sc *Scope) whole() (Span, bool) {
	if sc.Msg == nil {
		return Span{}, false
	}
	return Span{Start: 0, End: len(sc.Msg.Segments)}, true
}

// segs returns the segments of sp (clipped to the message).
func (sc *Scope) segs(sp Span) []edifact.Segment {
	if sc.Msg == nil {
		return nil
	}
	s, e := max(sp.Start, 0), min(sp.End, len(sc.Msg.Segments))
	if s >= e {
		return nil
	}
	return sc.Msg.Segments[s:e]
}

// segment returns the segment the line refers to, nil if none.
func (sc *Scope) segment() *edifact.Segment {
	if sc.Msg == nil || sc.Segment < 0 || sc.Segment >= len(sc.Msg.Segments) {
		return nil
	}
	return &sc.Msg.Segments[sc.Segment]
}

// named returns the instance of group g a condition names by its opening
// segment ("in dieser SG8 SEQ+Z01", "in derselben SG8 SEQ+Z61/ ZB3"; open
// tests the opening segment):
//   - the innermost enclosing instance of g, when it opens so;
//   - otherwise the one instance of g that opens so beside it: among the
//     instances of g directly inside the instance enclosing the line's g
//     instance or, for a line outside g, inside the nearest enclosing
//     instance that holds instances of g (Scope.Tree). The AHB names such a
//     group by its qualifier where it exists once per transaction (SG8
//     SEQ+Z01 is "genau einmal je SG4 IDE", [2061]).
//
// ok is false — the condition is Unknown, never decided on another group
// than the one it names — without the message or the Tree, when no
// instance opens so, and when several do (the text does not say which).
func (sc *Scope) named(g string, open func(*edifact.Segment) bool) (sp Span, ok bool) {
	if sc.Msg == nil {
		return Span{}, false
	}
	k := -1
	for i := len(sc.Groups) - 1; i >= 0; i-- {
		if sc.Groups[i].Group == g {
			k = i
			break
		}
	}
	if k >= 0 {
		if segs := sc.segs(sc.Groups[k]); len(segs) > 0 && open(&segs[0]) {
			return sc.Groups[k], true
		}
	}
	if sc.Tree == nil {
		return Span{}, false
	}
	from := len(sc.Groups) - 1
	if k >= 0 {
		from = k - 1 // only the instance that holds the line's g instance
	}
	for i := from; i >= 0 && (k < 0 || i == k-1); i-- {
		parent := sc.Groups[i]
		n, any := 0, false
		for j := 0; ; j++ {
			c, more := sc.Tree.Child(parent, g, j)
			if !more {
				break
			}
			any = true
			if segs := sc.segs(c); len(segs) > 0 && open(&segs[0]) {
				n++
				sp = c
			}
		}
		if any {
			return sp, n == 1
		}
	}
	return Span{}, false
}
