package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/mako-engine/mako/internal/bench"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// readAPIFixture runs ingest, processor, relay and projector on an embedded
// server with one answered UTILMD and one dead letter, and serves the read
// API. It returns the API URL, the NATS URL and the process id.
func readAPIFixture(t *testing.T) (apiURL, natsURL, process string) {
	t.Helper()
	s := natstest.Start(t, natstest.WithListen())
	_, js := s.JetStream()
	ctx := context.Background()
	sys, err := app.NewSystem(ctx, js, app.SystemConfig{
		Tenants:     []ingest.Tenant{{ID: "nb", MPIDs: []string{"9900000000011"}, Roles: []routing.Role{routing.RoleNB}, Sector: catalog.Strom}},
		Modules:     []module.Module{testflow.Module(fv.MustParse("FV2604"))},
		Concurrency: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sys.Close)
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, r := range []func(context.Context) error{sys.RunIngest, sys.RunProcessor, sys.RunRelay, sys.RunProjector} {
		wg.Go(func() { _ = r(wctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	utilmd := string(bench.Interchange("CLI1", "TXCLI1")) // a 55001 complete per its AHB: ingest validates it
	if _, err := js.Publish(ctx, "mako.ingest.nb", []byte(utilmd)); err != nil {
		t.Fatal(err)
	}
	sink, err := deadletter.NewSink(js, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Write(ctx, deadletter.Letter{Reason: deadletter.ReasonUnknownPID, Detail: "no workflow for 99999", Audit: deadletter.Audit{Tenant: "nb", PID: "99999"}}); err != nil {
		t.Fatal(err)
	}
	store := readmodel.NewStore(js)
	for deadline := time.Now().Add(15 * time.Second); ; {
		page, err := store.Processes(ctx, readmodel.ProcessQuery{Tenant: "nb"})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := store.DeadLetters(ctx, readmodel.DeadLetterQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Processes) == 1 && len(ls) == 1 && page.Processes[0].EventCount > 1 {
			process = page.Processes[0].ProcessID
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not projected: %d processes, %d letters", len(page.Processes), len(ls))
		}
		time.Sleep(30 * time.Millisecond)
	}
	readAPI, err := sys.ReadAPI()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(readAPI.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, s.ClientURL(), process
}

func cli(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestProcessCLI(t *testing.T) {
	url, _, id := readAPIFixture(t)

	code, out, errs := cli("process", "list", "--api", url, "--tenant", "nb")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "test.answer@FV2604") || !strings.HasPrefix(out, "PROCESS") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	code, out, _ = cli("process", "list", "--api", url, "--state", "no-such-state", "--json")
	var list api.ProcessList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Processes) != 0 {
		t.Fatalf("list --json with filter: %d %q", code, out)
	}
	t.Setenv("MAKO_API", url)
	code, out, _ = cli("process", "list", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Processes) != 1 || list.Processes[0].ProcessID != id {
		t.Fatalf("list via MAKO_API: %d %q", code, out)
	}

	code, out, errs = cli("process", "show", id, "--tenant", "nb")
	if code != 0 || !strings.Contains(out, "test.received") || !strings.Contains(out, "mako.outbound") || !strings.Contains(out, "APERAK to 9900000000004") {
		t.Fatalf("show: %d %q %q", code, out, errs)
	}
	code, out, _ = cli("process", "show", "--json", id)
	var d api.ProcessDetail
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || d.Process.ProcessID != id || len(d.Timeline) != int(d.Process.EventCount) {
		t.Fatalf("show --json: %d %q", code, out)
	}

	if code, _, errs = cli("process", "show", "00000000-0000-0000-0000-000000000000", "--tenant", "nb"); code != 1 || !strings.Contains(errs, "404") {
		t.Fatalf("unknown process: %d %q", code, errs)
	}
	if code, _, _ = cli("process", "show"); code != 2 {
		t.Fatalf("show without id: %d", code)
	}
	if code, _, errs = cli("process", "list", "--api", "http://127.0.0.1:1"); code != 2 || errs == "" {
		t.Fatalf("unreachable API: %d %q", code, errs)
	}
	if code, _, _ = cli("process", "frobnicate"); code != 2 {
		t.Fatalf("unknown subcommand: %d", code)
	}
}
