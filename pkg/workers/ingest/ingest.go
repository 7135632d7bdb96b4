// Package ingest turns raw EDIFACT interchanges into commands for processes.
//
// An Ingestor handles the messages of stream MAKO_INGEST
// (`mako.ingest.<tenant>`, the raw bytes, optional headers Mako-Received-At
// and Mako-Transport-Id). Per interchange it:
//
//  1. parses and checks the syntax (pkg/edifact). A syntax fault rejects
//     the whole interchange: a CONTRL goes back to the sender (Strom only on
//     error, Gas always), a dead letter records it, and nothing reaches a
//     process. A clean Gas interchange gets a positive CONTRL.
//  2. accepts the interchange once in the inbox (`<sender>:<interchange
//     ref>`, recording the MAKO_INGEST sequence that carried it); another
//     message with the same key is a duplicate, dead-lettered as such and
//     not processed again, while the same message redelivered (after a
//     crash, whatever its delivery count says) is handled again idempotently.
//  3. validates every transaction against the AHB of its PID and format
//     version (pkg/ahb; the FV by pkg/fv from the receipt time) before any
//     workflow sees it. A violation with an APERAK error code (Z29 missing,
//     Z35 format, Z39 code, Z40 repetition) gets the APERAK 313 with that
//     code and FTX+Z02 naming the faulty segment, a dead letter with the
//     findings, and no process step; a MIG violation (format of a data
//     element, a segment the MIG does not allow there) rejects the
//     interchange with a CONTRL like a syntax fault. Lines pkg/ahb cannot
//     decide and content the PID does not foresee never reject.
//  4. routes every transaction by its PID (pkg/routing) and the registry:
//     an initiating PID spawns (or resumes, on a retry) the process keyed by
//     the sender, its transaction id and the interchange and message that
//     carried it (a new interchange reusing a transaction id starts a new
//     process); a follow-up PID finds its process through
//     the reference it carries (RFF+TN). A PID no workflow handles gets an
//     APERAK 313 Z31, an orphan follow-up an APERAK 313 Z33 — both also as
//     dead letters. Nothing is dropped silently.
//  5. publishes one command per transaction with a deterministic id
//     (pkg/wire/inbound), so a redelivered ingest message never creates a second
//     command.
//
// The Ingestor is a worker.Handler: the message is acknowledged only after
// all of the above is durable.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/refgen"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/trace"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Tenant is a market party this deployment acts for.
type Tenant struct {
	// ID is the tenant's subject token.
	ID engine.TenantID
	// MPIDs are the tenant's own market partner ids. When set, an interchange
	// addressed to another MP-ID is rejected (CONTRL UCI 7).
	MPIDs []string
	// Roles are the market roles the tenant plays (for role-qualified routes).
	Roles []routing.Role
	// Sector is the tenant's sector; it decides the CONTRL duty (ref §10.1).
	// Unspecified: the sector of the interchange decides.
	Sector catalog.Sector
	// Sectors are the sectors of a tenant that serves both (Strom and Gas,
	// `strom+gas`), with Sector unspecified: each interchange's sector
	// decides its CONTRL duty (Gas: always, Strom: on error) — taken from its
	// messages, else from the MP-ID it is addressed to (SectorFor). Empty:
	// Sector alone says what the tenant serves.
	Sectors []catalog.Sector
	// RejectTest rejects test interchanges (UNB 0035 = 1) with a CONTRL.
	RejectTest bool
}

// Serves reports whether the tenant takes part in processes of sector s:
// an unspecified s, a tenant that declares no sector, or one of its sectors.
func (t Tenant) Serves(s catalog.Sector) bool {
	if s == catalog.SectorUnspecified || t.Sector == s || slices.Contains(t.Sectors, s) {
		return true
	}
	return t.Sector == catalog.SectorUnspecified && len(t.Sectors) == 0
}

