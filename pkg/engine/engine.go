package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/fv"
	"github.com/rs/zerolog"
)

// Defaults of the Engine options.
const (
	defaultSnapshotInterval = 100
	defaultCacheSize        = 4096
	defaultRetryAttempts    = 10
	defaultCommandWindow    = 1000
)

// Engine runs processes: it loads their state (cache, snapshot plus
// tail, or full replay), executes commands against their workflows, commits
// decisions with optimistic concurrency, and holds the optional stores and
// the workflow registry. It is safe for concurrent use. Several
// Engines (in one or many processes) may share one store; optimistic
// concurrency decides between them.
type Engine struct {
	events        EventStore
	snapshots     SnapshotStore
	registry      Registry
	inbox         Inbox
	snapInterval  int
	retryAttempts int
	commandWindow int
	log           zerolog.Logger
	now           func() time.Time

	cache *stateCache
	locks *keyedMutex

	wfMu      sync.RWMutex
	workflows map[string][]AnyDefinition // by name, ascending format version
}

type options struct {
	events        EventStore
	snapshots     SnapshotStore
	registry      Registry
	inbox         Inbox
	snapInterval  int
	cacheSize     int
	retryAttempts int
	commandWindow int
	log           zerolog.Logger
	now           func() time.Time
	defs          []AnyDefinition
	err           error
}

// Option configures New.
type Option func(*options)

// WithEventStore sets the event store (required).
func WithEventStore(s EventStore) Option { return func(o *options) { o.events = s } }

// WithSnapshotStore enables snapshots in s.
func WithSnapshotStore(s SnapshotStore) Option { return func(o *options) { o.snapshots = s } }

// WithRegistry sets the process registry (needed by SpawnOrResume).
func WithRegistry(r Registry) Option { return func(o *options) { o.registry = r } }

// WithInbox sets the inbound deduplication inbox (exposed by Inbox).
func WithInbox(in Inbox) Option { return func(o *options) { o.inbox = in } }

// WithSnapshotInterval takes a snapshot whenever at least n events were
// committed since the last one (default 100; 0 = never).
func WithSnapshotInterval(n int) Option {
	return func(o *options) {
		if n < 0 {
			o.err = errors.Join(o.err, fmt.Errorf("%w: snapshot interval %d < 0", ErrInvalidArgument, n))
		}
		o.snapInterval = n
	}
}

// WithCacheSize sets how many processes the state cache keeps (default
// 4096; 0 disables the cache).
func WithCacheSize(n int) Option {
	return func(o *options) {
		if n < 0 {
			o.err = errors.Join(o.err, fmt.Errorf("%w: cache size %d < 0", ErrInvalidArgument, n))
		}
		o.cacheSize = n
	}
}

// WithRetryAttempts sets the conflict retries of the operations that retry
// on their own (FireDeadline); default 10.
func WithRetryAttempts(n int) Option {
	return func(o *options) {
		if n < 1 {
			o.err = errors.Join(o.err, fmt.Errorf("%w: retry attempts %d < 1", ErrInvalidArgument, n))
		}
		o.retryAttempts = n
	}
}

// WithCommandWindow sets how many of a process's most recent command ids
// the engine remembers for idempotency (default 1000; 0 =
// all). A command whose id is among them is a Duplicate; an id older than
// the window is not recognised and would be decided again. The window keeps
// the cache and snapshots of long-lived processes bounded; inbound messages
// are additionally deduplicated by the Inbox for 96 h.
func WithCommandWindow(n int) Option {
	return func(o *options) {
		if n < 0 {
			o.err = errors.Join(o.err, fmt.Errorf("%w: command window %d < 0", ErrInvalidArgument, n))
		}
		o.commandWindow = n
	}
}

// WithLogger sets the logger (default: none).
func WithLogger(l zerolog.Logger) Option { return func(o *options) { o.log = l } }

// WithClock sets the clock used to stamp ReceivedAt in Process.Execute
// (default time.Now). Workflows never read it.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithWorkflows registers workflow definitions (see RegisterWorkflow).
func WithWorkflows(defs ...AnyDefinition) Option {
	return func(o *options) { o.defs = append(o.defs, defs...) }
}

