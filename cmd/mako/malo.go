package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
)

const maloUsage = `usage: mako malo <subcommand> [flags]

Market-location master data in KV bucket mako_malo (key <tenant>.<MaLo-ID>).

subcommands:
  set  --tenant T --malo ID [--grid-area A] [--grid-operator MPID] [--sector Strom|Gas]
       [--market-area CODE] [--balance-group CODE] [--gas-quality H-Gas|L-Gas]
       [--pressure-level Hochdruck|Mitteldruck|Niederdruck] [--gas-network FILE|-]
       [--supplier MPID (--from DATE | --to DATE | --revoke DATE)]
       change a record (created if missing): the grid fields are set when given;
       the gas fields (Marktgebiet, Bilanzkreis, Gasqualität, Druckebene; the
       Netzbetreiber is --grid-operator, a DVGW code 98… or a GLN) are set when
       given and make a record without sector a Gas one; --gas-network replaces
       the NB's network data of a gas MaLo (what 44002/44013 carry: JSON object
       as in docs/geligas.md, from FILE or "-" for stdin);
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

// maloView is the JSON view of an entry.
func maloView(e malo.Entry) maloJSON {
	return maloJSON{Tenant: e.Tenant, Revision: e.Revision, Record: e.Record}
}

// runMalo is `mako malo`: flags and printing around pkg/malo.
func runMalo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, code := newRecordCmd("malo", maloUsage, args, stdout, stderr, malo.ErrNotFound, malo.ErrConflict)
	if c == nil {
		return code
	}
	sub, fs := c.sub, c.fs
	maloID := fs.String("malo", "", "the 11-digit MaLo-ID")
	gridArea := fs.String("grid-area", "", "set: grid area (Netzgebiet)")
	gridOperator := fs.String("grid-operator", "", "set: the grid operator's MP-ID")
	sector := fs.String("sector", "", "set: Strom or Gas")
	var gas malo.Gas
	fs.StringVar(&gas.MarketArea, "market-area", "", "set: Gas: the Marktgebiet code (UTILMD Gas CCI+Z21)")
	fs.StringVar(&gas.BalanceGroup, "balance-group", "", "set: Gas: the Bilanzkreis code (UTILMD Gas CCI+Z19)")
	fs.Func("gas-quality", "set: Gas: H-Gas or L-Gas", func(v string) (err error) { gas.Quality, err = malo.ParseGasQuality(v); return err })
	fs.Func("pressure-level", "set: Gas: Hochdruck, Mitteldruck or Niederdruck", func(v string) (err error) {
		gas.Pressure, err = malo.ParsePressureLevel(v)
		return err
	})
	networkFile := fs.String("gas-network", "", "set: Gas: the NB's network data as a JSON file (- = stdin)")
	supplier := fs.String("supplier", "", "set: the supplier's MP-ID (with --from, --to or --revoke)")
	var from, to, revoke time.Time
	fs.Func("from", "set: supply start DATE of --supplier", dateFlag(&from))
	fs.Func("to", "set: supply end DATE (exclusive) of --supplier", dateFlag(&to))
	fs.Func("revoke", "set: cancel --supplier's assignment starting at DATE", dateFlag(&revoke))
	if !c.parse(stderr, malo.ValidateTenant) {
		return 2
	}
	tenant := c.tenant
	var changes []malo.Change
	var network *malo.GasNetwork
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
			if network, err = readGasNetwork(*networkFile, stdin); err != nil {
				fmt.Fprintf(stderr, "mako malo set: --gas-network: %v\n", err)
				return 2
			}
			changes, err = maloChanges(*maloID, *gridArea, *gridOperator, *sector, gas, *supplier, from, to, revoke)
			if err != nil && !(errors.Is(err, errNothingToSet) && network != nil) {
				fmt.Fprintf(stderr, "mako malo set: %v\n", err)
				return 2
			}
		}
	}
	ctx, js, done, ok := c.connect(ctx, stderr)
	if !ok {
		return 2
	}
	defer done()
	st, err := malonats.OpenNATS(ctx, js, *c.replicas)
	if err != nil {
		fmt.Fprintf(stderr, "mako malo: %v\n", err)
		return 2
	}

	if code, done := getListRm(ctx, c, st, *maloID, maloView, stdout, stderr); done {
		return code
	}
	_, err = malo.Update(ctx, st, *tenant, *maloID, func(r malo.Record, _ bool) (malo.Record, bool, error) {
		for _, c := range changes {
			r = malo.Apply(r, c)
		}
		if network != nil {
			r.GasNetwork = network
			if r.Sector == "" {
				r.Sector = "Gas"
			}
		}
		return r, true, nil
	})
	if err != nil {
		return c.fail(stderr, err)
	}
	e, err := st.Get(ctx, *tenant, *maloID)
	if err != nil {
		return c.fail(stderr, err)
	}
	return c.printJSON(stdout, stderr, maloView(e))
}

// maloChanges turns the set flags into validated changes.
func maloChanges(id, area, operator, sector string, gas malo.Gas, supplier string, from, to, revoke time.Time) ([]malo.Change, error) {
	var out []malo.Change
	if area != "" || operator != "" || sector != "" {
		c := malo.SetGrid(id, area, operator)
		c.Sector = sector
		out = append(out, c)
	}
	if !gas.Empty() {
		out = append(out, malo.SetGas(id, gas))
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
		return nil, errNothingToSet
	}
	for _, c := range out {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// errNothingToSet: mako malo set without anything to change.
var errNothingToSet = errors.New("nothing to set (give --grid-area, --grid-operator, --sector, a gas field, --gas-network or --supplier with a date)")

// readGasNetwork reads the --gas-network JSON ("" = none, "-" = stdin),
// rejecting unknown fields.
func readGasNetwork(path string, stdin io.Reader) (*malo.GasNetwork, error) {
	if path == "" {
		return nil, nil
	}
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var n malo.GasNetwork
	if err := dec.Decode(&n); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return &n, nil
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
