package readmodel

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors of the Store (wrapped; use errors.Is).
var (
	// ErrNotFound: no such process or key in the read model.
	ErrNotFound = errors.New("readmodel: not found")
	// ErrInvalidQuery: a query parameter is malformed (tenant, process id,
	// cursor, limit).
	ErrInvalidQuery = errors.New("readmodel: invalid query")
)

// Query limits.
const (
	// DefaultLimit is the page size when a query names none.
	DefaultLimit = 50
	// MaxLimit is the largest page size.
	MaxLimit = 1000
)

// Store reads the read models. It binds the buckets on first use, so it can
// be built before they exist. Every listing reads the bucket (filtered by
// tenant) in one ordered pass and filters, sorts and pages in memory: fine
// for hundreds of thousands of processes, not for hundreds of millions.
type Store struct {
	js jetstream.JetStream

	mu                   sync.Mutex
	procs, keys, letters jetstream.KeyValue
}

// NewStore returns a Store reading through js.
func NewStore(js jetstream.JetStream) *Store { return &Store{js: js} }

func (s *Store) bind(ctx context.Context) (procs, keys, letters jetstream.KeyValue, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.procs == nil {
		if s.procs, err = s.js.KeyValue(ctx, BucketProcesses); err != nil {
			s.procs = nil
			return nil, nil, nil, fmt.Errorf("readmodel: bucket %s: %w", BucketProcesses, err)
		}
	}
	if s.keys == nil {
		if s.keys, err = s.js.KeyValue(ctx, BucketKeys); err != nil {
			s.keys = nil
			return nil, nil, nil, fmt.Errorf("readmodel: bucket %s: %w", BucketKeys, err)
		}
	}
	if s.letters == nil {
		if s.letters, err = s.js.KeyValue(ctx, BucketDeadLetters); err != nil {
			s.letters = nil
			return nil, nil, nil, fmt.Errorf("readmodel: bucket %s: %w", BucketDeadLetters, err)
		}
	}
	return s.procs, s.keys, s.letters, nil
}

func checkTenant(t string) error {
	if t == "" {
		return nil
	}
	if err := engine.TenantID(t).Validate(); err != nil {
		return fmt.Errorf("%w: tenant: %v", ErrInvalidQuery, err)
	}
	return nil
}

// tenantFilter returns the key filter of a tenant's entries ("" = all).
func tenantFilter(tenant string) string {
	if tenant == "" {
		return ">"
	}
	return tenant + ".>"
}

// scan calls fn with every live value of kv whose key matches filter, in
// one ordered pass over the bucket.
func scan(ctx context.Context, kv jetstream.KeyValue, filter string, fn func(key string, value []byte) error) error {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("readmodel: watcher closed")
			}
			if e == nil {
				return nil // initial values done
			}
			if err := fn(e.Key(), e.Value()); err != nil {
				return err
			}
		}
	}
}

// Process returns the overview of a process. With an empty tenant the
// process id is looked up in every tenant (it is a UUID; two tenants with
// the same id make the query ambiguous, an ErrInvalidQuery).
func (s *Store) Process(ctx context.Context, tenant, id string) (Process, error) {
	if err := checkTenant(tenant); err != nil {
		return Process{}, err
	}
	if err := engine.ProcessID(id).Validate(); err != nil {
		return Process{}, fmt.Errorf("%w: process id: %v", ErrInvalidQuery, err)
	}
	procs, _, _, err := s.bind(ctx)
	if err != nil {
		return Process{}, err
	}
	var found []Process
	get := func(key string, b []byte) error {
		var p Process
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("readmodel: overview %s: %w", key, err)
		}
		p.normalize()
		found = append(found, p)
		return nil
	}
	if tenant != "" {
		e, err := procs.Get(ctx, ProcessKey(tenant, id))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return Process{}, fmt.Errorf("%w: process %s/%s", ErrNotFound, tenant, id)
		}
		if err != nil {
			return Process{}, err
		}
		if err := get(e.Key(), e.Value()); err != nil {
			return Process{}, err
		}
		return found[0], nil
	}
	if err := scan(ctx, procs, "*."+id, get); err != nil {
		return Process{}, err
	}
	switch len(found) {
	case 0:
		return Process{}, fmt.Errorf("%w: process %s", ErrNotFound, id)
	case 1:
		return found[0], nil
	}
	return Process{}, fmt.Errorf("%w: process %s exists in %d tenants; name the tenant", ErrInvalidQuery, id, len(found))
}

// ProcessQuery selects process overviews. Empty fields do not filter.
type ProcessQuery struct {
	Tenant string
	// Workflow is a workflow name, or "name@FV" for one format version.
	Workflow string
	State    string
	MaLo     string
	// Limit is the page size (default DefaultLimit, at most MaxLimit).
	Limit int
	// Cursor is ProcessPage.NextCursor of the previous page.
	Cursor string
}

// ProcessPage is one page of overviews, ordered by creation time, tenant
// and process id. NextCursor is empty on the last page.
type ProcessPage struct {
	Processes  []Process
	NextCursor string
}