// New builds an Engine. An event store is required.
func New(opts ...Option) (*Engine, error) {
	o := options{snapInterval: defaultSnapshotInterval, cacheSize: defaultCacheSize, retryAttempts: defaultRetryAttempts,
		commandWindow: defaultCommandWindow, log: zerolog.Nop(), now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	if o.events == nil {
		return nil, fmt.Errorf("%w: an event store is required (WithEventStore)", ErrNotConfigured)
	}
	ec := &Engine{events: o.events, snapshots: o.snapshots, registry: o.registry, inbox: o.inbox,
		snapInterval: o.snapInterval, retryAttempts: o.retryAttempts, commandWindow: o.commandWindow, log: o.log, now: o.now,
		cache: newStateCache(o.cacheSize), locks: newKeyedMutex(), workflows: map[string][]AnyDefinition{}}
	for _, d := range o.defs {
		if err := ec.RegisterWorkflow(d); err != nil {
			return nil, err
		}
	}
	return ec, nil
}

// EventStore returns the event store.
func (ec *Engine) EventStore() EventStore { return ec.events }

// SnapshotStore returns the snapshot store, nil if none.
func (ec *Engine) SnapshotStore() SnapshotStore { return ec.snapshots }

// Registry returns the process registry, nil if none.
func (ec *Engine) Registry() Registry { return ec.registry }

// Inbox returns the inbox, nil if none.
func (ec *Engine) Inbox() Inbox { return ec.inbox }

// RegisterWorkflow adds a definition to the workflow registry. A definition
// with Err, or a second one with the same WorkflowID, is rejected.
func (ec *Engine) RegisterWorkflow(d AnyDefinition) error {
	if d == nil {
		return fmt.Errorf("%w: nil definition", ErrInvalidArgument)
	}
	if err := d.Err(); err != nil {
		return err
	}
	id := d.ID()
	ec.wfMu.Lock()
	defer ec.wfMu.Unlock()
	defs := ec.workflows[id.Name]
	for _, x := range defs {
		if x.ID().FormatVersion.Compare(id.FormatVersion) == 0 {
			return fmt.Errorf("%w: workflow %s registered twice", ErrInvalidArgument, id)
		}
	}
	defs = append(defs, d)
	slices.SortFunc(defs, func(a, b AnyDefinition) int { return a.ID().FormatVersion.Compare(b.ID().FormatVersion) })
	ec.workflows[id.Name] = defs
	return nil
}

// Workflows returns the registered workflow ids, by name and format version.
func (ec *Engine) Workflows() []WorkflowID {
	ec.wfMu.RLock()
	defer ec.wfMu.RUnlock()
	var ids []WorkflowID
	for _, defs := range ec.workflows {
		for _, d := range defs {
			ids = append(ids, d.ID())
		}
	}
	slices.SortFunc(ids, func(a, b WorkflowID) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return a.FormatVersion.Compare(b.FormatVersion)
	})
	return ids
}

// Lookup returns the definition that serves a new message of workflow name
// at format version v: the definition registered for exactly v, else the
// newest one older than v whose version policy accepts v. It fails with
// ErrUnknownWorkflow.
func (ec *Engine) Lookup(name string, v fv.Version) (AnyDefinition, error) {
	ec.wfMu.RLock()
	defer ec.wfMu.RUnlock()
	defs := ec.workflows[name]
	for i := len(defs) - 1; i >= 0; i-- {
		d := defs[i]
		dv := d.ID().FormatVersion
		if dv.Compare(v) == 0 || dv.Before(v) && d.Policy().Accepts(dv, v) {
			return d, nil
		}
	}
	return nil, fmt.Errorf("%w: no definition of %q serves %s", ErrUnknownWorkflow, name, v)
}

// Resolver returns the definition that decodes the events and commands of
// processes of a workflow (implemented by Engine; the workers that
// decode committed events take it).
type Resolver interface {
	Resolve(w WorkflowID) (AnyDefinition, error)
}

