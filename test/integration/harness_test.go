// Package integration runs the pipeline end to end on embedded nats-servers:
// raw EDIFACT published to `mako.ingest.<tenant>` flows through ingest,
// processor and relay to `mako.outbox.<tenant>.<recipient>`.
package integration

import (
	"context"
	"github.com/mako-engine/mako/internal/bench"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Market partner ids of the worked example (edifact.md §13; valid check digits).
const (
	mpLF = "9900000000004"
	mpNB = "9900000000011"
)

// nbTenant is the grid operator tenant that receives the LF's messages.
var nbTenant = ingest.Tenant{ID: "nb", MPIDs: []string{mpNB}, Roles: []routing.Role{routing.RoleNB}, Sector: catalog.Strom}

// gasTenant receives Gas interchanges.
var gasTenant = ingest.Tenant{ID: "gasnb", MPIDs: []string{mpNB}, Roles: []routing.Role{routing.RoleNB}, Sector: catalog.Gas}

func defaultConfig() app.SystemConfig {
	return app.SystemConfig{
		Tenants:     []ingest.Tenant{nbTenant, gasTenant},
		Modules:     []module.Module{testflow.Module(fv.MustParse("FV2604"))},
		Concurrency: 4,
	}
}

// workers runs the pipeline's workers in goroutines until stopped.
type workers struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error
}

func startWorkers(t *testing.T, sys *app.System, run ...func(*app.System, context.Context) error) *workers {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &workers{cancel: cancel, errs: make(chan error, len(run))}
	for _, r := range run {
		w.wg.Go(func() {
			if err := r(sys, ctx); err != nil {
				w.errs <- err
			}
		})
	}
	t.Cleanup(w.stop)
	return w
}

func (w *workers) stop() {
	w.cancel()
	w.wg.Wait()
}

// allWorkers are the pipeline part 1 workers.
var allWorkers = []func(*app.System, context.Context) error{
	(*app.System).RunIngest, (*app.System).RunProcessor, (*app.System).RunRelay,
}

func newSystem(t *testing.T, js jetstream.JetStream, cfg app.SystemConfig) *app.System {
	t.Helper()
	sys, err := app.NewSystem(context.Background(), js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sys.Close)
	return sys
}

// utilmd55001 is the worked example's Anmeldung, complete per its AHB
// (internal/bench.Interchange, which ingest validates), with a transaction
// id and interchange reference of our choice.
func utilmd55001(ref, tx string) []byte { return bench.Interchange(ref, tx) }

// receivedAt is the receipt time of the example: Friday 2026-11-20 10:15 CET.
const receivedAt = "2026-11-20T10:15:00+01:00"

func publishIngest(t testing.TB, js jetstream.JetStream, tenant string, data []byte) {
	t.Helper()
	msg := nats.NewMsg("mako.ingest." + tenant)
	msg.Data = data
	msg.Header.Set(inbound.HeaderReceivedAt, receivedAt)
	if _, err := js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

// collect reads every message on subject filter of stream until want messages
// arrived or the timeout passed.
func collect(t testing.TB, js jetstream.JetStream, stream, filter string, want int, timeout time.Duration) []jetstream.Msg {
	t.Helper()
	ctx := context.Background()
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	deadline := time.Now().Add(timeout)
	for len(out) < want && time.Now().Before(deadline) {
		batch, err := cons.Fetch(want-len(out), jetstream.FetchMaxWait(200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			out = append(out, m)
		}
	}
	return out
}

// count returns the number of messages on filter in stream right now.
func count(t testing.TB, js jetstream.JetStream, stream, filter string) uint64 {
	t.Helper()
	st, err := js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n
}

func startServer(t *testing.T) (*natstest.Server, jetstream.JetStream) {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	return s, js
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
