package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

const deadletterUsage = `usage: mako deadletter list [--tenant T] [--reason R] [--limit N] [--json] [--api URL]

Dead letters as the read API sees them, newest first (default --limit 100). The
original bytes stay in MAKO_DLQ at the printed sequence:
  nats stream get MAKO_DLQ SEQ

--api defaults to env MAKO_API or ` + api.DefaultURL + `.
Exit status: 0 ok, 2 usage or connection error.
`

// runDeadletter is `mako deadletter`: flags and printing around the read API client.
func runDeadletter(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("deadletter", deadletterUsage, args, stdout, stderr, map[string]func([]string) int{
		"list": func(a []string) int { return deadletterList(ctx, a, stdout, stderr) },
	})
}

// deadletterList is `mako deadletter list`: its flags and the work.
func deadletterList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deadletter list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := apiFlag(fs)
	var q readmodel.DeadLetterQuery
	fs.StringVar(&q.Tenant, "tenant", "", "only this tenant")
	fs.StringVar(&q.Reason, "reason", "", "only this reason (syntax_error, unknown_pid, processing_error, outbox_exhausted …)")
	fs.IntVar(&q.Limit, "limit", 100, "at most this many letters")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintln(stderr, "mako deadletter list: no positional arguments")
		return 2
	}
	c, err := api.NewClient(*base, apiOptions()...)
	if err != nil {
		return apiFail(stderr, "deadletter list", err)
	}
	ls, err := c.DeadLetters(ctx, q)
	if err != nil {
		return apiFail(stderr, "deadletter list", err)
	}
	if *asJSON {
		return printJSON(stdout, stderr, ls)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTENANT\tAT\tREASON\tPID\tSENDER\tPROCESS\tDETAIL")
	for _, d := range ls.DeadLetters {
		detail := d.Detail
		if len(detail) > 100 {
			detail = detail[:97] + "..."
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Sequence, d.Tenant, dash(d.At), d.Reason, dash(d.PID),
			dash(d.Sender), dash(d.ProcessID), detail)
	}
	_ = tw.Flush()
	return 0
}
