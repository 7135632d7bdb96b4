package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mako-engine/mako/pkg/fv"
)

// WorkflowID names a workflow and the EDI@Energy format version it was
// written for. Every event carries the WorkflowID its process was created
// with. Its text form is "<name>@<FV>", e.g. "gpke.lfw@FV2604".
type WorkflowID struct {
	Name          string
	FormatVersion fv.Version
}

// NewWorkflowID parses the format version (FV2604 or FV2026-04-01) and
// validates the result.
func NewWorkflowID(name, formatVersion string) (WorkflowID, error) {
	v, err := fv.Parse(formatVersion)
	if err != nil {
		return WorkflowID{}, fmt.Errorf("%w: workflow %q: %v", ErrInvalidID, name, err)
	}
	w := WorkflowID{Name: name, FormatVersion: v}
	return w, w.Validate()
}

// ParseWorkflowID parses the text form "<name>@<FV>".
func ParseWorkflowID(s string) (WorkflowID, error) {
	name, v, ok := strings.Cut(s, "@")
	if !ok {
		return WorkflowID{}, fmt.Errorf("%w: workflow id %q: want <name>@<FV>", ErrInvalidID, s)
	}
	return NewWorkflowID(name, v)
}

// Validate requires a name matching [A-Za-z0-9][A-Za-z0-9_.-]{0,127} and a
// non-zero format version.
func (w WorkflowID) Validate() error {
	n := w.Name
	ok := len(n) > 0 && len(n) <= 128
	for i := 0; ok && i < len(n); i++ {
		c := n[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			i > 0 && (c == '_' || c == '.' || c == '-')
	}
	if !ok {
		return fmt.Errorf("%w: workflow name %q: want [A-Za-z0-9][A-Za-z0-9_.-]{0,127}", ErrInvalidID, n)
	}
	if w.FormatVersion.IsZero() {
		return fmt.Errorf("%w: workflow %q: missing format version", ErrInvalidID, n)
	}
	return nil
}

// String returns "<name>@<FV>" with the short FV style.
func (w WorkflowID) String() string { return w.Name + "@" + w.FormatVersion.String() }

// IsZero reports whether w is the zero WorkflowID.
func (w WorkflowID) IsZero() bool { return w.Name == "" && w.FormatVersion.IsZero() }

// MarshalText implements encoding.TextMarshaler with the String form.
func (w WorkflowID) MarshalText() ([]byte, error) {
	if w.IsZero() {
		return nil, nil
	}
	return []byte(w.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; empty text gives the
// zero WorkflowID.
func (w *WorkflowID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*w = WorkflowID{}
		return nil
	}
	p, err := ParseWorkflowID(string(b))
	if err != nil {
		return err
	}
	*w = p
	return nil
}

type policyKind uint8

const (
	policyForward policyKind = iota
	policyPinned
	policyExplicit
)

// WorkflowVersionPolicy decides which format versions a process created
// under one format version accepts later (for example a process created
// under FV2510 receiving an FV2604 APERAK). The zero value is
// ForwardCompatible.
type WorkflowVersionPolicy struct {
	kind    policyKind
	allowed []fv.Version
}

// ForwardCompatible accepts every format version at or after the creation
// version. It is the default.
func ForwardCompatible() WorkflowVersionPolicy { return WorkflowVersionPolicy{kind: policyForward} }

// Pinned accepts only the creation version.
func Pinned() WorkflowVersionPolicy { return WorkflowVersionPolicy{kind: policyPinned} }

// Explicit accepts exactly the listed versions (the creation version is not
// implied).
func Explicit(versions ...fv.Version) WorkflowVersionPolicy {
	return WorkflowVersionPolicy{kind: policyExplicit, allowed: slices.Clone(versions)}
}

// Accepts reports whether a process created under created accepts a message
// or workflow definition of format version candidate.
func (p WorkflowVersionPolicy) Accepts(created, candidate fv.Version) bool {
	switch p.kind {
	case policyPinned:
		return candidate.Compare(created) == 0
	case policyExplicit:
		return slices.ContainsFunc(p.allowed, func(v fv.Version) bool { return v.Compare(candidate) == 0 })
	default:
		return !candidate.Before(created)
	}
}

// String names the policy, e.g. "explicit(FV2510,FV2604)".
func (p WorkflowVersionPolicy) String() string {
	switch p.kind {
	case policyPinned:
		return "pinned"
	case policyExplicit:
		s := make([]string, len(p.allowed))
		for i, v := range p.allowed {
			s[i] = v.String()
		}
		return "explicit(" + strings.Join(s, ",") + ")"
	default:
		return "forward-compatible"
	}
}
