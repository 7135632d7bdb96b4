package engine

import (
	"errors"
	"fmt"
)

// Sentinel errors. Typed errors below match them with errors.Is.
var (
	// ErrInvalidID marks a malformed tenant, process, stream or workflow id.
	ErrInvalidID = errors.New("engine: invalid id")
	// ErrInvalidArgument marks a call that violates its contract (for
	// example an Append without events).
	ErrInvalidArgument = errors.New("engine: invalid argument")
	// ErrConflict marks an optimistic concurrency conflict; see ConflictError.
	ErrConflict = errors.New("engine: version conflict")
	// ErrDecode marks an event, command or snapshot payload that cannot be
	// decoded; see DecodeError.
	ErrDecode = errors.New("engine: decode failed")
	// ErrKeyExists is returned by Registry.Register when the key is taken.
	ErrKeyExists = errors.New("engine: registry key exists")
	// ErrInvalidKey marks a malformed registry or inbox key.
	ErrInvalidKey = errors.New("engine: invalid key")
	// ErrUnknownWorkflow marks a workflow name/format version that no
	// registered definition serves.
	ErrUnknownWorkflow = errors.New("engine: unknown workflow")
	// ErrVersionRejected marks a format version the workflow's version
	// policy does not accept.
	ErrVersionRejected = errors.New("engine: format version rejected by policy")
	// ErrNotConfigured marks the use of an optional store the Engine
	// was built without.
	ErrNotConfigured = errors.New("engine: store not configured")
	// ErrDecision marks a command the workflow itself refused: its Handle
	// (or DeadlineHandler) returned an error or panicked; see DecisionError.
	// Retrying the same command on the same state gives the same answer.
	ErrDecision = errors.New("engine: workflow refused the command")
)

// DecisionError reports that the workflow's Handle (or OnDeadline) failed
// for a command. It names the stream, the workflow and the command, and
// matches ErrDecision.
type DecisionError struct {
	Stream   StreamID
	Workflow WorkflowID
	Command  CommandID
	Type     string
	Err      error
}

// Error names the process, workflow and command and the cause.
func (e *DecisionError) Error() string {
	return fmt.Sprintf("engine: process %s: workflow %s: command %s (%s): %v", e.Stream, e.Workflow, e.Command, e.Type, e.Err)
}

// Unwrap returns the cause.
func (e *DecisionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDecision) true.
func (e *DecisionError) Is(target error) bool { return target == ErrDecision }

// ConflictError reports that an append expected another stream version.
// It matches ErrConflict.
type ConflictError struct {
	Stream   StreamID
	Expected ExpectedVersion
	Actual   uint64 // the stream version found by the store
}

// Error names the stream, the expected and the actual version.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("engine: stream %s: version conflict: expected %s, actual %d", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// DecodeError reports a stored event (or snapshot) that cannot be decoded:
// an unknown type, an unsupported schema version or a corrupt payload. It
// names the stream and sequence and matches ErrDecode.
type DecodeError struct {
	Stream        StreamID
	Sequence      uint64
	Type          string
	SchemaVersion int
	Err           error
}

// Error names the stream, the sequence, the type and the cause.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("engine: stream %s seq %d: decode %s v%d: %v", e.Stream, e.Sequence, e.Type, e.SchemaVersion, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDecode) true.
func (e *DecodeError) Is(target error) bool { return target == ErrDecode }
