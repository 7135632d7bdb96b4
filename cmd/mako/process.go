package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

const processUsage = `usage: mako process <subcommand> [flags]

Processes as the read API of makod or cmd/projector sees them (pkg/api).

subcommands:
  list [--tenant T] [--workflow W] [--state S] [--malo ID] [--limit N] [--json]
                     processes ordered by creation time (all pages up to --limit,
                     default 100)
  show ID [--tenant T] [--json]
                     overview and event timeline of one process

common flags: --api URL (env MAKO_API; default ` + api.DefaultURL + `); a makod with login takes the
bearer token in env MAKO_API_TOKEN.
Exit status: 0 ok, 1 unknown process, 2 usage or connection error.
`

// runProcess is `mako process`: flags and printing around the read API client.
func runProcess(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("process", processUsage, args, stdout, stderr, map[string]func([]string) int{
		"list": func(a []string) int { return processList(ctx, a, stdout, stderr) },
		"show": func(a []string) int { return processShow(ctx, a, stdout, stderr) },
	})
}

// apiFlag registers --api on fs.
func apiFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("MAKO_API")
	if def == "" {
		def = api.DefaultURL
	}
	return fs.String("api", def, "read API base URL (env MAKO_API)")
}

// apiOptions are the read-API client options from the environment: the
// bearer token MAKO_API_TOKEN of a makod that requires login
// (docs/console.md: POST /auth/token, or an OIDC ID token).
func apiOptions() []api.ClientOption {
	if tok := os.Getenv("MAKO_API_TOKEN"); tok != "" {
		return []api.ClientOption{api.WithBearerToken(tok)}
	}
	return nil
}

// apiFail prints err and returns the exit status: 1 for a 404, else 2.
func apiFail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "mako %s: %v\n", cmd, err)
	var ae *api.Error
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return 1
	}
	return 2
}

// printJSON writes v indented.
func printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "mako:", err)
		return 2
	}
	return 0
}

// parseInterleaved parses fs from args where positional arguments may come
// before, between or after the flags, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func processList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("process list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := apiFlag(fs)
	var q readmodel.ProcessQuery
	fs.StringVar(&q.Tenant, "tenant", "", "only this tenant")
	fs.StringVar(&q.Workflow, "workflow", "", "only this workflow (name or name@FV)")
	fs.StringVar(&q.State, "state", "", "only processes in this state")
	fs.StringVar(&q.MaLo, "malo", "", "only processes bound to this MaLo id")
	limit := fs.Int("limit", 100, "at most this many processes")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 || *limit < 1 {
		fmt.Fprintln(stderr, "mako process list: no positional arguments; --limit ≥ 1")
		return 2
	}
	c, err := api.NewClient(*base, apiOptions()...)
	if err != nil {
		return apiFail(stderr, "process list", err)
	}
	var all []readmodel.Process
	for len(all) < *limit {
		q.Limit = min(*limit-len(all), readmodel.MaxLimit)
		page, err := c.Processes(ctx, q)
		if err != nil {
			return apiFail(stderr, "process list", err)
		}
		all = append(all, page.Processes...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	if *asJSON {
		if all == nil {
			all = []readmodel.Process{}
		}
		return printJSON(stdout, stderr, api.ProcessList{Processes: all})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCESS\tTENANT\tWORKFLOW\tSTATE\tOUTCOME\tMALO\tEVENTS\tLAST EVENT")
	for _, p := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", p.ProcessID, p.Tenant, p.WorkflowID(), p.State,
			dash(p.Outcome), dash(strings.Join(p.MaLo, ",")), p.EventCount, p.LastEventAt.Format(time.RFC3339))
	}
	_ = tw.Flush()
	return 0
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func processShow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("process show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := apiFlag(fs)
	tenant := fs.String("tenant", "", "the process's tenant (optional: process ids are unique)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "mako process show: want exactly one process ID")
		return 2
	}
	c, err := api.NewClient(*base, apiOptions()...)
	if err != nil {
		return apiFail(stderr, "process show", err)
	}
	d, err := c.Process(ctx, *tenant, pos[0])
	if err != nil {
		return apiFail(stderr, "process show", err)
	}
	if *asJSON {
		return printJSON(stdout, stderr, d)
	}
	p := d.Process
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("process", p.ProcessID)
	row("tenant", p.Tenant)
	row("workflow", p.WorkflowID())
	row("state", p.State+" ("+p.StateSource+")")
	row("outcome", dash(p.Outcome))
	row("malo", dash(strings.Join(p.MaLo, ", ")))
	row("melo", dash(strings.Join(p.MeLo, ", ")))
	row("pids", dash(strings.Join(p.PIDs, ", ")))
	for _, k := range p.Keys {
		row("key", k.Kind+" "+k.Value)
	}
	for _, dl := range p.OpenDeadlines {
		row("deadline", dl.Label+" due "+dl.Due.Format(time.RFC3339)+" ("+dl.DeadlineID+")")
	}
	for _, o := range p.Outbound {
		row("outbound", fmt.Sprintf("%s to %s %s %s", o.MessageType, o.Recipient, o.InterchangeRef, o.Status))
	}
	row("created", p.CreatedAt.Format(time.RFC3339))
	row("last event", p.LastEventAt.Format(time.RFC3339)+" "+p.LastEventType)
	row("events", fmt.Sprint(p.EventCount))
	for _, e := range p.Errors {
		row("projection error", fmt.Sprintf("seq %d %s: %s", e.Sequence, e.Type, e.Error))
	}
	_ = tw.Flush()
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tTYPE\tDATA")
	for _, e := range d.Timeline {
		data, _ := json.Marshal(e.Data)
		s := string(data)
		if len(s) > 120 {
			s = s[:117] + "..."
		}
		if e.Raw {
			s += "  (raw: " + e.Note + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", e.Sequence, e.Timestamp.Format(time.RFC3339), e.Type, s)
	}
	_ = tw.Flush()
	if d.TimelineError != "" {
		fmt.Fprintln(stdout, "timeline incomplete:", d.TimelineError)
	}
	return 0
}