// SectorFor returns the sector an interchange addressed to recipient is
// read in when its messages do not name one: Sector when the tenant has
// one; for a tenant of several (or undeclared) sectors the sector the
// recipient MP-ID's code list stands for when it is one of the tenant's and
// the tenant serves that sector (a DVGW code 98… is Gas, a BDEW code 99…
// Strom; edifact.md §2, a GLN names no sector); else SectorUnspecified, and
// the interchange's UNB decides.
func (t Tenant) SectorFor(recipient string) catalog.Sector {
	if t.Sector != catalog.SectorUnspecified {
		return t.Sector
	}
	if !slices.Contains(t.MPIDs, recipient) {
		return catalog.SectorUnspecified
	}
	k, err := ident.ClassifyMPID(recipient)
	if err != nil {
		return catalog.SectorUnspecified
	}
	s := catalog.SectorUnspecified
	switch k {
	case ident.MPIDBDEW:
		s = catalog.Strom
	case ident.MPIDDVGW:
		s = catalog.Gas
	}
	if !t.Serves(s) {
		return catalog.SectorUnspecified
	}
	return s
}

// Tenants resolves a tenant id. It returns false for an unknown tenant.
type Tenants func(engine.TenantID) (Tenant, bool)

// StaticTenants returns a Tenants over a fixed list.
func StaticTenants(ts ...Tenant) Tenants {
	m := make(map[engine.TenantID]Tenant, len(ts))
	for _, t := range ts {
		m[t.ID] = t
	}
	return func(id engine.TenantID) (Tenant, bool) {
		t, ok := m[id]
		return t, ok
	}
}

// Responder builds the APERAK 313 that rejects one transaction. It is how
// ingest answers a PID no workflow handles (Z31) and an orphan follow-up
// (Z33). It returns the interchange bytes and their reference.
type Responder interface {
	Reject(r Rejection) (payload []byte, interchangeRef string, err error)
}

// Rejection describes a transaction ingest rejects with an APERAK.
type Rejection struct {
	// Findings are the AHB findings of an AHB rejection (one ERC group
	// each, Code is the first one's); empty for the other rejections.
	Findings    []ahb.Finding
	Interchange *edifact.Interchange
	Message     *edifact.Message
	Transaction edifact.Transaction
	Version     fv.Version
	// Code is the ERC code (Z31, Z33 …).
	Code string
	// Text is a human-readable reason (FTX).
	Text string
	// Ref is the deterministic interchange reference to use.
	Ref string
	// At is the preparation time (the answer's creation time).
	At time.Time
}

// Ingestor is the ingest worker's handler. Build it with New.
type Ingestor struct {
	js        jetstream.JetStream
	engine    *engine.Engine
	router    *routing.Router
	tenants   Tenants
	dlq       *deadletter.Sink
	responder Responder
	log       zerolog.Logger
	metrics   *metrics.Metrics
	now       func() time.Time
	// noAHB switches the AHB validation of inbound transactions off.
	noAHB bool
}

// Option configures an Ingestor.
type Option func(*Ingestor) error

// WithLogger sets the logger.
func WithLogger(l zerolog.Logger) Option { return func(in *Ingestor) error { in.log = l; return nil } }

// WithMetrics counts received transactions by tenant, PID and result.
func WithMetrics(m *metrics.Metrics) Option {
	return func(in *Ingestor) error { in.metrics = m; return nil }
}

// WithAHBValidation switches the AHB validation of every inbound
// transaction (pkg/ahb, before any workflow sees it) on or off. It is on by
// default; off is for measurements (mako bench pipeline --ahb=false) and for
// partners whose test data is known not to conform.
func WithAHBValidation(on bool) Option {
	return func(in *Ingestor) error { in.noAHB = !on; return nil }
}

// WithResponder replaces the APERAK builder for rejected transactions
// (default APERAKResponder).
func WithResponder(r Responder) Option {
	return func(in *Ingestor) error { in.responder = r; return nil }
}

