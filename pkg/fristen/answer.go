package fristen

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// PIDRule is one row of the per-PID answer-deadline table.
type PIDRule struct {
	// PID is the Prüfidentifikator of the received request.
	PID string
	// Name is the use case (edifact.md §9.1).
	Name string
	// Answers lists the answer PIDs (confirmation, rejection).
	Answers []string
	// Answer is the deadline for answering, counted from the receipt of the
	// request; nil means the deadline is not established by the sources and
	// AnswerDue returns ErrUnknownDeadline.
	Answer *DueSpec
	// Source cites the use case and, if Answer is set, the deadline.
	Source string
	// Note says why the deadline is unknown or how it was read.
	Note string
}

// PIDError reports a PID the answer-deadline table cannot answer for; it
// wraps ErrUnknownPID or ErrUnknownDeadline.
type PIDError struct {
	PID string
	Err error
}

// Error implements error.
func (e *PIDError) Error() string { return "fristen: PID " + e.PID + ": " + e.Err.Error() }

// Unwrap returns ErrUnknownPID or ErrUnknownDeadline.
func (e *PIDError) Unwrap() error { return e.Err }

const (
	gpkeUseCases = "edifact.md §9.1 (GPKE supplier switch, UTILMD Strom; BK6-22-024/BK6-24-174)"
	gpkeOpen     = "GPKE answer deadlines (GPKE Teil 2) are not in the project's sources (fristen.md §10 item 2, edifact.md §9.1/§19); configure a verified value with WithPIDRule"
)

// DefaultPIDRules returns the GPKE supplier-switch PIDs of edifact.md §9.1
// with their answer PIDs (a fresh copy). Their answer deadlines are an open
// point of the reference (fristen.md §10 item 2): GPKE Teil 2 has not been
// checked, so every rule has Answer == nil and AnswerDue reports
// ErrUnknownDeadline instead of a guess. (The seed's "55001 answered by 11:00
// on the first Werktag" comes from a crate the seed itself calls unreliable
// for domain facts, seed.md §2.7, and is not adopted.) The one deadline the
// reference establishes for this flow, E_0624 (55010 must reach the LFA by
// 07:00 on the first Werktag after the ÜT), is a send deadline of the NB, not
// an answer deadline; it is returned by TriggeredDeadlines for 55001 and by
// Calendar.LFW24.
func DefaultPIDRules() []PIDRule {
	r := func(pid, name string, answers ...string) PIDRule {
		return PIDRule{PID: pid, Name: name, Answers: answers, Source: gpkeUseCases, Note: gpkeOpen}
	}
	return []PIDRule{
		r("55001", "Anmeldung verbrauchende MaLo (LFN → NB)", "55002", "55003"),
		r("55077", "Anmeldung erzeugende MaLo (LF → NB)", "55078", "55080"),
		r("55600", "Anmeldung neue verbrauchende MaLo (LF → NB)", "55602", "55604"),
		r("55601", "Anmeldung neue erzeugende MaLo (LF → NB)", "55603", "55605"),
		r("55004", "Abmeldung durch den LF (LF → NB)", "55005", "55006"),
		r("55007", "Abmeldung durch den NB (NB → LF)", "55008", "55009"),
		r("55010", "Anfrage zur Beendigung der Zuordnung (NB → LFA)", "55011", "55012"),
		r("55013", "Grund-/Ersatzversorgung (NB → LF)", "55014", "55015"),
		r("55016", "Kündigung (LFN → LFA)", "55017", "55018"),
		r("55022", "Stornierung", "55023", "55024"),
		r("55607", "Ankündigung Zuordnung erzeugende MaLo/Tranche (NB → LF)", "55608", "55609"),
	}
}

// AnswerTable holds the per-PID answer deadlines. It is immutable and safe for
// concurrent use.
type AnswerTable struct {
	cal   *Calendar
	rules map[string]PIDRule
}

// AnswerOption configures an AnswerTable.
type AnswerOption func(*AnswerTable) error

