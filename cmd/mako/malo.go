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

	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const maloUsage = `usage: mako malo <subcommand> [flags]

Market-location master data in KV bucket mako_malo (key <tenant>.<MaLo-ID>).

subcommands:
  set  --tenant T --malo ID [--grid-area A] [--grid-operator MPID] [--sector Strom|Gas]
       [--supplier MPID (--from DATE | --to DATE | --revoke DATE)]
       change a record (created if missing): the grid fields are set when given;
       --supplier with --from assigns the MaLo to the supplier from DATE (the
       previous assignment ends there), with --to ends the supplier's assignment
       at DATE (exclusive), with --revoke cancels the assignment that starts at
       DATE. The write is conditional on the revision read (retried on conflict).
  get  --tenant T --malo ID          print the record as JSON
  list --tenant T                    print the tenant's records as a JSON array
  rm   --tenant T --malo ID [--revision N]
                                     delete a record (only at revision N if given)

DATE is RFC 3339 (2026-11-30T23:00:00Z) or a German calendar day (2026-12-01 =
00:00 Europe/Berlin). Common flags: --nats-url (env NATS_URL), --creds (env
MAKO_CREDS), --replicas (bucket replicas when the CLI creates it, env MAKO_REPLICAS).
Exit status: 0 ok, 1 not found or revision conflict, 2 usage or connection error.
`

// maloJSON is the CLI's JSON view of a stored record.
type maloJSON struct {
	Tenant   string      `json:"tenant"`
	Revision uint64      `json:"revision"`
	Record   malo.Record `json:"record"`
}

// runMalo is `mako malo`: flags and printing around pkg/malo.
func runMalo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, maloUsage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, maloUsage)
		return 0
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "set", "get", "list", "rm":
	default:
		fmt.Fprintf(stderr, "mako malo: unknown subcommand %q\n", sub)
		fmt.Fprint(stderr, maloUsage)
		return 2
	}
	fs := flag.NewFlagSet("malo "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	natsURL := fs.String("nats-url", partnerEnv("NATS_URL", nats.DefaultURL), "NATS server URL(s) (env NATS_URL)")
	creds := fs.String("creds", os.Getenv("MAKO_CREDS"), "NATS credentials file (env MAKO_CREDS)")
	replicas := fs.Int("replicas", 0, "replicas of the bucket if the CLI creates it (default: env MAKO_REPLICAS or the definition)")
	tenant := fs.String("tenant", "", "tenant id (required)")
	maloID := fs.String("malo", "", "the 11-digit MaLo-ID")
	revision := fs.Uint64("revision", 0, "rm: delete only at this revision")
	gridArea := fs.String("grid-area", "", "set: grid area (Netzgebiet)")
	gridOperator := fs.String("grid-operator", "", "set: the grid operator's MP-ID")
	sector := fs.String("sector", "", "set: Strom or Gas")
	supplier := fs.String("supplier", "", "set: the supplier's MP-ID (with --from, --to or --revoke)")
	var from, to, revoke time.Time
	fs.Func("from", "set: supply start DATE of --supplier", dateFlag(&from))
	fs.Func("to", "set: supply end DATE (exclusive) of --supplier", dateFlag(&to))
	fs.Func("revoke", "set: cancel --supplier's assignment starting at DATE", dateFlag(&revoke))
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mako malo %s: unexpected arguments %v\n", sub, fs.Args())
		return 2
	}
	if err := malo.ValidateTenant(*tenant); err != nil {
		fmt.Fprintf(stderr, "mako malo %s: --tenant: %v\n", sub, err)
		return 2
	}
	var changes []malo.Change
	if sub != "list" {
		if *maloID == "" {
			fmt.Fprintf(stderr, "mako malo %s: --malo is required\n", sub)
			return 2
		}
		if err := ident.ValidateMaLo(*maloID); err != nil {
			fmt.Fprintf(stderr, "mako malo %s: --malo: %v\n", sub, err)
			return 2
		}
		if sub == "set" {
			var err error
			if changes, err = maloChanges(*maloID, *gridArea, *gridOperator, *sector, *supplier, from, to, revoke); err != nil {
				fmt.Fprintf(stderr, "mako malo set: %v\n", err)
				return 2
			}
		}
	}
	if *replicas == 0 {
		if v := os.Getenv("MAKO_REPLICAS"); v != "" {
			fmt.Sscan(v, replicas)
		}
	}
	opts := []nats.Option{nats.Name("mako-malo"), nats.Timeout(5 * time.Second)}
	if *creds != "" {
		opts = append(opts, nats.UserCredentials(*creds))
	}
	nc, err := nats.Connect(*natsURL, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "mako malo: connect %s: %v\n", *natsURL, err)
		return 2
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Fprintf(stderr, "mako malo: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := malo.OpenNATS(ctx, js, *replicas)
	if err != nil {
		fmt.Fprintf(stderr, "mako malo: %v\n", err)
		return 2
	}

	switch sub {
	case "get":
		e, err := st.Get(ctx, *tenant, *maloID)
		if err != nil {
			return maloFail(stderr, sub, err)
		}
		return maloPrintJSON(stdout, stderr, maloJSON{Tenant: e.Tenant, Revision: e.Revision, Record: e.Record})
	case "list":
		es, err := st.List(ctx, *tenant)
		if err != nil {
			return maloFail(stderr, sub, err)
		}
		out := make([]maloJSON, 0, len(es))
		for _, e := range es {
			out = append(out, maloJSON{Tenant: e.Tenant, Revision: e.Revision, Record: e.Record})
		}
		return maloPrintJSON(stdout, stderr, out)
	case "rm":
		var wopts []malo.WriteOption
		if *revision != 0 {
			wopts = append(wopts, malo.IfRevision(*revision))
		}
		if err := st.Delete(ctx, *tenant, *maloID, wopts...); err != nil {
			return maloFail(stderr, sub, err)
		}
		fmt.Fprintf(stdout, "deleted %s\n", malo.Key(*tenant, *maloID))
		return 0
	}
	_, err = malo.Update(ctx, st, *tenant, *maloID, func(r malo.Record, _ bool) (malo.Record, bool, error) {
		for _, c := range changes {
			r = malo.Apply(r, c)
		}
		return r, true, nil
	})
	if err != nil {
		return maloFail(stderr, sub, err)
	}
	e, err := st.Get(ctx, *tenant, *maloID)
	if err != nil {
		return maloFail(stderr, sub, err)
	}
	return maloPrintJSON(stdout, stderr, maloJSON{Tenant: e.Tenant, Revision: e.Revision, Record: e.Record})
}

