package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/console"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
)

// benchProcesses is the size of the read model of BenchmarkPages.
const benchProcesses = 10_000

// BenchmarkPages measures the server time of each console page (handler
// time, no network) with benchProcesses process overviews in the read
// model (three tenants, every third with an open deadline, a MaLo each
// indexed) and 300 dead letters, for an operator who sees every tenant.
// The process page reads a process without event history (the overviews
// are synthetic); its cost with history is that of the event load.
//
//	go test -run '^$' -bench Pages -count 3 ./pkg/console
func BenchmarkPages(b *testing.B) {
	s := natstest.Start(b)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		b.Fatal(err)
	}
	st, err := natsstore.Open(ctx, js)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	procs, _ := js.KeyValue(ctx, readmodel.BucketProcesses)
	keys, _ := js.KeyValue(ctx, readmodel.BucketKeys)
	letters, _ := js.KeyValue(ctx, readmodel.BucketDeadLetters)
	tenants := []string{"lfn", "nb", "lfa"}
	states := []string{"request_received", "waiting_for_answer", "confirmed", "rejected", "waiting_for_decision"}
	pids := []string{"55001", "55002", "55007", "55008", "55010", "55011"}
	now := time.Now()
	var someMaLo, someID string
	for i := range benchProcesses {
		d, _ := ident.MaLoCheckDigit(fmt.Sprintf("5%09d", i))
		malo := fmt.Sprintf("5%09d%c", i, d)
		p := readmodel.Process{Tenant: tenants[i%3], ProcessID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Workflow: "gpke.nb.lieferbeginn",
			FormatVersion: "FV2610", State: states[i%len(states)], StateSource: readmodel.StateFromWorkflow, MaLo: []string{malo}, MeLo: []string{},
			Keys: []readmodel.Key{{Kind: "conversation", Value: fmt.Sprintf("9900000000011:C%d", i)}}, PIDs: []string{pids[i%len(pids)], pids[(i+1)%len(pids)]},
			OpenDeadlines: []readmodel.Deadline{}, CreatedAt: now.Add(-time.Duration(i) * time.Minute), LastEventAt: now.Add(-time.Duration(i) * time.Second),
			LastEventType: "gpke.sent", EventCount: 12,
			Outbound: []readmodel.Outbound{{MessageID: fmt.Sprintf("m%d", i), Recipient: "9900000000004", MessageType: "UTILMD", Status: "queued", QueuedAt: now.Add(-time.Duration(i) * time.Minute)}}}
		if i%3 == 0 {
			p.OpenDeadlines = append(p.OpenDeadlines, readmodel.Deadline{DeadlineID: "aperak", Label: "aperak", Due: now.Add(time.Duration(i-5000) * time.Minute)})
		}
		v, _ := json.Marshal(p)
		if _, err := procs.Put(ctx, readmodel.ProcessKey(p.Tenant, p.ProcessID), v); err != nil {
			b.Fatal(err)
		}
		k, _ := json.Marshal(readmodel.KeyEntry{Tenant: p.Tenant, Kind: "malo", Value: malo, Processes: []string{p.ProcessID}})
		if _, err := keys.Put(ctx, readmodel.IndexKey(p.Tenant, "malo", malo), k); err != nil {
			b.Fatal(err)
		}
		if i == benchProcesses/2 {
			someMaLo, someID = malo, p.ProcessID
		}
	}
	for i := range 300 {
		l, _ := json.Marshal(readmodel.DeadLetter{Tenant: tenants[i%3], Sequence: uint64(i + 1), Reason: "syntax_error", Detail: "UCI 7", At: now.Format(time.RFC3339)})
		if _, err := letters.Put(ctx, readmodel.DeadLetterKey(tenants[i%3], uint64(i+1)), l); err != nil {
			b.Fatal(err)
		}
	}
	var ts []console.Tenant
	for _, t := range tenants {
		ts = append(ts, console.Tenant{ID: t})
	}
	c, err := console.New(js, st.Events, nil, console.WithTenants(ts...))
	if err != nil {
		b.Fatal(err)
	}
	h := c.Handler()
	pages := []struct{ name, path string }{
		{"Ueberblick", "/"},
		{"Vorgaenge", "/vorgaenge"},
		{"VorgaengeMaLo", "/vorgaenge?q=" + someMaLo},
		{"VorgaengePID", "/vorgaenge?q=55007&status=confirmed"},
		{"VorgaengeMandantSeite3", "/vorgaenge?mandant=nb&seite=3"},
		{"Vorgang", "/vorgaenge/" + someID + "?mandant=" + tenants[(benchProcesses/2)%3]},
		{"Klaerfaelle", "/klaerfaelle"},
		{"Partner", "/partner"},
		{"Stammdaten", "/stammdaten"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+p.path, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d %s", p.path, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
