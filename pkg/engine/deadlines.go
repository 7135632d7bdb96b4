package engine

import (
	"cmp"
	"slices"
)

// openDeadline is a deadline set and neither cancelled nor fired, with the
// correlation of the command that set it.
type openDeadline struct {
	DeadlineSet
	Correlation  CorrelationID
	Conversation ConversationID
	// SetAt is the stream sequence of its mako.deadline.set event (0 when
	// restored from a snapshot of an engine that did not record it, or by
	// NewDeadlineBook).
	SetAt uint64 `msgpack:",omitempty"`
}

// deadlineBook is the engine's fold of its deadline events: the deadlines
// of a process that were set and neither cancelled nor fired. It is the one
// fold of deadlines; loaded (Execute, FireDeadline, State, snapshots),
// OpenDeadlines and DeadlineBook (for consumers such as the read model) use
// it.
type deadlineBook map[DeadlineID]openDeadline

// fold applies env if it is a deadline event and ignores every other event.
func (b deadlineBook) fold(env EventEnvelope) error {
	if !IsDeadlineEventType(env.Type) {
		return nil
	}
	p, err := DecodeEngineEvent(env)
	if err != nil {
		return err
	}
	switch p := p.(type) {
	case *DeadlineSet:
		b[p.ID] = openDeadline{DeadlineSet: *p, Correlation: env.Correlation, Conversation: env.Conversation, SetAt: env.Sequence}
	case *DeadlineCancelled:
		delete(b, p.ID)
	case *DeadlineFired:
		delete(b, p.ID)
	}
	return nil
}

// byDue returns the open deadlines ordered by due time, then id.
func (b deadlineBook) byDue() []DeadlineSet {
	open := make([]DeadlineSet, 0, len(b))
	for _, d := range b {
		open = append(open, d.DeadlineSet)
	}
	slices.SortFunc(open, func(a, b DeadlineSet) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) })
	return open
}

// bySetAt returns the open deadlines in the order they were set (oldest
// first), then by id.
func (b deadlineBook) bySetAt() []DeadlineSet {
	ds := make([]openDeadline, 0, len(b))
	for _, d := range b {
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b openDeadline) int { return cmp.Or(cmp.Compare(a.SetAt, b.SetAt), cmp.Compare(a.ID, b.ID)) })
	open := make([]DeadlineSet, len(ds))
	for i, d := range ds {
		open[i] = d.DeadlineSet
	}
	return open
}

// IsDeadlineEventType reports whether an event type is one of the engine's
// deadline events (EventDeadlineSet, EventDeadlineCancelled,
// EventDeadlineFired), the events DeadlineBook.Fold applies.
func IsDeadlineEventType(t string) bool {
	switch t {
	case EventDeadlineSet, EventDeadlineCancelled, EventDeadlineFired:
		return true
	}
	return false
}

// DeadlineBook is the engine's fold of deadline events for consumers that
// fold a process's events themselves, envelope by envelope (projections):
// it is the same fold Execute, FireDeadline, State and OpenDeadlines use, so
// a consumer's open deadlines are the engine's. A deadline is open once its
// EventDeadlineSet is folded (a later set with the same id replaces it)
// until an EventDeadlineCancelled or EventDeadlineFired with its id is.
// The zero value is not usable; use NewDeadlineBook. A DeadlineBook is not
// safe for concurrent use.
type DeadlineBook struct {
	book deadlineBook
}

// NewDeadlineBook returns a book whose open deadlines are open, e.g. what
// Open returned for a prefix of the stream and the consumer stored (a later
// entry with the same id replaces an earlier one). Folding the rest of the
// stream into it gives the open deadlines of the whole stream.
func NewDeadlineBook(open ...DeadlineSet) *DeadlineBook {
	b := &DeadlineBook{book: make(deadlineBook, len(open))}
	for _, d := range open {
		b.book[d.ID] = openDeadline{DeadlineSet: d}
	}
	return b
}

// Fold applies env if it is a deadline event (IsDeadlineEventType) and
// ignores every other event. A deadline event whose payload does not decode
// is an error (a *DecodeError naming stream and sequence) and changes
// nothing.
func (b *DeadlineBook) Fold(env EventEnvelope) error { return b.book.fold(env) }

// Open returns the open deadlines ordered by due time, then id (the order
// of Engine.State); the slice is the caller's.
func (b *DeadlineBook) Open() []DeadlineSet { return b.book.byDue() }
