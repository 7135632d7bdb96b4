package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/engine"
)

// Registry is the engine.Registry on the KV bucket mako_registry.
//
// Keys (every part a valid KV token; escapeToken keeps them readable):
//
//	<tenant>.key.<escaped 1:1 key>                     → identity
//	<tenant>.idx.<kind>.<escaped value>.<process>      → identity
//
// Values are JSON {"tenant","process","workflow"} so `nats kv get` shows
// them as they are. Register is a KV Create (compare-and-set); the winner of
// a lost race is read through the stream leader, not with KV Get, which on
// R>1 may lag. On R1 Lookup and LookupAll use Direct Get (KV Get and one
// multi_last request); on R>1 they read through the leader (non-direct
// MSG.GET; LookupAll one request per index entry) so that a lookup sees
// every completed write. Retire purges the index key's subject (no delete
// marker is left, so retired entries cost nothing in later lookups); the
// workers therefore need the stream purge permission on the bucket.
type Registry struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	kv     jetstream.KeyValue
	bucket string
	rd     *reader
	// replicated (R>1 bucket, decided at bind time): Lookup and LookupAll
	// read through the stream leader instead of Direct Get, for
	// read-after-write.
	replicated bool
}

var _ engine.Registry = (*Registry)(nil)

// NewRegistry binds to the registry bucket (default mako_registry), which
// must exist.
func NewRegistry(ctx context.Context, js jetstream.JetStream, opts ...Option) (*Registry, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	kv, err := js.KeyValue(ctx, cfg.registryBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.registryBucket, Err: err}
	}
	st, err := js.Stream(ctx, "KV_"+cfg.registryBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.registryBucket, Err: err}
	}
	return &Registry{
		js: js, stream: st, kv: kv, bucket: cfg.registryBucket,
		rd:         newReader(js.Conn(), apiPrefix(js), "KV_"+cfg.registryBucket, cfg.timeout, 4),
		replicated: st.CachedInfo().Config.Replicas > 1,
	}, nil
}

// Close releases the registry's pooled reply subscriptions.
func (r *Registry) Close() { r.rd.close() }

type identityValue struct {
	Tenant   string `json:"tenant"`
	Process  string `json:"process"`
	Workflow string `json:"workflow"`
}

func encodeIdentity(id engine.ProcessIdentity) []byte {
	b, _ := json.Marshal(identityValue{Tenant: string(id.Tenant), Process: string(id.Process), Workflow: id.Workflow.String()})
	return b
}

func decodeIdentity(b []byte) (engine.ProcessIdentity, error) {
	var v identityValue
	if err := json.Unmarshal(b, &v); err != nil {
		return engine.ProcessIdentity{}, err
	}
	wf, err := engine.ParseWorkflowID(v.Workflow)
	if err != nil {
		return engine.ProcessIdentity{}, err
	}
	id := engine.ProcessIdentity{Tenant: engine.TenantID(v.Tenant), Process: engine.ProcessID(v.Process), Workflow: wf}
	return id, id.Validate()
}

func (r *Registry) errorf(key string, rev uint64, err error) error {
	return &StoreError{Op: "registry", Stream: "KV_" + r.bucket, Subject: "$KV." + r.bucket + "." + key, Sequence: rev, Err: err}
}

func oneToOneKey(tenant engine.TenantID, key string) (string, error) {
	if err := tenant.Validate(); err != nil {
		return "", err
	}
	if err := engine.ValidateRegistryKey(key); err != nil {
		return "", err
	}
	return string(tenant) + ".key." + escapeToken(key), nil
}

func indexPrefix(tenant engine.TenantID, bk engine.BusinessKey) (string, error) {
	if err := tenant.Validate(); err != nil {
		return "", err
	}
	if err := bk.Validate(); err != nil {
		return "", err
	}
	return string(tenant) + ".idx." + string(bk.Kind) + "." + escapeToken(bk.Value), nil
}

// registerAttempts bounds the Create/read loop when the key is deleted
// between a failed Create and the read of the winner.
const registerAttempts = 8

// Register stores id under key if the key is free and returns id; if it is
// taken it returns the stored identity and an error matching
// engine.ErrKeyExists.
func (r *Registry) Register(ctx context.Context, tenant engine.TenantID, key string, id engine.ProcessIdentity) (engine.ProcessIdentity, error) {
	k, err := oneToOneKey(tenant, key)
	if err != nil {
		return engine.ProcessIdentity{}, err
	}
	if err := id.Validate(); err != nil {
		return engine.ProcessIdentity{}, err
	}
	val := encodeIdentity(id)
	for range registerAttempts {
		_, err := r.kv.Create(ctx, k, val)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return engine.ProcessIdentity{}, r.errorf(k, 0, err)
		}
		m, err := r.rd.leaderGet(ctx, msgGetRequest{LastFor: "$KV." + r.bucket + "." + k})
		if errors.Is(err, errNoMsg) {
			continue // removed meanwhile: try again
		}
		if err != nil {
			return engine.ProcessIdentity{}, r.errorf(k, 0, err)
		}
		if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			continue
		}
		won, err := decodeIdentity(m.Data)
		if err != nil {
			return engine.ProcessIdentity{}, r.errorf(k, m.Sequence, fmt.Errorf("decode identity: %w", err))
		}
		return won, fmt.Errorf("natsstore: registry %s key %q: %w", tenant, key, engine.ErrKeyExists)
	}
	return engine.ProcessIdentity{}, r.errorf(k, 0, fmt.Errorf("key changed %d times during register", registerAttempts))
}

