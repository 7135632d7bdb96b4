package natstest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Cluster is an in-process JetStream cluster of real nats-servers talking
// over loopback TCP routes. Each node has its own ServerName ("n1", "n2", …)
// and store directory in t.TempDir(); client listeners use random loopback
// ports. All nodes are shut down by t.Cleanup. Stop and restart nodes
// through the Cluster (Stop, Restart), not Server.Restart, so the cluster
// knows which nodes run.
type Cluster struct {
	// Name is the cluster name shared by all nodes.
	Name string
	// Servers are the nodes in order n1…nN. A stopped node keeps its entry
	// (and store directory) so it can be restarted.
	Servers []*Server
	// Account is the account StreamLeader and ConsumerLeader look in:
	// the default global account unless the cluster runs configured
	// accounts (StartClusterFromConfigs); set it before calling them.
	Account string

	running []bool
	tb      testing.TB
}

// The route ports are fixed per node so a restarted node comes back on the
// address the others know. Like nats-server's own cluster tests we pick them
// below the Linux ephemeral range (32768–60999), where no outgoing
// connection will take them while a node is down.
const (
	routePortMin   = 11000
	routePortMax   = 32000
	clusterTimeout = 20 * time.Second
)

// StartCluster starts an n-node JetStream cluster for the duration of the
// test and waits until it is ready: a meta leader exists, it knows all n
// peers and every node's JetStream is current. opts apply to every node's
// options; the store directory, client port (random) and route ports are
// then set by the cluster. Nodes are named n1…nN, the cluster "mako-test".
// It fails the test if the cluster is not ready within 20 seconds.
func StartCluster(tb testing.TB, n int, opts ...Option) *Cluster {
	tb.Helper()
	if n < 1 {
		tb.Fatalf("natstest: cluster of %d nodes", n)
	}
	return startCluster(tb, n, func(i int) (*server.Options, error) {
		o := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			JetStream:  true,
			Cluster:    server.ClusterOpts{Name: "mako-test"},
		}
		for _, opt := range opts {
			opt(o)
		}
		return o, nil
	})
}

// StartClusterFromConfigs starts one node per nats-server config file (for
// example deploy/nats/cluster/n1.conf … n3.conf) and waits until the cluster
// is ready, as StartCluster does. Everything the files say is kept
// (server and cluster names, accounts, users, JetStream limits) except what
// would collide with other tests: the store directory becomes a temp dir,
// the client and monitoring ports become random loopback ports, and the
// route ports and routes are replaced by free fixed loopback ports. Connect
// needs the users' credentials as options (nats.UserInfo); set Account
// before looking up stream leaders of a configured account.
func StartClusterFromConfigs(tb testing.TB, files ...string) *Cluster {
	tb.Helper()
	if len(files) == 0 {
		tb.Fatalf("natstest: no config files")
	}
	return startCluster(tb, len(files), func(i int) (*server.Options, error) {
		o, err := server.ProcessConfigFile(files[i])
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", files[i], err)
		}
		if o.HTTPPort != 0 {
			o.HTTPHost, o.HTTPPort = "127.0.0.1", -1
		}
		return o, nil
	})
}

// startCluster builds each node's options with base, overrides the
// addresses and store directory, starts the nodes (retrying with other
// route ports if a port was taken meanwhile) and waits for readiness.
func startCluster(tb testing.TB, n int, base func(i int) (*server.Options, error)) *Cluster {
	tb.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		c, err := tryStartCluster(tb, n, base)
		if err == nil {
			tb.Cleanup(c.Shutdown)
			if err := c.waitReady(clusterTimeout); err != nil {
				tb.Fatalf("natstest: %v", err)
			}
			return c
		}
		lastErr = err
	}
	tb.Fatalf("natstest: start cluster: %v", lastErr)
	return nil
}

