// Package app holds the wiring the mako commands share: configuration from
// flags and MAKO_* environment variables, the tenant syntax, the catalogue
// of workflow modules, logging, the NATS connection and the embedded
// nats-server of cmd/makod. The commands' main functions stay thin: parse,
// wire, run a run.Group.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/run"
	"github.com/rs/zerolog"
)

// Config is the configuration every worker command shares.
type Config struct {
	NatsURL     string
	Creds       string
	Tenants     []ingest.Tenant
	Modules     []string
	Replicas    int
	Concurrency int
	LogLevel    string
	LogFormat   string
	IngestKeep  time.Duration
	HTTP        string
	MaxDeliver  int
	// AS4 configures the native AS4 MSH (registered by the commands that run it).
	AS4 AS4Config
	// Auth protects the HTTP listener (console, read API, /metrics).
	Auth AuthConfig
	// GasLeadTimes ("WITHOUT,WITH" Werktage) and GasLFAAnswer (Werktage)
	// override the GeLi Gas deadlines that no BDEW text in the reference
	// verifies (fristen.md §5.5; pkg/fristen GeLiGas): the lead time of an
	// Anmeldung without / with Kündigung and the NB's wait for the LFA's
	// answer to a 44010. Empty / 0: the defaults (10,13 and 3).
	GasLeadTimes string
	GasLFAAnswer int
	// GasBillingMonths is the Abrechnungsintervall (months) a Grundversorger
	// tenant states in its 44014 when the MaLo's master data name none
	// (geligas.WithDefaultBillingMonths; pkg/malo holds no LF billing
	// interval): a deployment choice, default DefaultGasBillingMonths; 0:
	// none, a confirmed 44013 then fails for want of it.
	GasBillingMonths int

	envErrs []error
	// gasClock is the GeLi Gas clock Finish built from the gas flags (nil:
	// the module's default).
	gasClock *fristen.GeLiGas
	// js is the connection Connect opened; PipelineConfig reads the gpke
	// module's master data through it (KV mako_malo).
	js jetstream.JetStream
}

// Register adds the shared flags to fs. Every flag defaults to its MAKO_*
// environment variable (NATS_URL for --nats-url), then to a built-in value.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.NatsURL, "nats-url", env("NATS_URL", nats.DefaultURL), "NATS server URL(s), comma-separated (env NATS_URL)")
	fs.StringVar(&c.Creds, "creds", env("MAKO_CREDS", ""), "NATS credentials file (env MAKO_CREDS)")
	fs.Func("tenant", "a tenant: id=MPID[+MPID…][:ROLE[+ROLE…]][:strom|gas|strom+gas], repeatable (env MAKO_TENANTS, comma-separated; default "+DefaultTenants+")", func(s string) error {
		t, err := ParseTenant(s)
		if err == nil {
			c.Tenants = append(c.Tenants, t)
		}
		return err
	})
	fs.Func("modules", "workflow modules to run, comma-separated, of: "+strings.Join(ModuleNames(), ", ")+" (env MAKO_MODULES; default "+DefaultModules+")", func(s string) error {
		c.Modules = splitList(s)
		return nil
	})
	fs.IntVar(&c.Replicas, "replicas", c.envInt("MAKO_REPLICAS", 1), "replicas of streams and buckets: 1, or 3 on a cluster (env MAKO_REPLICAS)")
	fs.IntVar(&c.MaxDeliver, "max-deliver", c.envInt("MAKO_MAX_DELIVER", 5), "deliveries of a failing command before it is dead-lettered (env MAKO_MAX_DELIVER)")
	fs.IntVar(&c.Concurrency, "concurrency", c.envInt("MAKO_CONCURRENCY", 16), "handler lanes per worker (env MAKO_CONCURRENCY)")
	fs.StringVar(&c.LogLevel, "log-level", env("MAKO_LOG_LEVEL", "info"), "debug, info, warn or error (env MAKO_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("MAKO_LOG_FORMAT", "json"), "json or console (env MAKO_LOG_FORMAT)")
	fs.StringVar(&c.GasLeadTimes, "gas-lead-times", env("MAKO_GAS_LEAD_TIMES", ""), "GeLi Gas: lead times of an Anmeldung in Werktage, without,with Kündigung — UNVERIFIED values, default 10,13 (env MAKO_GAS_LEAD_TIMES)")
	fs.IntVar(&c.GasBillingMonths, "gas-billing-months", c.envInt("MAKO_GAS_BILLING_MONTHS", DefaultGasBillingMonths), "GeLi Gas: the Grundversorger's Abrechnungsintervall in months (44014 DTM+Z20) when the master data name none — a deployment choice, 1–99, 0 = none (env MAKO_GAS_BILLING_MONTHS)")
	fs.IntVar(&c.GasLFAAnswer, "gas-lfa-answer", c.envInt("MAKO_GAS_LFA_ANSWER", 0), "GeLi Gas: Werktage the NB waits for the LFA's answer to a 44010 — UNVERIFIED, default 3 (env MAKO_GAS_LFA_ANSWER)")
	c.Auth.Register(fs)
	fs.DurationVar(&c.IngestKeep, "ingest-retention", c.envDuration("MAKO_INGEST_RETENTION", 0), "how long raw inbound bytes are kept for audit; 0 = the stream definition's 90 days (env MAKO_INGEST_RETENTION)")
}

