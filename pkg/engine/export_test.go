package engine

import "context"

// DefaultCommandWindow is the default of WithCommandWindow, for the
// external tests.
const DefaultCommandWindow = defaultCommandWindow

// LoadedView exposes a loaded process to the external tests.
type LoadedView struct {
	State     any
	Version   uint64
	Commands  map[CommandID][2]uint64
	Deadlines map[DeadlineID]DeadlineSet
}

// LoadForTest loads a process with or without its snapshot.
func LoadForTest(ctx context.Context, ec *Engine, d AnyDefinition, s StreamID, useSnapshot bool) (LoadedView, error) {
	l, err := ec.load(ctx, d.runner(), s, useSnapshot)
	if err != nil {
		return LoadedView{}, err
	}
	v := LoadedView{State: l.state, Version: l.version, Commands: map[CommandID][2]uint64{}, Deadlines: map[DeadlineID]DeadlineSet{}}
	for id, r := range l.commands {
		v.Commands[id] = [2]uint64{r.From, r.To}
	}
	for id, d := range l.deadlines {
		v.Deadlines[id] = d.DeadlineSet
	}
	return v, nil
}