// New returns an Ingestor. The engine must have a registry and an inbox and
// know every workflow the router names.
func New(js jetstream.JetStream, ec *engine.Engine, router *routing.Router, tenants Tenants, dlq *deadletter.Sink, opts ...Option) (*Ingestor, error) {
	if ec.Registry() == nil || ec.Inbox() == nil {
		return nil, fmt.Errorf("%w: ingest needs the engine's registry and inbox", engine.ErrNotConfigured)
	}
	in := &Ingestor{js: js, engine: ec, router: router, tenants: tenants, dlq: dlq, log: zerolog.Nop(), responder: APERAKResponder{}, now: time.Now}
	for _, o := range opts {
		if err := o(in); err != nil {
			return nil, err
		}
	}
	for _, rt := range router.Routes() {
		found := false
		for _, w := range ec.Workflows() {
			if w.Name == rt.Workflow {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: ingest: PID %s routes to workflow %q, which the engine does not know", engine.ErrUnknownWorkflow, rt.PID, rt.Workflow)
		}
	}
	return in, nil
}

// delivery is one ingest message being handled.
type delivery struct {
	// msg is the ingest message; its dead letters name it (worker.DeadLetter).
	msg         jetstream.Msg
	tenant      Tenant
	seq         uint64
	subject     string
	data        []byte
	receivedAt  time.Time
	transportID string
	traceParent string
	redelivered bool
}

// Handle implements worker.Handler for MAKO_INGEST messages.
func (in *Ingestor) Handle(ctx context.Context, msg jetstream.Msg) error {
	md, err := msg.Metadata()
	if err != nil {
		return worker.Permanent(fmt.Errorf("ingest: %s: metadata: %w", msg.Subject(), err))
	}
	d := delivery{msg: msg, seq: md.Sequence.Stream, subject: msg.Subject(), data: msg.Data(), redelivered: md.NumDelivered > 1, receivedAt: md.Timestamp}
	// Everything the message itself can be blamed for is answered and
	// dead-lettered inside handle; what is left is infrastructure (a
	// publish, the registry, the inbox): retry it, never drop it.
	return worker.Blamed(in.handle(ctx, d, msg.Headers()))
}

func (in *Ingestor) handle(ctx context.Context, d delivery, h nats.Header) error {
	tenantID, err := inbound.TenantFromSubject(d.subject)
	if err != nil {
		return in.dead(ctx, d, deadletter.ReasonMalformed, "subject is not mako.ingest.<tenant>", deadletter.Audit{Tenant: deadletter.UnknownTenant})
	}
	tid := string(tenantID)
	t, ok := in.tenants(tenantID)
	if !ok {
		return in.dead(ctx, d, deadletter.ReasonMalformed, fmt.Sprintf("unknown tenant %q", tid), deadletter.Audit{Tenant: tid})
	}
	d.tenant = t
	if v := h.Get(inbound.HeaderReceivedAt); v != "" {
		// A bad header must not cost a valid interchange: the publish time
		// stands in for it, and the log says so.
		if at, err := time.Parse(time.RFC3339, v); err == nil {
			d.receivedAt = at
		} else {
			in.log.Warn().Str("tenant", tid).Uint64("seq", d.seq).Str("header", v).Err(err).Msg("ingest: bad " + inbound.HeaderReceivedAt + "; using the publish time")
		}
	}
	d.transportID = h.Get(inbound.HeaderTransportID)
	// Continue the gateway's trace, or start one; every command of this
	// interchange carries it, and so do the events and outbox messages.
	d.traceParent = trace.ContinueOrStart(h.Get(trace.Header)).String()

	opts := []edifact.CheckOption{edifact.WithReceived(d.receivedAt)}
	if len(t.MPIDs) > 0 {
		opts = append(opts, edifact.WithRecipients(t.MPIDs...))
	}
	// The tenant's sector, or for a tenant of both sectors the one of the
	// MP-ID addressed, is the context where the messages name none.
	opts = append(opts, edifact.WithRecipientSector(t.SectorFor))
	if t.RejectTest {
		opts = append(opts, edifact.WithRejectTestIndicator())
	}
	ix, rep, err := edifact.Analyze(d.data, opts...)
	if err != nil {
		// Not EDIFACT at all, or over a limit: nobody to answer with a CONTRL.
		return in.dead(ctx, d, deadletter.ReasonMalformed, err.Error(), deadletter.Audit{Tenant: tid})
	}
	unb := ix.UNB()
	audit := deadletter.Audit{Tenant: tid, Sender: unb.Sender.ID, Receiver: unb.Recipient.ID, InterchangeRef: unb.ControlRef}
	if len(ix.Messages) > 0 {
		audit.MessageType = ix.Messages[0].Type()
		audit.Release = ix.Messages[0].Header().Association
		audit.MessageRef = ix.Messages[0].Ref()
	}

	// The AHB of every transaction, checked before anything else happens
	// to it; MIG-level findings join the syntax findings (CONTRL).
	var checks []ahbResult
	if !in.noAHB && !rep.HasErrors() {
		checks = validateAHB(ix, rep, d)
		if mig := migFindings(ix, checks); len(mig) > 0 {
			rep.Findings = append(rep.Findings, mig...)
			for i, c := range checks {
				if c.Report != nil && len(c.Report.ContrlFindings(&ix.Messages[i])) > 0 {
					for _, pid := range c.Report.PIDs {
						in.countAHB(pid)
					}
				}
			}
		}
	}

	if rep.HasErrors() {
		// A syntax fault rejects the whole interchange: CONTRL to the
		// sender, a dead letter, nothing reaches a process.
		if _, err := in.contrl(ctx, d, ix, rep); err != nil {
			return err
		}
		var b strings.Builder
		for i, f := range rep.Findings {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f.String())
		}
		in.count(d, "", "syntax_error")
		return in.dead(ctx, d, deadletter.ReasonSyntax, b.String(), audit)
	}

	// Inbox: each interchange is processed once. The key is only looked at
	// here and accepted at the end, when every command is stored: an
	// interchange whose first handling failed is not a duplicate when the
	// partner sends it again. A redelivery of this very ingest message goes
	// on, because everything below is idempotent (deterministic command and
	// message ids, registry create-only).
	key, err := inbound.InboxKey(unb.Sender.ID, unb.ControlRef)
	if err != nil {
		return in.dead(ctx, d, deadletter.ReasonMalformed, err.Error(), audit)
	}
	dup, err := engine.AcceptedElsewhere(ctx, in.engine.Inbox(), t.ID, key, originOf(d), d.redelivered)
	if err != nil {
		return fmt.Errorf("ingest: inbox %s/%s: %w", t.ID, key, err)
	}
	if dup {
		in.log.Warn().Str("tenant", tid).Str("sender", unb.Sender.ID).Str("interchange", unb.ControlRef).Msg("duplicate interchange; not processed again")
		in.count(d, "", "duplicate")
		return in.dead(ctx, d, deadletter.ReasonDuplicate, fmt.Sprintf("interchange %s from %s was already accepted", unb.ControlRef, unb.Sender.ID), audit)
	}

	// Gas: a positive CONTRL for every clean interchange.
	if stop, err := in.contrl(ctx, d, ix, rep); err != nil || stop {
		return err
	}
	for mi := range ix.Messages {
		m := &ix.Messages[mi]
		var check ahbResult
		if checks != nil {
			check = checks[mi]
		}
		if err := in.message(ctx, d, ix, m, rep, check); err != nil {
			return err
		}
	}
	dup, err = engine.AcceptFrom(ctx, in.engine.Inbox(), t.ID, key, originOf(d), d.redelivered)
	if err != nil {
		return fmt.Errorf("ingest: inbox %s/%s: %w", t.ID, key, err)
	}
	if dup {
		// A copy handled at the same time was accepted first. Its commands
		// carried the same ids, so the processes saw them once; report it.
		in.count(d, "", "duplicate")
		return in.dead(ctx, d, deadletter.ReasonDuplicate, fmt.Sprintf("interchange %s from %s arrived twice at the same time; processed once", unb.ControlRef, unb.Sender.ID), audit)
	}
	return nil
}