type cursor struct {
	created time.Time
	tenant  string
	process string
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.created.UTC().Format(time.RFC3339Nano) + "|" + c.tenant + "|" + c.process))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: cursor: %v", ErrInvalidQuery, err)
	}
	parts := strings.Split(string(b), "|")
	if len(parts) != 3 {
		return cursor{}, fmt.Errorf("%w: cursor", ErrInvalidQuery)
	}
	t, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return cursor{}, fmt.Errorf("%w: cursor: %v", ErrInvalidQuery, err)
	}
	return cursor{created: t, tenant: parts[1], process: parts[2]}, nil
}

func (c cursor) compare(p Process) int {
	if x := c.created.Compare(p.CreatedAt); x != 0 {
		return x
	}
	if x := cmp.Compare(c.tenant, p.Tenant); x != 0 {
		return x
	}
	return cmp.Compare(c.process, p.ProcessID)
}

func limitOf(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 0 || n > MaxLimit:
		return 0, fmt.Errorf("%w: limit %d not in 1..%d", ErrInvalidQuery, n, MaxLimit)
	}
	return n, nil
}

// Processes returns one page of the overviews matching q.
func (s *Store) Processes(ctx context.Context, q ProcessQuery) (ProcessPage, error) {
	if err := checkTenant(q.Tenant); err != nil {
		return ProcessPage{}, err
	}
	limit, err := limitOf(q.Limit)
	if err != nil {
		return ProcessPage{}, err
	}
	var after *cursor
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return ProcessPage{}, err
		}
		after = &c
	}
	procs, keys, _, err := s.bind(ctx)
	if err != nil {
		return ProcessPage{}, err
	}
	var all []Process
	keep := func(p Process) {
		if q.State != "" && p.State != q.State {
			return
		}
		if q.Workflow != "" && p.Workflow != q.Workflow && p.WorkflowID() != q.Workflow {
			return
		}
		if q.MaLo != "" && !p.HasMaLo(q.MaLo) {
			return
		}
		if after != nil && after.compare(p) >= 0 {
			return
		}
		all = append(all, p)
	}
	decode := func(key string, b []byte) error {
		var p Process
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("readmodel: overview %s: %w", key, err)
		}
		p.normalize()
		keep(p)
		return nil
	}
	if q.MaLo != "" {
		// The index names the candidates; read only those.
		var entries []KeyEntry
		if err := scan(ctx, keys, tenantPart(q.Tenant)+"."+string(inbound.KeyMaLo)+"."+EncodeKeyValue(q.MaLo), func(key string, b []byte) error {
			var e KeyEntry
			if err := json.Unmarshal(b, &e); err != nil {
				return fmt.Errorf("readmodel: index %s: %w", key, err)
			}
			entries = append(entries, e)
			return nil
		}); err != nil {
			return ProcessPage{}, err
		}
		for _, e := range entries {
			for _, id := range e.Processes {
				en, err := procs.Get(ctx, ProcessKey(e.Tenant, id))
				if errors.Is(err, jetstream.ErrKeyNotFound) {
					continue // indexed before its overview was written
				}
				if err != nil {
					return ProcessPage{}, err
				}
				if err := decode(en.Key(), en.Value()); err != nil {
					return ProcessPage{}, err
				}
			}
		}
	} else if err := scan(ctx, procs, tenantFilter(q.Tenant), decode); err != nil {
		return ProcessPage{}, err
	}
	slices.SortFunc(all, func(a, b Process) int {
		return cursor{created: a.CreatedAt, tenant: a.Tenant, process: a.ProcessID}.compare(b)
	})
	page := ProcessPage{Processes: all}
	if len(all) > limit {
		page.Processes = all[:limit]
		last := all[limit-1]
		page.NextCursor = cursor{created: last.CreatedAt, tenant: last.Tenant, process: last.ProcessID}.encode()
	}
	if page.Processes == nil {
		page.Processes = []Process{}
	}
	return page, nil
}

func tenantPart(t string) string {
	if t == "" {
		return "*"
	}
	return t
}

// DueDeadline is an open deadline with its process.
type DueDeadline struct {
	Tenant    string `json:"tenant"`
	ProcessID string `json:"process_id"`
	Workflow  string `json:"workflow"`
	Deadline
}

// Deadlines returns the open deadlines due before dueBefore (zero: all),
// of one tenant or all, ordered by due time, tenant, process and id.
func (s *Store) Deadlines(ctx context.Context, tenant string, dueBefore time.Time) ([]DueDeadline, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	procs, _, _, err := s.bind(ctx)
	if err != nil {
		return nil, err
	}
	out := []DueDeadline{}
	err = scan(ctx, procs, tenantFilter(tenant), func(key string, b []byte) error {
		var p Process
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("readmodel: overview %s: %w", key, err)
		}
		for _, d := range p.OpenDeadlines {
			if dueBefore.IsZero() || d.Due.Before(dueBefore) {
				out = append(out, DueDeadline{Tenant: p.Tenant, ProcessID: p.ProcessID, Workflow: p.WorkflowID(), Deadline: d})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b DueDeadline) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.ProcessID, b.ProcessID), cmp.Compare(a.DeadlineID, b.DeadlineID))
	})
	return out, nil
}

