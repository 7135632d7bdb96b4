package streams_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/audit"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/streams"
)

// subjectMatches reports whether subject matches the NATS subject filter
// (tokens, "*" one token, ">" the rest).
func subjectMatches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) || (tok != "*" && tok != s[i]) {
			return false
		}
	}
	return len(f) == len(s)
}

// TestWireContracts checks the definition files of streams/ against the
// wire packages that own the streams: the stream exists under the package's
// name, every subject the package builds is captured by the stream (and by
// no other stream), the package parses its own subjects back, and every
// durable consumer of the stream filters on subjects the package builds.
func TestWireContracts(t *testing.T) {
	const tn engine.TenantID = "nb"
	const p engine.ProcessID = "p-1"
	contracts := []struct {
		stream   string
		prefixes []string
		subjects []string
		tenant   func(string) (string, error)
	}{
		{inbound.Stream, []string{inbound.SubjectPrefix}, []string{inbound.Subject(tn)}, inbound.TenantFromSubject},
		{command.Stream, []string{command.SubjectPrefix}, []string{command.Subject(tn, p)},
			func(s string) (string, error) { t, err := command.TenantFromSubject(s); return string(t), err }},
		{natsstore.DefaultEventStream, []string{natsstore.DefaultSubjectPrefix}, []string{engine.StreamOf(tn, p).Subject(natsstore.DefaultSubjectPrefix)}, nil},
		{outbox.Stream, []string{outbox.SubjectPrefix}, []string{outbox.Subject(string(tn), "9900000000004")},
			func(s string) (string, error) { t, _, err := outbox.ParseSubject(s); return t, err }},
		{deadletter.Stream, []string{deadletter.SubjectPrefix}, []string{deadletter.Subject(string(tn)), deadletter.ActionSubject(string(tn))},
			func(s string) (string, error) {
				if t, ok := deadletter.IsActionSubject(s); ok {
					return t, nil
				}
				return deadletter.TenantFromSubject(s)
			}},
		{timer.Stream, []string{timer.SchedulePrefix, timer.FiredPrefix}, []string{timer.ScheduleSubject(tn, p, "aperak"), timer.FiredSubject(tn, p, "aperak")},
			func(s string) (string, error) { t, err := timer.TenantFromSubject(s); return string(t), err }},
		{erp.Stream, []string{erp.SubjectPrefix, erp.InPrefix}, []string{erp.Subject(tn), erp.InSubject(tn)},
			func(s string) (string, error) { t, err := erp.TenantFromSubject(s); return string(t), err }},
		{audit.Stream, []string{audit.SubjectPrefix}, []string{audit.Subject(string(tn), audit.KindPartner, "9900000000004"), audit.Subject(string(tn), audit.KindMaLo, "51238696781")},
			func(s string) (string, error) { t, _, _, err := audit.ParseSubject(s); return t, err }},
	}
	owned := map[string]bool{}
	for _, c := range contracts {
		owned[c.stream] = true
		cfg, err := streams.Config(c.stream)
		if err != nil {
			t.Errorf("%s: no definition file: %v", c.stream, err)
			continue
		}
		for _, subj := range c.subjects {
			if !slices.ContainsFunc(cfg.Subjects, func(f string) bool { return subjectMatches(f, subj) }) {
				t.Errorf("%s: subject %q is not captured by %v", c.stream, subj, cfg.Subjects)
			}
			for _, other := range streams.Names() {
				if other == c.stream {
					continue
				}
				ocfg, err := streams.Config(other)
				if err != nil {
					t.Fatal(err)
				}
				if slices.ContainsFunc(ocfg.Subjects, func(f string) bool { return subjectMatches(f, subj) }) {
					t.Errorf("%s: subject %q is also captured by %s", c.stream, subj, other)
				}
			}
			if c.tenant != nil {
				if got, err := c.tenant(subj); err != nil || got != string(tn) {
					t.Errorf("%s: tenant of %q = %q, %v; want %q", c.stream, subj, got, err, tn)
				}
			}
		}
		for _, f := range cfg.Subjects {
			if !slices.ContainsFunc(c.prefixes, func(pre string) bool {
				return strings.HasPrefix(pre+".", strings.TrimSuffix(f, ">")) || strings.HasPrefix(f, pre+".")
			}) {
				t.Errorf("%s: stream subject %q belongs to none of the wire prefixes %v", c.stream, f, c.prefixes)
			}
		}
		for _, name := range streams.Consumers(c.stream) {
			cc, err := streams.ConsumerConfig(c.stream, name)
			if err != nil {
				t.Fatal(err)
			}
			filters := cc.FilterSubjects
			if cc.FilterSubject != "" {
				filters = append(filters, cc.FilterSubject)
			}
			for _, f := range filters {
				if !slices.ContainsFunc(c.subjects, func(s string) bool { return subjectMatches(f, s) }) {
					t.Errorf("%s consumer %s: filter %q matches no subject the wire package builds (%v)", c.stream, name, f, c.subjects)
				}
			}
		}
	}
	for _, n := range streams.Names() {
		if !strings.HasPrefix(n, "KV_") && !owned[n] {
			t.Errorf("stream %s has a definition file but no wire package", n)
		}
	}
}