// originOf is what the inbox records with an accepted interchange: the
// MAKO_INGEST stream sequence of the message that carried it. The same
// sequence is a redelivery of this message; the sequence survives a server
// crash, its delivery count does not (engine.AcceptedElsewhere).
func originOf(d delivery) string { return "ingest:" + strconv.FormatUint(d.seq, 10) }

// contrl sends the CONTRL due for ix, if any. stop is true when the CONTRL
// cannot be built: the interchange is then dead-lettered (with the reason)
// and must not be processed, since its sender would get no receipt.
func (in *Ingestor) contrl(ctx context.Context, d delivery, ix *edifact.Interchange, rep *edifact.Report) (stop bool, err error) {
	unb := ix.UNB()
	ref := refgen.Ref("C", string(d.tenant.ID), unb.Sender.ID, unb.ControlRef, fmt.Sprint(d.seq))
	own := ownParty(d.tenant, unb.Recipient)
	out, due, reason, err := edifact.BuildCONTRL(ix, rep, edifact.ContrlParams{Ref: ref, Time: in.created(d), Sector: d.tenant.Sector, Sender: own})
	if err != nil {
		return true, in.dead(ctx, d, deadletter.ReasonMalformed, "CONTRL cannot be built, interchange not processed: "+err.Error(), deadletter.Audit{Tenant: string(d.tenant.ID), Sender: unb.Sender.ID, Receiver: unb.Recipient.ID, InterchangeRef: unb.ControlRef})
	}
	if !due {
		in.log.Debug().Str("tenant", string(d.tenant.ID)).Str("interchange", unb.ControlRef).Str("reason", reason).Msg("no CONTRL due")
		return false, nil
	}
	if v, verr := fv.Resolve(in.created(d)); verr == nil {
		if cerr := ahb.Conform(out, v, false); cerr != nil {
			// A CONTRL of ours that its AHB rejects is a bug: it is not sent,
			// and the interchange is not processed without its receipt.
			return true, in.dead(ctx, d, deadletter.ReasonMalformed, "CONTRL violates its AHB, not sent; interchange not processed: "+cerr.Error(), deadletter.Audit{Tenant: string(d.tenant.ID), Sender: unb.Sender.ID, Receiver: unb.Recipient.ID, InterchangeRef: unb.ControlRef})
		}
	}
	sender := own.ID
	_, err = outbox.Publish(ctx, in.js, outbox.Message{
		ID:             "contrl." + string(d.tenant.ID) + "." + ref,
		Tenant:         string(d.tenant.ID),
		Sender:         sender,
		Recipient:      unb.Sender.ID,
		MessageType:    catalog.CONTRL,
		InterchangeRef: ref,
		Payload:        out,
	})
	return false, err
}

