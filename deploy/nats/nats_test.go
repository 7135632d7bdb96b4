// Package natsdeploy_test proves the NATS server configs in deploy/nats:
// they parse, and single.conf's accounts confine a tenant's gateway to its
// own ingest subject and its own outbox consumer.
package natsdeploy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Development passwords documented in README.md (accounts.conf holds their
// bcrypt hashes).
const (
	workersUser, workersPass = "workers", "mako-workers-dev"
	acmeUser, acmePass       = "gw-acme", "gw-acme-dev-password"
	otherUser, otherPass     = "gw-other", "gw-other-dev-password"
)

// tenantAPIPrefix is where accounts.conf imports the JetStream API of a
// tenant's outbox consumer into the tenant's account.
const tenantAPIPrefix = "JS.mako.API"

// startSingle runs single.conf in-process with its store in a temp dir and
// random client and monitoring ports.
func startSingle(t *testing.T) *server.Server {
	t.Helper()
	opts, err := server.ProcessConfigFile("single.conf")
	if err != nil {
		t.Fatalf("single.conf: %v", err)
	}
	opts.StoreDir = t.TempDir()
	opts.Port = -1
	opts.HTTPPort = -1
	opts.NoLog, opts.NoSigs = true, true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// client is a TCP connection of one user that records asynchronous errors.
type client struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	errs chan error
}

func connect(t *testing.T, s *server.Server, user, pass string) *client {
	t.Helper()
	return connectPrefix(t, s, user, pass, "")
}

// connectPrefix connects and uses apiPrefix for the JetStream API (empty:
// the default $JS.API).
func connectPrefix(t *testing.T, s *server.Server, user, pass, apiPrefix string) *client {
	t.Helper()
	return newClient(t, apiPrefix, func(opts ...nats.Option) (*nats.Conn, error) {
		nc, err := nats.Connect(s.ClientURL(), append(opts, nats.UserInfo(user, pass))...)
		if err == nil {
			t.Cleanup(nc.Close)
		}
		return nc, err
	})
}

// newClient connects with dial, recording asynchronous errors.
func newClient(t *testing.T, apiPrefix string, dial func(...nats.Option) (*nats.Conn, error)) *client {
	t.Helper()
	c := &client{errs: make(chan error, 64)}
	nc, err := dial(nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case c.errs <- err:
		default:
		}
	}))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	c.nc = nc
	if apiPrefix == "" {
		c.js, err = jetstream.New(nc)
	} else {
		c.js, err = jetstream.NewWithAPIPrefix(nc, apiPrefix)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantViolation waits for the server's permissions violation naming subject.
func (c *client) wantViolation(t *testing.T, subject string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case err := <-c.errs:
			if errors.Is(err, nats.ErrPermissionViolation) && strings.Contains(err.Error(), `"`+subject+`"`) {
				return
			}
		case <-timeout:
			t.Fatalf("no permissions violation for %q", subject)
		}
	}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