// DefaultTenants is the tenant list used when none is configured: the
// three parties of a supplier switch (docs/gpke.md "A market in one test"),
// each in both sectors, so that `mako demo lfw24` and `mako demo gas` run
// against a plain `go run ./cmd/makod`: the new supplier lfn (BDEW MP-ID of
// edifact.md §13), the grid operator nb and the old supplier lfa, each with
// a BDEW code (99…) for Strom and a DVGW code (98…) for Gas (valid check
// digits; the demo's parties, internal/demo DefaultMarket and
// DefaultGasMarket).
const DefaultTenants = "lfn=9900000000004+9800000000007:LF:strom+gas,nb=9900000000011+9800000000014:NB:strom+gas,lfa=9900000000028+9800000000021:LF:strom+gas"

// DefaultGasBillingMonths is the default of --gas-billing-months: a
// Grundversorger bills yearly (12 months) unless its master data say
// otherwise. A deployment choice (the usual Jahresabrechnung of a
// household customer), not a BDEW rule.
const DefaultGasBillingMonths = 12

// DefaultModules is the module list used when none is configured: both
// supplier-switch families, GPKE (Strom) and GeLi Gas.
const DefaultModules = "gpke,geligas"

// Finish applies environment defaults that flags cannot express (lists) and
// validates. Call it after fs.Parse.
func (c *Config) Finish() error {
	if err := errors.Join(c.envErrs...); err != nil {
		return err
	}
	if len(c.Tenants) == 0 {
		list := env("MAKO_TENANTS", DefaultTenants)
		for _, s := range splitList(list) {
			t, err := ParseTenant(s)
			if err != nil {
				return fmt.Errorf("MAKO_TENANTS: %w", err)
			}
			c.Tenants = append(c.Tenants, t)
		}
	}
	if len(c.Modules) == 0 {
		c.Modules = splitList(env("MAKO_MODULES", DefaultModules))
	}
	for _, m := range c.Modules {
		if !slices.Contains(ModuleNames(), m) {
			return fmt.Errorf("unknown module %q (have %s)", m, strings.Join(ModuleNames(), ", "))
		}
	}
	if c.Replicas != 1 && c.Replicas != 3 && c.Replicas != 5 {
		return fmt.Errorf("--replicas %d: want 1, 3 or 5", c.Replicas)
	}
	if c.MaxDeliver < 1 {
		return fmt.Errorf("--max-deliver %d: want ≥ 1", c.MaxDeliver)
	}
	if c.Concurrency < 1 {
		return fmt.Errorf("--concurrency %d: want ≥ 1", c.Concurrency)
	}
	if c.GasBillingMonths < 0 || c.GasBillingMonths > 99 {
		return fmt.Errorf("--gas-billing-months %d: want 1–99, or 0 for none", c.GasBillingMonths)
	}
	return c.finishGas()
}

