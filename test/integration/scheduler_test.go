package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/pkg/workers/scheduler"
)

// timerflow arms and disarms deadlines and records when one fires.
type timerflow struct{}

type arm struct {
	Labels []string
	After  time.Duration
}

func (arm) CommandType() string { return "timer.arm" }

type disarm struct{ Label string }

func (disarm) CommandType() string { return "timer.disarm" }

type timeout struct{ Label string }

func (timeout) CommandType() string { return "timer.timeout" }

type timedOut struct{ Label string }

func (timedOut) EventType() string { return "timer.timed_out" }

type armed struct{ Labels []string }

func (armed) EventType() string { return "timer.armed" }

type timerState struct{ Fired []string }

func (timerflow) Name() string { return "test.timer" }
func (timerflow) Codec() *engine.Codec {
	return engine.NewCodec().Event(timedOut{}, 1).Event(armed{}, 1).Command(arm{}).Command(disarm{}).Command(timeout{})
}
func (timerflow) Initial() timerState { return timerState{} }
func (timerflow) Apply(s timerState, ev engine.Event) timerState {
	if t, ok := ev.Data.(timedOut); ok {
		s.Fired = append(s.Fired, t.Label)
	}
	return s
}
func (timerflow) Handle(s timerState, cmd engine.Command) (engine.Decision, error) {
	switch c := cmd.Payload.(type) {
	case arm:
		d := engine.Decision{Events: []engine.EventData{armed{Labels: c.Labels}}}
		for _, l := range c.Labels {
			d.SetDeadlines = append(d.SetDeadlines, engine.DeadlineRequest{Label: l, Due: cmd.ReceivedAt.Add(c.After)})
		}
		return d, nil
	case disarm:
		return engine.Decision{CancelDeadlines: []string{c.Label}}, nil
	case timeout:
		return engine.Decision{Events: []engine.EventData{timedOut{Label: c.Label}}}, nil
	}
	return engine.Decision{}, nil
}
func (timerflow) OnDeadline(s timerState, f engine.DeadlineFired) (engine.CommandData, error) {
	return timeout{Label: f.Label}, nil
}

// A deadline 2 s ahead fires exactly once; a cancelled one never fires; a
// server restart in between changes neither.
func TestDeadlinesFireOnceAcrossRestart(t *testing.T) {
	srv, js := startServer(t)
	def := engine.Define[timerState](timerflow{}, fv.MustParse("FV2604"))
	cfg := defaultConfig()
	cfg.Modules = append(cfg.Modules, module.Module{Name: "timer", Definitions: []engine.AnyDefinition{def}})
	var mu sync.Mutex
	fired := map[engine.DeadlineID]int{}
	cfg.SchedulerOptions = []scheduler.Option{scheduler.WithFiredHook(func(f timer.Fired) {
		mu.Lock()
		fired[f.Deadline]++
		mu.Unlock()
	})}
	sys := newSystem(t, js, cfg)
	w := startWorkers(t, sys, (*app.System).RunProcessor, (*app.System).RunRelay, (*app.System).RunScheduler)

	ctx := context.Background()
	id := engine.ProcessIdentity{Tenant: "nb", Process: engine.NewProcessID(), Workflow: def.ID()}
	now := time.Now()
	must(t, command.Publish(ctx, js, id, def.Codec(), engine.Command{ID: "arm", ReceivedAt: now, Payload: arm{Labels: []string{"keep", "drop"}, After: 2 * time.Second}}))
	must(t, command.Publish(ctx, js, id, def.Codec(), engine.Command{ID: "disarm", ReceivedAt: now, Payload: disarm{Label: "drop"}}))

	// Wait until both schedules were written and one was purged, then
	// restart the server underneath the running workers.
	deadline := time.Now().Add(5 * time.Second)
	for count(t, js, "MAKO_EVENTS", "mako.evt.>") < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the relay acts on the second commit
	w.stop()
	srv.Restart()
	_, js = srv.JetStream()
	sys2 := newSystem(t, js, cfg)
	startWorkers(t, sys2, (*app.System).RunProcessor, (*app.System).RunRelay, (*app.System).RunScheduler)

	// Poll until the kept deadline fired, then give the cancelled one (same
	// due time) another second to show that it does not.
	var labels []string
	var firedEvents int
	deadline = time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		envs, err := sys2.Engine().EventStore().Load(ctx, id.Stream())
		must(t, err)
		labels, firedEvents = nil, 0
		for _, env := range envs {
			switch env.Type {
			case engine.EventDeadlineFired:
				firedEvents++
				v, err := engine.DecodeEngineEvent(env)
				must(t, err)
				if f := v.(*engine.DeadlineFired); f.FiredAt.Before(f.Due) {
					t.Fatalf("deadline fired at %v, before its due time %v", f.FiredAt, f.Due)
				}
			case (timedOut{}).EventType():
				ev, err := def.DecodeEvent(env)
				must(t, err)
				labels = append(labels, ev.Data.(timedOut).Label)
			}
		}
		if len(labels) > 0 && time.Since(now) > 3500*time.Millisecond {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if firedEvents != 1 || len(labels) != 1 || labels[0] != "keep" {
		t.Fatalf("fired events %d, timeouts %v; want exactly one fire of 'keep'", firedEvents, labels)
	}
	// A handled fire leaves nothing behind in the timers stream.
	for i := 0; count(t, js, "MAKO_TIMERS", "mako.timer.>") != 0; i++ {
		if i > 50 {
			t.Fatalf("%d timer messages left after the fire was handled", count(t, js, "MAKO_TIMERS", "mako.timer.>"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for d, n := range fired {
		if n != 1 {
			t.Fatalf("deadline %s turned into %d commands", d, n)
		}
	}
	if len(fired) != 1 {
		t.Fatalf("%d deadlines fired, want 1 (the cancelled one must not fire)", len(fired))
	}
}
