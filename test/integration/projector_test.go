package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// projflow exercises every part of the process overview: a state label and
// PIDs (module.Projectable), an outcome (module.Outcome), deadlines
// set and cancelled, MaLo/MeLo/document keys, an outbound message and its
// delivery report.
type projflow struct{}

type pfOpen struct {
	MaLo, MeLo, PID, Document string
	Due                       time.Time
}

func (pfOpen) CommandType() string { return "pf.open" }

type pfClose struct{ Result string }

func (pfClose) CommandType() string { return "pf.close" }

type pfOpened struct{ PID, MaLo string }

func (pfOpened) EventType() string { return "pf.opened" }
func (e pfOpened) ProjectionFields() module.Fields {
	return module.Fields{State: "waiting_for_answer", PIDs: []string{e.PID}}
}

type pfClosed struct{ Result string }

func (pfClosed) EventType() string        { return "pf.closed" }
func (e pfClosed) ProcessOutcome() string { return e.Result }
func (e pfClosed) ProjectionFields() module.Fields {
	return module.Fields{State: "closed", PIDs: []string{"55003"}}
}

type pfDelivered struct{ MessageID, Status string }

func (pfDelivered) EventType() string { return "pf.delivered" }

func (projflow) Name() string { return "test.projection" }
func (projflow) Codec() *engine.Codec {
	return engine.NewCodec().Event(pfOpened{}, 1).Event(pfClosed{}, 1).Event(pfDelivered{}, 1).
		Command(pfOpen{}).Command(pfClose{}).Command(delivery.Confirmed{})
}
func (projflow) Initial() int                    { return 0 }
func (projflow) Apply(s int, _ engine.Event) int { return s + 1 }
func (projflow) Handle(_ int, cmd engine.Command) (engine.Decision, error) {
	switch c := cmd.Payload.(type) {
	case pfOpen:
		return engine.Decision{
			Events:       []engine.EventData{pfOpened{PID: c.PID, MaLo: c.MaLo}},
			Outbound:     []engine.Outbound{{Recipient: mpLF, Sender: mpNB, MessageType: "UTILMD", InterchangeRef: "PF" + c.Document, Payload: []byte("UNA:+.? '")}},
			SetDeadlines: []engine.DeadlineRequest{{Label: "answer", Due: c.Due}, {Label: "escalate", Due: c.Due.Add(24 * time.Hour)}},
			Correlate: []engine.BusinessKey{{Kind: inbound.KeyMaLo, Value: c.MaLo}, {Kind: inbound.KeyMeLo, Value: c.MeLo},
				{Kind: inbound.KeyDocument, Value: mpLF + ":" + c.Document}},
		}, nil
	case pfClose:
		return engine.Decision{Events: []engine.EventData{pfClosed{Result: c.Result}}, CancelDeadlines: []string{"answer"}}, nil
	case delivery.Confirmed:
		return engine.Decision{Events: []engine.EventData{pfDelivered{MessageID: c.MessageID, Status: c.Status}}}, nil
	}
	return engine.Decision{}, fmt.Errorf("projflow: unexpected %T", cmd.Payload)
}

var pfDef = engine.Define[int](projflow{}, fv.MustParse("FV2604"))

func projectionConfig() app.SystemConfig {
	cfg := defaultConfig()
	cfg.Modules = append(cfg.Modules, module.Module{Name: "projection", Definitions: []engine.AnyDefinition{pfDef}})
	return cfg
}

var projectorWorkers = []func(*app.System, context.Context) error{
	(*app.System).RunIngest, (*app.System).RunProcessor, (*app.System).RunRelay, (*app.System).RunProjector,
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s", what, state)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

var pfDue = time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)