func TestSingleTenantIsolation(t *testing.T) {
	s := startSingle(t)
	ctx := ctxT(t, 60*time.Second)

	if _, err := nats.Connect(s.ClientURL(), nats.UserInfo(acmeUser, "wrong-password")); err == nil {
		t.Fatal("wrong password accepted")
	}

	workers := connect(t, s, workersUser, workersPass)
	if err := streams.Ensure(ctx, workers.js); err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"acme", "other"} {
		if err := streams.EnsureGatewayConsumer(ctx, workers.js, tenant); err != nil {
			t.Fatal(err)
		}
	}
	acme := connectPrefix(t, s, acmeUser, acmePass, tenantAPIPrefix)
	other := connectPrefix(t, s, otherUser, otherPass, tenantAPIPrefix)

	ingest, err := workers.js.Stream(ctx, streams.Ingest)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("publish own ingest with ack", func(t *testing.T) {
		ack, err := acme.js.Publish(ctxT(t, 10*time.Second), "mako.ingest.acme", []byte("UNA:+.? 'UNB+acme'"), jetstream.WithMsgID("acme-1"))
		if err != nil {
			t.Fatalf("gw-acme publish to its ingest: %v", err)
		}
		if ack.Stream != streams.Ingest || ack.Sequence == 0 {
			t.Fatalf("ack %+v", ack)
		}
		m, err := ingest.GetMsg(ctx, ack.Sequence)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != "mako.ingest.acme" || string(m.Data) != "UNA:+.? 'UNB+acme'" {
			t.Fatalf("stored %s %q", m.Subject, m.Data)
		}
	})

	t.Run("ERP: own commands in with ack, own CloudEvents out, nothing of another tenant", func(t *testing.T) {
		ack, err := acme.js.Publish(ctxT(t, 10*time.Second), "mako.erp.in.acme", []byte(`{"idempotency_key":"k1"}`))
		if err != nil || ack.Stream != "MAKO_ERP" {
			t.Fatalf("gw-acme publish to its ERP inbox: %v %+v", err, ack)
		}
		sub, err := acme.nc.SubscribeSync("mako.erp.acme")
		if err != nil {
			t.Fatal(err)
		}
		if err := acme.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		if _, err := workers.js.Publish(ctx, "mako.erp.acme", []byte(`{"specversion":"1.0"}`)); err != nil {
			t.Fatal(err)
		}
		if m, err := sub.NextMsg(5 * time.Second); err != nil || string(m.Data) != `{"specversion":"1.0"}` {
			t.Fatalf("gw-acme did not receive its CloudEvent: %v", err)
		}
		if _, err := acme.js.Publish(ctxT(t, 500*time.Millisecond), "mako.erp.in.other", []byte("forged")); err == nil {
			t.Fatal("gw-acme published another tenant's ERP command")
		}
		acme.wantViolation(t, "mako.erp.in.other")
		if _, err := acme.nc.SubscribeSync("mako.erp.other"); err != nil {
			t.Fatal(err)
		}
		acme.wantViolation(t, "mako.erp.other")
	})

	t.Run("cannot publish another tenant's ingest", func(t *testing.T) {
		_, err := acme.js.Publish(ctxT(t, 500*time.Millisecond), "mako.ingest.other", []byte("forged"))
		if err == nil {
			t.Fatal("gw-acme got an ack for mako.ingest.other")
		}
		acme.wantViolation(t, "mako.ingest.other")
		if err := acme.nc.Publish("mako.cmd.other.p1", []byte("forged")); err != nil {
			t.Fatal(err)
		}
		acme.wantViolation(t, "mako.cmd.other.p1")
		if _, err := ingest.GetLastMsgForSubject(ctx, "mako.ingest.other"); !errors.Is(err, jetstream.ErrMsgNotFound) {
			t.Fatalf("message on mako.ingest.other: %v", err)
		}
	})

	t.Run("reply subject cannot reach the engine", func(t *testing.T) {
		// The publish ack goes to the reply subject; across the account
		// boundary it lands in ACME's own subject space, not in MAKO_COMMANDS.
		if err := acme.nc.PublishRequest("mako.ingest.acme", "mako.cmd.other.p1", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := acme.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		// Wait until the ingest message is stored, then check the commands.
		deadline := time.Now().Add(5 * time.Second)
		for {
			info, err := ingest.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.State.Msgs == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ingest holds %d messages", info.State.Msgs)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmds, err := workers.js.Stream(ctx, streams.Commands)
		if err != nil {
			t.Fatal(err)
		}
		if n := cmds.CachedInfo().State.Msgs; n != 0 {
			t.Fatalf("MAKO_COMMANDS holds %d messages", n)
		}
	})

	// The engine writes one outbound interchange per tenant.
	for _, subj := range []string{"mako.outbox.other.9900000000002", "mako.outbox.acme.9900000000001"} {
		msg := nats.NewMsg(subj)
		msg.Data = []byte("UNB for " + subj)
		msg.Header.Set("Mako-Message-Type", "CONTRL")
		if _, err := workers.js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("reads and acks own outbox", func(t *testing.T) {
		cons, err := acme.js.Consumer(ctxT(t, 10*time.Second), streams.Outbox, streams.GatewayConsumerName("acme"))
		if err != nil {
			t.Fatalf("gw-acme consumer info: %v", err)
		}
		// The other tenant's message is first in the stream; gw-acme must
		// get only its own.
		b, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		var got []jetstream.Msg
		for m := range b.Messages() {
			got = append(got, m)
		}
		if b.Error() != nil {
			t.Fatal(b.Error())
		}
		if len(got) != 1 || got[0].Subject() != "mako.outbox.acme.9900000000001" ||
			string(got[0].Data()) != "UNB for mako.outbox.acme.9900000000001" || got[0].Headers().Get("Mako-Message-Type") != "CONTRL" {
			t.Fatalf("gw-acme read %v", got)
		}
		if err := got[0].DoubleAck(ctxT(t, 10*time.Second)); err != nil {
			t.Fatalf("ack through the import: %v", err)
		}
		info, err := workers.js.Consumer(ctx, streams.Outbox, "gw-acme")
		if err != nil {
			t.Fatal(err)
		}
		ci := info.CachedInfo()
		if ci.NumAckPending != 0 || ci.NumPending != 0 || ci.AckFloor.Stream != 2 {
			t.Fatalf("gw-acme after ack: pending %d ack pending %d ack floor %d", ci.NumPending, ci.NumAckPending, ci.AckFloor.Stream)
		}
	})

	t.Run("cannot read another tenant's outbox", func(t *testing.T) {
		if _, err := acme.js.Consumer(ctxT(t, 500*time.Millisecond), streams.Outbox, "gw-other"); err == nil {
			t.Fatal("gw-acme got info of gw-other")
		}
		acme.wantViolation(t, tenantAPIPrefix+".CONSUMER.INFO.MAKO_OUTBOX.gw-other")
		for _, api := range []string{tenantAPIPrefix, "$JS.API"} {
			subj := api + ".CONSUMER.MSG.NEXT.MAKO_OUTBOX.gw-other"
			if _, err := acme.nc.Request(subj, []byte(`{"batch":1,"no_wait":true}`), 500*time.Millisecond); err == nil {
				t.Fatalf("gw-acme pulled from gw-other via %s", subj)
			}
			acme.wantViolation(t, subj)
		}
		for _, api := range []string{tenantAPIPrefix, "$JS.API"} {
			js, err := jetstream.NewWithAPIPrefix(acme.nc, api)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := js.CreateConsumer(ctxT(t, 500*time.Millisecond), streams.Outbox, jetstream.ConsumerConfig{
				Durable: "steal", FilterSubject: "mako.outbox.other.>", AckPolicy: jetstream.AckExplicitPolicy,
			}); err == nil {
				t.Fatalf("gw-acme created a consumer via %s", api)
			}
			acme.wantViolation(t, api+".CONSUMER.CREATE.MAKO_OUTBOX.steal.mako.outbox.other.>")
		}
		if _, err := acme.nc.Request("$JS.API.STREAM.MSG.GET.MAKO_OUTBOX", []byte(`{"seq":1}`), 500*time.Millisecond); err == nil {
			t.Fatal("gw-acme read the outbox stream directly")
		}
		acme.wantViolation(t, "$JS.API.STREAM.MSG.GET.MAKO_OUTBOX")
		sub, err := acme.nc.SubscribeSync("mako.outbox.other.>")
		if err != nil {
			t.Fatal(err)
		}
		acme.wantViolation(t, "mako.outbox.other.>")
		_ = sub.Unsubscribe()

		// The other tenant's message is untouched and readable by its owner.
		info, err := workers.js.Consumer(ctx, streams.Outbox, "gw-other")
		if err != nil {
			t.Fatal(err)
		}
		if ci := info.CachedInfo(); ci.NumPending != 1 || ci.Delivered.Stream != 0 {
			t.Fatalf("gw-other: pending %d delivered %d", ci.NumPending, ci.Delivered.Stream)
		}
		cons, err := other.js.Consumer(ctxT(t, 10*time.Second), streams.Outbox, "gw-other")
		if err != nil {
			t.Fatal(err)
		}
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject() != "mako.outbox.other.9900000000002" {
			t.Fatalf("gw-other read %s", m.Subject())
		}
		if err := m.DoubleAck(ctxT(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestClusterConfigsParse(t *testing.T) {
	ports := map[int]string{}
	for _, n := range []string{"n1", "n2", "n3"} {
		o, err := server.ProcessConfigFile("cluster/" + n + ".conf")
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if o.ServerName != n || o.Cluster.Name != "mako" || !o.JetStream || len(o.Routes) != 3 {
			t.Errorf("%s: name %q cluster %q jetstream %v routes %d", n, o.ServerName, o.Cluster.Name, o.JetStream, len(o.Routes))
		}
		if !strings.HasSuffix(o.StoreDir, n) {
			t.Errorf("%s: store dir %q not per node", n, o.StoreDir)
		}
		for _, p := range []int{o.Port, o.Cluster.Port, o.HTTPPort} {
			if prev, dup := ports[p]; dup {
				t.Errorf("%s: port %d also used by %s", n, p, prev)
			}
			ports[p] = n
		}
		if o.SystemAccount != "SYS" || len(o.Accounts) < 4 || len(o.Users) < 4 {
			t.Errorf("%s: system account %q, %d accounts, %d users", n, o.SystemAccount, len(o.Accounts), len(o.Users))
		}
		if o.MaxPayload != streams.MaxPayload {
			t.Errorf("%s: max_payload %d, want streams.MaxPayload %d", n, o.MaxPayload, streams.MaxPayload)
		}
	}
}

// TestSingleMaxPayload: single.conf lets interchanges of
// streams.MaxInterchange travel the pipeline.
func TestSingleMaxPayload(t *testing.T) {
	o, err := server.ProcessConfigFile("single.conf")
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxPayload != streams.MaxPayload {
		t.Fatalf("max_payload %d, want streams.MaxPayload %d", o.MaxPayload, streams.MaxPayload)
	}
}

// TestClusterConfigsRun runs cluster/n1..n3.conf as a real 3-node cluster
// (addresses and stores moved out of the way), creates the streams at R3 as
// the workers user and checks the tenant paths across the cluster.
func TestClusterConfigsRun(t *testing.T) {
	c := natstest.StartClusterFromConfigs(t, "cluster/n1.conf", "cluster/n2.conf", "cluster/n3.conf")
	c.Account = "MAKO"
	ctx := ctxT(t, 60*time.Second)
	dial := func(user, pass string) func(...nats.Option) (*nats.Conn, error) {
		return func(opts ...nats.Option) (*nats.Conn, error) {
			return c.Connect(append(opts, nats.UserInfo(user, pass))...), nil
		}
	}
	workers := newClient(t, "", dial(workersUser, workersPass))
	if err := streams.Ensure(ctx, workers.js, streams.WithReplicas(3)); err != nil {
		t.Fatal(err)
	}
	if err := streams.EnsureGatewayConsumer(ctx, workers.js, "acme"); err != nil {
		t.Fatal(err)
	}
	st, err := workers.js.Stream(ctx, streams.Ingest)
	if err != nil {
		t.Fatal(err)
	}
	if r := st.CachedInfo().Config.Replicas; r != 3 {
		t.Fatalf("MAKO_INGEST replicas %d", r)
	}
	if leader := c.StreamLeader(streams.Ingest); leader == nil {
		t.Fatal("no stream leader")
	}

	acme := newClient(t, tenantAPIPrefix, dial(acmeUser, acmePass))
	ack, err := acme.js.Publish(ctx, "mako.ingest.acme", []byte("UNB acme"))
	if err != nil || ack.Stream != streams.Ingest {
		t.Fatalf("gw-acme publish on the cluster: %+v %v", ack, err)
	}
	if _, err := acme.js.Publish(ctxT(t, 500*time.Millisecond), "mako.ingest.other", []byte("forged")); err == nil {
		t.Fatal("gw-acme got an ack for mako.ingest.other")
	}
	acme.wantViolation(t, "mako.ingest.other")

	if _, err := workers.js.Publish(ctx, "mako.outbox.acme.9900000000001", []byte("for acme")); err != nil {
		t.Fatal(err)
	}
	cons, err := acme.js.Consumer(ctx, streams.Outbox, "gw-acme")
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Data()) != "for acme" {
		t.Fatalf("gw-acme read %q", m.Data())
	}
	if err := m.DoubleAck(ctx); err != nil {
		t.Fatal(err)
	}
}
