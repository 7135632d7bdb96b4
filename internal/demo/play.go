package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	erpworker "github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors of RunLFW24 and RunGas (wrapped with what was tried).
var (
	// ErrUnreachable: the NATS server or the read API of makod cannot be
	// reached, or its streams are missing (makod not running or not ready).
	ErrUnreachable = errors.New("demo: makod not reachable")
	// ErrIncomplete: the switch did not complete within the timeout.
	ErrIncomplete = errors.New("demo: switch did not complete")
	// ErrFindings: a message of the conversation has syntax findings or
	// violates the AHB of its PID (FV from its date): what we send must
	// validate clean.
	ErrFindings = errors.New("demo: a message has findings")
)

// Config configures RunLFW24 and RunGas.
type Config struct {
	// NatsURL is makod's NATS client URL (default nats://127.0.0.1:4222).
	NatsURL string
	// NATSOptions are added to the connection (credentials, in-process).
	NATSOptions []nats.Option
	// API is the base URL of makod's read API (default api.DefaultURL).
	API string
	// APIOptions configure the read-API client (api.WithBearerToken when
	// the API requires authentication).
	APIOptions []api.ClientOption
	// Market names the three tenants and their MP-IDs in the demo's sector
	// (default DefaultMarket for RunLFW24, DefaultGasMarket for RunGas).
	Market Market
	// MaLo is the market location to switch (default DefaultMaLo for
	// RunLFW24, DefaultGasMaLo for RunGas); the demo resets its master data
	// in the three tenants.
	MaLo string
	// Timeout bounds the whole switch (default 60 s).
	Timeout time.Duration
	// Out receives the printed conversation (default io.Discard).
	Out io.Writer
	// Now is the clock of the requested Zuordnungsbeginn and the request
	// id (default time.Now).
	Now func() time.Time
}

// Result is what a demo observed.
type Result struct {
	// Start is the requested Zuordnungsbeginn (Lieferbeginn in Gas).
	Start time.Time
	// Conversation holds every message of the switch, in arrival order.
	Conversation Conversation
	// Processes are the read-model overviews of the processes involved.
	Processes []readmodel.Process
	// Events are the ERP CloudEvents of the three tenants about the MaLo.
	Events []ReceivedEvent
	// MasterData are the MaLo's records afterwards, by tenant (nil if absent).
	MasterData map[string]*malo.Record
}

// ReceivedEvent is a CloudEvent on mako.erp.<tenant>.
type ReceivedEvent struct {
	Tenant string
	Event  erp.CloudEvent
	Data   erp.ProcessData
}