// maloChanges turns the set flags into validated changes.
func maloChanges(id, area, operator, sector, supplier string, from, to, revoke time.Time) ([]malo.Change, error) {
	var out []malo.Change
	if area != "" || operator != "" || sector != "" {
		c := malo.SetGrid(id, area, operator)
		c.Sector = sector
		out = append(out, c)
	}
	dates := 0
	for _, d := range []time.Time{from, to, revoke} {
		if !d.IsZero() {
			dates++
		}
	}
	switch {
	case supplier == "" && dates > 0:
		return nil, errors.New("--from, --to and --revoke need --supplier")
	case supplier != "" && dates != 1:
		return nil, errors.New("--supplier needs exactly one of --from, --to, --revoke")
	case !from.IsZero():
		out = append(out, malo.AssignSupplier(id, supplier, from))
	case !to.IsZero():
		out = append(out, malo.EndSupply(id, supplier, to))
	case !revoke.IsZero():
		out = append(out, malo.RevokeAssignment(id, supplier, revoke))
	}
	if len(out) == 0 {
		return nil, errors.New("nothing to set (give --grid-area, --grid-operator, --sector or --supplier with a date)")
	}
	for _, c := range out {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dateFlag parses RFC 3339 or a German calendar day (00:00 Europe/Berlin).
func dateFlag(dst *time.Time) func(string) error {
	return func(s string) error {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			*dst = t.UTC()
			return nil
		}
		loc, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			return err
		}
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			return fmt.Errorf("want RFC 3339 or YYYY-MM-DD, got %q", s)
		}
		*dst = t.UTC()
		return nil
	}
}

func maloFail(stderr io.Writer, sub string, err error) int {
	fmt.Fprintf(stderr, "mako malo %s: %v\n", sub, err)
	switch {
	case errors.Is(err, malo.ErrNotFound), errors.Is(err, malo.ErrConflict):
		return 1
	}
	return 2
}

func maloPrintJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "mako malo: %v\n", err)
		return 2
	}
	return 0
}