// startProjflow opens n projflow processes (MaLo alternating between two
// ids), closes the even ones and confirms the delivery of the first one's
// message as the deliverer would. It returns the identities.
func startProjflow(t *testing.T, js jetstream.JetStream, n int) []engine.ProcessIdentity {
	t.Helper()
	ctx := context.Background()
	var ids []engine.ProcessIdentity
	for i := range n {
		id := engine.ProcessIdentity{Tenant: "nb", Process: engine.ProcessID(fmt.Sprintf("pf-%02d", i)), Workflow: pfDef.ID()}
		at := time.Date(2026, 11, 20, 9, i, 0, 0, time.UTC)
		must(t, command.Publish(ctx, js, id, pfDef.Codec(), engine.Command{ID: "open", ReceivedAt: at,
			Payload: pfOpen{MaLo: fmt.Sprint("5123456789", i%2), MeLo: fmt.Sprint("DE0001", i), PID: "55001", Document: fmt.Sprint("DOC", i), Due: pfDue.Add(time.Duration(i) * time.Hour)}}))
		if i%2 == 0 {
			must(t, command.Publish(ctx, js, id, pfDef.Codec(), engine.Command{ID: "close", ReceivedAt: at.Add(time.Minute), Payload: pfClose{Result: "accepted"}}))
		}
		if i == 1 {
			msgID := engine.MessageIDFor(id.Process, "open", 0)
			must(t, command.Publish(ctx, js, id, pfDef.Codec(), engine.Command{ID: delivery.ConfirmedID(msgID), ReceivedAt: at.Add(2 * time.Minute),
				Payload: delivery.Confirmed{MessageID: msgID, Recipient: mpLF, Transport: "http", Status: "202 Accepted", Attempts: 1, At: at.Add(2 * time.Minute)}}))
		}
		ids = append(ids, id)
	}
	return ids
}

// wantEvents is the event count of projflow process i (startProjflow).
func wantEvents(i int) uint64 {
	n := uint64(1 + 1 + 2 + 3) // opened, outbound, 2 deadlines, 3 keys
	if i%2 == 0 {
		n += 2 // closed, answer cancelled
	}
	if i == 1 {
		n++ // delivered
	}
	return n
}

func getJSON(t *testing.T, base, path string, q url.Values, v any) int {
	t.Helper()
	resp, err := http.Get(base + path + "?" + q.Encode())
	must(t, err)
	defer resp.Body.Close()
	must(t, json.NewDecoder(resp.Body).Decode(v))
	return resp.StatusCode
}

