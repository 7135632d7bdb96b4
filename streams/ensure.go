package streams

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Action says what Ensure did to one stream or consumer.
type Action string

// Actions reported through OnChange.
const (
	// Created means the stream or consumer did not exist and was created.
	Created Action = "created"
	// Updated means it existed with a different configuration and was updated.
	Updated Action = "updated"
	// Unchanged means it existed as defined; no request was sent.
	Unchanged Action = "unchanged"
)

// Change reports what Ensure did to one stream or consumer.
type Change struct {
	// Stream is the stream concerned.
	Stream string
	// Consumer is the consumer concerned, empty for a stream.
	Consumer string
	// Action is what was done.
	Action Action
	// Fields lists the JSON names of the fields that differed (for Updated).
	Fields []string
}

// Ensure creates or updates every defined stream (including the KV buckets'
// streams) and then every defined durable consumer but the OnDemand ones, so
// that each matches its file with the options applied. It is idempotent: a stream or consumer that
// already matches is left alone (no update request is sent). "Matches" is
// judged on the fields the file sets (and the fields the options override);
// when one of them differs, the whole definition is sent as an update, which
// resets fields the file leaves out to the server's defaults. Fields the
// server cannot change (storage, retention to or from work queue, ...) make
// the update fail; the error is an *Error naming the stream.
//
// Two values are never lowered on an existing stream unless an option asks
// for it: the replica count (only WithReplicas scales a stream down) and
// MaxAge (only WithMaxAge shortens retention, since that deletes messages).
func Ensure(ctx context.Context, js jetstream.JetStream, opts ...Option) error {
	s, err := newSettings(opts)
	if err != nil {
		return err
	}
	names := Names()
	if err := ensureStreams(ctx, js, names, s); err != nil {
		return err
	}
	for _, st := range names {
		for _, c := range Consumers(st) {
			if OnDemand(st, c) {
				continue // created by its worker (EnsureConsumer)
			}
			if err := ensureConsumer(ctx, js, st, c, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// EnsureStreams creates or updates the named streams (not their consumers),
// with the same contract as Ensure. Names of KV buckets' streams are
// KVStream(bucket). An unknown name fails before anything is sent, with an
// error wrapping ErrUnknownStream.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, names []string, opts ...Option) error {
	s, err := newSettings(opts)
	if err != nil {
		return err
	}
	return ensureStreams(ctx, js, names, s)
}

// EnsureConsumer creates or updates one durable consumer on its stream, with
// the same contract as Ensure. The stream must exist.
func EnsureConsumer(ctx context.Context, js jetstream.JetStream, stream, name string, opts ...Option) error {
	s, err := newSettings(opts)
	if err != nil {
		return err
	}
	return ensureConsumer(ctx, js, stream, name, s)
}

func ensureStreams(ctx context.Context, js jetstream.JetStream, names []string, s *settings) error {
	defs := make([]streamDef, 0, len(names))
	for _, n := range names {
		d, err := loadStream(n, s)
		if err != nil {
			return err
		}
		defs = append(defs, d)
	}
	for _, d := range defs {
		if err := ensureStream(ctx, js, d, s); err != nil {
			return err
		}
	}
	return nil
}

func ensureStream(ctx context.Context, js jetstream.JetStream, d streamDef, s *settings) error {
	name := d.cfg.Name
	st, err := js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, d.cfg)
		if err == nil {
			s.report(Change{Stream: name, Action: Created})
			return nil
		}
		if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return &Error{Op: "create", Stream: name, Err: err}
		}
		// Another worker created it meanwhile: compare with theirs.
		st, err = js.Stream(ctx, name)
	}
	if err != nil {
		return &Error{Op: "info", Stream: name, Err: err}
	}
	current := st.CachedInfo().Config
	s.keepSafer(&d.cfg, current)
	diff := diffFields(d.keys, d.cfg, current)
	if len(diff) == 0 {
		s.report(Change{Stream: name, Action: Unchanged})
		return nil
	}
	if _, err := js.UpdateStream(ctx, d.cfg); err != nil {
		return &Error{Op: "update", Stream: name, Err: fmt.Errorf("fields %s: %w", strings.Join(diff, ","), err)}
	}
	s.report(Change{Stream: name, Action: Updated, Fields: diff})
	return nil
}