func (c *Config) defaults() {
	if c.NatsURL == "" {
		c.NatsURL = nats.DefaultURL
	}
	if c.API == "" {
		c.API = api.DefaultURL
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// script is what distinguishes one demo conversation from another; play
// does the rest (connection, partner records, watching, printing, reading
// back).
type script interface {
	// name is the demo's name (idempotency keys, messages).
	name() string
	// defaultMaLo is the MaLo switched when Config.MaLo is empty.
	defaultMaLo() string
	// seed resets the MaLo's master data in the market's tenants and
	// returns the line describing it.
	seed(ctx context.Context, store malo.Store, mk Market, maloID string) (string, error)
	// begin returns the requested start of supply and the first ERP command
	// for a clock reading now.
	begin(now time.Time, mk Market, maloID string) (time.Time, erpCommand, error)
	// react answers one ERP event of the market's tenants about the MaLo, as
	// the parties' ERPs would: the commands to send, and done once the
	// process whose end completes the switch has ended.
	react(ev ReceivedEvent, mk Market, st *playState) (cmds []erpCommand, done bool)
}

// playState is what play knows while the conversation runs.
type playState struct {
	// Start is the requested start of supply.
	Start time.Time
	// MaLo is the market location switched.
	MaLo string
	// sent holds the keys of the reactions already sent (an event read
	// twice must not decide twice).
	sent map[string]bool
	// failure, set by react, says why the switch cannot succeed (a
	// request refused, a process failed): play reports it once the
	// conversation is complete instead of waiting for the master data.
	failure string
}

// failed records why the switch cannot succeed if ev reports a rejected or
// failed process (ProcessData.Outcome); it reports whether it did.
func (st *playState) failed(ev ReceivedEvent) bool {
	if ev.Event.Type != erp.TypeProcessFailed && ev.Data.Outcome != "rejected" {
		return false
	}
	if st.failure == "" {
		st.failure = fmt.Sprintf("%s's process %s ended %s%s", ev.Tenant, ev.Data.Workflow, ev.Event.Type, eventDetail(ev.Data))
	}
	return true
}

// erpCommand is one ERP command the demo sends on a party's behalf.
type erpCommand struct {
	party Party
	typ   string
	data  map[string]any
	// key tells reactions apart (appended to the demo's idempotency key;
	// empty for the first command).
	key string
	// what is printed after the command type.
	what string
	// routedBy is the business key the ERP receiver finds the command's
	// process by (nil: the command starts a process).
	routedBy *engine.BusinessKey
}

// consent is the ERP's consent (typ = the family's decide command, routed
// by the decision key) to the request tx from partner that party was asked
// to decide on.
func consent(party Party, typ, partnerMPID, tx string, key engine.BusinessKey) erpCommand {
	return erpCommand{party: party, typ: typ, key: "decide-" + tx, what: "consent for " + tx, routedBy: &key,
		data: map[string]any{"partner": partnerMPID, "transaction_id": tx, "object": false, "note": "demo: the customer's contract ends"}}
}

// play runs a demo conversation through a running makod: it seeds the
// partner records of cfg.Market (kept if present) and the master data of
// the MaLo (reset), sends the script's first ERP command, answers the ERP
// events as the script says, prints every message of the conversation as
// it appears on the outboxes and, once the script's last process ended and
// the conversation has nothing open (Conversation.Open), the processes'
// states and the master data.
func play(ctx context.Context, cfg Config, sc script) (*Result, error) {
	if cfg.MaLo == "" {
		cfg.MaLo = sc.defaultMaLo()
	}
	cfg.defaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	out := cfg.Out
	mk := cfg.Market
	names := mk.Names()

	nc, err := nats.Connect(cfg.NatsURL, append([]nats.Option{nats.Name("mako-demo"), nats.Timeout(3 * time.Second)}, cfg.NATSOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: NATS at %s: %v (start it with: go run ./cmd/makod)", ErrUnreachable, cfg.NatsURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	for _, s := range []string{streams.Outbox, erp.Stream} {
		if _, err := js.Stream(ctx, s); err != nil {
			return nil, fmt.Errorf("%w: stream %s at %s: %v (is makod running?)", ErrUnreachable, s, cfg.NatsURL, err)
		}
	}
	client, err := api.NewClient(cfg.API, cfg.APIOptions...)
	if err != nil {
		return nil, fmt.Errorf("%w: read API %s: %v", ErrUnreachable, cfg.API, err)
	}
	if _, err := client.Processes(ctx, readmodel.ProcessQuery{Tenant: mk.NB.Tenant, Limit: 1}); err != nil {
		return nil, fmt.Errorf("%w: read API %s: %v", ErrUnreachable, cfg.API, err)
	}

	// Market setup: partner records and master data.
	pkv, err := js.KeyValue(ctx, streams.BucketPartners)
	if err != nil {
		return nil, fmt.Errorf("%w: bucket %s: %v", ErrUnreachable, streams.BucketPartners, err)
	}
	partners, err := partner.NewNATSStore(pkv)
	if err != nil {
		return nil, err
	}
	created, err := SeedPartners(ctx, partners, mk, IngestSubject)
	if err != nil {
		return nil, err
	}
	mkv, err := js.KeyValue(ctx, malonats.Bucket)
	if err != nil {
		return nil, fmt.Errorf("%w: bucket %s: %v", ErrUnreachable, malonats.Bucket, err)
	}
	store, err := malonats.NewNATSStore(mkv)
	if err != nil {
		return nil, err
	}
	seeded, err := sc.seed(ctx, store, mk, cfg.MaLo)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "market: %s=%s (LF, new supplier), %s=%s (NB), %s=%s (LF, old supplier); %d partner records created\n",
		mk.LFN.Tenant, mk.LFN.MPID, mk.NB.Tenant, mk.NB.MPID, mk.LFA.Tenant, mk.LFA.MPID, created)
	fmt.Fprintf(out, "master data: %s\n", seeded)

	// Watch the outboxes and the ERP events from now on (by start time, not
	// DeliverNew: an ordered consumer that is recreated between fetches
	// would skip what arrived in between).
	since := time.Now().Add(-time.Second)
	obx, err := js.OrderedConsumer(ctx, streams.Outbox, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &since,
		FilterSubjects: []string{outbox.SubjectPrefix + "." + mk.LFN.Tenant + ".>", outbox.SubjectPrefix + "." + mk.NB.Tenant + ".>", outbox.SubjectPrefix + "." + mk.LFA.Tenant + ".>"}})
	if err != nil {
		return nil, fmt.Errorf("demo: watch the outbox: %w", err)
	}
	evc, err := js.OrderedConsumer(ctx, erp.Stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &since,
		FilterSubjects: []string{erp.Subject(engine.TenantID(mk.LFN.Tenant)), erp.Subject(engine.TenantID(mk.NB.Tenant)), erp.Subject(engine.TenantID(mk.LFA.Tenant))}})
	if err != nil {
		return nil, fmt.Errorf("demo: watch the ERP events: %w", err)
	}

	now := cfg.Now()
	start, first, err := sc.begin(now, mk, cfg.MaLo)
	if err != nil {
		return nil, err
	}
	res := &Result{Start: start, MasterData: map[string]*malo.Record{}}
	st := &playState{Start: start, MaLo: cfg.MaLo, sent: map[string]bool{}}
	key := "demo-" + sc.name() + "-" + strconv.FormatInt(now.UnixNano(), 36)
	reg, err := natsstore.NewRegistry(ctx, js)
	if err != nil {
		return nil, fmt.Errorf("%w: registry: %v", ErrUnreachable, err)
	}
	defer reg.Close()
	erpOut := &erpSender{js: js, reg: reg, keyWait: 5 * time.Second, sent: map[string]*pendingCommand{}}
	if err := erpOut.send(ctx, key, first); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "ERP → %s: %s %s (idempotency key %s)\n\nconversation:\n", first.party.Name, first.typ, first.what, key)

	var all []Message
	var lines []timedLine
	printed := map[string]bool{}
	done := false
	for {
		if err := ctx.Err(); err != nil {
			conv := Select(all, cfg.MaLo)
			res.Conversation = conv
			open := conv.Open()
			if !done {
				open = append(open, "the LFN's process to complete")
			}
			if st.failure != "" {
				return res, fmt.Errorf("%w within %s: %s; waiting for %s", ErrIncomplete, cfg.Timeout, st.failure, strings.Join(open, "; "))
			}
			return res, fmt.Errorf("%w within %s: waiting for %s", ErrIncomplete, cfg.Timeout, strings.Join(open, "; "))
		}
		batch, err := obx.Fetch(64, jetstream.FetchMaxWait(100*time.Millisecond))
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return res, fmt.Errorf("demo: read the outbox: %w", err)
		}
		if batch != nil {
			for m := range batch.Messages() {
				md, _ := m.Metadata()
				var at time.Time
				if md != nil {
					at = md.Timestamp
				}
				dm, err := Decode(m.Subject(), m.Headers(), m.Data(), at)
				if err != nil {
					fmt.Fprintf(out, "  (unreadable outbox message on %s: %v)\n", m.Subject(), err)
					continue
				}
				all = append(all, dm)
			}
		}
		// Lines (messages and ERP events) are printed in time order, held
		// back for a moment since outbox and events are read one after the
		// other.
		conv := Select(all, cfg.MaLo)
		for _, m := range conv.Messages {
			if k := m.Tenant + "/" + m.Interchange; !printed[k] {
				printed[k] = true
				lines = append(lines, timedLine{m.At, "  " + m.Line(names)})
			}
		}
		eb, err := evc.Fetch(64, jetstream.FetchMaxWait(100*time.Millisecond))
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return res, fmt.Errorf("demo: read the ERP events: %w", err)
		}
		if eb != nil {
			for m := range eb.Messages() {
				ev, ok := decodeEvent(m.Subject(), m.Data())
				if ok && ev.Event.Type == erp.TypeCommandRejected {
					if err := erpOut.rejected(ev); err != nil {
						return res, err
					}
					continue
				}
				if !ok || ev.Data.Marktlokation == nil || ev.Data.Marktlokation.MarktlokationsID != cfg.MaLo {
					continue
				}
				res.Events = append(res.Events, ev)
				lines = append(lines, timedLine{ev.Event.Time, fmt.Sprintf("  %s  ERP %-3s ← %s%s", ev.Event.Time.In(berlin).Format("15:04:05.000"), ev.Tenant, ev.Event.Type, eventDetail(ev.Data))})
				cmds, fin := sc.react(ev, mk, st)
				done = done || fin
				for _, c := range cmds {
					if st.sent[c.key] {
						continue
					}
					st.sent[c.key] = true
					if err := erpOut.send(ctx, key+"-"+c.key, c); err != nil {
						return res, err
					}
					at := ev.Event.Time.Add(time.Microsecond)
					lines = append(lines, timedLine{at, fmt.Sprintf("  %s  ERP %-3s → %s %s", at.In(berlin).Format("15:04:05.000"), c.party.Tenant, c.typ, c.what)})
				}
			}
		}
		if err := erpOut.resendDue(ctx); err != nil {
			return res, err
		}
		finished := done && len(conv.Messages) > 0 && len(conv.Open()) == 0
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
		n := 0
		for _, l := range lines {
			if !finished && time.Since(l.at) < printLag {
				break
			}
			fmt.Fprintln(out, l.text)
			n++
		}
		lines = lines[n:]
		if finished {
			res.Conversation = conv
			break
		}
	}
	fmt.Fprintf(out, "\nconversation complete: %s\n", strings.Join(res.Conversation.Sequence(), " → "))
	if st.failure != "" {
		return res, fmt.Errorf("%w: %s", ErrIncomplete, st.failure)
	}
	var faulty []string
	for _, m := range res.Conversation.Messages {
		if len(m.Findings) > 0 || len(m.AHB) > 0 {
			faulty = append(faulty, fmt.Sprintf("%s %s %s of %s: %s", m.Type, m.PID, m.Interchange, m.Tenant, strings.Join(append(append([]string{}, m.Findings...), m.AHB...), "; ")))
		}
	}
	if len(faulty) > 0 {
		return res, fmt.Errorf("%w: %s", ErrFindings, strings.Join(faulty, " | "))
	}
	fmt.Fprintf(out, "every message parsed, syntax-checked and AHB-validated: 0 findings (%d messages)\n", len(res.Conversation.Messages))

	// The processes and the master data, once the projector and the master
	// data applier caught up (they run behind the write path).
	if err := readBack(ctx, client, store, cfg, res); err != nil {
		return res, err
	}
	fmt.Fprintln(out, "\nprocesses:")
	for _, p := range res.Processes {
		fmt.Fprintf(out, "  %-4s %-26s %-8s state %-24s outcome %s\n", p.Tenant, p.Workflow, p.FormatVersion, p.State, p.Outcome)
	}
	fmt.Fprintln(out, "\nmaster data afterwards:")
	for _, t := range []Party{mk.NB, mk.LFN, mk.LFA} {
		fmt.Fprintf(out, "  %-4s %s\n", t.Tenant, periods(res.MasterData[t.Tenant], names))
	}
	return res, nil
}

