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
