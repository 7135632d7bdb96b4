package processor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/nats-io/nats.go/jetstream"
)

// metered is a workflow whose events carry the processor's metrics: an
// outcome (module.Outcome) and a missed partner APERAK (module.AperakAlert).
type metered struct{}

type (
	meteredState struct{ Done bool }
	Opened       struct{}
	Finished     struct{ Outcome string }
	Missed       struct{ PID string }
	Open         struct{}
	Finish       struct{ Outcome string }
	Miss         struct{ PID string }
)

func (Opened) EventType() string          { return "Opened" }
func (Finished) EventType() string        { return "Finished" }
func (e Finished) ProcessOutcome() string { return e.Outcome }
func (Missed) EventType() string          { return "Missed" }
func (e Missed) AperakMissed() string     { return e.PID }
func (Open) CommandType() string          { return "Open" }
func (Finish) CommandType() string        { return "Finish" }
func (Miss) CommandType() string          { return "Miss" }

var (
	_ module.Outcome     = Finished{}
	_ module.AperakAlert = Missed{}
)

func (metered) Name() string { return "metered.test" }
func (metered) Codec() *engine.Codec {
	return engine.NewCodec().Event(Opened{}, 1).Event(Finished{}, 1).Event(Missed{}, 1).Command(Open{}).Command(Finish{}).Command(Miss{})
}
func (metered) Initial() meteredState { return meteredState{} }
func (metered) Apply(s meteredState, ev engine.Event) meteredState {
	if _, ok := ev.Data.(Finished); ok {
		s.Done = true
	}
	return s
}
func (metered) Handle(_ meteredState, cmd engine.Command) (engine.Decision, error) {
	switch c := cmd.Payload.(type) {
	case Open:
		return engine.Decision{Events: []engine.EventData{Opened{}}, SetDeadlines: []engine.DeadlineRequest{
			{Label: "aperak", Due: cmd.ReceivedAt.Add(time.Hour)}, {Label: "quiet", Due: cmd.ReceivedAt.Add(2 * time.Hour)}}}, nil
	case Finish:
		return engine.Decision{Events: []engine.EventData{Finished{Outcome: c.Outcome}}}, nil
	case Miss:
		return engine.Decision{Events: []engine.EventData{Missed{PID: c.PID}}}, nil
	}
	return engine.Decision{}, nil
}
func (metered) OnDeadline(_ meteredState, f engine.DeadlineFired) (engine.CommandData, error) {
	if f.Label == "aperak" {
		return Miss{PID: "55001"}, nil
	}
	return nil, nil
}

// TestRecordDerivesMetricsFromTheDecision: the processor's metrics come from
// the engine's result of real executions (committed or duplicate, first
// commit, fired deadline, outcome and APERAK alert of the typed events).
func TestRecordDerivesMetricsFromTheDecision(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ec, err := engine.New(engine.WithEventStore(memstore.NewEventStore()))
	if err != nil {
		t.Fatal(err)
	}
	def := engine.Define[meteredState](metered{}, fv.MustParse("FV2610"))
	proc, err := enginetest.Spawn(def, ec, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	p := &Processor{metrics: m}
	a := command.Addressed{Identity: proc.Identity()}
	md := &jetstream.MsgMetadata{Timestamp: at}
	run := func(id string, c engine.CommandData) engine.Result {
		t.Helper()
		res, err := proc.ExecuteWithContext(ctx, engine.CommandContext{Correlation: "c"}.Command(engine.CommandID(id), at, c))
		if err != nil {
			t.Fatal(err)
		}
		p.record(a, md, res)
		return res
	}
	fire := func(label string) {
		t.Helper()
		_, _, open, err := ec.State(ctx, def, proc.Identity(), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range open {
			if d.Label == label {
				res, err := proc.FireDeadline(ctx, engine.DeadlineFired{ID: d.ID, FiredAt: d.Due})
				if err != nil {
					t.Fatal(err)
				}
				p.record(a, md, res)
				return
			}
		}
		t.Fatalf("no open deadline %q", label)
	}
	run("open", Open{})
	run("open", Open{}) // a duplicate
	fire("aperak")      // OnDeadline → Miss → Missed
	fire("quiet")       // fired without a command
	run("finish", Finish{Outcome: "completed"})

	got := gathered(t, m)
	want := map[string]float64{
		"mako_commands_executed_total{result=committed,workflow=metered.test}": 4,
		"mako_commands_executed_total{result=duplicate,workflow=metered.test}": 1,
		"mako_process_initiated_total{family=metered}":                         1,
		"mako_process_completed_total{family=metered,result=completed}":        1,
		"mako_aperak_missed_total{label=55001}":                                1,
		"mako_deadline_fired_total{label=aperak}":                              1,
		"mako_deadline_fired_total{label=quiet}":                               1,
		"mako_ingest_to_commit_seconds{}":                                      4, // observations
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 && strings.HasPrefix(k, "mako_") {
			t.Errorf("unexpected %s = %v", k, v)
		}
	}
}

// gathered returns every counter value and histogram sample count of m by
// name and sorted labels.
func gathered(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			var labels []string
			for _, lp := range mt.GetLabel() {
				labels = append(labels, lp.GetName()+"="+lp.GetValue())
			}
			k := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case mt.GetCounter() != nil:
				out[k] += mt.GetCounter().GetValue()
			case mt.GetHistogram() != nil:
				out[k] += float64(mt.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}