// resolver is the PID router as seen by tenant t: a transaction of a
// sector the tenant does not serve has no route (APERAK Z31), whatever
// other tenants' modules register for it.
func (in *Ingestor) resolver(t Tenant) func(pid string, s catalog.Sector, roles []routing.Role) (routing.Route, error) {
	return func(pid string, s catalog.Sector, roles []routing.Role) (routing.Route, error) {
		if !t.Serves(s) {
			return routing.Route{}, fmt.Errorf("%w: PID %s is %s, tenant %s does not serve it", routing.ErrNoRoute, pid, s, t.ID)
		}
		return in.router.Resolve(pid, s, roles)
	}
}

// ownParty is the party the tenant answers an interchange in: the
// interchange's recipient when that is one of the tenant's MP-IDs (or the
// tenant lists none), otherwise — a misaddressed interchange — the tenant's
// first MP-ID, never the foreign recipient's name.
func ownParty(t Tenant, recipient edifact.Party) edifact.Party {
	if len(t.MPIDs) == 0 || slices.Contains(t.MPIDs, recipient.ID) {
		return recipient
	}
	id := t.MPIDs[0]
	q := ""
	if k, err := ident.ClassifyMPID(id); err == nil {
		q = k.CodeList()
	}
	return edifact.Party{ID: id, Qualifier: q}
}

