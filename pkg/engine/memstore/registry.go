package memstore

import (
	"context"
	"sync"

	"github.com/mako-engine/mako/pkg/engine"
)

type tenantKey struct {
	tenant engine.TenantID
	key    string
}

type tenantBusinessKey struct {
	tenant engine.TenantID
	key    engine.BusinessKey
}

// Registry is an in-memory engine.Registry.
type Registry struct {
	mu      sync.Mutex
	keys    map[tenantKey]engine.ProcessIdentity
	indexes map[tenantBusinessKey][]engine.ProcessIdentity
}

var _ engine.Registry = (*Registry)(nil)

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{keys: map[tenantKey]engine.ProcessIdentity{}, indexes: map[tenantBusinessKey][]engine.ProcessIdentity{}}
}

func checkKey(ctx context.Context, tenant engine.TenantID, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tenant.Validate(); err != nil {
		return err
	}
	return engine.ValidateRegistryKey(key)
}

func checkBusinessKey(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tenant.Validate(); err != nil {
		return err
	}
	return key.Validate()
}

// Register implements engine.Registry.
func (r *Registry) Register(ctx context.Context, tenant engine.TenantID, key string, id engine.ProcessIdentity) (engine.ProcessIdentity, error) {
	if err := checkKey(ctx, tenant, key); err != nil {
		return engine.ProcessIdentity{}, err
	}
	if err := id.Validate(); err != nil {
		return engine.ProcessIdentity{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := tenantKey{tenant, key}
	if cur, ok := r.keys[k]; ok {
		return cur, engine.ErrKeyExists
	}
	r.keys[k] = id
	return id, nil
}

// Lookup implements engine.Registry.
func (r *Registry) Lookup(ctx context.Context, tenant engine.TenantID, key string) (engine.ProcessIdentity, bool, error) {
	if err := checkKey(ctx, tenant, key); err != nil {
		return engine.ProcessIdentity{}, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.keys[tenantKey{tenant, key}]
	return id, ok, nil
}

// Remove implements engine.Registry.
func (r *Registry) Remove(ctx context.Context, tenant engine.TenantID, key string) error {
	if err := checkKey(ctx, tenant, key); err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.keys, tenantKey{tenant, key})
	r.mu.Unlock()
	return nil
}

// Correlate implements engine.Registry.
func (r *Registry) Correlate(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey, id engine.ProcessIdentity) error {
	if err := checkBusinessKey(ctx, tenant, key); err != nil {
		return err
	}
	if err := id.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := tenantBusinessKey{tenant, key}
	for i, cur := range r.indexes[k] {
		if cur.Process == id.Process {
			r.indexes[k][i] = id
			return nil
		}
	}
	r.indexes[k] = append(r.indexes[k], id)
	return nil
}

// LookupAll implements engine.Registry.
func (r *Registry) LookupAll(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) ([]engine.ProcessIdentity, error) {
	if err := checkBusinessKey(ctx, tenant, key); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]engine.ProcessIdentity{}, r.indexes[tenantBusinessKey{tenant, key}]...), nil
}

// Retire implements engine.Registry.
func (r *Registry) Retire(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey, process engine.ProcessID) error {
	if err := checkBusinessKey(ctx, tenant, key); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := tenantBusinessKey{tenant, key}
	ids := r.indexes[k]
	for i, cur := range ids {
		if cur.Process == process {
			r.indexes[k] = append(ids[:i:i], ids[i+1:]...)
			break
		}
	}
	if len(r.indexes[k]) == 0 {
		delete(r.indexes, k)
	}
	return nil
}
