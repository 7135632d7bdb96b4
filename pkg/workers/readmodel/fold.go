package readmodel

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/delivery"
)

// newProcess returns the empty overview of a process.
func newProcess(s engine.StreamID) *Process {
	p := &Process{Tenant: string(s.Tenant), ProcessID: string(s.Process)}
	p.normalize()
	return p
}

// folder applies commits to a Process.
type folder struct {
	defs engine.Resolver
}

// applyCommit folds the envelopes of one commit (stream sequence commitSeq)
// into p and returns the business keys the commit bound.
func (f folder) applyCommit(p *Process, commitSeq uint64, envs []engine.EventEnvelope) []Key {
	var bound []Key
	var def engine.AnyDefinition
	var defErr error
	resolved := false
	// deadlines is the engine's fold of deadline events, restored from the
	// stored open deadlines at the commit's first deadline event.
	var deadlines *engine.DeadlineBook
	for _, env := range envs {
		f.touch(p, env)
		p.LastCommitSeq = commitSeq
		f.report(p, env)
		if engine.IsDeadlineEventType(env.Type) {
			if deadlines == nil {
				deadlines = engine.NewDeadlineBook(p.deadlineSets()...)
			}
			if err := deadlines.Fold(env); err != nil {
				p.addError(ProjectionError{Sequence: env.Sequence, CommitSeq: commitSeq, Type: env.Type, Error: err.Error()})
			}
			continue
		}
		if env.IsEngineEvent() {
			if k, ok := f.applyEngine(p, commitSeq, env); ok {
				bound = append(bound, k)
			}
			continue
		}
		if p.StateSource != StateFromWorkflow {
			p.State, p.StateSource = env.Type, StateFromEventType
		}
		if !resolved {
			def, defErr = f.resolve(env.Workflow)
			resolved = true
		}
		if defErr != nil {
			p.addError(ProjectionError{Sequence: env.Sequence, CommitSeq: commitSeq, Type: env.Type, Error: defErr.Error()})
			continue
		}
		ev, err := def.DecodeEvent(env)
		if err != nil {
			p.addError(ProjectionError{Sequence: env.Sequence, CommitSeq: commitSeq, Type: env.Type, Error: err.Error()})
			continue
		}
		if pr, ok := ev.Data.(module.Projectable); ok {
			fl := pr.ProjectionFields()
			if fl.State != "" {
				p.State, p.StateSource = fl.State, StateFromWorkflow
			}
			for _, pid := range fl.PIDs {
				if pid != "" && !slices.Contains(p.PIDs, pid) {
					p.PIDs = append(p.PIDs, pid)
				}
			}
			for _, m := range fl.MaLo {
				// Indexed like a bound malo key, so that the MaLo search
				// finds the process; Keys keeps the engine's bindings only.
				if m != "" && !slices.Contains(p.MaLo, m) {
					p.MaLo = append(p.MaLo, m)
					bound = append(bound, Key{Kind: string(inbound.KeyMaLo), Value: m})
				}
			}
		}
		if o, ok := ev.Data.(module.Outcome); ok {
			p.Outcome = o.ProcessOutcome()
		}
	}
	if deadlines != nil {
		p.setDeadlines(deadlines.Open())
	}
	return bound
}

// deadlineSets returns the stored open deadlines as the engine's
// DeadlineSet values they were folded from.
func (p *Process) deadlineSets() []engine.DeadlineSet {
	ds := make([]engine.DeadlineSet, len(p.OpenDeadlines))
	for i, d := range p.OpenDeadlines {
		ds[i] = engine.DeadlineSet{ID: engine.DeadlineID(d.DeadlineID), Label: d.Label, Due: d.Due}
	}
	return ds
}

// setDeadlines stores open (engine.DeadlineBook.Open: ordered by due time,
// then id) as the open deadlines.
func (p *Process) setDeadlines(open []engine.DeadlineSet) {
	p.OpenDeadlines = make([]Deadline, len(open))
	for i, d := range open {
		p.OpenDeadlines[i] = Deadline{DeadlineID: string(d.ID), Label: d.Label, Due: d.Due.UTC()}
	}
}

