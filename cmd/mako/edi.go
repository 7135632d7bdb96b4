package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

const ediUsage = `usage: mako edi <subcommand> [flags] FILE…

EDI@Energy interchanges: syntax checks with CONTRL levels and codes.

subcommands:
  inspect [--json] [--received RFC3339] [--sector strom|gas] FILE…
        per interchange and message: sender, recipient, references, message
        type, UNH version, resolved format version, sector, PIDs with their
        transaction ids and every syntax finding (CONTRL level and code).
        --json prints one JSON object per file and line (docs/edifact.md).
  contrl [--received RFC3339] [--sector strom|gas] [--ref REF] [--time RFC3339] FILE
        print the CONTRL interchange that would be sent, or say none is due.
  validate [--json] [--pid PID] [--fv FV] FILE…
        every message against the MIG tree and the AHB of its PIDs (pkg/ahb):
        findings with rule id, position, AHB expression and APERAK/CONTRL
        code; exit 0 clean, 1 findings, 2 unreadable (docs/ahb.md).

--received is the receipt time that selects the format version; default: the
UNB preparation date/time (S004, read as UTC). --sector is the receiver's
sector where the message does not determine it. For contrl, --ref defaults to
"C" + the received DAR (cut to 14 characters) and --time to the receipt time.

Exit status: 0 clean, 1 syntax findings (or a file that is not EDIFACT or
exceeds the limits), 2 usage or I/O error.
`

// runEdi is `mako edi`: flags and printing around pkg/edifact.
func runEdi(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("edi", ediUsage, args, stdout, stderr, map[string]func([]string) int{
		"inspect":  func(a []string) int { return ediInspect(ctx, a, stdout, stderr) },
		"contrl":   func(a []string) int { return ediContrl(ctx, a, stdout, stderr) },
		"validate": func(a []string) int { return ediValidate(ctx, a, stdout, stderr) },
	})
}

// ediFlags are the flags shared by the subcommands.
type ediFlags struct {
	received string
	sector   string
}

func (f *ediFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.received, "received", "", "receipt time (RFC 3339) for the format version; default UNB S004")
	fs.StringVar(&f.sector, "sector", "", "receiver's sector where the message does not decide: strom or gas")
}

func (f *ediFlags) options() ([]edifact.CheckOption, error) {
	var opts []edifact.CheckOption
	if f.received != "" {
		t, err := time.Parse(time.RFC3339, f.received)
		if err != nil {
			return nil, fmt.Errorf("--received: %w", err)
		}
		opts = append(opts, edifact.WithReceived(t))
	}
	switch strings.ToLower(f.sector) {
	case "":
	case "strom":
		opts = append(opts, edifact.WithSector(catalog.Strom))
	case "gas":
		opts = append(opts, edifact.WithSector(catalog.Gas))
	default:
		return nil, fmt.Errorf("--sector: want strom or gas, got %q", f.sector)
	}
	return opts, nil
}

func (f *ediFlags) sectorValue() edifact.Sector {
	switch strings.ToLower(f.sector) {
	case "strom":
		return catalog.Strom
	case "gas":
		return catalog.Gas
	}
	return catalog.SectorUnspecified
}

func newEdiFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("mako edi "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ediUsage) }
	return fs
}

func ediInspect(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newEdiFlagSet("inspect", stderr)
	var common ediFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "one JSON object per file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts, err := common.options()
	if err != nil {
		fmt.Fprintf(stderr, "mako edi inspect: %v\n", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "mako edi inspect: no FILE given")
		return 2
	}
	code := 0
	enc := json.NewEncoder(stdout)
	for _, file := range fs.Args() {
		if ctx.Err() != nil {
			return 2
		}
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "mako edi inspect: %v\n", err)
			code = 2
			continue
		}
		in, err := edifact.Inspect(file, data, opts...)
		if (err != nil || !in.Clean) && code == 0 {
			code = 1
		}
		if *asJSON {
			if err := enc.Encode(in); err != nil {
				fmt.Fprintf(stderr, "mako edi inspect: %v\n", err)
				return 2
			}
			continue
		}
		printInspection(stdout, in)
	}
	return code
}

