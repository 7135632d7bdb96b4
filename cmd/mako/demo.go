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

const demoUsage = `usage: mako demo lfw24|gas|gas-eog [--nats-url URL] [--api URL] [--malo ID] [--timeout D]

Plays a supplier switch through a running makod (go run ./cmd/makod) with its
default tenants lfn (new supplier), nb (grid operator) and lfa (old
supplier), which serve Strom and Gas:

  lfw24  GPKE supplier switch in 24 hours (Strom, BDEW MP-IDs 99…): 55001 →
         55010 → 55011 → 55002 + 55007 → 55008, each with its APERAK.
  gas    GeLi Gas supplier switch (DVGW MP-IDs 98…): Kündigung 44016 → 44017,
         Anmeldung 44001 → Abmeldungsanfrage 44010 → 44011 → Bestätigung
         44002 (and what else the family sends), every interchange with its
         CONTRL (Gas: positive too; an APERAK only on error).
  gas-eog GeLi Gas Anmeldung EoG (Ersatz-/Grundversorgung): the NB's 44013
         → the Grundversorger lfn's 44014 with its Bilanzkreis and makod's
         --gas-billing-months as its Abrechnungsintervall.

Each creates the partner records the deliverer needs (kept if present) and
resets the master data of the MaLo, sends the LFN's ERP commands, answers the
LFA's decision requests with consent, prints every message of the
conversation and then the processes' states and the master data; every
message must parse and validate against its AHB with 0 findings.

flags:
  --nats-url URL  makod's NATS (env NATS_URL; default ` + nats.DefaultURL + `)
  --api URL       makod's read API (env MAKO_API; default ` + api.DefaultURL + `)
  --malo ID       the market location to switch (default ` + demo.DefaultMaLo + ` for lfw24,
                  ` + demo.DefaultGasMaLo + ` for gas, ` + demo.DefaultEoGMaLo + ` for gas-eog)
  --timeout D     give up after D (default 60s)

Exit status: 0 the switch completed with clean messages, 1 it did not
complete in time or a message has findings, 2 usage error or makod not
reachable.
`

// runDemo is `mako demo`: flags and wiring around internal/demo.
func runDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("demo", demoUsage, args, stdout, stderr, map[string]func([]string) int{
		"lfw24": func(a []string) int { return demoRun(ctx, "lfw24", demo.RunLFW24, demo.DefaultMaLo, a, stdout, stderr) },
		"gas":   func(a []string) int { return demoRun(ctx, "gas", demo.RunGas, demo.DefaultGasMaLo, a, stdout, stderr) },
		"gas-eog": func(a []string) int {
			return demoRun(ctx, "gas-eog", demo.RunGasEoG, demo.DefaultEoGMaLo, a, stdout, stderr)
		},
	})
}

// demoRun is `mako demo <name>`: the flags every demo shares and the work
// of run.
func demoRun(ctx context.Context, name string, run func(context.Context, demo.Config) (*demo.Result, error), defaultMaLo string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mako demo "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	natsURL := fs.String("nats-url", demoEnv("NATS_URL", nats.DefaultURL), "makod's NATS URL")
	apiURL := apiFlag(fs)
	maloID := fs.String("malo", defaultMaLo, "market location to switch")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mako demo %s: unexpected arguments %q\n", name, fs.Args())
		return 2
	}
	_, err := run(ctx, demo.Config{NatsURL: *natsURL, API: *apiURL, APIOptions: apiOptions(), MaLo: *maloID, Timeout: *timeout, Out: stdout})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, demo.ErrUnreachable):
		fmt.Fprintf(stderr, "mako demo %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(stderr, "mako demo %s: %v\n", name, err)
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
