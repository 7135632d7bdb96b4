package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// recordCmd is the plumbing shared by the subcommands that edit
// tenant-scoped master data in a KV bucket (mako malo, mako partner): the
// sub-subcommands set|get|list|rm, the common flags, the NATS connection,
// the JSON output and the exit status (0 ok, 1 not found or revision
// conflict, 2 usage or connection error).
type recordCmd struct {
	name     string // the subcommand, e.g. "malo"
	sub      string // set, get, list or rm
	rest     []string
	fs       *flag.FlagSet
	natsURL  *string
	creds    *string
	replicas *int
	tenant   *string
	revision *uint64
	// soft are the store's errors of exit status 1 (not found, conflict).
	soft []error
}

// newRecordCmd reads the sub-subcommand from args and defines the common
// flags; soft are the store's errors that mean exit status 1 (not found,
// revision conflict). If it returns nil, the command is done with exit
// status code (usage printed, or help asked for).
func newRecordCmd(name, usage string, args []string, stdout, stderr io.Writer, soft ...error) (c *recordCmd, code int) {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return nil, 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil, 0
	}
	c = &recordCmd{name: name, sub: args[0], rest: args[1:], soft: soft}
	switch c.sub {
	case "set", "get", "list", "rm":
	default:
		fmt.Fprintf(stderr, "mako %s: unknown subcommand %q\n", name, c.sub)
		fmt.Fprint(stderr, usage)
		return nil, 2
	}
	c.fs = flag.NewFlagSet(name+" "+c.sub, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.natsURL = c.fs.String("nats-url", envOr("NATS_URL", nats.DefaultURL), "NATS server URL(s) (env NATS_URL)")
	c.creds = c.fs.String("creds", os.Getenv("MAKO_CREDS"), "NATS credentials file (env MAKO_CREDS)")
	c.replicas = c.fs.Int("replicas", 0, "replicas of the bucket if the CLI creates it (default: env MAKO_REPLICAS or the definition)")
	c.tenant = c.fs.String("tenant", "", "tenant id (required)")
	c.revision = c.fs.Uint64("revision", 0, "rm: delete only at this revision")
	return c, 0
}

// parse parses the flags (the caller has defined its own on c.fs) and
// checks that no arguments are left and the tenant is valid. false means
// exit status 2 (the reason is printed).
func (c *recordCmd) parse(stderr io.Writer, validateTenant func(string) error) bool {
	if err := c.fs.Parse(c.rest); err != nil {
		return false
	}
	if c.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mako %s %s: unexpected arguments %v\n", c.name, c.sub, c.fs.Args())
		return false
	}
	if err := validateTenant(*c.tenant); err != nil {
		fmt.Fprintf(stderr, "mako %s %s: --tenant: %v\n", c.name, c.sub, err)
		return false
	}
	return true
}

// connect connects to NATS and returns JetStream, a context bounding the
// command (30 s) and the func that releases both. ok false means exit
// status 2 (the reason is printed). --replicas 0 takes env MAKO_REPLICAS.
func (c *recordCmd) connect(ctx context.Context, stderr io.Writer) (_ context.Context, _ jetstream.JetStream, done func(), ok bool) {
	if *c.replicas == 0 {
		if v := os.Getenv("MAKO_REPLICAS"); v != "" {
			fmt.Sscan(v, c.replicas)
		}
	}
	opts := []nats.Option{nats.Name("mako-" + c.name), nats.Timeout(5 * time.Second)}
	if *c.creds != "" {
		opts = append(opts, nats.UserCredentials(*c.creds))
	}
	nc, err := nats.Connect(*c.natsURL, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "mako %s: connect %s: %v\n", c.name, *c.natsURL, err)
		return nil, nil, nil, false
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		fmt.Fprintf(stderr, "mako %s: %v\n", c.name, err)
		return nil, nil, nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	return ctx, js, func() { cancel(); nc.Close() }, true
}

// fail prints err and returns the exit status: 1 if err is one of c.soft
// (not found, revision conflict), else 2.
func (c *recordCmd) fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "mako %s %s: %v\n", c.name, c.sub, err)
	for _, s := range c.soft {
		if errors.Is(err, s) {
			return 1
		}
	}
	return 2
}

// printJSON writes v as indented JSON and returns the exit status.
func (c *recordCmd) printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "mako %s: %v\n", c.name, err)
		return 2
	}
	return 0
}

// recordStore is what getListRm needs of a record store (malo.Store,
// partner.Store).
type recordStore[E any] interface {
	Get(ctx context.Context, tenant, id string) (E, error)
	List(ctx context.Context, tenant string) ([]E, error)
	Delete(ctx context.Context, tenant, id string, opts ...kvrecord.WriteOption) error
}

// getListRm runs get (of record id), list and rm (of id, at --revision if
// given) on st, printing entries as view returns them. done is false for
// set, which the caller runs.
func getListRm[E, J any](ctx context.Context, c *recordCmd, st recordStore[E], id string, view func(E) J, stdout, stderr io.Writer) (code int, done bool) {
	switch c.sub {
	case "get":
		e, err := st.Get(ctx, *c.tenant, id)
		if err != nil {
			return c.fail(stderr, err), true
		}
		return c.printJSON(stdout, stderr, view(e)), true
	case "list":
		es, err := st.List(ctx, *c.tenant)
		if err != nil {
			return c.fail(stderr, err), true
		}
		out := make([]J, 0, len(es))
		for _, e := range es {
			out = append(out, view(e))
		}
		return c.printJSON(stdout, stderr, out), true
	case "rm":
		var wopts []kvrecord.WriteOption
		if *c.revision != 0 {
			wopts = append(wopts, kvrecord.IfRevision(*c.revision))
		}
		if err := st.Delete(ctx, *c.tenant, id, wopts...); err != nil {
			return c.fail(stderr, err), true
		}
		fmt.Fprintf(stdout, "deleted %s\n", kvrecord.Key(*c.tenant, id))
		return 0, true
	}
	return 0, false
}

// envOr returns the environment variable k, or def if it is empty.
func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