// Resolve returns the registered definition that runs an existing process
// created under w (see resolve), e.g. to decode a command addressed to that
// process with its Codec. It fails with ErrUnknownWorkflow.
func (ec *Engine) Resolve(w WorkflowID) (AnyDefinition, error) {
	r, err := ec.resolve(w)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// resolve returns the definition that runs an existing process created
// under w: the definition registered for exactly w, else the newest newer
// one whose version policy accepts running a process created under w.
func (ec *Engine) resolve(w WorkflowID) (runner, error) {
	ec.wfMu.RLock()
	defer ec.wfMu.RUnlock()
	defs := ec.workflows[w.Name]
	for _, d := range defs {
		if d.ID().FormatVersion.Compare(w.FormatVersion) == 0 {
			return d.runner(), nil
		}
	}
	for i := len(defs) - 1; i >= 0; i-- {
		d := defs[i]
		if dv := d.ID().FormatVersion; dv.After(w.FormatVersion) && d.Policy().Accepts(w.FormatVersion, dv) {
			return d.runner(), nil
		}
	}
	return nil, fmt.Errorf("%w: no definition runs processes of %s", ErrUnknownWorkflow, w)
}

// Result is the outcome of executing a command.
type Result struct {
	// Envelopes are the committed envelopes (workflow and engine events, in
	// sequence order); for a Duplicate, those committed the first time.
	Envelopes []EventEnvelope
	// Duplicate is true when the command id had already been committed on
	// the process; nothing was appended. The engine recognises a repeat by
	// the remembered command ids and, when it decided on stale cached
	// state, by the store answering with the commit it already holds (the
	// NATS store: same Nats-Msg-Id) instead of the one decided now; then
	// Envelopes are the first commit's and Version is at least their last
	// sequence. Only a stale decision identical to the first commit (same
	// events, same payloads) is reported as committed — nothing is appended
	// twice either way.
	Duplicate bool
	// Version is the stream version after the command.
	Version uint64
	// Decided are the workflow events this call committed, as the workflow
	// decided them (typed, in commit order; Envelopes holds them encoded,
	// with the engine events). Nil when this call committed nothing: a
	// Duplicate or an empty decision.
	Decided []EventData
	// Fired is the deadline this call recorded as fired (FireDeadline), nil
	// otherwise.
	Fired *DeadlineFired
}

// ExecOption adjusts one Execute call.
type ExecOption func(*execConfig)

type execConfig struct {
	retry    bool
	attempts int
	def      runner
}

// Retry makes Execute retry conflicts (only conflicts) up to attempts times
// in total, reloading the process from the stores before every retry and
// sleeping a jittered delay uniform in [0, min(10ms*attempt, 80ms)).
// attempts < 1 is ErrInvalidArgument.
func Retry(attempts int) ExecOption {
	return func(c *execConfig) { c.retry, c.attempts = true, attempts }
}

// Using makes Execute and FireDeadline run the process with d instead of
// the registered definition that runs it (typed handles, see
// enginetest.Process; d need not be registered). d must be allowed to run
// the process (see Resolve's version policy); the caller checks that.
func Using(d AnyDefinition) ExecOption {
	return func(c *execConfig) { c.def = d.runner() }
}

// Execute runs cmd against the process of id through the registered
// definition that runs it (see Resolve and the version policy) and commits
// the decision. It is idempotent per command id (a command whose id is
// among the process's remembered ids, see WithCommandWindow, appends nothing
// and returns the first commit's envelopes as a Duplicate), serialized per
// process inside this Engine, optimistic against other writers. A conflict
// caused by a stale cache entry is retried once after a reload; a conflict
// on freshly loaded state is returned (errors.Is(err, ErrConflict)) unless
// Retry asks for more attempts.
func (ec *Engine) Execute(ctx context.Context, id ProcessIdentity, cmd Command, opts ...ExecOption) (Result, error) {
	c, r, err := ec.execOptions(id, opts)
	if err != nil {
		return Result{}, err
	}
	if c.retry {
		return ec.executeWithRetry(ctx, r, id, cmd, nil, c.attempts)
	}
	return ec.execute(ctx, r, id, cmd, nil, false)
}

// execOptions applies opts and picks the definition that runs id.
func (ec *Engine) execOptions(id ProcessIdentity, opts []ExecOption) (execConfig, runner, error) {
	var c execConfig
	for _, o := range opts {
		o(&c)
	}
	if c.def != nil {
		return c, c.def, nil
	}
	r, err := ec.resolve(id.Workflow)
	return c, r, err
}

// State loads the process id with d — replaying the whole stream, or from
// the latest snapshot plus the events after it when useSnapshot is set —
// and returns its state (of d's state type), the stream version and its
// open deadlines (set and neither cancelled nor fired), sorted. It takes no
// lock and bypasses the cache.
func (ec *Engine) State(ctx context.Context, d AnyDefinition, id ProcessIdentity, useSnapshot bool) (state any, version uint64, open []DeadlineSet, err error) {
	l, err := ec.load(ctx, d.runner(), id.Stream(), useSnapshot)
	if err != nil {
		return nil, 0, nil, err
	}
	return l.state, l.version, l.deadlines.byDue(), nil
}

// OpenDeadlines replays stream s from events through the engine's own fold
// of deadline events (the one Execute, FireDeadline and State use) without
// decoding the workflow's events, so it needs no definition (operator tools
// such as scheduler.Force). It returns the identity of the process as its
// latest event names it, the stream version, and the deadlines that were
// set and neither cancelled nor fired, in the order they were set (oldest
// first). A stream without events has version 0 and no deadlines.
func OpenDeadlines(ctx context.Context, events EventStore, s StreamID) (id ProcessIdentity, version uint64, open []DeadlineSet, err error) {
	if events == nil {
		return ProcessIdentity{}, 0, nil, fmt.Errorf("%w: no event store", ErrInvalidArgument)
	}
	book := deadlineBook{}
	err = events.Fold(ctx, s, 0, func(env EventEnvelope) error {
		id = ProcessIdentity{Tenant: env.Tenant, Process: env.Process, Workflow: env.Workflow}
		version = env.Sequence
		return book.fold(env)
	})
	if err != nil {
		return ProcessIdentity{}, 0, nil, fmt.Errorf("engine: open deadlines of %s: %w", s, err)
	}
	return id, version, book.bySetAt(), nil
}

// Now returns the engine's clock reading (WithClock; default time.Now).
func (ec *Engine) Now() time.Time { return ec.now() }

// FireDeadline reports a due deadline of the process: if the deadline is
// still open, it commits a "mako.deadline.fired" engine event together with
// the decision on the command the workflow's DeadlineHandler maps it to (if
// any). The commit's command id is FireCommandID(fired.ID), so firing twice
// commits once (the second is a Duplicate); firing a cancelled or unknown
// deadline commits nothing. Conflicts are retried (WithRetryAttempts).
// fired.ID and fired.FiredAt are required; Label and Due are taken from the
// deadline as set.
func (ec *Engine) FireDeadline(ctx context.Context, id ProcessIdentity, fired DeadlineFired, opts ...ExecOption) (Result, error) {
	c, r, err := ec.execOptions(id, opts)
	if err != nil {
		return Result{}, err
	}
	if c.retry {
		return Result{}, fmt.Errorf("%w: FireDeadline retries conflicts itself (WithRetryAttempts)", ErrInvalidArgument)
	}
	return ec.fireDeadline(ctx, r, id, fired)
}

func (ec *Engine) fireDeadline(ctx context.Context, r runner, id ProcessIdentity, fired DeadlineFired) (Result, error) {
	if fired.ID == "" || fired.FiredAt.IsZero() {
		return Result{}, fmt.Errorf("%w: fired deadline needs ID and FiredAt", ErrInvalidArgument)
	}
	cmd := Command{ID: FireCommandID(fired.ID), Type: EventDeadlineFired, ReceivedAt: fired.FiredAt, Causation: CausationID(fired.ID)}
	return ec.executeWithRetry(ctx, r, id, cmd, &fired, ec.retryAttempts)
}

func (ec *Engine) executeWithRetry(ctx context.Context, r runner, id ProcessIdentity, cmd Command, fired *DeadlineFired, attempts int) (Result, error) {
	if attempts < 1 {
		return Result{}, fmt.Errorf("%w: retry attempts %d < 1", ErrInvalidArgument, attempts)
	}
	for attempt := 1; ; attempt++ {
		res, err := ec.execute(ctx, r, id, cmd, fired, attempt > 1)
		if err == nil || !errors.Is(err, ErrConflict) || attempt >= attempts {
			return res, err
		}
		ec.log.Debug().Str("stream", id.Stream().String()).Int("attempt", attempt).Msg("engine: conflict, retrying")
		if err := sleepJitter(ctx, attempt); err != nil {
			return Result{}, err
		}
	}
}

// sleepJitter sleeps uniformly in [0, min(10ms*attempt, 80ms)).
func sleepJitter(ctx context.Context, attempt int) error {
	limit := min(10*time.Millisecond*time.Duration(attempt), 80*time.Millisecond)
	d := time.Duration(rand.Int64N(int64(limit)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SpawnOrResume returns the process registered under the 1:1 key in the
// tenant, or registers a new process of workflow w under it. Of concurrent
// calls for one key exactly one creates (spawned = true); all others get
// the winner's identity. It needs a Registry. Nothing is appended: the
// process stream begins with its first command.
func (ec *Engine) SpawnOrResume(ctx context.Context, tenant TenantID, key string, w WorkflowID) (id ProcessIdentity, spawned bool, err error) {
	if ec.registry == nil {
		return ProcessIdentity{}, false, fmt.Errorf("%w: SpawnOrResume needs a registry", ErrNotConfigured)
	}
	// Create-only first: the common case (a new key) costs one request; a
	// taken key answers with the registered identity.
	fresh := ProcessIdentity{Tenant: tenant, Process: NewProcessID(), Workflow: w}
	if err := fresh.Validate(); err != nil {
		return ProcessIdentity{}, false, err
	}
	got, err := ec.registry.Register(ctx, tenant, key, fresh)
	switch {
	case err == nil:
		return got, true, nil
	case errors.Is(err, ErrKeyExists):
		return got, false, nil
	}
	return ProcessIdentity{}, false, err
}

// NewIdentity returns the identity of a new process of workflow w in the
// tenant (a random process id). Nothing is stored until its first command.
func NewIdentity(tenant TenantID, w WorkflowID) (ProcessIdentity, error) {
	id := ProcessIdentity{Tenant: tenant, Process: NewProcessID(), Workflow: w}
	return id, id.Validate()
}

// Evict drops a process from this Engine's state cache (operators,
// tests); the next command reloads it from the stores.
func (ec *Engine) Evict(s StreamID) { ec.cache.evict(s) }

// CachedProcesses returns how many processes the state cache holds.
func (ec *Engine) CachedProcesses() int { return ec.cache.len() }

// AssumeNew tells the Engine that the process of id has no events
// yet — its caller has just spawned it (SpawnOrResume returned spawned) — so
// that, unless the process is cached already, its next command is decided
// on the workflow's initial state without reading the stores. The belief is
// only an optimisation: if the stream does have events, the append conflicts
// and the engine reloads the process and decides again, as for any stale
// cache entry. Without a state cache it does nothing.
func (ec *Engine) AssumeNew(id ProcessIdentity) error {
	if err := id.Validate(); err != nil {
		return err
	}
	r, err := ec.resolve(id.Workflow)
	if err != nil {
		return err
	}
	s := id.Stream()
	unlock := ec.locks.lock(s)
	defer unlock()
	if ec.cache.get(s) == nil {
		ec.cache.put(s, newLoaded(r, ec.commandWindow))
	}
	return nil
}
