package integration

import (
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/workers/relay"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/command"
)

// The pipeline on an in-process 3-node JetStream cluster with every stream
// and bucket at R3: a run on the healthy cluster, then a run during which
// the node leading MAKO_EVENTS is stopped. The workers and the publisher
// fail over to the remaining nodes; every transaction is answered exactly
// once and recorded exactly once.
//
// On R3 the event store meets 10164 conflicts and dedup-before-OCC on a
// resent append (nats.md §2.2, §3.2); the end state shows both are handled.
func TestClusterR3LeaderLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	_, js := c.JetStream()
	_, wjs := c.JetStream()
	cfg := defaultConfig()
	cfg.Replicas = 3
	sys := newSystem(t, wjs, cfg)
	setAckWait(t, js, testAckWait)
	startWorkers(t, sys, allWorkers...)

	// Healthy cluster.
	const first, second = 200, 400
	txs := publishInterchanges(t, js, "CA", 0, first)
	waitAnswered(t, js, first, 60*time.Second)
	checkExactlyOnce(t, js, txs)

	// Stop the MAKO_EVENTS leader while the second run is in flight.
	type published struct {
		txs []string
		err error
	}
	done := make(chan published, 1)
	go func() {
		// The publisher retries through the failover itself.
		txs, err := tryPublishInterchanges(js, "CB", 0, second)
		done <- published{txs, err}
	}()
	waitOutbox(t, js, first+second/4, 60*time.Second)
	leader := c.StreamLeader(natsstore.DefaultEventStream)
	var led []string
	for _, st := range []string{"MAKO_INGEST", command.Stream, natsstore.DefaultEventStream, "MAKO_OUTBOX"} {
		if leader.JetStreamIsStreamLeader("$G", st) {
			led = append(led, st)
		}
	}
	for _, sc := range [][2]string{{"MAKO_INGEST", "ingest"}, {command.Stream, "processor"}, {natsstore.DefaultEventStream, relay.Consumer}} {
		if leader.JetStreamIsConsumerLeader("$G", sc[0], sc[1]) {
			led = append(led, sc[1])
		}
	}
	t.Logf("stopping %s, leader of %v", leader.Name(), led)
	stopped := time.Now()
	c.Stop(leader)
	p := <-done
	if p.err != nil {
		t.Fatal(p.err)
	}
	txs = append(txs, p.txs...)

	waitAnswered(t, js, first+second, 90*time.Second)
	t.Logf("done %v after the node stopped", time.Since(stopped).Round(time.Millisecond))
	if now := c.StreamLeader(natsstore.DefaultEventStream); now == leader {
		t.Fatal("MAKO_EVENTS leader did not move")
	}
	checkExactlyOnce(t, js, txs)
}