// printLag is how long a line waits for earlier ones read later.
const printLag = 500 * time.Millisecond

// timedLine is one printed line with the time it is sorted by.
type timedLine struct {
	at   time.Time
	text string
}

// eventDetail formats PID, outcome and code of an ERP event.
func eventDetail(d erp.ProcessData) string {
	s := ""
	if d.PID != "" {
		s += " " + d.PID
	}
	if d.Outcome != "" {
		s += " " + d.Outcome
	}
	if d.Code != "" {
		s += " " + d.Code
	}
	return s
}

// periods formats the supply periods of a record.
func periods(r *malo.Record, names Names) string {
	if r == nil {
		return "(no record)"
	}
	var parts []string
	for _, p := range r.Periods {
		to := "open"
		if p.To != nil {
			to = p.To.In(berlin).Format("2006-01-02")
		}
		parts = append(parts, fmt.Sprintf("%s %s … %s", names.of(p.Supplier), p.From.In(berlin).Format("2006-01-02"), to))
	}
	if len(parts) == 0 {
		return "(no supply periods)"
	}
	return strings.Join(parts, ", ")
}

// readBack polls the read API for the processes of the conversation until
// each has an outcome, and the master data until the NB's record shows the
// LFN from the Zuordnungsbeginn.
func readBack(ctx context.Context, client *api.Client, store *malonats.NATSStore, cfg Config, res *Result) error {
	type pid struct{ tenant, id string }
	var ids []pid
	seen := map[pid]bool{}
	for _, m := range res.Conversation.Messages {
		if k := (pid{m.Tenant, m.Process}); m.Process != "" && !seen[k] {
			seen[k] = true
			ids = append(ids, k)
		}
	}
	for {
		res.Processes = res.Processes[:0]
		ready := true
		for _, k := range ids {
			d, err := client.Process(ctx, k.tenant, k.id)
			if err != nil {
				var ae *api.Error
				if errors.As(err, &ae) && ae.Status == 404 {
					ready = false
					continue
				}
				return fmt.Errorf("demo: read API: process %s/%s: %w", k.tenant, k.id, err)
			}
			if d.Process.Outcome == "" {
				ready = false
			}
			res.Processes = append(res.Processes, d.Process)
		}
		for _, t := range cfg.Market.Parties() {
			r, err := store.Lookup(ctx, t.Tenant, cfg.MaLo)
			if err != nil {
				return fmt.Errorf("demo: master data of %s in %s: %w", cfg.MaLo, t.Tenant, err)
			}
			res.MasterData[t.Tenant] = r
		}
		nb := res.MasterData[cfg.Market.NB.Tenant]
		if p, ok := nbSupplierAt(nb, res.Start); !ok || p != cfg.Market.LFN.MPID {
			ready = false
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: the read model or the master data did not catch up within %s", ErrIncomplete, cfg.Timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func nbSupplierAt(r *malo.Record, t time.Time) (string, bool) {
	if r == nil {
		return "", false
	}
	p, ok := r.SupplierAt(t)
	return p.Supplier, ok
}

// erpSender sends the demo's ERP commands. An ERP event (e.g. a decision
// request) can arrive before the business key the answer is routed by is
// bound (the relay binds it after the commit, the ERP publisher reads the
// same commit independently): the sender waits (up to keyWait) until the
// key is in the registry, and sends a command the receiver still rejected
// with no_process again under the same idempotency key (docs/erp.md lets
// the ERP do so).
type erpSender struct {
	js  jetstream.JetStream
	reg engine.Registry // nil: do not wait for keys
	// keyWait bounds how long a command waits for the key it is routed by.
	keyWait time.Duration
	sent    map[string]*pendingCommand
}

// pendingCommand is a sent command and when it is to be sent again.
type pendingCommand struct {
	cmd      erpCommand
	attempts int
	resendAt time.Time
}

// maxResends bounds the resends of a command rejected with no_process.
const maxResends = 50

func (s *erpSender) send(ctx context.Context, key string, c erpCommand) error {
	p := s.sent[key]
	if p == nil {
		p = &pendingCommand{cmd: c}
		s.sent[key] = p
	}
	p.attempts++
	p.resendAt = time.Time{}
	if c.routedBy != nil && s.reg != nil {
		s.awaitKey(ctx, engine.TenantID(c.party.Tenant), *c.routedBy)
	}
	return sendERP(ctx, s.js, c.party.Tenant, key, c.typ, c.data)
}

// awaitKey polls the registry until key names a process of tenant or
// keyWait passed; the command is sent either way (a rejection is resent).
func (s *erpSender) awaitKey(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) {
	deadline := time.Now().Add(s.keyWait)
	for time.Now().Before(deadline) {
		if ids, err := s.reg.LookupAll(ctx, tenant, key); err == nil && len(ids) > 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// rejected handles a de.mako.command.rejected: a command of ours rejected
// with no_process is sent again shortly (at most maxResends times); any
// other rejection of ours is an error.
func (s *erpSender) rejected(ev ReceivedEvent) error {
	var a erpworker.CommandAnswer
	if err := json.Unmarshal(ev.Event.Data, &a); err != nil {
		return nil // not ours to read
	}
	p, ours := s.sent[a.IdempotencyKey]
	if !ours {
		return nil
	}
	if a.Code != erpworker.RejectNoProcess || p.attempts >= maxResends {
		return fmt.Errorf("demo: ERP command %s (%s) to %s rejected after %d attempts: %s: %s", a.IdempotencyKey, a.CommandType, ev.Tenant, p.attempts, a.Code, a.Reason)
	}
	p.resendAt = time.Now().Add(100 * time.Millisecond)
	return nil
}

// resendDue sends the commands whose resend time has come.
func (s *erpSender) resendDue(ctx context.Context) error {
	for key, p := range s.sent {
		if !p.resendAt.IsZero() && !time.Now().Before(p.resendAt) {
			if err := s.send(ctx, key, p.cmd); err != nil {
				return err
			}
		}
	}
	return nil
}

// sendERP publishes an ERP command on mako.erp.in.<tenant>.
func sendERP(ctx context.Context, js jetstream.JetStream, tenant, key, typ string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	b, err := json.Marshal(erp.Request{IdempotencyKey: key, Type: typ, Tenant: tenant, Data: raw})
	if err != nil {
		return err
	}
	if _, err := js.Publish(ctx, erp.InSubject(engine.TenantID(tenant)), b); err != nil {
		return fmt.Errorf("demo: ERP command %s to %s: %w", typ, tenant, err)
	}
	return nil
}

// decodeEvent reads a CloudEvent of mako.erp.<tenant>.
func decodeEvent(subject string, data []byte) (ReceivedEvent, bool) {
	tenant, ok := strings.CutPrefix(subject, erp.SubjectPrefix+".")
	if !ok || strings.Contains(tenant, ".") {
		return ReceivedEvent{}, false
	}
	var ev erp.CloudEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return ReceivedEvent{}, false
	}
	r := ReceivedEvent{Tenant: tenant, Event: ev}
	if len(ev.Data) > 0 {
		_ = json.Unmarshal(ev.Data, &r.Data)
	}
	return r, true
}