// WithPIDRule adds a rule or replaces the rule of the same PID, for example
// with a deadline verified against GPKE Teil 2. AnswerDue reports deadlines
// from such rules with Verified = true: configuring one asserts it.
func WithPIDRule(r PIDRule) AnswerOption {
	return func(t *AnswerTable) error {
		if !validPID(r.PID) || (r.Answer != nil && !r.Answer.valid()) {
			return fmt.Errorf("fristen: PID rule %q: %w", r.PID, ErrInvalidArgument)
		}
		r.Answers = append([]string(nil), r.Answers...)
		if r.Answer != nil {
			a := *r.Answer
			r.Answer = &a
		}
		t.rules[r.PID] = r
		return nil
	}
}

func validPID(p string) bool {
	if len(p) != 5 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// NewAnswerTable returns the table of DefaultPIDRules on cal (Default() if
// nil), modified by opts.
func NewAnswerTable(cal *Calendar, opts ...AnswerOption) (*AnswerTable, error) {
	if cal == nil {
		cal = Default()
	}
	t := &AnswerTable{cal: cal, rules: make(map[string]PIDRule)}
	for _, r := range DefaultPIDRules() {
		t.rules[r.PID] = r
	}
	for _, o := range opts {
		if err := o(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Rule returns the rule of pid and true, or false if the table has none.
func (t *AnswerTable) Rule(pid string) (PIDRule, bool) {
	r, ok := t.rules[strings.TrimSpace(pid)]
	return r, ok
}

// PIDs returns the PIDs of the table, sorted.
func (t *AnswerTable) PIDs() []string {
	out := make([]string, 0, len(t.rules))
	for p := range t.rules {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// AnswerDue returns the deadline for answering the request pid received at
// received. It returns a *PIDError wrapping ErrUnknownPID if the PID is not in
// the table and ErrUnknownDeadline if its deadline is not established; neither
// means "no deadline".
func (t *AnswerTable) AnswerDue(ctx context.Context, pid string, received time.Time) (Deadline, error) {
	if err := ctx.Err(); err != nil {
		return Deadline{}, err
	}
	r, ok := t.Rule(pid)
	if !ok {
		return Deadline{}, &PIDError{PID: pid, Err: ErrUnknownPID}
	}
	if r.Answer == nil {
		return Deadline{}, &PIDError{PID: r.PID, Err: ErrUnknownDeadline}
	}
	if received.IsZero() {
		return Deadline{}, fmt.Errorf("fristen: PID %s: receipt time missing: %w", r.PID, ErrInvalidArgument)
	}
	return Deadline{
		Due:      t.cal.due(received, *r.Answer),
		Rule:     fmt.Sprintf("%s: answer %s by %s", r.Name, strings.Join(r.Answers, "/"), r.Answer),
		Source:   r.Source,
		Verified: true,
		Note:     r.Note,
	}, nil
}

// TriggeredDeadlines returns deadlines other than the answer that the receipt
// of pid starts. For a Lieferanmeldung 55001 received at received (its German
// local date is the ÜT) it returns the E_0624 deadline: if the NB asks the old
// supplier to end the assignment (55010), the request must reach the LFA by
// 07:00 on the first Werktag after the ÜT (fristen.md §5.2/§5.3). Other PIDs
// yield no entries; an unknown PID yields ErrUnknownPID.
func (t *AnswerTable) TriggeredDeadlines(ctx context.Context, pid string, received time.Time) ([]Deadline, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, ok := t.Rule(pid)
	if !ok {
		return nil, &PIDError{PID: pid, Err: ErrUnknownPID}
	}
	if r.PID != "55001" {
		return nil, nil
	}
	l := t.cal.LFW24(received)
	return []Deadline{{
		Due:      l.RequestDue,
		Rule:     "E_0624: Anfrage zur Beendigung der Zuordnung (55010) must reach the LFA by 07:00 on the first Werktag after the ÜT",
		Source:   "EBD E_0624 (FV2504), fristen.md §5.2/§5.3",
		Verified: true,
	}}, nil
}