// DeadLetterQuery selects dead letters. Empty fields do not filter.
type DeadLetterQuery struct {
	Tenant string
	Reason string
	// Limit bounds the result (default DefaultLimit, at most MaxLimit).
	Limit int
}

// DeadLetters returns the matching dead letters, newest (highest MAKO_DLQ
// sequence) first.
func (s *Store) DeadLetters(ctx context.Context, q DeadLetterQuery) ([]DeadLetter, error) {
	if err := checkTenant(q.Tenant); err != nil {
		return nil, err
	}
	limit, err := limitOf(q.Limit)
	if err != nil {
		return nil, err
	}
	_, _, letters, err := s.bind(ctx)
	if err != nil {
		return nil, err
	}
	out := []DeadLetter{}
	err = scan(ctx, letters, tenantFilter(q.Tenant), func(key string, b []byte) error {
		var d DeadLetter
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("readmodel: dead letter %s: %w", key, err)
		}
		if q.Reason == "" || d.Reason == q.Reason {
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b DeadLetter) int { return cmp.Compare(b.Sequence, a.Sequence) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Key returns the index entry of a business key.
func (s *Store) Key(ctx context.Context, tenant, kind, value string) (KeyEntry, error) {
	if tenant == "" {
		return KeyEntry{}, fmt.Errorf("%w: tenant required", ErrInvalidQuery)
	}
	if err := checkTenant(tenant); err != nil {
		return KeyEntry{}, err
	}
	if err := (engine.BusinessKey{Kind: engine.KeyKind(kind), Value: value}).Validate(); err != nil {
		return KeyEntry{}, fmt.Errorf("%w: %v", ErrInvalidQuery, err)
	}
	_, keys, _, err := s.bind(ctx)
	if err != nil {
		return KeyEntry{}, err
	}
	e, err := keys.Get(ctx, IndexKey(tenant, kind, value))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return KeyEntry{}, fmt.Errorf("%w: key %s:%s in %s", ErrNotFound, kind, value, tenant)
	}
	if err != nil {
		return KeyEntry{}, err
	}
	var k KeyEntry
	if err := json.Unmarshal(e.Value(), &k); err != nil {
		return KeyEntry{}, fmt.Errorf("readmodel: index %s: %w", e.Key(), err)
	}
	return k, nil
}

// ProcessDeadLetters returns the dead letters naming the process (their
// process_id), oldest first.
func (s *Store) ProcessDeadLetters(ctx context.Context, tenant, process string) ([]DeadLetter, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	_, _, letters, err := s.bind(ctx)
	if err != nil {
		return nil, err
	}
	out := []DeadLetter{}
	err = scan(ctx, letters, tenantFilter(tenant), func(key string, b []byte) error {
		var d DeadLetter
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("readmodel: dead letter %s: %w", key, err)
		}
		if d.ProcessID == process {
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b DeadLetter) int { return cmp.Compare(a.Sequence, b.Sequence) })
	return out, nil
}

// DeadLetter returns the letter with MAKO_DLQ sequence seq of tenant.
func (s *Store) DeadLetter(ctx context.Context, tenant string, seq uint64) (DeadLetter, error) {
	if tenant == "" {
		return DeadLetter{}, fmt.Errorf("%w: tenant required", ErrInvalidQuery)
	}
	if err := checkTenant(tenant); err != nil {
		return DeadLetter{}, err
	}
	_, _, letters, err := s.bind(ctx)
	if err != nil {
		return DeadLetter{}, err
	}
	e, err := letters.Get(ctx, DeadLetterKey(tenant, seq))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return DeadLetter{}, fmt.Errorf("%w: dead letter %s/%d", ErrNotFound, tenant, seq)
	}
	if err != nil {
		return DeadLetter{}, err
	}
	var d DeadLetter
	if err := json.Unmarshal(e.Value(), &d); err != nil {
		return DeadLetter{}, fmt.Errorf("readmodel: dead letter %s: %w", e.Key(), err)
	}
	return d, nil
}

// EachProcess calls fn with every process overview of tenant ("" = every
// tenant), in one ordered pass over the bucket (for dashboards that
// aggregate; listings use Processes).
func (s *Store) EachProcess(ctx context.Context, tenant string, fn func(Process) error) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	procs, _, _, err := s.bind(ctx)
	if err != nil {
		return err
	}
	return scan(ctx, procs, tenantFilter(tenant), func(key string, b []byte) error {
		var p Process
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("readmodel: overview %s: %w", key, err)
		}
		p.normalize()
		return fn(p)
	})
}

// EachDeadLetter calls fn with every dead letter of tenant ("" = every
// tenant), in key (= MAKO_DLQ sequence) order per tenant.
func (s *Store) EachDeadLetter(ctx context.Context, tenant string, fn func(DeadLetter) error) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	_, _, letters, err := s.bind(ctx)
	if err != nil {
		return err
	}
	return scan(ctx, letters, tenantFilter(tenant), func(key string, b []byte) error {
		var d DeadLetter
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("readmodel: dead letter %s: %w", key, err)
		}
		return fn(d)
	})
}
