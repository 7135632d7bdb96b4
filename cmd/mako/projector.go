package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/rs/zerolog"
)

const projectorUsage = `usage: mako projector rebuild [--nats-url URL] [--modules M] [--timeout D] [flags]

rebuild discards the read models (KV buckets mako_processes, mako_process_keys,
mako_deadletters), resets the projector's consumers on MAKO_EVENTS and MAKO_DLQ to the
start and replays the whole history: it runs a projector itself until both consumers
are caught up (running projectors help). The result equals what the projector built
incrementally. Workflow events are decoded with the modules given (--modules, env
MAKO_MODULES; default all), so use the modules the projectors run.

flags: the worker flags (--nats-url, --creds, --modules, --replicas, --concurrency,
--log-level …) and --timeout (default 30m).
Exit status: 0 rebuilt, 2 usage, connection or rebuild error.
`

// runProjector is `mako projector`: the rebuild of the read models.
func runProjector(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("projector", projectorUsage, args, stdout, stderr, map[string]func([]string) int{
		"rebuild": func(a []string) int { return projectorRebuildCmd(ctx, a, stdout, stderr) },
	})
}

// projectorRebuildCmd is `mako projector rebuild`: its flags and the work.
func projectorRebuildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("projector rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c app.Config
	c.Register(fs)
	timeout := fs.Duration("timeout", 30*time.Minute, "give up when the replay takes longer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mako projector rebuild: no positional arguments")
		return 2
	}
	if err := c.Finish(); err != nil {
		fmt.Fprintln(stderr, "mako projector rebuild:", err)
		return 2
	}
	if err := projectorRebuild(ctx, &c, *timeout, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "mako projector rebuild:", err)
		return 2
	}
	return 0
}

func projectorRebuild(ctx context.Context, c *app.Config, timeout time.Duration, stdout, stderr io.Writer) error {
	lvl, err := zerolog.ParseLevel(c.LogLevel)
	if err != nil {
		return err
	}
	log := zerolog.New(stderr).Level(max(lvl, zerolog.WarnLevel)).With().Timestamp().Str("component", "rebuild").Logger()
	nc, js, err := c.Connect("mako-projector-rebuild", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pc, err := c.PipelineConfig(log)
	if err != nil {
		return err
	}
	sys, err := app.NewSystem(ctx, js, pc)
	if err != nil {
		return err
	}
	defer sys.Close()
	start := time.Now()
	if err := readmodel.Reset(ctx, js); err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = sys.RunProjector(wctx) })
	waitErr := readmodel.WaitCaughtUp(ctx, js, 100*time.Millisecond)
	stop()
	wg.Wait()
	if waitErr != nil {
		return waitErr
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		// Running projectors elsewhere may finish the replay before this
		// one has even started; its cancellation is then no failure.
		return runErr
	}
	_ = nc.FlushTimeout(2 * time.Second)
	dump, err := readmodel.Dump(ctx, js)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt in %s: %d processes, %d business keys, %d dead letters\n", time.Since(start).Round(time.Millisecond),
		len(dump[readmodel.BucketProcesses]), len(dump[readmodel.BucketKeys]), len(dump[readmodel.BucketDeadLetters]))
	return nil
}
