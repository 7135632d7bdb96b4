package streams_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// fileKeys returns the top-level keys and raw values of a JSON file.
func fileKeys(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// compareJSON checks that every key of the file has the same value in got
// (marshalled through the jetstream types, so the server's defaults fill the
// keys the file leaves out and reserved metadata is ignored).
func compareJSON(t *testing.T, what string, file []byte, got any) {
	t.Helper()
	gb, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	gm := fileKeys(t, gb)
	for k, fv := range fileKeys(t, file) {
		gv, ok := gm[k]
		if !ok {
			// omitempty: the server value is the zero value.
			gv = json.RawMessage("null")
		}
		var fa, ga any
		_ = json.Unmarshal(fv, &fa)
		_ = json.Unmarshal(gv, &ga)
		if !ok && isZero(fa) {
			continue
		}
		if k == "metadata" {
			ga = stripReserved(ga)
		}
		if !reflect.DeepEqual(fa, ga) {
			t.Errorf("%s: field %q: file %s, server %s", what, k, fv, gv)
		}
	}
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func stripReserved(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		if !strings.HasPrefix(k, "_nats.") {
			out[k] = x
		}
	}
	return out
}

func TestFilesOnDiskAreEmbedded(t *testing.T) {
	// The directory listing and the embedded set agree, so a new file is
	// picked up by Ensure (and the nats CLI sees what the workers create).
	disk, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range disk {
		names = append(names, strings.TrimSuffix(f, ".json"))
	}
	slices.Sort(names)
	if !slices.Equal(names, streams.Names()) {
		t.Fatalf("disk %v, embedded %v", names, streams.Names())
	}
	want := []string{"KV_mako_deadletters", "KV_mako_inbox", "KV_mako_malo", "KV_mako_partners", "KV_mako_process_keys", "KV_mako_processes", "KV_mako_registry", "KV_mako_snapshots",
		"MAKO_AUDIT", "MAKO_COMMANDS", "MAKO_DLQ", "MAKO_ERP", "MAKO_EVENTS", "MAKO_INGEST", "MAKO_OUTBOX", "MAKO_TIMERS"}
	if !slices.Equal(want, streams.Names()) {
		t.Fatalf("streams %v, want %v", streams.Names(), want)
	}
	for _, n := range names {
		b, err := os.ReadFile(n + ".json")
		if err != nil {
			t.Fatal(err)
		}
		e, err := streams.File(n)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != string(e) {
			t.Errorf("%s: embedded content differs from disk", n)
		}
	}
}

// TestFilesAreServerAPIJSON decodes every file strictly into the server's own
// API types: each key is a field of the JetStream API (what the nats CLI and
// the server read), not only of nats.go's mirror of it.
func TestFilesAreServerAPIJSON(t *testing.T) {
	strict := func(name string, b []byte, v any) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, n := range streams.Names() {
		b, _ := streams.File(n)
		var sc server.StreamConfig
		strict(n, b, &sc)
		if sc.Name != n {
			t.Errorf("%s: name %q", n, sc.Name)
		}
	}
	consumers, err := filepath.Glob("consumers/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	for _, n := range streams.Names() {
		for _, c := range streams.Consumers(n) {
			embedded = append(embedded, "consumers/"+n+"-"+c+".json")
			b, err := streams.ConsumerFile(n, c)
			if err != nil {
				t.Fatal(err)
			}
			var cc server.ConsumerConfig
			strict(n+"/"+c, b, &cc)
			if cc.Durable != c {
				t.Errorf("%s/%s: durable %q", n, c, cc.Durable)
			}
		}
	}
	slices.Sort(consumers)
	slices.Sort(embedded)
	if !slices.Equal(consumers, embedded) {
		t.Errorf("consumer files %v, embedded and matched to streams %v", consumers, embedded)
	}
	b, err := streams.GatewayConsumerFile("acme")
	if err != nil {
		t.Fatal(err)
	}
	var cc server.ConsumerConfig
	strict("gateway template", b, &cc)
}

func TestDefinitions(t *testing.T) {
	type def struct {
		subjects  []string
		retention jetstream.RetentionPolicy
		maxAge    time.Duration
		dup       time.Duration
	}
	day := 24 * time.Hour
	want := map[string]def{
		streams.Events:   {[]string{"mako.evt.>"}, jetstream.LimitsPolicy, 0, 2 * time.Minute},
		streams.Ingest:   {[]string{"mako.ingest.>"}, jetstream.LimitsPolicy, 90 * day, 2 * time.Minute},
		streams.Commands: {[]string{"mako.cmd.>"}, jetstream.WorkQueuePolicy, 0, 10 * time.Minute},
		streams.Outbox:   {[]string{"mako.outbox.>"}, jetstream.LimitsPolicy, 30 * day, 10 * time.Minute},
		streams.DLQ:      {[]string{"mako.dlq.>"}, jetstream.LimitsPolicy, 400 * day, 2 * time.Minute},
		streams.Timers:   {[]string{"mako.timer.>"}, jetstream.LimitsPolicy, 0, 2 * time.Minute},
	}
	for name, w := range want {
		c, err := streams.Config(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Subjects, w.subjects) || c.Retention != w.retention || c.MaxAge != w.maxAge ||
			c.Duplicates != w.dup || c.Storage != jetstream.FileStorage {
			t.Errorf("%s: got subjects %v retention %v max age %v dup %v storage %v", name, c.Subjects, c.Retention, c.MaxAge, c.Duplicates, c.Storage)
		}
	}
	ev, _ := streams.Config(streams.Events)
	if !ev.AllowDirect || !ev.DenyDelete || ev.DenyPurge {
		t.Errorf("MAKO_EVENTS: allow_direct %v deny_delete %v deny_purge %v", ev.AllowDirect, ev.DenyDelete, ev.DenyPurge)
	}
	tm, _ := streams.Config(streams.Timers)
	if !tm.AllowMsgSchedules || !tm.AllowMsgTTL {
		t.Errorf("MAKO_TIMERS: schedules %v ttl %v", tm.AllowMsgSchedules, tm.AllowMsgTTL)
	}
	hist := map[string]uint8{streams.BucketSnapshots: 1, streams.BucketRegistry: 1, streams.BucketInbox: 1, streams.BucketPartners: 5,
		"mako_processes": 1, "mako_process_keys": 1, "mako_deadletters": 1} // read models: pkg/workers/readmodel
	for b, h := range hist {
		kv, err := streams.KeyValueConfig(b)
		if err != nil {
			t.Fatal(err)
		}
		if kv.History != h {
			t.Errorf("%s: history %d, want %d", b, kv.History, h)
		}
		if (b == streams.BucketInbox) != (kv.LimitMarkerTTL > 0) {
			t.Errorf("%s: limit marker TTL %v", b, kv.LimitMarkerTTL)
		}
	}
	type cons struct {
		stream, name string
		maxDeliver   int
		filter       string
	}
	for _, c := range []cons{
		{streams.Ingest, streams.ConsumerIngest, -1, ""},
		{streams.Commands, streams.ConsumerProcessor, -1, ""},
		{streams.Outbox, streams.ConsumerDeliverer, -1, ""},
		{streams.Timers, streams.ConsumerScheduler, -1, "mako.timer.fired.>"},
		{streams.Events, streams.ConsumerRelay, -1, ""},
		{streams.Events, "projector", -1, ""}, // pkg/workers/readmodel
		{streams.DLQ, "projector", -1, ""},
	} {
		cc, err := streams.ConsumerConfig(c.stream, c.name)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Durable != c.name || cc.AckPolicy != jetstream.AckExplicitPolicy || cc.DeliverPolicy != jetstream.DeliverAllPolicy ||
			cc.AckWait != time.Minute || cc.MaxDeliver != c.maxDeliver || cc.FilterSubject != c.filter || cc.DeliverSubject != "" {
			t.Errorf("%s/%s: %+v", c.stream, c.name, cc)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	if _, err := streams.Config("NOPE"); !errors.Is(err, streams.ErrUnknownStream) {
		t.Errorf("Config(NOPE): %v", err)
	}
	if _, err := streams.ConsumerConfig(streams.Ingest, "nope"); !errors.Is(err, streams.ErrUnknownConsumer) {
		t.Errorf("ConsumerConfig: %v", err)
	}
	if _, err := streams.ConsumerConfig("NOPE", "ingest"); !errors.Is(err, streams.ErrUnknownStream) {
		t.Errorf("ConsumerConfig(NOPE): %v", err)
	}
	var se *streams.Error
	if _, err := streams.Config("NOPE"); !errors.As(err, &se) || se.Stream != "NOPE" {
		t.Errorf("not an *Error naming the stream: %v", err)
	}
	if _, err := streams.Config(streams.Ingest, streams.WithMaxAge(streams.Ingest, time.Minute)); !errors.Is(err, streams.ErrInvalidOption) {
		t.Errorf("max age below duplicate window: %v", err)
	}
	if _, err := streams.Config(streams.Ingest, streams.WithMaxAge("NOPE", time.Hour)); !errors.Is(err, streams.ErrInvalidOption) || !errors.Is(err, streams.ErrUnknownStream) {
		t.Errorf("max age for unknown stream: %v", err)
	}
	if _, err := streams.Config(streams.Ingest, streams.WithReplicas(7)); !errors.Is(err, streams.ErrInvalidOption) {
		t.Errorf("replicas 7: %v", err)
	}
	if _, err := streams.KeyValueConfig("nope"); !errors.Is(err, streams.ErrUnknownStream) {
		t.Errorf("KeyValueConfig(nope): %v", err)
	}
	if _, err := streams.KeyValueConfig("MAKO_EVENTS"); err == nil {
		t.Error("KeyValueConfig of a non-KV name succeeded")
	}
	s := natstest.Start(t)
	_, js := s.JetStream()
	if err := streams.EnsureStreams(ctx(t), js, []string{streams.Events, "NOPE"}); !errors.Is(err, streams.ErrUnknownStream) {
		t.Errorf("EnsureStreams with unknown: %v", err)
	}
	if _, err := js.Stream(ctx(t), streams.Events); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("EnsureStreams created streams although one name was unknown: %v", err)
	}
}

// apiRequests records JetStream API create/update requests seen in the
// account, in the order a watching connection receives them.
type apiRequests struct {
	ch chan *nats.Msg
}

const sentinelSubject = "test.sentinel"

func watchAPI(t *testing.T, nc *nats.Conn) *apiRequests {
	t.Helper()
	// One channel for all subscriptions keeps the order in which the
	// connection received the messages.
	a := &apiRequests{ch: make(chan *nats.Msg, 1024)}
	for _, subj := range []string{"$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>", "$JS.API.CONSUMER.CREATE.>", "$JS.API.CONSUMER.DURABLE.CREATE.>", sentinelSubject} {
		if _, err := nc.ChanSubscribe(subj, a.ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return a
}

// take returns the requests seen so far. It first sends a sentinel on from,
// the connection that made the requests: the server forwards one
// connection's messages in order, so once the sentinel arrives every earlier
// request from that connection has been received.
func (a *apiRequests) take(t *testing.T, from *nats.Conn) []string {
	t.Helper()
	if err := from.Publish(sentinelSubject, nil); err != nil {
		t.Fatal(err)
	}
	var out []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-a.ch:
			if m.Subject == sentinelSubject {
				return out
			}
			out = append(out, m.Subject)
		case <-timeout:
			t.Fatal("sentinel not received")
		}
	}
}

func TestEnsureMatchesFilesAndIsIdempotent(t *testing.T) {
	s := natstest.Start(t)
	nc, js := s.JetStream()
	watch := s.Connect()
	api := watchAPI(t, watch)

	var changes []streams.Change
	record := streams.OnChange(func(c streams.Change) { changes = append(changes, c) })
	if err := streams.Ensure(ctx(t), js, record); err != nil {
		t.Fatal(err)
	}
	nStreams := len(streams.Names())
	nCons := 0
	for _, n := range streams.Names() {
		nCons += len(streams.Consumers(n))
	}
	if nCons != 11 {
		t.Fatalf("%d consumers defined, want 11", nCons)
	}
	nCons-- // the webhook forwarder's is OnDemand: its worker creates it
	if len(changes) != nStreams+nCons {
		t.Fatalf("changes %v", changes)
	}
	for _, c := range changes {
		if c.Action != streams.Created {
			t.Errorf("first Ensure: %+v", c)
		}
	}
	if got := api.take(t, nc); len(got) != nStreams+nCons {
		t.Errorf("first Ensure sent %d create requests, want %d: %v", len(got), nStreams+nCons, got)
	}

	// What the server holds equals the files, field by field.
	for _, n := range streams.Names() {
		st, err := js.Stream(ctx(t), n)
		if err != nil {
			t.Fatal(err)
		}
		file, _ := streams.File(n)
		compareJSON(t, n, file, st.CachedInfo().Config)
		if d, err := streams.DiffStream(st.CachedInfo().Config); err != nil || len(d) != 0 {
			t.Errorf("%s: DiffStream %v %v", n, d, err)
		}
		for _, cn := range streams.Consumers(n) {
			if streams.OnDemand(n, cn) {
				if _, err := st.Consumer(ctx(t), cn); !errors.Is(err, jetstream.ErrConsumerNotFound) {
					t.Fatalf("on-demand consumer %s/%s after Ensure: %v, want not found", n, cn, err)
				}
				if err := streams.EnsureConsumer(ctx(t), js, n, cn); err != nil {
					t.Fatal(err)
				}
			}
			c, err := st.Consumer(ctx(t), cn)
			if err != nil {
				t.Fatal(err)
			}
			cfile, _ := streams.ConsumerFile(n, cn)
			compareJSON(t, n+"/"+cn, cfile, c.CachedInfo().Config)
		}
	}
	api.take(t, nc)

	// Ensure again: nothing sent, everything unchanged.
	changes = nil
	if err := streams.Ensure(ctx(t), js, record); err != nil {
		t.Fatal(err)
	}
	if got := api.take(t, nc); len(got) != 0 {
		t.Errorf("second Ensure sent requests: %v", got)
	}
	for _, c := range changes {
		if c.Action != streams.Unchanged {
			t.Errorf("second Ensure: %+v", c)
		}
	}

	// Drift is repaired: an operator shortens ingest retention and changes
	// a consumer; Ensure restores the files' values, and an override is
	// applied as an update.
	ing, _ := streams.Config(streams.Ingest)
	ing.MaxAge = time.Hour
	if _, err := js.UpdateStream(ctx(t), ing); err != nil {
		t.Fatal(err)
	}
	pc, _ := streams.ConsumerConfig(streams.Commands, streams.ConsumerProcessor)
	pc.MaxDeliver = 9
	if _, err := js.UpdateConsumer(ctx(t), streams.Commands, pc); err != nil {
		t.Fatal(err)
	}
	api.take(t, nc)
	changes = nil
	if err := streams.Ensure(ctx(t), js, record); err != nil {
		t.Fatal(err)
	}
	var updated []string
	for _, c := range changes {
		if c.Action == streams.Updated {
			updated = append(updated, c.Stream+"/"+c.Consumer+":"+strings.Join(c.Fields, ","))
		}
	}
	slices.Sort(updated)
	if want := []string{"MAKO_COMMANDS/processor:max_deliver", "MAKO_INGEST/:max_age"}; !slices.Equal(updated, want) {
		t.Errorf("updates %v, want %v", updated, want)
	}
	if got := api.take(t, nc); len(got) != 2 {
		t.Errorf("repair sent %v", got)
	}
	st, _ := js.Stream(ctx(t), streams.Ingest)
	if st.CachedInfo().Config.MaxAge != 90*24*time.Hour {
		t.Errorf("ingest max age not restored: %v", st.CachedInfo().Config.MaxAge)
	}

	if err := streams.EnsureStreams(ctx(t), js, []string{streams.Ingest}, streams.WithMaxAge(streams.Ingest, 7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	st, _ = js.Stream(ctx(t), streams.Ingest)
	if st.CachedInfo().Config.MaxAge != 7*24*time.Hour {
		t.Errorf("override not applied: %v", st.CachedInfo().Config.MaxAge)
	}

	// Retention is never shortened without the option: an operator's longer
	// retention survives a worker started without it; a shorter one is
	// raised to the file's value.
	year := 365 * 24 * time.Hour
	if err := streams.EnsureStreams(ctx(t), js, []string{streams.Ingest}, streams.WithMaxAge(streams.Ingest, year)); err != nil {
		t.Fatal(err)
	}
	changes = nil
	if err := streams.EnsureStreams(ctx(t), js, []string{streams.Ingest}, record); err != nil {
		t.Fatal(err)
	}
	st, _ = js.Stream(ctx(t), streams.Ingest)
	if got := st.CachedInfo().Config.MaxAge; got != year || len(changes) != 1 || changes[0].Action != streams.Unchanged {
		t.Errorf("retention shortened without the option: %v %+v", got, changes)
	}
	unlimited := ing
	unlimited.MaxAge = 0
	if _, err := js.UpdateStream(ctx(t), unlimited); err != nil {
		t.Fatal(err)
	}
	if err := streams.EnsureStreams(ctx(t), js, []string{streams.Ingest}); err != nil {
		t.Fatal(err)
	}
	st, _ = js.Stream(ctx(t), streams.Ingest)
	if got := st.CachedInfo().Config.MaxAge; got != 0 {
		t.Errorf("unlimited retention cut to %v without the option", got)
	}
}

// TestKVFilesMatchCreateKeyValue proves the KV_ stream files are what
// nats.go's CreateKeyValue makes from KeyValueConfig, and that the buckets
// work as KV (including per-key TTL on the inbox).
func TestKVFilesMatchCreateKeyValue(t *testing.T) {
	a := natstest.Start(t)
	_, jsA := a.JetStream()
	b := natstest.Start(t)
	_, jsB := b.JetStream()

	buckets := []string{streams.BucketSnapshots, streams.BucketRegistry, streams.BucketInbox, streams.BucketPartners,
		"mako_processes", "mako_process_keys", "mako_deadletters"}
	var names []string
	for _, bk := range buckets {
		names = append(names, streams.KVStream(bk))
	}
	if err := streams.EnsureStreams(ctx(t), jsA, names); err != nil {
		t.Fatal(err)
	}
	for _, bk := range buckets {
		kc, err := streams.KeyValueConfig(bk)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jsB.CreateKeyValue(ctx(t), kc); err != nil {
			t.Fatal(err)
		}
		sa, err := jsA.Stream(ctx(t), streams.KVStream(bk))
		if err != nil {
			t.Fatal(err)
		}
		sb, err := jsB.Stream(ctx(t), streams.KVStream(bk))
		if err != nil {
			t.Fatal(err)
		}
		ca, cb := sa.CachedInfo().Config, sb.CachedInfo().Config
		ca.Metadata, cb.Metadata = nil, nil
		if !reflect.DeepEqual(ca, cb) {
			ja, _ := json.Marshal(ca)
			jb, _ := json.Marshal(cb)
			t.Errorf("%s:\nfile:           %s\nCreateKeyValue: %s", bk, ja, jb)
		}
		// The bucket created from the file is a working KV bucket, and
		// CreateKeyValue accepts it as already existing with the same config.
		kv, err := jsA.KeyValue(ctx(t), bk)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Put(ctx(t), "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		if _, err := jsA.CreateKeyValue(ctx(t), kc); err != nil {
			t.Errorf("%s: CreateKeyValue on the file's bucket: %v", bk, err)
		}
		st, err := kv.Status(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if st.History() != int64(kc.History) {
			t.Errorf("%s: history %d", bk, st.History())
		}
	}
	inbox, err := jsA.KeyValue(ctx(t), streams.BucketInbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inbox.Create(ctx(t), "9900000000003.ref1", nil, jetstream.KeyTTL(96*time.Hour)); err != nil {
		t.Fatalf("per-key TTL on the inbox: %v", err)
	}
	if _, err := inbox.Create(ctx(t), "9900000000003.ref1", nil, jetstream.KeyTTL(96*time.Hour)); !errors.Is(err, jetstream.ErrKeyExists) {
		t.Errorf("second Create: %v", err)
	}
	snap, _ := jsA.KeyValue(ctx(t), streams.BucketSnapshots)
	if _, err := snap.Create(ctx(t), "x", nil, jetstream.KeyTTL(time.Hour)); err == nil {
		t.Error("per-key TTL accepted on a bucket without LimitMarkerTTL")
	}
}

func TestReplicasOverrideNeedsCluster(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	err := streams.EnsureStreams(ctx(t), js, []string{streams.Events}, streams.WithReplicas(3))
	var se *streams.Error
	if !errors.As(err, &se) || se.Stream != streams.Events || se.Op != "create" {
		t.Fatalf("R3 on a single server: %v", err)
	}
	c, err := streams.Config(streams.Events, streams.WithReplicas(3))
	if err != nil || c.Replicas != 3 {
		t.Fatalf("Config with replicas: %v %v", c.Replicas, err)
	}
}

func TestGatewayConsumer(t *testing.T) {
	for _, bad := range []string{"", "a.b", "a*", "a>", "a b", "a/b"} {
		if _, err := streams.GatewayConsumerConfig(bad); !errors.Is(err, streams.ErrInvalidTenant) {
			t.Errorf("tenant %q: %v", bad, err)
		}
	}
	cfg, err := streams.GatewayConsumerConfig("acme")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Durable != "gw-acme" || cfg.Durable != streams.GatewayConsumerName("acme") || cfg.FilterSubject != "mako.outbox.acme.>" ||
		cfg.AckPolicy != jetstream.AckExplicitPolicy || cfg.DeliverSubject != "" {
		t.Fatalf("%+v", cfg)
	}
	s := natstest.Start(t)
	_, js := s.JetStream()
	if err := streams.EnsureStreams(ctx(t), js, []string{streams.Outbox}); err != nil {
		t.Fatal(err)
	}
	var actions []streams.Action
	rec := streams.OnChange(func(c streams.Change) { actions = append(actions, c.Action) })
	for range 2 {
		if err := streams.EnsureGatewayConsumer(ctx(t), js, "acme", rec); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(actions, []streams.Action{streams.Created, streams.Unchanged}) {
		t.Fatalf("actions %v", actions)
	}
	c, err := js.Consumer(ctx(t), streams.Outbox, "gw-acme")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := streams.GatewayConsumerFile("acme")
	compareJSON(t, "gw-acme", file, c.CachedInfo().Config)

	// It reads only its tenant's outbox.
	for _, subj := range []string{"mako.outbox.other.9900000000002", "mako.outbox.acme.9900000000001"} {
		if _, err := js.Publish(ctx(t), subj, []byte(subj)); err != nil {
			t.Fatal(err)
		}
	}
	// The other tenant's message comes first in the stream; a consumer that
	// did not filter would deliver it first.
	b, err := c.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for m := range b.Messages() {
		got = append(got, m.Subject())
	}
	if !slices.Equal(got, []string{"mako.outbox.acme.9900000000001"}) {
		t.Fatalf("gw-acme read %v", got)
	}
	info, err := c.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.NumPending != 0 {
		t.Fatalf("gw-acme has %d more pending", info.NumPending)
	}
}

// TestIngestSizeLimit: MAKO_INGEST accepts interchanges of MaxInterchange
// with headers, and MaxPayload leaves room for them to travel on as commands.
func TestIngestSizeLimit(t *testing.T) {
	cfg, err := streams.Config(streams.Ingest)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxMsgSize != streams.MaxInterchange+streams.IngestHeaderAllowance {
		t.Fatalf("MAKO_INGEST max_msg_size %d, want %d", cfg.MaxMsgSize, streams.MaxInterchange+streams.IngestHeaderAllowance)
	}
	if streams.MaxPayload < 2*streams.MaxInterchange {
		t.Fatalf("MaxPayload %d leaves no room for a command carrying %d bytes", streams.MaxPayload, streams.MaxInterchange)
	}
}
