package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
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

// startDemoMakod runs makod with its defaults (tenants lfn, nb, lfa in
// both sectors; modules gpke and geligas) on a temp dir and returns its NATS
// and API URLs and a stop function.
func startDemoMakod(t *testing.T) (natsURL, apiURL string, daemonErr *bytes.Buffer, stop func()) {
	t.Helper()
	t.Setenv("NATS_URL", "")
	t.Setenv("MAKO_TENANTS", "")
	t.Setenv("MAKO_MODULES", "")
	t.Setenv("MAKO_API", "")
	natsAddr, httpAddr := demoFreePort(t), demoFreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	daemonErr = &bytes.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- app.RunDaemon(ctx, []string{"--data", t.TempDir(), "--listen", natsAddr, "--http", httpAddr, "--log-level", "error"}, daemonErr)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("makod did not stop")
		}
	}
	t.Cleanup(stop)
	// Ready when the read API answers (the streams exist by then).
	waitReady(t, "nats://"+natsAddr, "http://"+httpAddr, daemonErr)
	return "nats://" + natsAddr, "http://" + httpAddr, daemonErr, stop
}

// playDemo runs `mako demo <args>` and fails the test unless it exits 0
// and its output holds every string of want and no findings; round 1's
// output is logged. It returns the output.
func playDemo(t *testing.T, round int, args []string, daemonErr *bytes.Buffer, want ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if code := run(context.Background(), args, nil, &out, &errs); code != 0 {
		t.Fatalf("round %d: exit %d\nstdout:\n%s\nstderr:\n%s\nmakod:\n%s", round, code, out.String(), errs.String(), daemonErr.String())
	}
	s := out.String()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("round %d: output lacks %q:\n%s", round, w, s)
		}
	}
	if strings.Contains(s, "syntax findings") || strings.Contains(s, "AHB findings") || !strings.Contains(s, "AHB-validated: 0 findings") {
		t.Errorf("round %d: a message has syntax or AHB findings:\n%s", round, s)
	}
	if round == 1 {
		t.Logf("demo output:\n%s", s)
	}
	return s
}

// `mako demo lfw24` against makod with its defaults on a temp dir: the
// switch completes, the conversation and the states are printed; a second
// run plays it again; with makod gone the demo says so.
func TestDemoLFW24(t *testing.T) {
	natsURL, apiURL, daemonErr, stop := startDemoMakod(t)
	args := []string{"demo", "lfw24", "--nats-url", natsURL, "--api", apiURL, "--timeout", "30s"}
	for round := 1; round <= 2; round++ {
		playDemo(t, round, args, daemonErr,
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
			"nb   LFA 2026-01-01 … ", ", LFN ")
	}

	// makod gone: a clear message and exit status 2.
	stop()
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"demo", "lfw24", "--nats-url", natsURL, "--api", apiURL, "--timeout", "5s"}, nil, &out, &errs); code != 2 {
		t.Fatalf("exit %d without makod, want 2: %s", code, errs.String())
	}
	if !strings.Contains(errs.String(), "makod not reachable") {
		t.Errorf("stderr %q", errs.String())
	}
}