// finishGas builds the GeLi Gas clock from --gas-lead-times and
// --gas-lfa-answer (none given: nil, the module's default clock).
func (c *Config) finishGas() error {
	var opts []fristen.GeLiGasOption
	if c.GasLeadTimes != "" {
		a, b, ok := strings.Cut(c.GasLeadTimes, ",")
		without, err1 := strconv.Atoi(strings.TrimSpace(a))
		with, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("--gas-lead-times %q: want WITHOUT,WITH Werktage, e.g. 10,13", c.GasLeadTimes)
		}
		opts = append(opts, fristen.WithGasLeadTimes(without, with))
	}
	if c.GasLFAAnswer != 0 {
		opts = append(opts, fristen.WithGasLFAAnswer(c.GasLFAAnswer))
	}
	if len(opts) == 0 {
		c.gasClock = nil
		return nil
	}
	g, err := fristen.NewGeLiGas(nil, opts...)
	if err != nil {
		return fmt.Errorf("--gas-lead-times/--gas-lfa-answer: %w", err)
	}
	c.gasClock = g
	return nil
}

// geligasOptions are the geligas options the gas flags ask for: the GeLi
// Gas clock (--gas-lead-times, --gas-lfa-answer) and the Grundversorger's
// default billing interval (--gas-billing-months). Call it after Finish.
func (c *Config) geligasOptions() []geligas.Option {
	var opts []geligas.Option
	if c.gasClock != nil {
		opts = append(opts, geligas.WithGasClock(c.gasClock))
	}
	if c.GasBillingMonths > 0 {
		opts = append(opts, geligas.WithDefaultBillingMonths(c.GasBillingMonths))
	}
	return opts
}

// ParseTenant reads "id=MPID[+MPID…][:ROLE[+ROLE…]][:strom|gas|strom+gas]".
// Every MP-ID must carry a valid check digit (pkg/edifact/ident); a Strom
// tenant must not list a DVGW code (98…) and a Gas tenant no BDEW code
// (99…), since the code list names the sector (edifact.md §2). A tenant of
// both sectors (strom+gas) lists the MP-IDs of both — typically a BDEW code
// for Strom and a DVGW code for Gas — and gets ingest.Tenant.Sectors with
// Sector unspecified: each interchange's sector decides its CONTRL duty.
func ParseTenant(s string) (ingest.Tenant, error) {
	id, rest, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || id == "" {
		return ingest.Tenant{}, fmt.Errorf("tenant %q: want id=MPID[:ROLES][:SECTOR]", s)
	}
	t := ingest.Tenant{ID: engine.TenantID(id)}
	if err := t.ID.Validate(); err != nil {
		return ingest.Tenant{}, fmt.Errorf("tenant %q: %w", s, err)
	}
	parts := strings.Split(rest, ":")
	if len(parts) > 3 {
		return ingest.Tenant{}, fmt.Errorf("tenant %q: too many ':' parts", s)
	}
	for _, mp := range strings.Split(parts[0], "+") {
		if mp != "" {
			t.MPIDs = append(t.MPIDs, mp)
		}
	}
	if len(t.MPIDs) == 0 {
		return ingest.Tenant{}, fmt.Errorf("tenant %q: at least one MP-ID", s)
	}
	if len(parts) > 1 && parts[1] != "" {
		for _, r := range strings.Split(parts[1], "+") {
			t.Roles = append(t.Roles, routing.Role(r))
		}
	}
	if len(parts) > 2 && parts[2] != "" {
		for _, name := range strings.Split(strings.ToLower(parts[2]), "+") {
			var sec catalog.Sector
			switch name {
			case "strom":
				sec = catalog.Strom
			case "gas":
				sec = catalog.Gas
			default:
				return ingest.Tenant{}, fmt.Errorf("tenant %q: sector %q: want strom, gas or strom+gas", s, name)
			}
			if !slices.Contains(t.Sectors, sec) {
				t.Sectors = append(t.Sectors, sec)
			}
		}
		if len(t.Sectors) == 1 {
			t.Sector, t.Sectors = t.Sectors[0], nil
		}
	}
	for _, mp := range t.MPIDs {
		k, err := ident.ClassifyMPID(mp)
		if err != nil {
			return ingest.Tenant{}, fmt.Errorf("tenant %q: MP-ID %s: %w", s, mp, err)
		}
		switch {
		case t.Sector == catalog.Strom && k == ident.MPIDDVGW:
			return ingest.Tenant{}, fmt.Errorf("tenant %q: MP-ID %s is a DVGW (gas) code, the tenant is strom only", s, mp)
		case t.Sector == catalog.Gas && k == ident.MPIDBDEW:
			return ingest.Tenant{}, fmt.Errorf("tenant %q: MP-ID %s is a BDEW (Strom) code, the tenant is gas only", s, mp)
		}
	}
	return t, nil
}