// message executes the plan of one message (plan): per transaction it
// refuses, spawns, or finds the process and publishes the command to it.
func (in *Ingestor) message(ctx context.Context, d delivery, ix *edifact.Interchange, m *edifact.Message, rep *edifact.Report, check ahbResult) error {
	unb := ix.UNB()
	unh := m.Header()
	sector, _ := edifact.MessageSector(m)
	if sector == catalog.SectorUnspecified {
		sector = rep.Sector
	}
	single := inbound.SingleMessage(ix, m)
	steps := plan(planInput{Own: unb.Recipient.ID, Sender: unb.Sender.ID, InterchangeRef: unb.ControlRef, Message: m,
		Sector: sector, Version: rep.FormatVersion, Roles: d.tenant.Roles, AHB: check}, in.resolver(d.tenant), in.engine.Lookup)
	if check.Err != nil && !in.noAHB {
		// Not validated (no AHB data for the type, FV or PID): the
		// transactions go on; what cannot be checked is never rejected.
		in.log.Debug().Str("tenant", string(d.tenant.ID)).Str("interchange", unb.ControlRef).Str("message", m.Ref()).Err(check.Err).Msg("ingest: AHB not checked")
	}
	for _, st := range steps {
		tx := st.Tx
		audit := deadletter.Audit{Tenant: string(d.tenant.ID), MessageType: m.Type(), Release: unh.Association, PID: tx.PID,
			Sender: unb.Sender.ID, Receiver: unb.Recipient.ID, InterchangeRef: unb.ControlRef, MessageRef: m.Ref(), TransactionID: tx.ID}
		refuse := func(r *Refusal) error {
			return in.refuse(ctx, d, ix, m, tx, rep.FormatVersion, r, audit)
		}
		var id engine.ProcessIdentity
		var codec *engine.Codec
		var spawned bool
		switch st.Action {
		case Refuse:
			if err := refuse(st.Refusal); err != nil {
				return err
			}
			continue
		case Answer:
			// APERAK and CONTRL answer something we sent: find the process
			// by the references they carry.
			found, err := in.find(ctx, d.tenant.ID, st.Keys)
			if err != nil {
				return err
			}
			if found == nil {
				in.count(d, "", "orphan")
				if err := in.dead(ctx, d, deadletter.ReasonUnknownConversation, fmt.Sprintf("%s %s answers %s, which no process knows", m.Type(), m.Ref(), st.Tried), audit); err != nil {
					return err
				}
				continue
			}
			id = *found
			def, err := in.engine.Resolve(id.Workflow)
			if err != nil {
				if err := in.dead(ctx, d, deadletter.ReasonVersionMismatch, err.Error(), audit); err != nil {
					return err
				}
				continue
			}
			codec = def.Codec()
		case Spawn, FollowUp:
			def := st.Definition
			if st.Action == Spawn {
				var err error
				id, spawned, err = in.engine.SpawnOrResume(ctx, d.tenant.ID, st.ConversationKey, def.ID())
				if err != nil {
					return fmt.Errorf("ingest: spawn %s for %s/%s: %w", def.ID().Name, unb.Sender.ID, st.Conversation, err)
				}
			} else {
				var found []engine.ProcessIdentity
				for _, k := range st.Keys {
					f, err := in.engine.Registry().LookupAll(ctx, d.tenant.ID, k)
					if err != nil {
						return fmt.Errorf("ingest: registry lookup %s: %w", st.Reference, err)
					}
					found = append(found, f...)
				}
				if len(found) == 0 {
					if err := refuse(st.Orphan); err != nil {
						return err
					}
					continue
				}
				id = pick(found)
			}
			codec = def.Codec()
			if id.Workflow != def.ID() {
				resumed, err := in.engine.Resolve(id.Workflow)
				if err != nil {
					if err := in.dead(ctx, d, deadletter.ReasonVersionMismatch, err.Error(), audit); err != nil {
						return err
					}
					continue
				}
				codec = resumed.Codec()
			}
		}
		payload := inbound.Transaction{
			MessageType: m.Type(), Release: unh.Association, PID: tx.PID, FormatVersion: rep.FormatVersion.String(), Sector: sector.String(),
			Sender: unb.Sender.ID, Receiver: unb.Recipient.ID, InterchangeRef: unb.ControlRef, MessageRef: m.Ref(), TransactionID: tx.ID,
			Test: unb.IsTest(), TransportID: d.transportID, Interchange: single, MessageIndex: m.Index,
		}
		audit.Process = string(id.Process)
		cmdID := inbound.CommandID(d.tenant.ID, unb.Sender.ID, unb.ControlRef, m.Ref(), tx.ID)
		cmd := engine.Command{
			ID:            cmdID,
			ReceivedAt:    d.receivedAt,
			FormatVersion: rep.FormatVersion,
			Correlation:   inbound.CorrelationFromInterchange(unb.Sender.ID, unb.ControlRef),
			Conversation:  engine.ConversationID(tx.ID),
			TraceParent:   d.traceParent,
			Payload:       payload,
		}
		var popts []command.PublishOption
		if spawned {
			popts = append(popts, command.NewProcess())
		}
		if err := command.Publish(ctx, in.js, id, codec, cmd, popts...); err != nil {
			return err
		}
		in.count(d, tx.PID, "accepted")
	}
	return nil
}