func printInspection(w io.Writer, in *edifact.Inspection) {
	fmt.Fprintf(w, "%s\n", in.File)
	if in.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", in.Error)
		return
	}
	if x := in.Interchange; x != nil {
		fmt.Fprintf(w, "  interchange %s  from %s  to %s  prepared %s  syntax %s  %s",
			orDash(x.Ref), orDash(x.Sender.String()), orDash(x.Recipient.String()), orDash(x.Prepared), orDash(x.Syntax), x.Encoding)
		if x.AppRef != "" {
			fmt.Fprintf(w, "  0026 %s", x.AppRef)
		}
		if x.Test {
			fmt.Fprint(w, "  TEST")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  received %s (%s)  format version %s  sector %s\n",
		orDash(in.Received), orDash(in.ReceivedSource), orDash(in.FormatVersion), orDash(in.Sector))
	for _, m := range in.Messages {
		fmt.Fprintf(w, "  message %s  %s  version %s", orDash(m.Ref), orDash(m.ID.Type), orDash(m.ID.Association))
		if m.ExpectedVersion != "" && m.ExpectedVersion != m.ID.Association {
			fmt.Fprintf(w, " (expected %s)", m.ExpectedVersion)
		}
		fmt.Fprintf(w, "  S009 %s  sector %s\n", m.ID, orDash(m.Sector))
		for _, p := range m.PIDs {
			fmt.Fprintf(w, "    PID %s", orDash(p.PID))
			if p.Transaction != "" {
				fmt.Fprintf(w, "  transaction %s", p.Transaction)
			}
			fmt.Fprintf(w, "  (%s)\n", p.Status)
		}
	}
	if len(in.Findings) == 0 {
		fmt.Fprintln(w, "  findings: none")
	}
	for _, f := range in.Findings {
		fmt.Fprintf(w, "  %s\n", f)
	}
	for _, s := range in.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", s)
	}
	for _, s := range in.Notes {
		fmt.Fprintf(w, "  note: %s\n", s)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ediContrl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newEdiFlagSet("contrl", stderr)
	var common ediFlags
	common.register(fs)
	ref := fs.String("ref", "", "UNB/UNZ 0020 of the CONTRL; default C + received DAR")
	at := fs.String("time", "", "CONTRL preparation time (RFC 3339); default the receipt time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts, err := common.options()
	if err != nil {
		fmt.Fprintf(stderr, "mako edi contrl: %v\n", err)
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "mako edi contrl: exactly one FILE expected")
		return 2
	}
	if ctx.Err() != nil {
		return 2
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "mako edi contrl: %v\n", err)
		return 2
	}
	ix, rep, err := edifact.Analyze(data, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "mako edi contrl: %v\n", err)
		if errors.Is(err, edifact.ErrLimit) || errors.Is(err, edifact.ErrNotEDIFACT) {
			return 1
		}
		return 2
	}
	p := edifact.ContrlParams{Ref: *ref, Sector: common.sectorValue(), Time: rep.Received}
	if p.Ref == "" {
		p.Ref = "C" + ix.UNB().ControlRef
		if len(p.Ref) > 14 {
			p.Ref = p.Ref[:14]
		}
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "mako edi contrl: --time: %v\n", err)
			return 2
		}
		p.Time = t
	}
	out, due, reason, err := edifact.BuildCONTRL(ix, rep, p)
	if err != nil {
		fmt.Fprintf(stderr, "mako edi contrl: %v\n", err)
		return 2
	}
	if !due {
		fmt.Fprintf(stdout, "no CONTRL due: %s\n", reason)
		return 0
	}
	fmt.Fprintf(stdout, "%s\n", out)
	fmt.Fprintf(stderr, "CONTRL due: %s\n", reason)
	if rep.HasErrors() {
		return 1
	}
	return 0
}
