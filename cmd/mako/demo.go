package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/nats-io/nats.go"
)

const demoUsage = `usage: mako demo lfw24 [--nats-url URL] [--api URL] [--malo ID] [--timeout D]

Plays a GPKE supplier switch in 24 hours (LFW24) through a running makod
(go run ./cmd/makod) with its default tenants lfn (new supplier), nb (grid
operator) and lfa (old supplier): it creates the partner records the
deliverer needs (kept if present) and resets the master data of the MaLo,
sends the LFN's ERP command, answers the LFA's decision request with consent,
prints every message of the conversation and then the processes' states and
the master data.

flags:
  --nats-url URL  makod's NATS (env NATS_URL; default ` + nats.DefaultURL + `)
  --api URL       makod's read API (env MAKO_API; default ` + api.DefaultURL + `)
  --malo ID       the market location to switch (default ` + demo.DefaultMaLo + `)
  --timeout D     give up after D (default 60s)

Exit status: 0 the switch completed, 1 it did not complete in time,
2 usage error or makod not reachable.
`

// runDemo is `mako demo`: flags and wiring around internal/demo.
func runDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("demo", demoUsage, args, stdout, stderr, map[string]func([]string) int{
		"lfw24": func(a []string) int { return demoLFW24(ctx, a, stdout, stderr) },
	})
}

// demoLFW24 is `mako demo lfw24`: its flags and the work.
func demoLFW24(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mako demo lfw24", flag.ContinueOnError)
	fs.SetOutput(stderr)
	natsURL := fs.String("nats-url", demoEnv("NATS_URL", nats.DefaultURL), "makod's NATS URL")
	apiURL := apiFlag(fs)
	maloID := fs.String("malo", demo.DefaultMaLo, "market location to switch")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mako demo lfw24: unexpected arguments %q\n", fs.Args())
		return 2
	}
	_, err := demo.RunLFW24(ctx, demo.Config{NatsURL: *natsURL, API: *apiURL, APIOptions: apiOptions(), MaLo: *maloID, Timeout: *timeout, Out: stdout})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, demo.ErrUnreachable):
		fmt.Fprintf(stderr, "mako demo lfw24: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "mako demo lfw24: %v\n", err)
		return 1
	}
}

// demoEnv returns the environment variable k, or def when it is unset or empty.
func demoEnv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
