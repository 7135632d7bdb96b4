package natstest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishRetry publishes with a fixed Nats-Msg-Id until the server acks it,
// riding out a leader election; the dedup window makes retries safe.
func publishRetry(ctx context.Context, t *testing.T, js jetstream.JetStream, subj, id string) {
	t.Helper()
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.Publish(actx, subj, []byte(id), jetstream.WithMsgID(id))
		cancel()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("publish %s: %v", id, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readAll reads the whole stream with an ordered consumer and returns the
// payloads in stream order.
func readAll(ctx context.Context, t *testing.T, js jetstream.JetStream, stream string, want int) []string {
	t.Helper()
	var got []string
	for len(got) < want {
		if ctx.Err() != nil {
			t.Fatalf("read %s: got %d of %d: %v", stream, len(got), want, ctx.Err())
		}
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := js.OrderedConsumer(cctx, stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
		ccancel()
		if err != nil {
			t.Logf("ordered consumer: %v", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		got = got[:0]
		for len(got) < want {
			batch, err := c.Fetch(want-len(got), jetstream.FetchMaxWait(2*time.Second))
			if err != nil {
				t.Logf("fetch: %v", err)
				break
			}
			n := 0
			for m := range batch.Messages() {
				got = append(got, string(m.Data()))
				n++
			}
			if n == 0 {
				t.Logf("fetch: empty batch, err %v", batch.Error())
				break
			}
		}
	}
	return got
}

func TestClusterStreamSurvivesLeaderLoss(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	c := natstest.StartCluster(t, 3)
	if len(c.Servers) != 3 {
		t.Fatalf("%d servers", len(c.Servers))
	}
	names := map[string]bool{}
	for _, s := range c.Servers {
		names[s.Name()] = true
		if s.ClusterName() != c.Name {
			t.Errorf("%s in cluster %q", s.Name(), s.ClusterName())
		}
	}
	if len(names) != 3 {
		t.Fatalf("server names %v", names)
	}
	if peers := c.Leader().JetStreamClusterPeers(); len(peers) != 3 {
		t.Fatalf("peers %v", peers)
	}

	_, js := c.JetStream()
	if err := streams.Ensure(ctx, js, streams.WithReplicas(3)); err != nil {
		t.Fatal(err)
	}
	info, err := js.Stream(ctx, streams.Events)
	if err != nil {
		t.Fatal(err)
	}
	if r := info.CachedInfo().Config.Replicas; r != 3 {
		t.Fatalf("replicas %d", r)
	}
	if cl := info.CachedInfo().Cluster; cl == nil || len(cl.Replicas) != 2 {
		t.Fatalf("cluster info %+v", cl)
	}
	// Ensure at R3 is idempotent as well.
	var updates []streams.Change
	if err := streams.Ensure(ctx, js, streams.WithReplicas(3), streams.OnChange(func(ch streams.Change) {
		if ch.Action != streams.Unchanged {
			updates = append(updates, ch)
		}
	})); err != nil {
		t.Fatal(err)
	}
	if len(updates) != 0 {
		t.Fatalf("second Ensure on the cluster changed %v", updates)
	}
	// A worker started without the replicas option does not scale down.
	if err := streams.Ensure(ctx, js, streams.OnChange(func(ch streams.Change) {
		if ch.Action != streams.Unchanged {
			updates = append(updates, ch)
		}
	})); err != nil {
		t.Fatal(err)
	}
	if len(updates) != 0 {
		t.Fatalf("Ensure without replicas changed %v", updates)
	}

	const half = 50
	for i := range half {
		publishRetry(ctx, t, js, fmt.Sprintf("mako.evt.acme.p%d", i%5), fmt.Sprintf("m-%03d", i))
	}

	leader := c.StreamLeader(streams.Events)
	c.Stop(leader)
	if c.Running(indexOf(c, leader)) {
		t.Fatal("stopped node still running")
	}
	for i := half; i < 2*half; i++ {
		publishRetry(ctx, t, js, fmt.Sprintf("mako.evt.acme.p%d", i%5), fmt.Sprintf("m-%03d", i))
	}
	if nl := c.StreamLeader(streams.Events); nl == leader {
		t.Fatal("stream leader did not move")
	}

	check := func(got []string) {
		t.Helper()
		if len(got) != 2*half {
			t.Fatalf("read %d messages, want %d", len(got), 2*half)
		}
		for i, g := range got {
			if want := fmt.Sprintf("m-%03d", i); g != want {
				t.Fatalf("message %d is %q, want %q", i, g, want)
			}
		}
	}
	check(readAll(ctx, t, js, streams.Events, 2*half))
	st, err := js.Stream(ctx, streams.Events)
	if err != nil {
		t.Fatal(err)
	}
	if n := st.CachedInfo().State.Msgs; n != 2*half {
		t.Fatalf("stream holds %d messages, want %d", n, 2*half)
	}

	// The stopped node comes back on its store dir and catches up; then the
	// data survives losing another node.
	c.Restart(leader)
	deadline := time.Now().Add(20 * time.Second)
	for !leader.JetStreamIsStreamCurrent(server.DEFAULT_GLOBAL_ACCOUNT, streams.Events) {
		if time.Now().After(deadline) {
			t.Fatal("restarted node did not catch up")
		}
		time.Sleep(25 * time.Millisecond)
	}
	other := c.StreamLeader(streams.Events)
	c.Stop(other)
	t.Logf("stopped %s; meta leader %s; stream leader %s", other.Name(), c.Leader().Name(), c.StreamLeader(streams.Events).Name())
	check(readAll(ctx, t, js, streams.Events, 2*half))
}

func indexOf(c *natstest.Cluster, s *natstest.Server) int {
	for i, x := range c.Servers {
		if x == s {
			return i
		}
	}
	return -1
}

func TestClusterConnectFailsOverAndRestarts(t *testing.T) {
	c := natstest.StartCluster(t, 3)
	nc := c.Connect()
	first := nc.ConnectedServerName()
	var node *natstest.Server
	for _, s := range c.Servers {
		if s.Name() == first {
			node = s
		}
	}
	if node == nil {
		t.Fatalf("connected to unknown server %q", first)
	}
	reconnected := make(chan struct{}, 1)
	nc.SetReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} })
	c.Stop(node)
	select {
	case <-reconnected:
	case <-time.After(20 * time.Second):
		t.Fatal("client did not fail over")
	}
	if got := nc.ConnectedServerName(); got == first || got == "" {
		t.Fatalf("reconnected to %q", got)
	}
	c.Restart(node)
	if !c.Running(indexOf(c, node)) {
		t.Fatal("restarted node not running")
	}
	c.WaitReady()
	if errors.Is(nc.LastError(), nats.ErrConnectionClosed) {
		t.Fatal("connection closed")
	}
}
