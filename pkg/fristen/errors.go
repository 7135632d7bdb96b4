package fristen

import "errors"

// Sentinel errors; the functions of this package wrap them with the value
// concerned, so test with errors.Is.
var (
	// ErrInvalidArgument reports an argument outside the documented domain
	// (for example n < 1 for NthWerktag, or an invalid date).
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrUnknownPID reports a Prüfidentifikator that the answer-deadline table
	// does not contain. It never means "no deadline".
	ErrUnknownPID = errors.New("PID not in the answer-deadline table")
	// ErrUnknownDeadline reports a PID the table knows whose answer deadline
	// is not established by the project's sources (fristen.md §10 item 2). It
	// never means "no deadline".
	ErrUnknownDeadline = errors.New("answer deadline unknown (not in the sources)")
	// ErrNoRule reports a deadline request that no rule of a clock matches.
	ErrNoRule = errors.New("no deadline rule matches")
)
