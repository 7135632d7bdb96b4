package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/fv"
)

const ahbUsage = `usage: mako ahb <subcommand> [flags]

The embedded AHB/MIG data (pkg/ahb, docs/ahb.md).

subcommands:
  show [--fv FV] [--json] PID
        the AHB column of a PID: every line with its group path, segment,
        AHB expression (and the group's expression on the line that opens a
        group), data elements with position, expression and codes.
  diff [--pid PID] [--json] FV FV
        what changed between two format versions: PIDs added and removed,
        lines added, removed or changed (expressions, code lists).

--fv defaults to the format version valid now (pkg/fv key dates), else the
newest one the data holds. Exit status: 0 success, 1 PID not found, 2 usage.
`

// runAHB is `mako ahb`: flags and printing around pkg/ahb.
func runAHB(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, ahbUsage)
		return 2
	}
	fs := flag.NewFlagSet("mako ahb "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ahbUsage) }
	asJSON := fs.Bool("json", false, "print JSON")
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, ahbUsage)
		return 0
	case "show":
		fvFlag := fs.String("fv", "", "format version, e.g. FV2610")
		pos, err := parseInterleaved(fs, args[1:])
		if err != nil {
			return 2
		}
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "mako ahb show: want exactly one PID")
			return 2
		}
		v, err := ahbVersion(*fvFlag)
		if err != nil {
			fmt.Fprintf(stderr, "mako ahb show: %v\n", err)
			return 2
		}
		return ahbShow(stdout, stderr, v, pos[0], *asJSON)
	case "diff":
		pid := fs.String("pid", "", "compare only this PID")
		pos, err := parseInterleaved(fs, args[1:])
		if err != nil {
			return 2
		}
		if len(pos) != 2 {
			fmt.Fprintln(stderr, "mako ahb diff: want two format versions, e.g. FV2604 FV2610")
			return 2
		}
		a, errA := fv.Parse(pos[0])
		b, errB := fv.Parse(pos[1])
		if errA != nil || errB != nil {
			fmt.Fprintf(stderr, "mako ahb diff: bad format version: %v %v\n", errA, errB)
			return 2
		}
		changes, err := ahb.Diff(a, b, *pid)
		if err != nil {
			fmt.Fprintf(stderr, "mako ahb diff: %v\n", err)
			return 2
		}
		if *asJSON {
			return printJSON(stdout, stderr, changes)
		}
		fmt.Fprintf(stdout, "AHB %s → %s: %d changes\n", a, b, len(changes))
		for _, c := range changes {
			typ := strings.TrimSpace(c.Type + " " + c.Sector)
			switch {
			case c.Line == "":
				fmt.Fprintf(stdout, "%-8s %-13s PID %s  %s%s\n", c.Kind, typ, c.PID, c.Old, c.New)
			case c.Kind == ahb.Changed:
				fmt.Fprintf(stdout, "%-8s %-13s PID %s  %s\n           - %s\n           + %s\n", c.Kind, typ, c.PID, c.Line, c.Old, c.New)
			default:
				fmt.Fprintf(stdout, "%-8s %-13s PID %s  %s  %s%s\n", c.Kind, typ, c.PID, c.Line, c.Old, c.New)
			}
		}
		return 0
	}
	fmt.Fprintf(stderr, "mako ahb: unknown subcommand %q (see mako ahb --help)\n", args[0])
	return 2
}

// ahbVersion parses --fv or picks the version valid now, else the newest the
// data holds.
func ahbVersion(s string) (fv.Version, error) {
	if s != "" {
		return fv.Parse(s)
	}
	vs := ahb.Versions()
	if len(vs) == 0 {
		return fv.Version{}, fmt.Errorf("no AHB data embedded")
	}
	if now, err := fv.Resolve(time.Now()); err == nil {
		for _, v := range vs {
			if v == now {
				return v, nil
			}
		}
	}
	return vs[len(vs)-1], nil
}

func ahbShow(stdout, stderr io.Writer, v fv.Version, pid string, asJSON bool) int {
	spec, err := ahb.Find(v, pid)
	if err != nil {
		fmt.Fprintf(stderr, "mako ahb show: %v\n", err)
		return 1
	}
	lines, _ := spec.Lines(pid)
	p, _ := spec.PID(pid)
	if asJSON {
		return printJSON(stdout, stderr, p)
	}
	fmt.Fprintf(stdout, "PID %s  %s\n%s %s %s (MIG %s)\n", pid, p.Name, v, spec.Key.Type, spec.Key.Sector, spec.File.Version)
	for _, l := range lines {
		ind := strings.Repeat("  ", l.Depth)
		fmt.Fprintf(stdout, "%s%-28s %-40s %s", ind, l.ID, l.Line.Expr, l.Line.Section)
		if l.Line.GroupExpr != "" {
			fmt.Fprintf(stdout, "  [group %s: %s]", l.Line.Group, l.Line.GroupExpr)
		}
		fmt.Fprintln(stdout)
		for _, e := range l.Line.Elements {
			pos := "?"
			if e.Pos >= 0 {
				pos = fmt.Sprintf("%d:%d", e.Pos+1, e.Sub+1)
			}
			fmt.Fprintf(stdout, "%s    DE%s @%s %s", ind, e.ID, pos, e.Expr)
			for i, c := range e.Codes {
				if i == 0 {
					fmt.Fprint(stdout, "  codes:")
				}
				fmt.Fprintf(stdout, " %s", c[0])
				if c[1] != "" && c[1] != "X" {
					fmt.Fprintf(stdout, "(%s)", c[1])
				}
			}
			fmt.Fprintln(stdout)
		}
	}
	return 0
}
