package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// ediValidateResult is the JSON line of `mako edi validate --json` per file.
type ediValidateResult struct {
	File     string               `json:"file"`
	Error    string               `json:"error,omitempty"`
	Messages []ediValidateMessage `json:"messages,omitempty"`
}

type ediValidateMessage struct {
	Ref    string      `json:"ref"`
	Type   string      `json:"type"`
	Error  string      `json:"error,omitempty"`
	Report *ahb.Report `json:"report,omitempty"`
}

// ediValidate is `mako edi validate`: every message of every file against
// the MIG tree and the AHB of its PIDs (pkg/ahb). Exit 0 clean, 1 findings
// (or a message that names no or an unknown PID), 2 unreadable.
func ediValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newEdiFlagSet("validate", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per file")
	pid := fs.String("pid", "", "apply the AHB of this PID instead of the PID the transactions carry")
	fvFlag := fs.String("fv", "", "format version (FV2604, FV2610 …); default: resolved from DTM+137")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var opts []ahb.Option
	if *fvFlag != "" {
		v, err := fv.Parse(*fvFlag)
		if err != nil {
			fmt.Fprintf(stderr, "mako edi validate: --fv: %v\n", err)
			return 2
		}
		opts = append(opts, ahb.WithFV(v))
	}
	if *pid != "" {
		opts = append(opts, ahb.WithPID(*pid))
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "mako edi validate: no FILE given")
		return 2
	}
	code := 0
	enc := json.NewEncoder(stdout)
	for _, file := range fs.Args() {
		if ctx.Err() != nil {
			return 2
		}
		res := ediValidateResult{File: file}
		data, err := os.ReadFile(file)
		var ix *edifact.Interchange
		if err == nil {
			ix, err = edifact.Parse(data)
		}
		if err == nil && len(ix.Messages) == 0 {
			err = errors.New("no UNH … UNT message")
		}
		if err != nil {
			res.Error = err.Error()
			code = 2
		} else {
			for i := range ix.Messages {
				m := &ix.Messages[i]
				vm := ediValidateMessage{Ref: m.Ref(), Type: m.Type()}
				rep, err := ahb.Validate(m, opts...)
				switch {
				case err != nil && (errors.Is(err, ahb.ErrUnknownPID) || errors.Is(err, ahb.ErrNoPID)):
					vm.Error = err.Error()
					code = max(code, 1)
				case err != nil:
					vm.Error = err.Error()
					code = 2
				default:
					vm.Report = rep
					if !rep.Clean() {
						code = max(code, 1)
					}
				}
				res.Messages = append(res.Messages, vm)
			}
		}
		if *asJSON {
			if err := enc.Encode(res); err != nil {
				fmt.Fprintf(stderr, "mako edi validate: %v\n", err)
				return 2
			}
			continue
		}
		printValidation(stdout, &res)
	}
	return code
}

func printValidation(w io.Writer, res *ediValidateResult) {
	fmt.Fprintf(w, "%s\n", res.File)
	if res.Error != "" {
		fmt.Fprintf(w, "  unreadable: %s\n", res.Error)
		return
	}
	for _, m := range res.Messages {
		fmt.Fprintf(w, "  message %s  %s", orDash(m.Ref), orDash(m.Type))
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
			continue
		}
		r := m.Report
		fmt.Fprintf(w, "  %s %s %s  PIDs %v  findings %d  not evaluated %d\n", r.FV, r.Version, r.Sector, r.PIDs, len(r.Findings), len(r.NotEvaluated))
		for _, f := range r.Findings {
			code := f.APERAK
			if f.Code != 0 {
				code = fmt.Sprintf("%s %d", f.Level, f.Code)
			}
			if code == "" {
				code = "-"
			}
			fmt.Fprintf(w, "    #%d %-7s %s  %s\n", f.Position, code, f.Rule, f.Text)
		}
	}
}
