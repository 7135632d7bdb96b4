package streams

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// tenantPlaceholder is replaced by the tenant in the gateway consumer
// template streams/templates/MAKO_OUTBOX-gw-TENANT.json.
const tenantPlaceholder = "TENANT"

const gatewayTemplate = Outbox + "-gw-" + tenantPlaceholder + ".json"

// GatewayConsumerName returns the name of the durable pull consumer through
// which tenant's gateway reads its outbox: "gw-<tenant>". deploy/nats grants
// the tenant's credentials exactly this consumer.
func GatewayConsumerName(tenant string) string { return "gw-" + tenant }

// ErrInvalidTenant means a tenant id cannot be used as a subject token.
var ErrInvalidTenant = errors.New("streams: invalid tenant")

// validTenant reports whether tenant is usable as one subject token and in
// a consumer name.
func validTenant(tenant string) bool {
	return tenant != "" && len(tenant) <= 64 && !strings.ContainsAny(tenant, ".*> \t\r\n/\\")
}

// GatewayConsumerFile returns the template JSON with the tenant filled in,
// as an operator would feed it to `nats consumer add MAKO_OUTBOX --config`.
func GatewayConsumerFile(tenant string) ([]byte, error) {
	if !validTenant(tenant) {
		return nil, &Error{Op: "load", Stream: Outbox, Consumer: GatewayConsumerName(tenant), Err: fmt.Errorf("%w: %q", ErrInvalidTenant, tenant)}
	}
	b, err := files.ReadFile(path.Join(templateDir, gatewayTemplate))
	if err != nil {
		return nil, &Error{Op: "load", Stream: Outbox, Consumer: GatewayConsumerName(tenant), Err: fmt.Errorf("%w: %v", ErrInvalidDefinition, err)}
	}
	return []byte(strings.ReplaceAll(string(b), tenantPlaceholder, tenant)), nil
}

// GatewayConsumerConfig returns the configuration of tenant's gateway
// consumer on MAKO_OUTBOX: durable "gw-<tenant>", filter
// mako.outbox.<tenant>.>, explicit ack, deliver all.
func GatewayConsumerConfig(tenant string) (jetstream.ConsumerConfig, error) {
	d, err := loadGatewayConsumer(tenant)
	return d.cfg, err
}

func loadGatewayConsumer(tenant string) (consumerDef, error) {
	b, err := GatewayConsumerFile(tenant)
	if err != nil {
		return consumerDef{}, err
	}
	var d consumerDef
	d.keys, err = decodeStrict(b, &d.cfg)
	if err != nil {
		return consumerDef{}, &Error{Op: "load", Stream: Outbox, Consumer: GatewayConsumerName(tenant), Err: err}
	}
	return d, nil
}

// EnsureGatewayConsumer creates or updates tenant's gateway consumer on
// MAKO_OUTBOX, with the same contract as Ensure. The stream must exist.
func EnsureGatewayConsumer(ctx context.Context, js jetstream.JetStream, tenant string, opts ...Option) error {
	s, err := newSettings(opts)
	if err != nil {
		return err
	}
	d, err := loadGatewayConsumer(tenant)
	if err != nil {
		return err
	}
	return ensureConsumerDef(ctx, js, Outbox, d, s)
}