// The projector builds the overview, index and dead-letter read models from
// a pipeline run; the HTTP API answers with them; a rebuild from the history
// gives byte-identical read models.
func TestProjectionsReadAPIAndRebuild(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, projectionConfig())
	startWorkers(t, sys, projectorWorkers...)
	ctx := context.Background()

	const n = 6
	ids := startProjflow(t, js, n)
	publishIngest(t, js, "nb", utilmd55001("MKP1", "VGP1"))
	unknownPID := bytes.Replace(utilmd55001("MKP2", "VGP2"), []byte("RFF+Z13:55001"), []byte("RFF+Z13:55004"), 1)
	publishIngest(t, js, "nb", unknownPID)

	store := readmodel.NewStore(js)
	eventually(t, 20*time.Second, "projections", func() (bool, string) {
		page, err := store.Processes(ctx, readmodel.ProcessQuery{Tenant: "nb", Limit: 100})
		must(t, err)
		letters, err := store.DeadLetters(ctx, readmodel.DeadLetterQuery{})
		must(t, err)
		done := 0
		for _, p := range page.Processes {
			if p.Workflow == "test.projection" {
				var i int
				fmt.Sscanf(p.ProcessID, "pf-%d", &i)
				if p.EventCount == wantEvents(i) {
					done++
				}
			} else if p.EventCount > 1 {
				done++
			}
		}
		return done == n+1 && len(letters) >= 1, fmt.Sprintf("%d of %d processes, %d letters", done, n+1, len(letters))
	})

	readAPI, err := sys.ReadAPI()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(readAPI.Handler())
	defer srv.Close()

	// One overview in full.
	var d api.ProcessDetail
	if code := getJSON(t, srv.URL, "/v1/processes/"+string(ids[1].Process), url.Values{"tenant": {"nb"}}, &d); code != 200 {
		t.Fatalf("show: %d", code)
	}
	p := d.Process
	if p.State != "waiting_for_answer" || p.StateSource != readmodel.StateFromWorkflow || p.Outcome != "" ||
		!slices.Equal(p.MaLo, []string{"51234567891"}) || !slices.Equal(p.MeLo, []string{"DE00011"}) || !slices.Equal(p.PIDs, []string{"55001"}) ||
		len(p.Keys) != 3 || p.Workflow != "test.projection" || p.FormatVersion != "FV2604" || p.EventCount != wantEvents(1) {
		t.Fatalf("overview %+v", p)
	}
	if len(p.OpenDeadlines) != 2 || !p.OpenDeadlines[0].Due.Equal(pfDue.Add(time.Hour)) || p.OpenDeadlines[1].Label != "escalate" {
		t.Fatalf("deadlines %+v", p.OpenDeadlines)
	}
	if len(p.Outbound) != 1 || p.Outbound[0].Status != readmodel.DeliveryDelivered || p.Outbound[0].MessageType != "UTILMD" || p.Outbound[0].ReportedAt == nil {
		t.Fatalf("outbound %+v", p.Outbound)
	}
	var types []string
	for _, e := range d.Timeline {
		if e.Raw {
			t.Fatalf("raw timeline event %+v", e)
		}
		types = append(types, e.Type)
	}
	if len(types) != int(p.EventCount) || types[0] != "pf.opened" || types[len(types)-1] != "pf.delivered" {
		t.Fatalf("timeline %v", types)
	}
	if code := getJSON(t, srv.URL, "/v1/processes/"+string(ids[0].Process), nil, &d); code != 200 || d.Process.State != "closed" ||
		d.Process.Outcome != "accepted" || len(d.Process.OpenDeadlines) != 1 || !slices.Equal(d.Process.PIDs, []string{"55001", "55003"}) {
		t.Fatalf("closed process: %d %+v", code, d.Process)
	}

	// Listing: filters and stable paging.
	var list api.ProcessList
	if code := getJSON(t, srv.URL, "/v1/processes", url.Values{"malo": {"51234567891"}, "tenant": {"nb"}}, &list); code != 200 || len(list.Processes) != n/2 {
		t.Fatalf("malo filter: %d %d", code, len(list.Processes))
	}
	if getJSON(t, srv.URL, "/v1/processes", url.Values{"state": {"closed"}, "workflow": {"test.projection"}}, &list); len(list.Processes) != n/2 {
		t.Fatalf("state filter: %d", len(list.Processes))
	}
	var paged []string
	q := url.Values{"tenant": {"nb"}, "limit": {"2"}}
	for range 10 {
		list = api.ProcessList{}
		getJSON(t, srv.URL, "/v1/processes", q, &list)
		for _, p := range list.Processes {
			paged = append(paged, p.ProcessID)
		}
		if list.NextCursor == "" {
			break
		}
		q.Set("cursor", list.NextCursor)
	}
	if len(paged) != n+1 || len(slices.Compact(slices.Sorted(slices.Values(paged)))) != n+1 {
		t.Fatalf("pages %v", paged)
	}

	// Deadlines due before the 3rd hour: answer of pf-01 (pf-00's was
	// cancelled) and pf-02 is closed too; escalations are a day later.
	var dl api.DeadlineList
	getJSON(t, srv.URL, "/v1/deadlines", url.Values{"due_before": {pfDue.Add(3 * time.Hour).Format(time.RFC3339)}, "tenant": {"nb"}}, &dl)
	if len(dl.Deadlines) != 1 || dl.Deadlines[0].ProcessID != "pf-01" || dl.Deadlines[0].Label != "answer" {
		t.Fatalf("deadlines %+v", dl.Deadlines)
	}
	var letters api.DeadLetterList
	getJSON(t, srv.URL, "/v1/deadletters", url.Values{"reason": {"unknown_pid"}, "tenant": {"nb"}}, &letters)
	if len(letters.DeadLetters) != 1 || letters.DeadLetters[0].PID != "55004" || letters.DeadLetters[0].SourceStream != "MAKO_INGEST" {
		t.Fatalf("dead letters %+v", letters.DeadLetters)
	}
	var eb api.ErrorBody
	if code := getJSON(t, srv.URL, "/v1/processes/pf-99", url.Values{"tenant": {"nb"}}, &eb); code != 404 || eb.Status != 404 {
		t.Fatalf("unknown process: %d %+v", code, eb)
	}

	// The index by business key.
	k, err := store.Key(ctx, "nb", "document", mpLF+":DOC3")
	must(t, err)
	if !slices.Equal(k.Processes, []string{"pf-03"}) {
		t.Fatalf("document index %+v", k)
	}

	// Rebuild: purge, reset, replay by the running projector → identical.
	waitCaughtUp(t, js)
	before, err := readmodel.Dump(ctx, js)
	must(t, err)
	must(t, readmodel.Reset(ctx, js))
	waitCaughtUp(t, js)
	after, err := readmodel.Dump(ctx, js)
	must(t, err)
	compareDumps(t, before, after)
}

