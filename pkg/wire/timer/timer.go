// Package timer is the wire contract of stream MAKO_TIMERS: one JetStream
// message schedule per process deadline.
//
// A deadline set by a committed decision becomes a schedule message on
// `mako.timer.sched.<tenant>.<process>.<deadline>` with
// `Nats-Schedule: @at <due>` and target
// `mako.timer.fired.<tenant>.<process>.<deadline>`. The server keeps one
// schedule per subject, survives restarts, and fires a schedule whose time
// passed while it was down right after start (nats.md §5.1). Cancelling a
// deadline purges its schedule subject. The scheduler consumes the fired
// subjects and turns each into a "deadline fired" command; the engine
// ignores a fire for a deadline that was cancelled or already fired, so a
// stale or repeated fire changes nothing.
package timer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream and subject prefixes of deadlines (streams/MAKO_TIMERS.json).
const (
	// Stream is the timers stream.
	Stream = "MAKO_TIMERS"
	// SchedulePrefix + ".<tenant>.<process>.<deadline>" is the subject of a
	// deadline's schedule.
	SchedulePrefix = "mako.timer.sched"
	// FiredPrefix + ".<tenant>.<process>.<deadline>" is the subject a
	// schedule fires to.
	FiredPrefix = "mako.timer.fired"
)

// Header names on schedule and fired messages (the server copies headers
// of the schedule onto the fired message).
const (
	HeaderTenant   = wire.HeaderTenant
	HeaderProcess  = wire.HeaderProcess
	HeaderWorkflow = wire.HeaderWorkflow
	HeaderDeadline = "Mako-Deadline"
	HeaderLabel    = "Mako-Deadline-Label"
	HeaderDue      = "Mako-Deadline-Due"
)

// ScheduleSubject returns the schedule subject of a deadline.
func ScheduleSubject(t engine.TenantID, p engine.ProcessID, d engine.DeadlineID) string {
	return SchedulePrefix + "." + string(t) + "." + string(p) + "." + string(d)
}

// FiredSubject returns the subject a deadline's schedule fires to.
func FiredSubject(t engine.TenantID, p engine.ProcessID, d engine.DeadlineID) string {
	return FiredPrefix + "." + string(t) + "." + string(p) + "." + string(d)
}

// TenantFromSubject returns the tenant of a schedule or fired subject,
// validated as a tenant id.
func TenantFromSubject(subject string) (engine.TenantID, error) {
	tok, err := wire.TenantToken(SchedulePrefix, subject)
	if err != nil {
		tok, err = wire.TenantToken(FiredPrefix, subject)
	}
	if err != nil {
		return "", err
	}
	t := engine.TenantID(tok)
	return t, t.Validate()
}

// At returns the schedule instant for due: rounded up to the next whole
// second, because `@at` carries whole seconds (nats.go formats with
// time.RFC3339) and a deadline must never fire early.
func At(due time.Time) time.Time {
	t := due.UTC()
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}

// Schedule publishes (or replaces) the schedule of deadline d of process id.
func Schedule(ctx context.Context, js jetstream.JetStream, id engine.ProcessIdentity, d engine.DeadlineSet) error {
	if strings.ContainsAny(string(d.ID), ".*> ") || d.ID == "" {
		return fmt.Errorf("timers: deadline id %q is not a subject token", d.ID)
	}
	msg := nats.NewMsg(ScheduleSubject(id.Tenant, id.Process, d.ID))
	msg.Header.Set(HeaderTenant, string(id.Tenant))
	msg.Header.Set(HeaderProcess, string(id.Process))
	msg.Header.Set(HeaderWorkflow, id.Workflow.String())
	msg.Header.Set(HeaderDeadline, string(d.ID))
	msg.Header.Set(HeaderLabel, d.Label)
	msg.Header.Set(HeaderDue, d.Due.UTC().Format(time.RFC3339Nano))
	_, err := js.PublishMsg(ctx, msg,
		jetstream.WithScheduleAt(At(d.Due)),
		jetstream.WithScheduleTarget(FiredSubject(id.Tenant, id.Process, d.ID)),
	)
	if err != nil {
		return fmt.Errorf("timers: schedule %s of %s at %s: %w", d.ID, id, At(d.Due).Format(time.RFC3339), err)
	}
	return nil
}

// Cancel removes the schedule of deadline d; cancelling a deadline that has
// no schedule (fired, cancelled, never scheduled) is not an error.
func Cancel(ctx context.Context, js jetstream.JetStream, t engine.TenantID, p engine.ProcessID, d engine.DeadlineID) error {
	st, err := js.Stream(ctx, Stream)
	if err != nil {
		return fmt.Errorf("timers: cancel %s: %w", d, err)
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSubject(ScheduleSubject(t, p, d))); err != nil {
		return fmt.Errorf("timers: cancel %s of %s/%s: %w", d, t, p, err)
	}
	return nil
}

// Done removes a fired message once its deadline was handed to the process
// (the scheduler calls it after the fired command is stored). Fired
// messages carry no TTL: one that nobody handled stays, however long the
// scheduler is down.
func Done(ctx context.Context, js jetstream.JetStream, f Fired) error {
	st, err := js.Stream(ctx, Stream)
	if err != nil {
		return fmt.Errorf("timers: done %s: %w", f.Deadline, err)
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSubject(FiredSubject(f.Identity.Tenant, f.Identity.Process, f.Deadline))); err != nil {
		return fmt.Errorf("timers: done %s of %s: %w", f.Deadline, f.Identity, err)
	}
	return nil
}

// Fired is a fired deadline as the scheduler reads it.
type Fired struct {
	Identity engine.ProcessIdentity
	Deadline engine.DeadlineID
	Label    string
	Due      time.Time
}

// DecodeFired reads a message from a fired subject.
func DecodeFired(subject string, h nats.Header) (Fired, error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 6 || strings.Join(parts[:3], ".") != FiredPrefix {
		return Fired{}, fmt.Errorf("timers: %q is not mako.timer.fired.<tenant>.<process>.<deadline>", subject)
	}
	wf, err := engine.ParseWorkflowID(h.Get(HeaderWorkflow))
	if err != nil {
		return Fired{}, fmt.Errorf("timers: %s: workflow header: %w", subject, err)
	}
	due, err := time.Parse(time.RFC3339Nano, h.Get(HeaderDue))
	if err != nil {
		return Fired{}, fmt.Errorf("timers: %s: due header: %w", subject, err)
	}
	f := Fired{
		Identity: engine.ProcessIdentity{Tenant: engine.TenantID(parts[3]), Process: engine.ProcessID(parts[4]), Workflow: wf},
		Deadline: engine.DeadlineID(parts[5]),
		Label:    h.Get(HeaderLabel),
		Due:      due,
	}
	return f, f.Identity.Validate()
}