func tryStartCluster(tb testing.TB, n int, base func(i int) (*server.Options, error)) (*Cluster, error) {
	ports, err := freeRoutePorts(n)
	if err != nil {
		return nil, err
	}
	routes := make([]*url.URL, n)
	for i, p := range ports {
		routes[i] = &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", p)}
	}
	c := &Cluster{Account: server.DEFAULT_GLOBAL_ACCOUNT, tb: tb, running: make([]bool, n)}
	for i := range n {
		o, err := base(i)
		if err != nil {
			return nil, err
		}
		if o.ServerName == "" || o.Cluster.Name == "" {
			return nil, fmt.Errorf("node %d: a JetStream cluster needs server_name and cluster name", i+1)
		}
		if c.Name == "" {
			c.Name = o.Cluster.Name
		}
		o.JetStream = true
		o.StoreDir = tb.TempDir()
		o.Host, o.Port = "127.0.0.1", -1
		o.DontListen = false
		o.NoLog, o.NoSigs = true, true
		o.Cluster.Host, o.Cluster.Port = "127.0.0.1", ports[i]
		o.Routes = routes
		c.Servers = append(c.Servers, &Server{StoreDir: o.StoreDir, opts: o, tb: tb})
	}
	for i := range c.Servers {
		if err := c.startNode(i); err != nil {
			c.Shutdown()
			return nil, err
		}
	}
	return c, nil
}

// freeRoutePorts picks n consecutive ports in [routePortMin, routePortMax)
// that can be bound on 127.0.0.1 right now.
func freeRoutePorts(n int) ([]int, error) {
	for range 50 {
		base := routePortMin + rand.IntN(routePortMax-routePortMin-n)
		ports := make([]int, 0, n)
		ok := true
		for p := base; p < base+n; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			_ = l.Close()
			ports = append(ports, p)
		}
		if ok {
			return ports, nil
		}
	}
	return nil, errors.New("no free route ports")
}

func (c *Cluster) startNode(i int) error {
	s := c.Servers[i]
	o := *s.opts
	ns, err := server.NewServer(&o)
	if err != nil {
		return fmt.Errorf("new server %s: %w", o.ServerName, err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return fmt.Errorf("server %s not ready within 5s (route port %d)", o.ServerName, o.Cluster.Port)
	}
	s.Server = ns
	c.running[i] = true
	return nil
}

// Shutdown stops every running node and waits until each is down. It is
// safe to call more than once.
func (c *Cluster) Shutdown() {
	for i, s := range c.Servers {
		if c.running[i] {
			s.Shutdown()
			c.running[i] = false
		}
	}
}

// Running reports whether node i (0-based) is running.
func (c *Cluster) Running(i int) bool { return c.running[i] }

// index returns the position of s in c.Servers, or -1.
func (c *Cluster) index(s *Server) int {
	for i, x := range c.Servers {
		if x == s {
			return i
		}
	}
	return -1
}

// Stop shuts node s down (its store directory is kept for Restart). It does
// not wait for the remaining nodes to elect new leaders.
func (c *Cluster) Stop(s *Server) {
	c.tb.Helper()
	i := c.index(s)
	if i < 0 {
		c.tb.Fatalf("natstest: Stop: server not in cluster")
	}
	if c.running[i] {
		s.Shutdown()
		c.running[i] = false
	}
}

// Restart starts the stopped node s again on its store directory and route
// port, and waits until the cluster is ready again (meta leader, all peers,
// every node current). If s is running, it is stopped first.
func (c *Cluster) Restart(s *Server) {
	c.tb.Helper()
	c.Stop(s)
	i := c.index(s)
	if err := c.startNode(i); err != nil {
		c.tb.Fatalf("natstest: restart: %v", err)
	}
	if err := c.waitReady(clusterTimeout); err != nil {
		c.tb.Fatalf("natstest: restart: %v", err)
	}
}

// WaitReady waits until the running nodes form a ready JetStream cluster:
// a meta leader exists, it knows all nodes as peers, and every running
// node's JetStream is current. It fails the test after 20 seconds.
func (c *Cluster) WaitReady() {
	c.tb.Helper()
	if err := c.waitReady(clusterTimeout); err != nil {
		c.tb.Fatalf("natstest: %v", err)
	}
}

func (c *Cluster) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		err := c.ready()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster not ready after %v: %w", d, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (c *Cluster) ready() error {
	leader := c.metaLeader()
	if leader == nil {
		return errors.New("no meta leader")
	}
	if peers := leader.JetStreamClusterPeers(); len(peers) != len(c.Servers) {
		return fmt.Errorf("meta leader knows peers %v, want %d", peers, len(c.Servers))
	}
	for i, s := range c.Servers {
		if c.running[i] && !s.JetStreamIsCurrent() {
			return fmt.Errorf("%s not current", s.Name())
		}
	}
	return nil
}

