package main

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/nats-io/nats.go"
)

func demoFreePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// `mako demo lfw24` against makod with its defaults (tenants lfn, nb, lfa;
// module gpke) on a temp dir: the switch completes, the conversation and
// the states are printed; a second run plays it again; with makod gone the
// demo says so.
func TestDemoLFW24(t *testing.T) {
	t.Setenv("NATS_URL", "")
	t.Setenv("MAKO_TENANTS", "")
	t.Setenv("MAKO_MODULES", "")
	t.Setenv("MAKO_API", "")
	natsAddr, httpAddr := demoFreePort(t), demoFreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var daemonErr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- app.RunDaemon(ctx, []string{"--data", t.TempDir(), "--listen", natsAddr, "--http", httpAddr, "--log-level", "error"}, &daemonErr)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("makod did not stop")
		}
	}()
	// Ready when the read API answers (the streams exist by then).
	waitReady(t, "nats://"+natsAddr, "http://"+httpAddr, &daemonErr)

	args := []string{"demo", "lfw24", "--nats-url", "nats://" + natsAddr, "--api", "http://" + httpAddr, "--timeout", "30s"}
	for round := 1; round <= 2; round++ {
		var out, errs bytes.Buffer
		if code := run(context.Background(), args, nil, &out, &errs); code != 0 {
			t.Fatalf("round %d: exit %d\nstdout:\n%s\nstderr:\n%s\nmakod:\n%s", round, code, out.String(), errs.String(), daemonErr.String())
		}
		s := out.String()
		for _, want := range []string{
			"LFN → NB   UTILMD 55001",
			"NB  → LFN  APERAK 312",
			"NB  → LFA  UTILMD 55010",
			"ERP lfa ← de.mako.decision.requested 55010 A36",
			"ERP lfa → gpke.decide consent",
			"ERP lfn ← de.mako.process.completed 55002 confirmed A51",
			"LFA → NB   UTILMD 55011 A36:E_0624",
			"NB  → LFN  UTILMD 55002 A51:E_0623",
			"NB  → LFA  UTILMD 55007",
			"LFA → NB   UTILMD 55008 A10:E_0609",
			"conversation complete: 55001 → APERAK 312 → 55010 → APERAK 312",
			"gpke.nb.lieferbeginn", "gpke.lfn.lieferbeginn", "gpke.lfa.beendigung", "gpke.lf.abmeldung",
			"outcome confirmed",
			"nb   LFA 2026-01-01 … ", ", LFN ",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("round %d: output lacks %q:\n%s", round, want, s)
			}
		}
		if strings.Contains(s, "syntax findings") || strings.Contains(s, "AHB findings") {
			t.Errorf("round %d: a message has syntax or AHB findings:\n%s", round, s)
		}
		if round == 1 {
			t.Logf("demo output:\n%s", s)
		}
	}

	// makod gone: a clear message and exit status 2.
	cancel()
	<-done
	done <- nil
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"demo", "lfw24", "--nats-url", "nats://" + natsAddr, "--api", "http://" + httpAddr, "--timeout", "5s"}, nil, &out, &errs); code != 2 {
		t.Fatalf("exit %d without makod, want 2: %s", code, errs.String())
	}
	if !strings.Contains(errs.String(), "makod not reachable") {
		t.Errorf("stderr %q", errs.String())
	}
}

func waitReady(t *testing.T, natsURL, apiURL string, daemonErr *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var out, errs bytes.Buffer
		if run(context.Background(), []string{"process", "list", "--api", apiURL, "--limit", "1"}, nil, &out, &errs) == 0 {
			if nc, err := nats.Connect(natsURL); err == nil {
				nc.Close()
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("makod not ready: %s", daemonErr.String())
}

func TestDemoUsage(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, nil, &out, &errs); code != 2 || !strings.Contains(errs.String(), "usage: mako demo lfw24") {
		t.Fatalf("exit %d, %q", code, errs.String())
	}
	if code := run(context.Background(), []string{"demo", "nosuch"}, nil, &out, &errs); code != 2 {
		t.Fatalf("unknown demo: exit %d", code)
	}
	if code := run(context.Background(), []string{"demo", "lfw24", "extra"}, nil, &out, &errs); code != 2 {
		t.Fatalf("extra argument: exit %d", code)
	}
}