// find returns the process registered under the first of keys that has one
// (pick among several), or nil.
func (in *Ingestor) find(ctx context.Context, tenant engine.TenantID, keys []engine.BusinessKey) (*engine.ProcessIdentity, error) {
	for _, k := range keys {
		found, err := in.engine.Registry().LookupAll(ctx, tenant, k)
		if err != nil {
			return nil, fmt.Errorf("ingest: registry lookup %s=%s: %w", k.Kind, k.Value, err)
		}
		if len(found) > 0 {
			p := pick(found)
			return &p, nil
		}
	}
	return nil, nil
}

// pick chooses deterministically among processes found under one business
// key (normally there is exactly one): the smallest process id, so that
// every ingest instance and every redelivery routes to the same process.
func pick(found []engine.ProcessIdentity) engine.ProcessIdentity {
	best := found[0]
	for _, f := range found[1:] {
		if f.Process < best.Process {
			best = f
		}
	}
	return best
}

// cancelledTransaction returns the transaction id a cancellation refers
// to: the first RFF+ACW inside the transaction (UTILMD 55022 quotes the
// Vorgangsnummer of the cancelled transaction there).
func cancelledTransaction(m *edifact.Message, tx edifact.Transaction) string {
	for i := tx.Start; i < tx.End && i < len(m.Segments); i++ {
		if s := &m.Segments[i]; s.Is("RFF", "ACW") {
			return s.Value(0, 1)
		}
	}
	return ""
}

// referencedTransaction returns the transaction id a follow-up refers to:
// the first RFF+TN inside the transaction (UTILMD answers reference the
// request's Vorgangsnummer this way).
func referencedTransaction(m *edifact.Message, tx edifact.Transaction) string {
	for i := tx.Start; i < tx.End && i < len(m.Segments); i++ {
		if s := &m.Segments[i]; s.Is("RFF", "TN") {
			return s.Value(0, 1)
		}
	}
	return ""
}

// refuse answers a transaction that ingest cannot hand to a process with an
// APERAK 313 with ERC code (edifact.md §11) and records a dead letter whose
// detail also says when the APERAK could not be built. result labels the
// inbound metric.
func (in *Ingestor) refuse(ctx context.Context, d delivery, ix *edifact.Interchange, m *edifact.Message, tx edifact.Transaction, v fv.Version,
	r *Refusal, audit deadletter.Audit) error {
	code, detail := r.Code, r.Detail
	note, err := in.reject(ctx, d, ix, m, tx, v, r)
	if err != nil {
		return err
	}
	if note != "" {
		detail += "; APERAK 313 " + code + " not sent: " + note
	} else {
		detail += "; answered with APERAK 313 " + code
	}
	in.count(d, tx.PID, r.Result)
	if r.Reason == deadletter.ReasonAHB {
		in.countAHB(tx.PID)
	}
	return in.dead(ctx, d, r.Reason, detail, audit)
}

// reject publishes the APERAK 313. note is empty when it went out and says
// why when it could not be built (no responder, missing references).
func (in *Ingestor) reject(ctx context.Context, d delivery, ix *edifact.Interchange, m *edifact.Message, tx edifact.Transaction, v fv.Version, r *Refusal) (note string, err error) {
	if in.responder == nil {
		return "no APERAK responder configured", nil
	}
	unb := ix.UNB()
	code, text := r.Code, r.Text
	ref := refgen.Ref("A", string(d.tenant.ID), unb.Sender.ID, unb.ControlRef, m.Ref(), tx.ID, code)
	at := in.created(d)
	if rv, err := fv.Resolve(at); err == nil {
		v = rv // the format version in force when the answer is made
	}
	payload, ixRef, err := in.responder.Reject(Rejection{Interchange: ix, Message: m, Transaction: tx, Version: v, Code: code, Text: text,
		Findings: r.Findings, Ref: ref, At: at})
	if err == nil {
		err = ahb.Conform(payload, v, false) // what we send is what the APERAK AHB demands
	}
	if err != nil {
		// The sender must still hear of it: the fallback APERAK, and an
		// operator alert (mako_failure_answer_total).
		fb, pr, _, ferr := aperak.Fallback(ix, m, &tx, v, ref, at, aperak.Problem{Code: code, Text: text})
		if ferr == nil {
			ferr = ahb.Conform(fb, v, false)
		}
		if ferr != nil {
			in.alert("none")
			in.log.Error().Err(errors.Join(err, ferr)).Str("interchange", unb.ControlRef).Msg("APERAK cannot be built, not even the fallback; dead letter only")
			return err.Error() + "; fallback: " + ferr.Error(), nil
		}
		in.alert(pr.Code)
		in.log.Error().Err(err).Str("interchange", unb.ControlRef).Msg("APERAK cannot be built; fallback APERAK sent")
		payload, ixRef = fb, ref
	}
	_, err = outbox.Publish(ctx, in.js, outbox.Message{
		ID:             "aperak." + string(d.tenant.ID) + "." + ixRef,
		Tenant:         string(d.tenant.ID),
		Sender:         unb.Recipient.ID,
		Recipient:      unb.Sender.ID,
		MessageType:    catalog.APERAK,
		InterchangeRef: ixRef,
		Payload:        payload,
	})
	return "", err
}

