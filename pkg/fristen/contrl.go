package fristen

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ContrlRule is one row of the CONTRL deadline table; the first matching rule
// wins.
type ContrlRule struct {
	Name     string
	Sparte   Sparte     // 0 matches both
	Types    []string   // type of the received message; empty = any
	Received ReceiptDay // restriction on the German local receipt day
	Spec     DueSpec
	Source   string
	Verified bool
	Note     string
}

// contrlSource cites the only lead the reference has.
const contrlSource = "UNVERIFIED: claim of the Rust crate mako-fristen quoted in fristen.md §7.2 [secondary] and edifact.md §10.1; the anchor daemon's 6 h (seed.md §2.4); CONTRL AHB 1.0 §2.3/§2.4 not yet checked"

// DefaultContrlRules returns the documented default CONTRL deadlines (a fresh
// copy). THE CONTRL DEADLINES ARE UNVERIFIED (fristen.md §7.2, edifact.md
// §10.1, §19): no primary text has been checked and the reference asks to read
// EDI@Energy CONTRL AHB 1.0 before relying on any value. The defaults are the
// only lead the reference names, every rule has Verified=false, and operators
// must replace them with WithContrlRules once the AHB is confirmed:
//   - Strom UTILMD or ORDERS received on a Saturday: 6 hours;
//   - Strom UTILMD or ORDERS: 15 minutes (so that a syntax error is reported
//     before the 45-minute APERAK deadline);
//   - everything else: 6 hours.
//
// Strom sends a CONTRL only on a syntax error; Gas sends one for every
// interchange; no CONTRL answers a CONTRL (edifact.md §10.1). The deferral
// during a changeover window claimed by the same crate is not modelled.
func DefaultContrlRules() []ContrlRule {
	note := "unverified default (fristen.md §7.2); confirm against CONTRL AHB 1.0"
	ut := []string{"UTILMD", "ORDERS"}
	return []ContrlRule{
		{Name: "Strom UTILMD/ORDERS received on a Saturday: 6 hours", Sparte: Strom, Types: ut, Received: OnSaturday,
			Spec: DueSpec{Kind: DueAfter, After: 6 * time.Hour}, Source: contrlSource, Note: note},
		{Name: "Strom UTILMD/ORDERS: 15 minutes", Sparte: Strom, Types: ut,
			Spec: DueSpec{Kind: DueAfter, After: 15 * time.Minute}, Source: contrlSource, Note: note},
		{Name: "default: 6 hours", Spec: DueSpec{Kind: DueAfter, After: 6 * time.Hour}, Source: contrlSource, Note: note},
	}
}

// ContrlClock computes CONTRL deadlines from a configurable table.
type ContrlClock struct {
	cal   *Calendar
	rules []ContrlRule
}

// ContrlOption configures a ContrlClock.
type ContrlOption func(*ContrlClock) error

// WithContrlRules replaces the rule table (default DefaultContrlRules).
func WithContrlRules(rules ...ContrlRule) ContrlOption {
	return func(c *ContrlClock) error {
		for _, r := range rules {
			if !r.Spec.valid() || r.Sparte > Gas {
				return fmt.Errorf("fristen: CONTRL rule %q: %w", r.Name, ErrInvalidArgument)
			}
		}
		c.rules = append([]ContrlRule(nil), rules...)
		return nil
	}
}

// NewContrlClock returns a CONTRL clock on cal (Default() if nil).
func NewContrlClock(cal *Calendar, opts ...ContrlOption) (*ContrlClock, error) {
	if cal == nil {
		cal = Default()
	}
	c := &ContrlClock{cal: cal, rules: DefaultContrlRules()}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Due returns the CONTRL deadline for an interchange of msgType received at
// received. A CONTRL is never sent in answer to a CONTRL: msgType "CONTRL"
// yields ErrInvalidArgument. ErrNoRule if no rule matches.
func (c *ContrlClock) Due(ctx context.Context, received time.Time, s Sparte, msgType string) (Deadline, error) {
	if err := ctx.Err(); err != nil {
		return Deadline{}, err
	}
	switch {
	case received.IsZero():
		return Deadline{}, fmt.Errorf("fristen: CONTRL: receipt time missing: %w", ErrInvalidArgument)
	case s != Strom && s != Gas:
		return Deadline{}, fmt.Errorf("fristen: CONTRL: Sparte %d: %w", s, ErrInvalidArgument)
	case strings.EqualFold(msgType, "CONTRL"):
		return Deadline{}, fmt.Errorf("fristen: CONTRL: no CONTRL answers a CONTRL (edifact.md §10.1): %w", ErrInvalidArgument)
	}
	for _, r := range c.rules {
		if (r.Sparte != 0 && r.Sparte != s) || !matchType(r.Types, msgType) || !c.cal.receiptMatches(r.Received, received) {
			continue
		}
		return Deadline{Due: c.cal.due(received, r.Spec), Rule: r.Name, Source: r.Source, Verified: r.Verified, Note: r.Note}, nil
	}
	return Deadline{}, fmt.Errorf("fristen: CONTRL %s %s: %w", s, msgType, ErrNoRule)
}