func (c *Cluster) metaLeader() *Server {
	for i, s := range c.Servers {
		if c.running[i] && s.JetStreamIsLeader() {
			return s
		}
	}
	return nil
}

// Leader returns the JetStream meta leader, waiting up to 20 seconds for
// one to be elected.
func (c *Cluster) Leader() *Server {
	c.tb.Helper()
	return c.waitFor("meta leader", c.metaLeader)
}

// StreamLeader returns the node leading stream (in c.Account),
// waiting up to 20 seconds for one to be elected.
func (c *Cluster) StreamLeader(stream string) *Server {
	c.tb.Helper()
	return c.waitFor("leader of stream "+stream, func() *Server {
		for i, s := range c.Servers {
			if c.running[i] && s.JetStreamIsStreamLeader(c.Account, stream) {
				return s
			}
		}
		return nil
	})
}

// ConsumerLeader returns the node leading the consumer on stream (in
// c.Account), waiting up to 20 seconds for one to be elected.
func (c *Cluster) ConsumerLeader(stream, consumer string) *Server {
	c.tb.Helper()
	return c.waitFor("leader of consumer "+stream+"/"+consumer, func() *Server {
		for i, s := range c.Servers {
			if c.running[i] && s.JetStreamIsConsumerLeader(c.Account, stream, consumer) {
				return s
			}
		}
		return nil
	})
}

func (c *Cluster) waitFor(what string, find func() *Server) *Server {
	c.tb.Helper()
	deadline := time.Now().Add(clusterTimeout)
	for {
		if s := find(); s != nil {
			return s
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("natstest: no %s after %v", what, clusterTimeout)
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// ClientURLs returns the client URLs of the running nodes, comma-separated
// as nats.Connect accepts them.
func (c *Cluster) ClientURLs() string {
	var urls []string
	for i, s := range c.Servers {
		if c.running[i] {
			urls = append(urls, s.ClientURL())
		}
	}
	return strings.Join(urls, ",")
}

// Connect opens a TCP client connection that knows every running node and
// fails over between them: it reconnects without limit, every 50 ms, and
// buffers publishes while reconnecting. opts are applied after these
// defaults. The connection is closed by t.Cleanup.
func (c *Cluster) Connect(opts ...nats.Option) *nats.Conn {
	c.tb.Helper()
	opts = append([]nats.Option{
		nats.MaxReconnects(-1),
		nats.ReconnectWait(50 * time.Millisecond),
		nats.ReconnectJitter(0, 0),
	}, opts...)
	nc, err := nats.Connect(c.ClientURLs(), opts...)
	if err != nil {
		c.tb.Fatalf("natstest: connect to cluster: %v", err)
	}
	c.tb.Cleanup(nc.Close)
	return nc
}

// JetStream returns a JetStream context on a fresh failover connection.
func (c *Cluster) JetStream(opts ...nats.Option) (*nats.Conn, jetstream.JetStream) {
	c.tb.Helper()
	nc := c.Connect(opts...)
	js, err := jetstream.New(nc)
	if err != nil {
		c.tb.Fatalf("natstest: jetstream: %v", err)
	}
	return nc, js
}