// waitCaughtUp waits until the projector consumers are caught up and
// reports their state if they are not.
func waitCaughtUp(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := readmodel.WaitCaughtUp(ctx, js, 20*time.Millisecond); err != nil {
		for _, st := range []string{"MAKO_EVENTS", "MAKO_DLQ"} {
			if c, cerr := js.Consumer(context.Background(), st, readmodel.Consumer); cerr == nil {
				if info, ierr := c.Info(context.Background()); ierr == nil {
					t.Logf("%s/%s: pending %d, ack pending %d, waiting %d, delivered %+v", st, readmodel.Consumer,
						info.NumPending, info.NumAckPending, info.NumWaiting, info.Delivered)
				}
			}
		}
		t.Fatal(err)
	}
}

func compareDumps(t *testing.T, before, after map[string]map[string][]byte) {
	t.Helper()
	total := 0
	for b, m := range before {
		if len(after[b]) != len(m) {
			t.Fatalf("%s: %d values before the rebuild, %d after", b, len(m), len(after[b]))
		}
		for k, v := range m {
			if !bytes.Equal(after[b][k], v) {
				t.Fatalf("%s/%s differs after the rebuild:\n%s\n%s", b, k, v, after[b][k])
			}
			total++
		}
	}
	if total == 0 {
		t.Fatal("nothing to compare")
	}
}