// Lookup returns the identity stored under key.
func (r *Registry) Lookup(ctx context.Context, tenant engine.TenantID, key string) (engine.ProcessIdentity, bool, error) {
	k, err := oneToOneKey(tenant, key)
	if err != nil {
		return engine.ProcessIdentity{}, false, err
	}
	if r.replicated {
		m, err := r.rd.leaderGet(ctx, msgGetRequest{LastFor: "$KV." + r.bucket + "." + k})
		if errors.Is(err, errNoMsg) {
			return engine.ProcessIdentity{}, false, nil
		}
		if err != nil {
			return engine.ProcessIdentity{}, false, r.errorf(k, 0, err)
		}
		if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			return engine.ProcessIdentity{}, false, nil
		}
		id, err := decodeIdentity(m.Data)
		if err != nil {
			return engine.ProcessIdentity{}, false, r.errorf(k, m.Sequence, fmt.Errorf("decode identity: %w", err))
		}
		return id, true, nil
	}
	e, err := r.kv.Get(ctx, k)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return engine.ProcessIdentity{}, false, nil
	}
	if err != nil {
		return engine.ProcessIdentity{}, false, r.errorf(k, 0, err)
	}
	id, err := decodeIdentity(e.Value())
	if err != nil {
		return engine.ProcessIdentity{}, false, r.errorf(k, e.Revision(), fmt.Errorf("decode identity: %w", err))
	}
	return id, true, nil
}

// Remove deletes key (a delete marker; removing a missing key is no error).
func (r *Registry) Remove(ctx context.Context, tenant engine.TenantID, key string) error {
	k, err := oneToOneKey(tenant, key)
	if err != nil {
		return err
	}
	if err := r.kv.Delete(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return r.errorf(k, 0, err)
	}
	return nil
}

// Correlate adds id to the business key's set (a Put of the index key
// <tenant>.idx.<kind>.<value>.<process>; idempotent).
func (r *Registry) Correlate(ctx context.Context, tenant engine.TenantID, bk engine.BusinessKey, id engine.ProcessIdentity) error {
	p, err := indexPrefix(tenant, bk)
	if err != nil {
		return err
	}
	if err := id.Validate(); err != nil {
		return err
	}
	k := p + "." + string(id.Process)
	if _, err := r.kv.Put(ctx, k, encodeIdentity(id)); err != nil {
		return r.errorf(k, 0, err)
	}
	return nil
}

// LookupAll returns the identities correlated with the business key: one
// multi_last Direct Get on "<prefix>.*" (one round trip for up to 1024
// index entries, delete markers included), falling back to listing the keys
// beyond that.
func (r *Registry) LookupAll(ctx context.Context, tenant engine.TenantID, bk engine.BusinessKey) ([]engine.ProcessIdentity, error) {
	p, err := indexPrefix(tenant, bk)
	if err != nil {
		return nil, err
	}
	filter := "$KV." + r.bucket + "." + p + ".*"
	latest := map[string]storedMsg{} // subject -> newest message (R>1 scan)
	out := []engine.ProcessIdentity{}
	collect := func(m storedMsg) error {
		if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			return nil
		}
		id, err := decodeIdentity(m.Data)
		if err != nil {
			return r.errorf(m.Subject, m.Sequence, fmt.Errorf("decode identity: %w", err))
		}
		out = append(out, id)
		return nil
	}
	if r.replicated {
		// A key rewritten during the scan shows up again at its new
		// sequence; keep the newest message per subject.
		err = r.rd.leaderScan(ctx, filter, func(m storedMsg) error {
			latest[m.Subject] = m
			return nil
		})
		if err == nil {
			for _, m := range latest {
				if err = collect(m); err != nil {
					break
				}
			}
		}
	} else {
		err = r.rd.multiLast(ctx, filter, collect)
	}
	if errors.Is(err, errTooMany) {
		return r.lookupAllByKeys(ctx, p)
	}
	if err != nil {
		var se *StoreError
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, r.errorf(p+".*", 0, err)
	}
	return out, nil
}

func (r *Registry) lookupAllByKeys(ctx context.Context, prefix string) ([]engine.ProcessIdentity, error) {
	lister, err := r.kv.ListKeysFiltered(ctx, prefix+".*")
	if err != nil {
		return nil, r.errorf(prefix+".*", 0, err)
	}
	defer func() { _ = lister.Stop() }()
	out := []engine.ProcessIdentity{}
	for k := range lister.Keys() {
		e, err := r.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, r.errorf(k, 0, err)
		}
		id, err := decodeIdentity(e.Value())
		if err != nil {
			return nil, r.errorf(k, e.Revision(), fmt.Errorf("decode identity: %w", err))
		}
		out = append(out, id)
	}
	return out, nil
}

// Retire removes process from the business key's set by purging the index
// key's subject (missing is no error).
func (r *Registry) Retire(ctx context.Context, tenant engine.TenantID, bk engine.BusinessKey, process engine.ProcessID) error {
	p, err := indexPrefix(tenant, bk)
	if err != nil {
		return err
	}
	if err := process.Validate(); err != nil {
		return err
	}
	k := p + "." + string(process)
	if err := r.stream.Purge(ctx, jetstream.WithPurgeSubject("$KV."+r.bucket+"."+k)); err != nil {
		return r.errorf(k, 0, err)
	}
	return nil
}