// modules is the catalogue of workflow modules a deployment can run. js,
// when set, is the connection whose KV mako_malo holds the master data the
// gpke and geligas modules enrich requests with, and whose registry their
// process index reads; without it (nil) their answering workflows report
// that they have no master data. gas are the deployment's options of the
// geligas module (Config.geligasOptions).
func modules(js jetstream.JetStream, gas []geligas.Option) map[string]func() (module.Module, error) {
	var masterData *maloOnJS
	var reg *registryOnJS
	if js != nil {
		masterData, reg = &maloOnJS{js: js}, &registryOnJS{js: js}
	}
	return map[string]func() (module.Module, error){
		// testflow answers every 55001 with an APERAK 312: a smoke test of the
		// pipeline (it conflicts with nothing, but shadows gpke's "no route"
		// answers for LF tenants — run one of the two).
		"testflow": func() (module.Module, error) { return testflow.Module(fv.MustParse("FV2604")), nil },
		// gpke: the LFW24 supplier switch for NB, LFN and LFA (docs/gpke.md),
		// master data from pkg/malo (managed with `mako malo`, kept current by
		// the master data consumer).
		"gpke": func() (module.Module, error) {
			if js == nil {
				return gpke.Module(), nil
			}
			return gpke.Module(gpke.WithMasterData(gpke.FromMaLo(masterData)), gpke.WithProcessIndex(gpke.ProcessIndexFunc(reg.LookupAll))), nil
		},
		// geligas: the GeLi Gas supplier switch for NB, LFN and LFA
		// (docs/geligas.md; sector Gas, PIDs 44001–44018, 44022–44024,
		// 44036–44038), master data from pkg/malo with the gas data of the
		// record (GasMasterData, GasLocation).
		"geligas": func() (module.Module, error) {
			opts := slices.Clone(gas)
			if js != nil {
				opts = append(opts, geligas.WithMasterData(GasMasterData(masterData)), geligas.WithProcessIndex(geligas.ProcessIndexFunc(reg.LookupAll)))
			}
			return geligas.Module(opts...)
		},
	}
}

// maloOnJS reads master data from KV mako_malo, binding the bucket on first
// use (the streams and buckets exist only after New ran).
type maloOnJS struct {
	js    jetstream.JetStream
	mu    sync.Mutex
	store *malonats.NATSStore
}

// Lookup implements malo.Reader.
func (m *maloOnJS) Lookup(ctx context.Context, tenant, maloID string) (*malo.Record, error) {
	m.mu.Lock()
	s := m.store
	m.mu.Unlock()
	if s == nil {
		kv, err := m.js.KeyValue(ctx, malonats.Bucket)
		if err != nil {
			return nil, fmt.Errorf("master data: bucket %s: %w", malonats.Bucket, err)
		}
		if s, err = malonats.NewNATSStore(kv); err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.store = s
		m.mu.Unlock()
	}
	return s.Lookup(ctx, tenant, maloID)
}

