// Command mako is the operator CLI of mako-engine.
//
// Each subcommand lives in its own file of this package and only wires flags
// to a library package; the logic is in pkg/.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: mako <command> [arguments]

commands:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one top-level subcommand. run returns the process exit code:
// 0 success, 1 a finding (for example syntax errors), 2 usage or I/O error.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands lists the subcommands; each file of this package adds its entry here.
func commands() []command {
	return []command{
		{name: "fristen", summary: "BDEW Werktage and MaKo deadlines (is-werktag, add, lwt, lfw24, aperak …)", run: runFristen},
		{name: "edi", summary: "inspect EDI@Energy interchanges, print the CONTRL that would be sent", run: runEdi},
		{name: "ahb", summary: "the AHB of a PID and what changed between format versions (show PID, diff FV FV)", run: runAHB},
		{name: "partner", summary: "trading-partner master data in KV mako_partners (set, get, list, rm)", run: runPartner},
		{name: "bench", summary: "measure the pipeline end to end (bench pipeline [--json] [--n N] [--rate R] [--nats-url URL])", run: runBench},
		{name: "process", summary: "processes from the read API (list, show ID)", run: runProcess},
		{name: "deadletter", summary: "dead letters from the read API (list)", run: runDeadletter},
		{name: "projector", summary: "rebuild the read models from the event history (rebuild)", run: runProjector},
		{name: "malo", summary: "market-location master data in KV mako_malo (set, get, list, rm)", run: runMalo},
		{name: "deadline", summary: "fire an open deadline of a process now, audited (fire --tenant T --by WHO --reason WHY PROCESS LABEL)", run: runDeadline},
		{name: "demo", summary: "play a supplier switch through a running makod and print the conversation (lfw24: GPKE; gas, gas-eog: GeLi Gas)", run: runDemo},
		{name: "console", summary: "users-file line of an operator-console user (user NAME TENANTS < password)", run: runConsole},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "mako: unknown command %q\n", args[0])
	printUsage(stderr, cmds)
	return 2
}

func printUsage(w io.Writer, cmds []command) {
	fmt.Fprint(w, usage)
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// subcommand is the first step of every `mako X SUB …` command: with no
// argument it prints usage to stderr (exit 2), with -h/--help/help to stdout
// (exit 0), and with a SUB that is not in subs it names it and prints usage to
// stderr (exit 2). Otherwise it runs subs[SUB] with the remaining arguments.
func subcommand(name, usage string, args []string, stdout, stderr io.Writer, subs map[string]func(args []string) int) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	run, ok := subs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "mako %s: unknown subcommand %q\n", name, args[0])
		fmt.Fprint(stderr, usage)
		return 2
	}
	return run(args[1:])
}
