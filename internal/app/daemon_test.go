package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// makod with its embedded server takes a UTILMD on mako.ingest.nb from a
// plain NATS client and answers on the outbox; a cancel stops it cleanly,
// and a restart on the same data dir finds the processed state.
func TestDaemonEndToEnd(t *testing.T) {
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	httpAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- RunDaemon(ctx, []string{"--data", dir, "--listen", addr, "--log-level", "warn", "--http", httpAddr, "--modules", "testflow"}, &stderr)
	}()
	nc := connectDaemon(t, addr, &stderr)
	defer nc.Close()
	js, _ := jetstream.New(nc)
	// A 55001 complete per its AHB (as internal/bench.Interchange, which
	// imports this package): ingest validates it.
	utilmd := strings.Join([]string{
		"UNA:+.? '", "UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MK1'",
		"UNH+1+UTILMD:D:11A:UN:S2.2'", "BGM+E01+DOK1'", "DTM+137:202611200915?+00:303'",
		"NAD+MS+9900000000004::293'", "NAD+MR+9900000000011::293'", "IDE+24+VG1'",
		"DTM+92:202611232300?+00:303'", "STS+7++E03+ZW4'", "LOC+Z16+51234567895'", "RFF+Z13:55001'",
		"SEQ+Z79+1'", "PIA+5+9991000002082:Z11'", "CCI+Z66'", "CAV+ZV4:::11XDE-BKV-0001'", "SEQ+ZH0+1'", "CCI+Z65+++Z01'",
		"SEQ+Z01'", "CCI+++Z15'", "SEQ+Z75'", "CCI+Z61++ZG0'", "NAD+Z09+++Mustermann:Erika::::Z01'",
		"NAD+Z04+++Mustermann:Erika::::Z01+Musterstrasse::1+Musterstadt++12345+DE'",
		"UNT+23+1'", "UNZ+1+MK1'"}, "")
	// Streams appear once makod set them up.
	var pubErr error
	for i := 0; i < 100; i++ {
		if _, pubErr = js.Publish(ctx, "mako.ingest.nb", []byte(utilmd)); pubErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pubErr != nil {
		t.Fatal(pubErr)
	}
	// makod creates its streams one after the other: MAKO_INGEST may take publishes before
	// MAKO_OUTBOX exists.
	var cons jetstream.Consumer
	var err error
	for i := 0; i < 100; i++ {
		cons, err = js.OrderedConsumer(ctx, "MAKO_OUTBOX", jetstream.OrderedConsumerConfig{FilterSubjects: []string{"mako.outbox.nb.9900000000004"}})
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(15 * time.Second))
	if err != nil {
		t.Fatalf("no answer on the outbox: %v; stderr: %s", err, stderr.String())
	}
	if m.Headers().Get("Mako-Message-Type") != "APERAK" {
		t.Fatalf("answer %v", m.Headers())
	}
	if tp := m.Headers().Get("traceparent"); len(tp) != 55 {
		t.Fatalf("outbox message without a traceparent: %q", tp)
	}
	// The counters moved, and the worker is ready.
	wants := []string{
		`mako_inbound_messages_total{pid="55001",result="accepted",tenant="nb"} 1`,
		`mako_commands_executed_total{result="committed",workflow="test.answer"} 1`,
		`mako_process_initiated_total{family="test"} 1`,
		`mako_outbox_published_total{message_type="APERAK"} 1`,
		`mako_ingest_to_commit_seconds_count 1`,
		`mako_consumer_pending_messages{consumer="processor",stream="MAKO_COMMANDS"} 0`,
	}
	// The relay counts right after publishing: poll briefly.
	var missing []string
	for i := 0; i < 50; i++ {
		body := httpGet(t, "http://"+httpAddr+"/metrics", 200)
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(body, want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(missing) > 0 {
		t.Errorf("/metrics lacks %q", missing)
	}
	httpGet(t, "http://"+httpAddr+"/readyz", 200)
	httpGet(t, "http://"+httpAddr+"/healthz", 200)
	nc.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("makod: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("makod did not stop")
	}
}

func TestParseTenant(t *testing.T) {
	tn, err := ParseTenant("nb=9900000000011+9900000000028:NB+MSB:strom")
	if err != nil {
		t.Fatal(err)
	}
	if tn.ID != "nb" || len(tn.MPIDs) != 2 || len(tn.Roles) != 2 || tn.Roles[1] != routing.RoleMSB || tn.Sector != catalog.Strom {
		t.Fatalf("%+v", tn)
	}
	for _, bad := range []string{"", "nb", "nb=", "NB!=99", "nb=99:NB:wind", "nb=99:NB:strom:x",
		"nb=9900000000012:NB",       // check digit
		"nb=9800000000014:NB:strom", // a DVGW code in a Strom tenant
		"nb=9900000000011:NB:gas",   // a BDEW code in a Gas tenant
		"nb=9900000000011+9800000000014:NB:strom+wind",
		"nb=9900000000011:NB:strom:gas"} {
		if _, err := ParseTenant(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Both sectors: the MP-IDs of both, Sectors set, Sector unspecified.
	for _, in := range []string{"lfn=9900000000004+9800000000007:LF:strom+gas", "lfn=9900000000004+9800000000007:LF:Gas+Strom"} {
		both, err := ParseTenant(in)
		if err != nil {
			t.Fatal(err)
		}
		if both.Sector != catalog.SectorUnspecified || len(both.Sectors) != 2 || !both.Serves(catalog.Strom) || !both.Serves(catalog.Gas) ||
			both.SectorFor("9800000000007") != catalog.Gas || both.SectorFor("9900000000004") != catalog.Strom || both.SectorFor("9900000000011") != catalog.SectorUnspecified {
			t.Fatalf("%s: %+v", in, both)
		}
	}
	gas, err := ParseTenant("g=9800000000014:NB:gas+gas")
	if err != nil || gas.Sector != catalog.Gas || gas.Sectors != nil || gas.Serves(catalog.Strom) || !gas.Serves(catalog.Gas) {
		t.Fatalf("gas: %+v %v", gas, err)
	}
	// A GLN names no sector: allowed in either.
	if _, err := ParseTenant("g=4012345000009:NB:gas"); err != nil {
		t.Fatal(err)
	}
}

// The default tenants serve both sectors with a BDEW and a DVGW MP-ID each,
// the parties of the demos.
func TestDefaultTenants(t *testing.T) {
	t.Setenv("MAKO_TENANTS", "")
	var c Config
	c.Register(newFlagSet())
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	want := map[engine.TenantID][]string{"lfn": {"9900000000004", "9800000000007"}, "nb": {"9900000000011", "9800000000014"}, "lfa": {"9900000000028", "9800000000021"}}
	if len(c.Tenants) != 3 {
		t.Fatalf("%+v", c.Tenants)
	}
	for _, tn := range c.Tenants {
		if !slices.Equal(tn.MPIDs, want[tn.ID]) || !tn.Serves(catalog.Strom) || !tn.Serves(catalog.Gas) || tn.SectorFor(want[tn.ID][1]) != catalog.Gas {
			t.Errorf("%+v", tn)
		}
	}
}

func TestConfigEnvAndValidation(t *testing.T) {
	t.Setenv("MAKO_REPLICAS", "two")
	var c Config
	c.Register(newFlagSet())
	if err := c.Finish(); err == nil || !strings.Contains(err.Error(), "MAKO_REPLICAS") {
		t.Fatalf("bad env accepted: %v", err)
	}
	t.Setenv("MAKO_REPLICAS", "3")
	t.Setenv("MAKO_TENANTS", "a=9900000000011:NB, b=9800000000007:LF:gas")
	var c2 Config
	c2.Register(newFlagSet())
	if err := c2.Finish(); err != nil {
		t.Fatal(err)
	}
	if c2.Replicas != 3 || len(c2.Tenants) != 2 || c2.Tenants[1].Sector != catalog.Gas || len(c2.Modules) == 0 {
		t.Fatalf("%+v", c2)
	}
	var c3 Config
	fs := newFlagSet()
	c3.Register(fs)
	if err := fs.Parse([]string{"--modules", "nosuch"}); err != nil {
		t.Fatal(err)
	}
	if err := c3.Finish(); err == nil {
		t.Fatal("unknown module accepted")
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }

func httpGet(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return string(b)
}

// connectDaemon connects to the embedded server of a makod starting at addr, retrying for up to
// ten seconds; it fails the test with makod's stderr when no connection comes up.
func connectDaemon(t *testing.T, addr string, stderr *bytes.Buffer) *nats.Conn {
	t.Helper()
	var err error
	for i := 0; i < 100; i++ {
		var nc *nats.Conn
		if nc, err = nats.Connect("nats://" + addr); err == nil {
			return nc
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("connect: %v; stderr: %s", err, stderr.String())
	return nil
}

// makod -h (and a worker command's -h) prints the help and succeeds; makod's
// help names the embedded server as the default of -nats-url, not a URL.
func TestHelpExitsZeroAndShowsEmbeddedDefault(t *testing.T) {
	t.Setenv("NATS_URL", "")
	var out bytes.Buffer
	if err := RunDaemon(context.Background(), []string{"-h"}, &out); err != nil {
		t.Fatalf("makod -h: %v", err)
	}
	entry := helpEntry(t, out.String(), "-nats-url")
	if strings.Contains(entry, nats.DefaultURL) || !strings.Contains(entry, "embedded server") {
		t.Fatalf("-nats-url help %q: want the embedded server as default, no URL", entry)
	}
	out.Reset()
	if err := RunWorkerWith(context.Background(), "ingest", []string{"-h"}, &out, func(*Wiring) []Actor { return nil }); err != nil || !strings.Contains(out.String(), "-nats-url") {
		t.Fatalf("ingest -h: %v\n%s", err, out.String())
	}
}
