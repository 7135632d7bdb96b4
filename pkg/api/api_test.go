package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
)

type open struct {
	MaLo string
	Due  time.Time
}

func (open) CommandType() string { return "api.open" }

type opened struct {
	MaLo string `json:"malo"`
}

func (opened) EventType() string { return "api.opened" }

// wf opens a process with a MaLo, a deadline and an outbound message.
type wf struct{ name string }

func (w wf) Name() string                  { return w.name }
func (wf) Codec() *engine.Codec            { return engine.NewCodec().Event(opened{}, 1).Command(open{}) }
func (wf) Initial() int                    { return 0 }
func (wf) Apply(s int, _ engine.Event) int { return s + 1 }
func (wf) Handle(_ int, cmd engine.Command) (engine.Decision, error) {
	c := cmd.Payload.(open)
	return engine.Decision{
		Events:       []engine.EventData{opened{MaLo: c.MaLo}},
		Outbound:     []engine.Outbound{{Recipient: "9900000000004", MessageType: "UTILMD", InterchangeRef: "REF1", Payload: []byte("UNA:+.? '")}},
		SetDeadlines: []engine.DeadlineRequest{{Label: "answer", Due: c.Due}},
		Correlate:    []engine.BusinessKey{{Kind: inbound.KeyMaLo, Value: c.MaLo}},
	}, nil
}

var due = time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)