// keepSafer keeps the existing stream's replica count and retention where
// the definition would lower them and no option asks for it explicitly: a
// worker started without the replicas flag must not scale an R3 stream down
// to the file's R1, and one without the retention option must not cut a
// longer retention an operator configured (which would delete messages).
func (s *settings) keepSafer(want *jetstream.StreamConfig, current jetstream.StreamConfig) {
	if s.replicas == 0 && current.Replicas > want.Replicas {
		want.Replicas = current.Replicas
	}
	if _, explicit := s.maxAge[want.Name]; !explicit && shorterAge(want.MaxAge, current.MaxAge) {
		want.MaxAge = current.MaxAge
	}
}

// shorterAge reports whether max age want keeps messages for less time than
// cur (zero is unlimited).
func shorterAge(want, cur time.Duration) bool {
	if want == 0 {
		return false
	}
	return cur == 0 || want < cur
}

func ensureConsumer(ctx context.Context, js jetstream.JetStream, stream, name string, s *settings) error {
	d, err := loadConsumer(stream, name)
	if err != nil {
		return err
	}
	return ensureConsumerDef(ctx, js, stream, d, s)
}

func ensureConsumerDef(ctx context.Context, js jetstream.JetStream, stream string, d consumerDef, s *settings) error {
	name := d.cfg.Durable
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return &Error{Op: "info", Stream: stream, Consumer: name, Err: err}
	}
	c, err := st.Consumer(ctx, name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		_, err = st.CreateConsumer(ctx, d.cfg)
		if err == nil {
			s.report(Change{Stream: stream, Consumer: name, Action: Created})
			return nil
		}
		if !errors.Is(err, jetstream.ErrConsumerExists) {
			return &Error{Op: "create", Stream: stream, Consumer: name, Err: err}
		}
		c, err = st.Consumer(ctx, name)
	}
	if err != nil {
		return &Error{Op: "info", Stream: stream, Consumer: name, Err: err}
	}
	current := c.CachedInfo().Config
	// Replicas 0 means "as the stream"; the server may report either.
	if d.cfg.Replicas == 0 && current.Replicas == st.CachedInfo().Config.Replicas {
		current.Replicas = 0
	}
	diff := diffFields(d.keys, d.cfg, current)
	if len(diff) == 0 {
		s.report(Change{Stream: stream, Consumer: name, Action: Unchanged})
		return nil
	}
	if _, err := st.UpdateConsumer(ctx, d.cfg); err != nil {
		return &Error{Op: "update", Stream: stream, Consumer: name, Err: fmt.Errorf("fields %s: %w", strings.Join(diff, ","), err)}
	}
	s.report(Change{Stream: stream, Consumer: name, Action: Updated, Fields: diff})
	return nil
}

// reservedMetadataPrefix marks metadata keys the server adds itself.
const reservedMetadataPrefix = "_nats."

// diffFields returns the JSON names of the fields in keys whose values differ
// between want and got (both the same struct type). Metadata keys the server
// reserves are ignored.
func diffFields[T any](keys map[string]bool, want, got T) []string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	t := wv.Type()
	var diff []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag == "" || tag == "-" || !keys[tag] {
			continue
		}
		w, g := wv.Field(i).Interface(), gv.Field(i).Interface()
		if tag == "metadata" {
			w, g = userMetadata(w.(map[string]string)), userMetadata(g.(map[string]string))
		}
		if !reflect.DeepEqual(w, g) {
			diff = append(diff, tag)
		}
	}
	return diff
}

func userMetadata(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !strings.HasPrefix(k, reservedMetadataPrefix) {
			out[k] = v
		}
	}
	return out
}

// DiffStream returns the JSON names of the fields the stream's file sets
// (and the options override) whose values differ in got, for example a
// StreamInfo's Config read from a server. An empty result means got is as
// defined.
func DiffStream(got jetstream.StreamConfig, opts ...Option) ([]string, error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	d, err := loadStream(got.Name, s)
	if err != nil {
		return nil, err
	}
	return diffFields(d.keys, d.cfg, got), nil
}
