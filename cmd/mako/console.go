package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mako-engine/mako/pkg/console"
	"github.com/mako-engine/mako/pkg/engine"
)

const consoleUsage = `usage: mako console user NAME TENANT[,TENANT…] < password

Prints the users-file line (name:bcrypt-hash:tenants) of a console user; the
password is the first line of stdin. "*" as tenant list grants every tenant.
Start makod with --users FILE (env MAKO_USERS); docs/console.md.
`

// runConsole is `mako console`: helpers for the operator console.
func runConsole(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 3 || args[0] != "user" {
		fmt.Fprint(stderr, consoleUsage)
		return 2
	}
	name, tenants := args[1], args[2]
	if name == "" || strings.ContainsAny(name, ": \t") {
		fmt.Fprintf(stderr, "mako console: user name %q: no colons or blanks\n", name)
		return 2
	}
	for _, t := range strings.Split(tenants, ",") {
		if t != console.AllTenants && engine.TenantID(t).Validate() != nil {
			fmt.Fprintf(stderr, "mako console: tenant %q is not a tenant id\n", t)
			return 2
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintln(stderr, "mako console: read the password:", err)
		return 2
	}
	pw := strings.TrimRight(line, "\r\n")
	if len(pw) < 8 {
		fmt.Fprintln(stderr, "mako console: the password needs at least 8 characters")
		return 2
	}
	h, err := console.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, "mako console:", err)
		return 2
	}
	fmt.Fprintf(stdout, "%s:%s:%s\n", name, h, tenants)
	return 0
}