// A projection failure never affects the write path: with the overview
// bucket gone and a corrupt commit in the event stream, the processor keeps
// committing and the relay keeps sending; after the bucket is back, a
// rebuild projects everything, the corrupt commit as a projection error.
func TestProjectorFailureDoesNotStopProcessor(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, projectionConfig())
	startWorkers(t, sys, projectorWorkers...)
	ctx := context.Background()

	// The projector runs (it projected a first process) when its bucket goes.
	publishIngest(t, js, "nb", utilmd55001("MKF0", "VGF0"))
	store := readmodel.NewStore(js)
	eventually(t, 10*time.Second, "first projection", func() (bool, string) {
		page, err := store.Processes(ctx, readmodel.ProcessQuery{})
		must(t, err)
		return len(page.Processes) == 1, fmt.Sprint(len(page.Processes), " processes")
	})
	must(t, js.DeleteStream(ctx, streams.KVStream(readmodel.BucketProcesses)))
	bad := nats.NewMsg("mako.evt.nb.corrupt-1")
	bad.Data = []byte("\xc1 not a commit")
	bad.Header.Set("Mako-Seq", "1-1")
	_, err := js.PublishMsg(ctx, bad)
	must(t, err)

	const n = 4
	startProjflow(t, js, n)
	for i := 1; i < 3; i++ {
		publishIngest(t, js, "nb", utilmd55001(fmt.Sprint("MKF", i), fmt.Sprint("VGF", i)))
	}
	// Processor and relay: every command committed, every answer sent.
	commits := uint64(n + n/2 + 1 + 3 + 1) // opens, closes, delivery report, UTILMD answers, corrupt
	eventually(t, 20*time.Second, "commits and outbox", func() (bool, string) {
		c, o := count(t, js, "MAKO_EVENTS", "mako.evt.>"), count(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>")
		return c == commits && o == n+3, fmt.Sprintf("%d commits, %d outbox", c, o)
	})
	if ok, err := readmodel.CaughtUp(ctx, js); err != nil || ok {
		t.Fatalf("projector caught up without its bucket: %v %v", ok, err)
	}

	must(t, streams.EnsureStreams(ctx, js, []string{streams.KVStream(readmodel.BucketProcesses)}))
	must(t, readmodel.Reset(ctx, js))
	waitCaughtUp(t, js)
	page, err := store.Processes(ctx, readmodel.ProcessQuery{Limit: 100})
	must(t, err)
	if len(page.Processes) != n+3+1 {
		t.Fatalf("%d processes after the rebuild, want %d", len(page.Processes), n+3+1)
	}
	broken, err := store.Process(ctx, "nb", "corrupt-1")
	must(t, err)
	if len(broken.Errors) != 1 || broken.EventCount != 1 || broken.Errors[0].Sequence != 1 {
		t.Fatalf("corrupt commit: %+v", broken)
	}
	for i := range n {
		p, err := store.Process(ctx, "nb", fmt.Sprintf("pf-%02d", i))
		must(t, err)
		if p.EventCount != wantEvents(i) || len(p.Errors) != 0 {
			t.Fatalf("pf-%02d: %+v", i, p)
		}
	}
}

// cmd/makod serves the read API on its --http address, answered by the
// projector it runs.
func TestMakodServesReadAPI(t *testing.T) {
	t.Setenv("NATS_URL", "")
	t.Setenv("MAKO_API", "")
	free := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		defer l.Close()
		return l.Addr().String()
	}
	natsAddr, httpAddr := free(), free()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr safeBuffer
	done := make(chan error, 1)
	go func() {
		done <- app.RunDaemon(ctx, []string{"--data", t.TempDir(), "--listen", natsAddr, "--http", httpAddr, "--log-level", "error", "--modules", "testflow"}, &stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("makod: %v", err)
		}
	}()
	var nc *nats.Conn
	eventually(t, 15*time.Second, "makod's NATS", func() (bool, string) {
		var err error
		nc, err = nats.Connect("nats://" + natsAddr)
		return err == nil, fmt.Sprint(err)
	})
	defer nc.Close()
	js, err := jetstream.New(nc)
	must(t, err)
	eventually(t, 15*time.Second, "ingest accepting", func() (bool, string) {
		_, err := js.Publish(context.Background(), "mako.ingest.nb", utilmd55001("MKD1", "VGD1"))
		return err == nil, fmt.Sprint(err)
	})
	c, err := api.NewClient("http://" + httpAddr)
	must(t, err)
	var list api.ProcessList
	eventually(t, 15*time.Second, "the process in the read API", func() (bool, string) {
		list, err = c.Processes(context.Background(), readmodel.ProcessQuery{Tenant: "nb"})
		return err == nil && len(list.Processes) == 1 && len(list.Processes[0].Outbound) == 1, fmt.Sprintf("%+v %v; %s", list, err, stderr.String())
	})
	d, err := c.Process(context.Background(), "nb", list.Processes[0].ProcessID)
	must(t, err)
	if d.Process.Workflow != "test.answer" || len(d.Timeline) != int(d.Process.EventCount) || d.Timeline[0].Type != "test.received" || d.Timeline[0].Raw {
		t.Fatalf("process %+v", d)
	}
}

// safeBuffer is a bytes.Buffer safe for the daemon's concurrent log writes.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
