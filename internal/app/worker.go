package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/mako-engine/mako/pkg/pipeline"
)

// RunWorker is the whole main of a single-worker command (cmd/ingest,
// cmd/processor …): parse args, connect to NATS, set up the pipeline system
// and run the actors pick returns until SIGINT/SIGTERM or ctx ends.
func RunWorker(ctx context.Context, name string, args []string, stderr io.Writer, pick func(*pipeline.System) []Actor) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.Finish(); err != nil {
		return err
	}
	log, err := c.Logger(name)
	if err != nil {
		return err
	}
	nc, js, err := c.Connect("mako-"+name, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	sys, err := pipeline.New(ctx, js, c.PipelineConfig(log))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer sys.Close()
	log.Info().Str("nats", nc.ConnectedUrl()).Strs("modules", c.Modules).Int("tenants", len(c.Tenants)).Msg("started")
	err = Run(ctx, pick(sys)...)
	log.Info().Err(err).Msg("stopped")
	// Acks of the last handled messages must reach the server.
	_ = nc.FlushTimeout(2 * time.Second)
	return err
}