// fixture commits two processes — one of a workflow the API knows, one of a
// workflow it does not — projects them and serves the API.
func fixture(t *testing.T) (*api.Client, string, string) {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	st, err := natsstore.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	known := engine.Define[int](wf{name: "api.known"}, fv.MustParse("FV2604"))
	ghost := engine.Define[int](wf{name: "api.ghost"}, fv.MustParse("FV2604"))
	writer, err := engine.New(engine.WithEventStore(st.Events), engine.WithWorkflows(known, ghost))
	if err != nil {
		t.Fatal(err)
	}
	reader, err := engine.New(engine.WithEventStore(st.Events), engine.WithWorkflows(known))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var lastMsg string
	for _, d := range []engine.AnyDefinition{known, ghost} {
		id, _ := engine.NewIdentity("nb", d.ID())
		res, err := writer.Execute(ctx, id, engine.Command{ID: "c1", ReceivedAt: due.Add(-48 * time.Hour), Payload: open{MaLo: "51234567895", Due: due}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, string(id.Process))
		lastMsg = engine.MessageIDFor(id.Process, "c1", 0)
		if res.Envelopes[1].Type != engine.EventOutbound {
			t.Fatalf("envelopes %+v", res.Envelopes)
		}
	}
	// The deliverer gave up on the ghost process's message.
	sink, err := deadletter.NewSink(js, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Write(ctx, deadletter.Letter{Reason: deadletter.ReasonOutboxExhausted, Detail: "window elapsed",
		Audit: deadletter.Audit{Tenant: "nb", MessageRef: lastMsg, Process: ids[1]}}); err != nil {
		t.Fatal(err)
	}
	p, err := readmodel.NewProjector(ctx, js, reader)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(ctx, "MAKO_EVENTS", readmodel.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	dlq, err := js.Consumer(ctx, "MAKO_DLQ", readmodel.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		_ = worker.Run(wctx, cons, p.HandleEvent, worker.WithKey(readmodel.LaneKey))
		done <- struct{}{}
	}()
	go func() { _ = worker.Run(wctx, dlq, p.HandleDeadLetter); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	wait, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := readmodel.WaitCaughtUp(wait, js, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	apiSrv, err := api.NewServer(readmodel.NewStore(js), st.Events, reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(apiSrv.Handler())
	t.Cleanup(srv.Close)
	c, err := api.NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, ids[0], ids[1]
}

func TestReadAPI(t *testing.T) {
	c, known, ghost := fixture(t)
	ctx := context.Background()

	list, err := c.Processes(ctx, readmodel.ProcessQuery{Tenant: "nb", MaLo: "51234567895"})
	if err != nil || len(list.Processes) != 2 || list.NextCursor != "" {
		t.Fatalf("list: %+v %v", list, err)
	}
	list, err = c.Processes(ctx, readmodel.ProcessQuery{Workflow: "api.known", Limit: 1})
	if err != nil || len(list.Processes) != 1 || list.Processes[0].ProcessID != known {
		t.Fatalf("workflow filter: %+v %v", list, err)
	}

	d, err := c.Process(ctx, "nb", known)
	if err != nil {
		t.Fatal(err)
	}
	if d.Process.State != "api.opened" || len(d.Process.OpenDeadlines) != 1 || d.Process.Outbound[0].Status != readmodel.DeliveryQueued {
		t.Fatalf("overview %+v", d.Process)
	}
	types := ""
	for _, e := range d.Timeline {
		types += e.Type + "/" + e.Kind + " "
		if e.Raw {
			t.Fatalf("known workflow shown raw: %+v", e)
		}
	}
	want := "api.opened/workflow mako.outbound/engine mako.deadline.set/engine mako.key.bound/engine "
	if types != want {
		t.Fatalf("timeline %q, want %q", types, want)
	}
	if m, ok := d.Timeline[0].Data.(map[string]any); !ok || m["malo"] != "51234567895" {
		t.Fatalf("workflow data %#v", d.Timeline[0].Data)
	}
	if m, ok := d.Timeline[1].Data.(map[string]any); !ok || m["message_type"] != "UTILMD" || m["payload_size"] != float64(9) {
		t.Fatalf("outbound data %#v", d.Timeline[1].Data)
	}
	if m, ok := d.Timeline[2].Data.(map[string]any); !ok || m["label"] != "answer" || m["due"] != "2026-11-23T23:00:00Z" {
		t.Fatalf("deadline data %#v", d.Timeline[2].Data)
	}

	// A workflow the API does not run: shown raw with a note, engine events decoded.
	g, err := c.Process(ctx, "", ghost)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Timeline[0].Raw || !strings.Contains(g.Timeline[0].Note, "api.ghost") || g.Timeline[1].Raw {
		t.Fatalf("ghost timeline %+v", g.Timeline[:2])
	}
	if m, ok := g.Timeline[0].Data.(map[string]any); !ok || m["MaLo"] != "51234567895" { // msgpack field names
		t.Fatalf("raw data %#v", g.Timeline[0].Data)
	}
	if o := g.Process.Outbound[0]; o.Status != readmodel.DeliveryFailed || o.DeadLetterSeq == 0 || len(g.DeadLetters) != 1 || g.DeadLetters[0].MessageRef != o.MessageID {
		t.Fatalf("failed delivery not joined: %+v %+v", o, g.DeadLetters)
	}
	if len(d.DeadLetters) != 0 {
		t.Fatalf("letters of another process: %+v", d.DeadLetters)
	}
	if len(g.Process.Errors) != 1 || g.Process.Errors[0].Type != "api.opened" {
		t.Fatalf("projection errors %+v", g.Process.Errors)
	}

	k, err := c.Key(ctx, "nb", "malo", "51234567895")
	if err != nil || len(k.Processes) != 2 || k.Kind != "malo" || k.Value != "51234567895" {
		t.Fatalf("key %+v %v", k, err)
	}
	var ae *api.Error
	if _, err := c.Key(ctx, "nb", "malo", "00000000000"); !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := c.Key(ctx, "", "malo", "51234567895"); !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Fatalf("key without tenant: %v", err)
	}

	dl, err := c.Deadlines(ctx, "nb", due.Add(time.Second))
	if err != nil || len(dl.Deadlines) != 2 || dl.Deadlines[0].Label != "answer" {
		t.Fatalf("deadlines %+v %v", dl, err)
	}
	if dl, err = c.Deadlines(ctx, "nb", due); err != nil || len(dl.Deadlines) != 0 {
		t.Fatalf("deadlines due before %v: %+v %v", due, dl, err)
	}
	if ls, err := c.DeadLetters(ctx, readmodel.DeadLetterQuery{Reason: "syntax_error"}); err != nil || ls.DeadLetters == nil || len(ls.DeadLetters) != 0 {
		t.Fatalf("dead letters %+v %v", ls, err)
	}
}

func TestReadAPIErrors(t *testing.T) {
	c, known, _ := fixture(t)
	ctx := context.Background()
	status := func(err error) int {
		var ae *api.Error
		if !errors.As(err, &ae) {
			t.Fatalf("not an *api.Error: %v", err)
		}
		return ae.Status
	}
	if _, err := c.Process(ctx, "nb", "00000000-0000-0000-0000-000000000000"); status(err) != http.StatusNotFound {
		t.Fatalf("unknown process: %v", err)
	}
	if _, err := c.Process(ctx, "other", known); status(err) != http.StatusNotFound {
		t.Fatalf("process of another tenant: %v", err)
	}
	for _, bad := range []error{
		func() error { _, err := c.Processes(ctx, readmodel.ProcessQuery{Tenant: "a.b"}); return err }(),
		func() error { _, err := c.Processes(ctx, readmodel.ProcessQuery{Limit: 5000}); return err }(),
		func() error { _, err := c.Processes(ctx, readmodel.ProcessQuery{Cursor: "!!"}); return err }(),
		func() error { _, err := c.Process(ctx, "nb", "bad.id"); return err }(),
		func() error { _, err := c.DeadLetters(ctx, readmodel.DeadLetterQuery{Limit: -2}); return err }(),
	} {
		if status(bad) != http.StatusBadRequest {
			t.Fatalf("want 400: %v", bad)
		}
	}
}

func TestRawHTTPErrors(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	if err := streams.Ensure(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	apiSrv, err := api.NewServer(readmodel.NewStore(js), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(apiSrv.Handler())
	defer srv.Close()
	for path, want := range map[string]int{
		"/v1/processes?limit=x":         400,
		"/v1/deadlines?due_before=soon": 400,
		"/v1/deadletters?limit=1e3":     400,
		"/v1/processes":                 200,
		"/v1/deadlines":                 200,
		"/v1/processes/abc":             404,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
		if want != 200 && !strings.Contains(string(b), fmt.Sprintf(`"status":%d`, want)) {
			t.Errorf("%s: error body %s", path, b)
		}
	}
	if _, err := api.NewClient("ftp://x"); err == nil {
		t.Error("ftp base URL accepted")
	}
}

// TestInvalidOptionsAreRefused: an invalid server or client option is an
// error of the constructor, not silently ignored.
func TestInvalidOptionsAreRefused(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if s, err := api.NewServer(nil, nil, nil, api.WithTimeout(d)); err == nil || s != nil {
			t.Errorf("WithTimeout(%v): server %v, err %v; want an error", d, s, err)
		}
	}
	if _, err := api.NewServer(nil, nil, nil, api.WithTimeout(time.Second)); err != nil {
		t.Errorf("WithTimeout(1s): %v", err)
	}
	for name, o := range map[string]api.ClientOption{
		"nil http client":   api.WithHTTPClient(nil),
		"empty token":       api.WithBearerToken(""),
		"token with a CRLF": api.WithBearerToken("t\r\nX-Evil: 1"),
	} {
		if c, err := api.NewClient(api.DefaultURL, o); err == nil || c != nil {
			t.Errorf("%s: client %v, err %v; want an error", name, c, err)
		}
	}
	if _, err := api.NewClient(api.DefaultURL, api.WithBearerToken("tok"), api.WithHTTPClient(http.DefaultClient)); err != nil {
		t.Errorf("valid options: %v", err)
	}
}