// created is the time an answer of ingest is dated with: now, never
// before the receipt time.
func (in *Ingestor) created(d delivery) time.Time {
	if now := in.now(); now.After(d.receivedAt) {
		return now
	}
	return d.receivedAt
}

// alert counts a fallback answer (code "none": not even that).
func (in *Ingestor) alert(code string) {
	if in.metrics != nil {
		in.metrics.FailureAnswers.WithLabelValues("ingest", code).Inc()
	}
}

// countAHB counts an inbound transaction refused for its AHB (alert metric
// mako_ahb_refused_total{direction="inbound"}).
func (in *Ingestor) countAHB(pid string) {
	if in.metrics != nil {
		in.metrics.AHBRefused.WithLabelValues(metrics.DirectionInbound, pid).Inc()
	}
}

func (in *Ingestor) count(d delivery, pid, result string) {
	if in.metrics != nil {
		in.metrics.InboundMessages.WithLabelValues(string(d.tenant.ID), pid, result).Inc()
	}
}

// dead dead-letters the ingest message of d through the path every worker
// uses (worker.DeadLetter: source stream, subject and sequence from the
// message, the unknown tenant when audit names none), with the interchange
// as payload. The message is settled by the caller; an error means the
// letter was not written and the message must be redelivered.
func (in *Ingestor) dead(ctx context.Context, d delivery, reason deadletter.Reason, detail string, audit deadletter.Audit) error {
	in.log.Warn().Str("tenant", audit.Tenant).Str("reason", string(reason)).Str("detail", detail).Uint64("seq", d.seq).
		Str("sender", audit.Sender).Str("interchange", audit.InterchangeRef).Str("process", audit.Process).
		Str("trace_id", trace.TraceID(d.traceParent)).Msg("ingest: dead letter")
	letter := func(jetstream.Msg, error) deadletter.Letter {
		return deadletter.Letter{Reason: reason, Detail: detail, Audit: audit, Payload: d.data}
	}
	return worker.DeadLetter(in.dlq, inbound.Stream, letter)(ctx, d.msg, fmt.Errorf("ingest: %s: %s", reason, detail))
}

// ExhaustedLetter describes the dead letter of an ingest message that will
// not be retried (worker.DeadLetter), with the audit context read from the
// interchange itself (parsing does no I/O).
func ExhaustedLetter(m jetstream.Msg, cause error) deadletter.Letter {
	var audit deadletter.Audit
	tid, _ := inbound.TenantFromSubject(m.Subject()) // "" (unknown) if malformed
	audit.Tenant = string(tid)
	if ix, err := edifact.Parse(m.Data()); err == nil {
		unb := ix.UNB()
		audit.Sender, audit.Receiver, audit.InterchangeRef = unb.Sender.ID, unb.Recipient.ID, unb.ControlRef
		if len(ix.Messages) > 0 {
			audit.MessageType, audit.MessageRef = ix.Messages[0].Type(), ix.Messages[0].Ref()
			audit.Release = ix.Messages[0].Header().Association
		}
	}
	return deadletter.Letter{
		Reason: deadletter.ReasonProcessing, Detail: "ingest failed repeatedly: " + cause.Error(),
		Audit: audit, Payload: m.Data(),
	}
}