// `mako demo gas` against makod with its defaults: the GeLi Gas switch
// with Kündigung completes, every interchange is answered by a positive
// CONTRL, no APERAK is sent, every message validates clean against its
// AHB; a second run plays it again, and the GPKE demo still runs beside it.
func TestDemoGas(t *testing.T) {
	natsURL, apiURL, daemonErr, _ := startDemoMakod(t)
	args := []string{"demo", "gas", "--nats-url", natsURL, "--api", apiURL, "--timeout", "30s"}
	for round := 1; round <= 2; round++ {
		s := playDemo(t, round, args, daemonErr,
			"market: lfn=9800000000007 (LF, new supplier), nb=9800000000014 (NB), lfa=9800000000021 (LF, old supplier)",
			"ERP → LFN: geligas.lfn.request_termination MaLo 41000000004",
			"LFN → LFA  UTILMD 44016",
			"LFA → LFN  CONTRL 7",
			"ERP lfa ← de.mako.decision.requested 44016",
			"ERP lfa → geligas.decide consent",
			"LFA → LFN  UTILMD 44017 ",
			"ERP lfn → geligas.lfn.register_supply_start MaLo 41000000004",
			"LFN → NB   UTILMD 44001",
			"NB  → LFN  CONTRL 7",
			"NB  → LFA  UTILMD 44010",
			"LFA → NB   UTILMD 44011 ",
			"NB  → LFN  UTILMD 44002 ",
			"LFN → NB   CONTRL 7",
			"ERP lfn ← de.mako.process.completed 44002 confirmed",
			"conversation complete: 44016 → CONTRL 7 → 44017 → CONTRL 7 → 44001 → CONTRL 7",
			"geligas.lfn.kuendigung", "geligas.lfa.kuendigung", "geligas.lfn.lieferbeginn", "geligas.nb.lieferbeginn", "geligas.lfa.abmeldeanfrage",
			"nb   LFA 2026-01-01 … ", ", LFN ")
		// Every UTILMD has its CONTRL; no APERAK in a clean gas conversation.
		if strings.Contains(s, "APERAK") || strings.Contains(s, "CONTRL 4") {
			t.Errorf("round %d: an APERAK or a negative CONTRL:\n%s", round, s)
		}
		if u, c := strings.Count(s, "  UTILMD 440"), strings.Count(s, "  CONTRL 7"); u < 6 || u != c {
			t.Errorf("round %d: %d gas UTILMDs, %d positive CONTRLs", round, u, c)
		}
	}
	// The console lists the gas processes of the MaLo, and the NB's process
	// shows its messages with their CONTRLs.
	list := demoGet(t, apiURL+"/vorgaenge?q="+demo.DefaultGasMaLo)
	for _, want := range []string{"geligas.nb.lieferbeginn", "geligas.lfn.lieferbeginn", "geligas.lfa.kuendigung", "geligas.lfa.abmeldeanfrage"} {
		if !strings.Contains(list, want) {
			t.Errorf("console search lacks %s", want)
		}
	}
	if i := strings.Index(list, `href="/vorgaenge/`); i < 0 {
		t.Error("console search links no process")
	} else {
		link := list[i+len(`href="`):]
		link = link[:strings.Index(link, `"`)]
		page := demoGet(t, apiURL+link)
		if !strings.Contains(page, "UTILMD") || !strings.Contains(page, "440") || !strings.Contains(page, "CONTRL") {
			t.Errorf("console process page %s lacks its gas messages", link)
		}
	}

	// The Strom demo runs against the same makod.
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"demo", "lfw24", "--nats-url", natsURL, "--api", apiURL, "--timeout", "30s"}, nil, &out, &errs); code != 0 {
		t.Fatalf("lfw24 after gas: exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	// The Grundversorger of a default makod confirms an EoG: its record
	// holds its Bilanzkreis, its billing interval is makod's
	// --gas-billing-months default.
	s := playDemo(t, 1, []string{"demo", "gas-eog", "--nats-url", natsURL, "--api", apiURL, "--timeout", "30s"}, daemonErr,
		"ERP → NB: geligas.nb.register_eog MaLo "+demo.DefaultEoGMaLo,
		"NB  → LFN  UTILMD 44013",
		"ERP lfn ← de.mako.decision.requested 44013",
		"LFN → NB   UTILMD 44014 ",
		"NB  → LFN  CONTRL 7",
		"LFN → NB   CONTRL 7",
		"geligas.nb.eog", "geligas.lf.eog")
	if strings.Contains(s, "APERAK") || strings.Contains(s, "44015") {
		t.Errorf("gas-eog: an APERAK or a refusal:\n%s", s)
	}

	// Nothing was rejected on the way: no dead letter in MAKO_DLQ itself
	// (the read API below may lag the stream, so the stream is the check).
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(context.Background(), deadletter.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithSubjectFilter(deadletter.SubjectPrefix+".*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(info.State.Subjects) != 0 {
		t.Errorf("dead letters after the demos: %v", info.State.Subjects)
	}
	var dl api.DeadLetterList
	if err := json.Unmarshal([]byte(demoGet(t, apiURL+"/v1/deadletters")), &dl); err != nil || len(dl.DeadLetters) != 0 {
		t.Errorf("dead letters after the demos: %+v %v", dl.DeadLetters, err)
	}
}

// demoGet returns the body of a 200 answer to GET url.
func demoGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
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
	if code := run(context.Background(), []string{"demo", "gas", "--malo"}, nil, &out, &errs); code != 2 {
		t.Fatalf("gas without a flag value: exit %d", code)
	}
}
