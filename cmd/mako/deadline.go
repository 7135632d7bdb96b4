package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/workers/scheduler"
	"github.com/nats-io/nats.go"
)

const deadlineUsage = `usage: mako deadline fire --tenant T --by WHO --reason WHY [--nats-url URL] [--creds FILE] PROCESS LABEL

Fires the open deadline LABEL of PROCESS now, as a Klärfall action: the
fired-deadline command goes to the process through MAKO_COMMANDS (the
scheduler's path; pkg/workers/scheduler.Force), and the engine records who
(--by) and why (--reason) in the process's "mako.deadline.fired" event. The
workflow decides as if the deadline had passed (gpke: at the fire time when
it is earlier than the due time). A repeated fire, or the timer's own later
fire, is the same command and commits once.

Flags: --nats-url (env NATS_URL), --creds (env MAKO_CREDS).
Exit status: 0 fired, 1 no such open deadline, 2 usage or connection error.
`

// runDeadline is `mako deadline`: flags around scheduler.Force.
func runDeadline(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("deadline", deadlineUsage, args, stdout, stderr, map[string]func([]string) int{
		"fire": func(a []string) int { return deadlineFire(ctx, a, stdout, stderr) },
	})
}

// deadlineFire is `mako deadline fire`: its flags and the work.
func deadlineFire(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deadline fire", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &recordCmd{name: "deadline", fs: fs, replicas: new(int)}
	c.natsURL = fs.String("nats-url", envOr("NATS_URL", nats.DefaultURL), "NATS server URL(s) (env NATS_URL)")
	c.creds = fs.String("creds", os.Getenv("MAKO_CREDS"), "NATS credentials file (env MAKO_CREDS)")
	tenant := fs.String("tenant", "", "tenant id (required)")
	by := fs.String("by", "", "who fires the deadline (required, recorded)")
	reason := fs.String("reason", "", "why (required, recorded)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fmt.Fprintf(stderr, "mako deadline fire: want PROCESS LABEL, have %v\n", fs.Args())
		return 2
	}
	req := scheduler.ForceRequest{Tenant: engine.TenantID(*tenant), Process: engine.ProcessID(fs.Arg(0)), Label: fs.Arg(1),
		By: *by, Reason: *reason, At: time.Now()}
	if req.By == "" || req.Reason == "" {
		fmt.Fprintln(stderr, "mako deadline fire: --by and --reason are required (the fire is audited)")
		return 2
	}
	if err := req.Tenant.Validate(); err != nil {
		fmt.Fprintf(stderr, "mako deadline fire: --tenant: %v\n", err)
		return 2
	}
	ctx, js, done, ok := c.connect(ctx, stderr)
	if !ok {
		return 2
	}
	defer done()
	events, err := natsstore.NewEventStore(ctx, js)
	if err != nil {
		fmt.Fprintf(stderr, "mako deadline fire: %v\n", err)
		return 2
	}
	fired, err := scheduler.Force(ctx, js, events, req)
	if err != nil {
		fmt.Fprintf(stderr, "mako deadline fire: %v\n", err)
		if errors.Is(err, scheduler.ErrNoOpenDeadline) {
			return 1
		}
		return 2
	}
	fmt.Fprintf(stdout, "fired %s %q of %s/%s (due %s) at %s by %s: %s\n", fired.ID, fired.Label, req.Tenant, req.Process,
		fired.Due.Format(time.RFC3339), fired.FiredAt.Format(time.RFC3339), fired.By, fired.Reason)
	return 0
}