func (f folder) resolve(w engine.WorkflowID) (engine.AnyDefinition, error) {
	if f.defs == nil {
		return nil, fmt.Errorf("readmodel: no workflow definitions configured for %s", w)
	}
	return f.defs.Resolve(w)
}

// touch updates the fields every event changes.
func (f folder) touch(p *Process, env engine.EventEnvelope) {
	ts := env.Timestamp.UTC()
	if env.Sequence == 1 || p.CreatedAt.IsZero() {
		p.CreatedAt = ts
	}
	p.LastEventAt = ts
	p.LastEventType = env.Type
	p.EventCount = env.Sequence
	if p.Workflow == "" && !env.Workflow.IsZero() {
		p.Workflow, p.FormatVersion = env.Workflow.Name, env.Workflow.FormatVersion.String()
	}
	if p.Correlation == "" {
		p.Correlation = string(env.Correlation)
	}
	if p.Conversation == "" {
		p.Conversation = string(env.Conversation)
	}
}

// report marks an outbound message delivered or failed when env was
// committed under the deliverer's report command id. A repeated report
// changes nothing; a confirmation after a failure report (a copy re-driven
// from the dead-letter queue got through) makes the message delivered; a
// failure never overrides a confirmation.
func (f folder) report(p *Process, env engine.EventEnvelope) {
	cmd := string(env.CommandID)
	var status string
	id, ok := strings.CutPrefix(cmd, string(delivery.ConfirmedID("")))
	if ok {
		status = DeliveryDelivered
	} else if id, ok = strings.CutPrefix(cmd, string(delivery.FailedID(""))); ok {
		status = DeliveryFailed
	} else {
		return
	}
	for i := range p.Outbound {
		o := &p.Outbound[i]
		if o.MessageID == id && (o.Status == DeliveryQueued || (o.Status == DeliveryFailed && status == DeliveryDelivered)) {
			ts := env.Timestamp.UTC()
			o.Status, o.ReportedAt = status, &ts
		}
	}
}

// applyEngine folds one engine event other than a deadline event (those
// go to the engine's DeadlineBook in applyCommit); it returns a newly
// bound key.
func (f folder) applyEngine(p *Process, commitSeq uint64, env engine.EventEnvelope) (Key, bool) {
	v, err := engine.DecodeEngineEvent(env)
	if err != nil {
		p.addError(ProjectionError{Sequence: env.Sequence, CommitSeq: commitSeq, Type: env.Type, Error: err.Error()})
		return Key{}, false
	}
	switch e := v.(type) {
	case *engine.OutboundMessage:
		p.Outbound = append(p.Outbound, Outbound{
			MessageID: e.MessageID, Recipient: e.Recipient, Sender: e.Sender, MessageType: e.MessageType,
			InterchangeRef: e.InterchangeRef, PayloadSize: len(e.Payload), Status: DeliveryQueued, QueuedAt: env.Timestamp.UTC(),
		})
	case *engine.KeyBound:
		k := Key{Kind: string(e.Kind), Value: e.Value}
		if slices.Contains(p.Keys, k) {
			return Key{}, false
		}
		p.Keys = append(p.Keys, k)
		switch e.Kind {
		case inbound.KeyMaLo:
			// A MaLo may already be there from an event's Fields.MaLo.
			if !slices.Contains(p.MaLo, e.Value) {
				p.MaLo = append(p.MaLo, e.Value)
			}
		case inbound.KeyMeLo:
			p.MeLo = append(p.MeLo, e.Value)
		}
		return k, true
	}
	return Key{}, false
}

// addError records a projection error, keeping the first MaxErrors.
func (p *Process) addError(e ProjectionError) {
	if len(p.Errors) < MaxErrors {
		p.Errors = append(p.Errors, e)
	}
}

// applyBroken records a commit that could not be decoded at all (sequences
// first..last from its Mako-Seq header).
func (f folder) applyBroken(p *Process, commitSeq, first, last uint64, ts time.Time, cause error) {
	p.addError(ProjectionError{Sequence: first, CommitSeq: commitSeq, Error: cause.Error()})
	p.EventCount = last
	p.LastCommitSeq = commitSeq
	if !ts.IsZero() {
		p.LastEventAt = ts.UTC()
		if first == 1 {
			p.CreatedAt = ts.UTC()
		}
	}
}