// registryOnJS reads the engine's business-key sets (natsstore registry)
// for the gpke enricher (E_0622 step 70), binding the bucket on first use.
type registryOnJS struct {
	js  jetstream.JetStream
	mu  sync.Mutex
	reg *natsstore.Registry
}

// LookupAll implements gpke.ProcessIndex.
func (r *registryOnJS) LookupAll(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) ([]engine.ProcessIdentity, error) {
	r.mu.Lock()
	reg := r.reg
	if reg == nil {
		var err error
		if reg, err = natsstore.NewRegistry(ctx, r.js); err != nil {
			r.mu.Unlock()
			return nil, fmt.Errorf("registry: %w", err)
		}
		r.reg = reg
	}
	r.mu.Unlock()
	return reg.LookupAll(ctx, tenant, key)
}

// ModuleNames lists the available modules, sorted.
func ModuleNames() []string {
	var out []string
	for k := range modules(nil, nil) {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// PipelineConfig turns c into a SystemConfig. Call it after Connect: the
// gpke and geligas modules read their master data through that connection.
// It fails when a module cannot be built from its options.
func (c *Config) PipelineConfig(log zerolog.Logger) (SystemConfig, error) {
	all := modules(c.js, c.geligasOptions())
	pc := SystemConfig{Tenants: c.Tenants, Replicas: c.Replicas, Concurrency: c.Concurrency, Logger: log, IngestMaxAge: c.IngestKeep, MaxDeliver: c.MaxDeliver}
	for _, name := range c.Modules {
		m, err := all[name]()
		if err != nil {
			return SystemConfig{}, fmt.Errorf("module %s: %w", name, err)
		}
		pc.Modules = append(pc.Modules, m)
	}
	return pc, nil
}

// Logger returns the zerolog logger c asks for, writing to stderr.
func (c *Config) Logger(component string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(c.LogLevel)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("--log-level: %w", err)
	}
	var l zerolog.Logger
	switch c.LogFormat {
	case "json":
		l = zerolog.New(os.Stderr)
	case "console":
		l = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.RFC3339})
	default:
		return zerolog.Logger{}, fmt.Errorf("--log-format %q: want json or console", c.LogFormat)
	}
	return l.Level(lvl).With().Timestamp().Str("component", component).Logger(), nil
}

// Connect opens the NATS connection with endless reconnects, so workers ride
// out server restarts and leader changes. PipelineConfig uses it afterwards.
func (c *Config) Connect(name string, log zerolog.Logger, extra ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: our own Close
				log.Warn().Err(err).Msg("nats disconnected")
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info().Str("url", nc.ConnectedUrl()).Msg("nats reconnected") }),
	}
	if c.Creds != "" {
		opts = append(opts, nats.UserCredentials(c.Creds))
	}
	opts = append(opts, extra...)
	nc, err := nats.Connect(c.NatsURL, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect %s: %w", c.NatsURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	c.js = js
	return nc, js, nil
}

// Actor is one run.Group member driven by a context.
type Actor func(ctx context.Context) error

// Run runs actors in a run.Group with a signal handler: SIGINT or SIGTERM
// cancels every actor's context; Run returns when all have returned. A
// signal is not an error.
func Run(ctx context.Context, actors ...Actor) error {
	var g run.Group
	g.Add(run.SignalHandler(ctx, os.Interrupt, syscall.SIGTERM))
	for _, a := range actors {
		actx, cancel := context.WithCancel(ctx)
		g.Add(func() error { return a(actx) }, func(error) { cancel() })
	}
	err := g.Run()
	var se *run.SignalError
	if errors.As(err, &se) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func env(k, def string) string {
	if v, ok := os.LookupEnv(k); ok && v != "" {
		return v
	}
	return def
}

func (c *Config) envInt(k string, def int) int {
	s := env(k, "")
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q: %w", k, s, err))
		return def
	}
	return v
}

func (c *Config) envDuration(k string, def time.Duration) time.Duration {
	s := env(k, "")
	if s == "" {
		return def
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q: %w", k, s, err))
		return def
	}
	return v
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
