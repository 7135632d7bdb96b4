package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type letterFilter struct {
	Tenant, Reason, Status, Assignee string
	Page                             int
}

func (f letterFilter) link(page int) string {
	return pageLink("/klaerfaelle", page, "mandant", f.Tenant, "grund", f.Reason, "status", f.Status, "bearbeiter", f.Assignee)
}

type letterListData struct {
	Filter  letterFilter
	Rows    []readmodel.DeadLetter
	Total   int
	Reasons []string
	pager
}

func (s *Server) letterList(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	f := letterFilter{Tenant: v.Get("mandant"), Reason: v.Get("grund"), Status: v.Get("status"), Assignee: v.Get("bearbeiter")}
	if !v.Has("status") {
		f.Status = readmodel.LetterOpen
	}
	f.Page, _ = strconv.Atoi(v.Get("seite"))
	f.Page = max(f.Page, 1)
	if f.Tenant != "" && !allowed(r, f.Tenant) {
		return fmt.Errorf("%w: tenant %s", errNotVisible, f.Tenant)
	}
	var rows []readmodel.DeadLetter
	reasons := map[string]bool{}
	keep := func(l readmodel.DeadLetter) error {
		if !allowed(r, l.Tenant) {
			return nil
		}
		reasons[l.Reason] = true
		if (f.Tenant != "" && l.Tenant != f.Tenant) || (f.Reason != "" && l.Reason != f.Reason) ||
			(f.Status != "" && f.Status != "alle" && l.State() != f.Status) || (f.Assignee != "" && l.Assignee != f.Assignee) {
			return nil
		}
		rows = append(rows, l)
		return nil
	}
	var err error
	if f.Tenant != "" {
		err = s.store.EachDeadLetter(ctx, f.Tenant, keep)
	} else {
		err = s.eachVisible(r, func(t string) error { return s.store.EachDeadLetter(ctx, t, keep) })
	}
	if err != nil {
		return err
	}
	slices.SortFunc(rows, func(a, b readmodel.DeadLetter) int { return cmp.Compare(b.Sequence, a.Sequence) })
	d := letterListData{Filter: f, Total: len(rows), Reasons: sortedKeys(reasons)}
	lo, hi, pg := paginate(len(rows), f.Page, f.link)
	d.Rows, d.pager = rows[lo:hi], pg
	s.render(w, r, http.StatusOK, "letters", "Klärfälle", "letters", d)
	return nil
}

// lookupLetter returns the letter the path names if the principal may see
// its tenant.
func (s *Server) lookupLetter(ctx context.Context, r *http.Request) (readmodel.DeadLetter, error) {
	tenant := r.PathValue("tenant")
	if !allowed(r, tenant) {
		return readmodel.DeadLetter{}, fmt.Errorf("%w: tenant %s", errNotVisible, tenant)
	}
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		return readmodel.DeadLetter{}, fmt.Errorf("%w: sequence %q", errBadInput, r.PathValue("seq"))
	}
	return s.store.DeadLetter(ctx, tenant, seq)
}

// original reads the letter's message from MAKO_DLQ (it must be on the
// letter tenant's subject).
func (s *Server) original(ctx context.Context, l readmodel.DeadLetter) (deadletter.Letter, error) {
	st, err := s.js.Stream(ctx, deadletter.Stream)
	if err != nil {
		return deadletter.Letter{}, err
	}
	m, err := st.GetMsg(ctx, l.Sequence)
	if err != nil {
		return deadletter.Letter{}, fmt.Errorf("%s %d: %w", deadletter.Stream, l.Sequence, err)
	}
	if m.Subject != deadletter.Subject(l.Tenant) {
		return deadletter.Letter{}, fmt.Errorf("%w: MAKO_DLQ %d is not on %s", errNotVisible, l.Sequence, deadletter.Subject(l.Tenant))
	}
	return deadletter.Decode(m.Data)
}

type actionView struct {
	readmodel.LetterAction
	Title   string
	Outcome string
}

type letterDetailData struct {
	L        readmodel.DeadLetter
	EDI      *EDIView
	Text     string
	Error    string
	Actions  []actionView
	Process  string
	CanRetry bool
	Why      string
}

func (s *Server) letterDetail(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	l, err := s.lookupLetter(ctx, r)
	if err != nil {
		return err
	}
	d := letterDetailData{L: l}
	if orig, err := s.original(ctx, l); err != nil {
		d.Error = "Original nicht lesbar: " + err.Error()
	} else if len(orig.Payload) > 0 {
		if strings.HasPrefix(strings.TrimSpace(string(orig.Payload)), "UN") {
			// The letter is written when ingest refuses the bytes: its
			// time is the receipt time that chose the format version.
			at, _ := time.Parse(time.RFC3339, l.At)
			v := renderEDI(orig.Payload, at)
			d.EDI = &v
		} else {
			d.Text = string(orig.Payload)
			if len(d.Text) > 4000 {
				d.Text = d.Text[:4000] + " …"
			}
		}
	}
	for _, a := range l.Actions {
		av := actionView{LetterAction: a, Title: actionTitle(a)}
		if a.Kind == string(deadletter.ActionRedrive) {
			av.Outcome = s.redriveOutcome(ctx, l, a)
		}
		d.Actions = append(d.Actions, av)
	}
	if l.ProcessID != "" {
		d.Process = "/vorgaenge/" + l.ProcessID + "?mandant=" + l.Tenant
	}
	d.CanRetry, d.Why = redrivable(l)
	s.render(w, r, http.StatusOK, "letter", fmt.Sprintf("Klärfall %d", l.Sequence), "letters", d)
	return nil
}

func actionTitle(a readmodel.LetterAction) string {
	switch deadletter.ActionKind(a.Kind) {
	case deadletter.ActionRedrive:
		return "Erneut eingestellt"
	case deadletter.ActionDiscard:
		return "Verworfen"
	case deadletter.ActionAssign:
		if a.Assignee == "" {
			return "Zuweisung aufgehoben"
		}
		return "Zugewiesen an " + a.Assignee
	}
	return a.Kind
}

// redrivable reports whether a letter can be published again to where it
// came from: its source subject belongs to its tenant, and it came from a
// stream whose consumer processes re-published messages (ingest, outbox).
func redrivable(l readmodel.DeadLetter) (bool, string) {
	if l.State() == readmodel.LetterDiscarded {
		return false, "verworfen"
	}
	switch {
	case l.SourceStream == inbound.Stream && l.SourceSubject == inbound.Subject(engine.TenantID(l.Tenant)):
		return true, ""
	case l.SourceStream == outbox.Stream && outboxOf(l.SourceSubject) == l.Tenant:
		return true, ""
	case l.SourceStream == "":
		return false, "Herkunft unbekannt"
	}
	return false, "Herkunft " + l.SourceStream + " kann nicht erneut eingestellt werden (Befehle liegen nicht mehr vor)"
}

// outboxOf returns the tenant of an outbox subject ("" if it is none).
func outboxOf(subject string) string {
	tenant, _, err := outbox.ParseSubject(subject)
	if err != nil {
		return ""
	}
	return tenant
}

// consumerOf names the durable consumer that processes a re-driven
// message of stream.
func consumerOf(stream string) string {
	switch stream {
	case inbound.Stream:
		return streams.ConsumerIngest
	case outbox.Stream:
		return streams.ConsumerDeliverer
	}
	return ""
}

// redriveOutcome tells what became of a re-driven message: failed again
// (a newer dead letter for it), processed (its consumer's ack floor passed
// it), or still waiting.
func (s *Server) redriveOutcome(ctx context.Context, l readmodel.DeadLetter, a readmodel.LetterAction) string {
	f := strings.Fields(a.Target)
	if len(f) < 2 {
		return "unbekannt"
	}
	stream := f[0]
	seq, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return "unbekannt"
	}
	var again *readmodel.DeadLetter
	_ = s.store.EachDeadLetter(ctx, l.Tenant, func(x readmodel.DeadLetter) error {
		if x.SourceStream == stream && x.SourceSequence == seq {
			again = &x
		}
		return nil
	})
	if again != nil {
		return fmt.Sprintf("erneut gescheitert: Klärfall %d (%s)", again.Sequence, reasonName(again.Reason))
	}
	cn := consumerOf(stream)
	if cn == "" {
		return "eingestellt in " + stream + " " + f[1]
	}
	c, err := s.js.Consumer(ctx, stream, cn)
	if err != nil {
		return "eingestellt in " + stream + " " + f[1] + " (Verarbeitung nicht prüfbar)"
	}
	info, err := c.Info(ctx)
	if err != nil {
		return "eingestellt in " + stream + " " + f[1] + " (Verarbeitung nicht prüfbar)"
	}
	if info.AckFloor.Stream >= seq {
		if stream == outbox.Stream {
			return "zugestellt (" + stream + " " + f[1] + ")"
		}
		return "verarbeitet (" + stream + " " + f[1] + ")"
	}
	return "wartet auf Verarbeitung (" + stream + " " + f[1] + ")"
}

func (s *Server) letterRaw(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	l, err := s.lookupLetter(ctx, r)
	if err != nil {
		return err
	}
	orig, err := s.original(ctx, l)
	if err != nil {
		return err
	}
	writeRaw(w, fmt.Sprintf("klaerfall-%s-%d.edi", l.Tenant, l.Sequence), orig.Payload)
	return nil
}

// letterAction performs re-drive, discard or assign and records it as a
// deadletter.Action on mako.dlq.<tenant>.action.
func (s *Server) letterAction(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	l, err := s.lookupLetter(ctx, r)
	if err != nil {
		return err
	}
	p, _ := PrincipalFrom(r.Context())
	a := deadletter.Action{Letter: l.Sequence, Actor: p.Name, At: s.now().In(s.loc).Format("2006-01-02T15:04:05Z07:00"),
		Reason: strings.TrimSpace(r.PostFormValue("grund"))}
	back := fmt.Sprintf("/klaerfaelle/%s/%d", l.Tenant, l.Sequence)
	switch r.PathValue("action") {
	case "erneut":
		a.Kind = deadletter.ActionRedrive
		ok, why := redrivable(l)
		if !ok {
			return fmt.Errorf("%w: Klärfall %d kann nicht erneut eingestellt werden: %s", errBadInput, l.Sequence, why)
		}
		n := 0
		for _, x := range l.Actions {
			if x.Kind == string(deadletter.ActionRedrive) {
				n++
			}
		}
		target, err := s.redrive(ctx, l, n)
		if err != nil {
			return err
		}
		a.Target = target
	case "verwerfen":
		a.Kind = deadletter.ActionDiscard
		if a.Reason == "" {
			return fmt.Errorf("%w: Verwerfen braucht einen Grund", errBadInput)
		}
	case "zuweisen":
		a.Kind = deadletter.ActionAssign
		a.Assignee = strings.TrimSpace(r.PostFormValue("bearbeiter"))
		if len(a.Assignee) > 100 {
			return fmt.Errorf("%w: Bearbeiter zu lang", errBadInput)
		}
	default:
		return fmt.Errorf("%w: Aktion %q", readmodel.ErrNotFound, r.PathValue("action"))
	}
	seq, err := s.recordAction(ctx, l.Tenant, a, len(l.Actions))
	if err != nil {
		return err
	}
	s.awaitAction(ctx, l.Tenant, l.Sequence, seq)
	s.log.Info().Str("tenant", l.Tenant).Uint64("letter", l.Sequence).Str("action", string(a.Kind)).Str("user", p.Name).Msg("console: Klärfall action")
	http.Redirect(w, r, back+"?ok="+urlQueryEscape(string(a.Kind)), http.StatusSeeOther)
	return nil
}

// recordAction publishes an action (deadletter.ActionMsg) and returns its
// MAKO_DLQ sequence; its message id makes a repeated submit of the same
// form (same letter, action and prior actions) count once.
func (s *Server) recordAction(ctx context.Context, tenant string, a deadletter.Action, prior int) (uint64, error) {
	msg, err := deadletter.ActionMsg(tenant, a, prior)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errBadInput, err)
	}
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return 0, fmt.Errorf("console: record %s of letter %s/%d: %w", a.Kind, tenant, a.Letter, err)
	}
	return ack.Sequence, nil
}

// actionWait bounds how long an action waits for the projector.
const actionWait = 5 * time.Second

// awaitAction waits (at most actionWait) until the projector has folded
// the action at MAKO_DLQ sequence seq into its letter, so that the page the
// operator is sent to next shows it (read your own write). The action is
// stored either way: after the wait the page shows it once the projector
// catches up.
func (s *Server) awaitAction(ctx context.Context, tenant string, letter, seq uint64) {
	ctx, cancel := context.WithTimeout(ctx, actionWait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if l, err := s.store.DeadLetter(ctx, tenant, letter); err == nil &&
			slices.ContainsFunc(l.Actions, func(a readmodel.LetterAction) bool { return a.Sequence == seq }) {
			return
		}
		select {
		case <-ctx.Done():
			s.log.Warn().Str("tenant", tenant).Uint64("letter", letter).Uint64("action", seq).Msg("console: Klärfall action not projected yet")
			return
		case <-tick.C:
		}
	}
}

// redrive publishes the letter's original message again to its source
// subject: the stored original with its headers when the source stream
// still holds it, else the letter's bytes. The message id
// "redrive.<tenant>.<letter>.<n>" (n = earlier re-drives) makes a double
// submit publish once. It returns "<stream> <sequence> <subject>".
func (s *Server) redrive(ctx context.Context, l readmodel.DeadLetter, n int) (string, error) {
	msg := nats.NewMsg(l.SourceSubject)
	if l.SourceSequence > 0 {
		if st, err := s.js.Stream(ctx, l.SourceStream); err == nil {
			if m, err := st.GetMsg(ctx, l.SourceSequence); err == nil && m.Subject == l.SourceSubject {
				msg.Data = m.Data
				for k, v := range m.Header {
					msg.Header[k] = v
				}
			}
		}
	}
	if msg.Data == nil {
		orig, err := s.original(ctx, l)
		if err != nil {
			return "", err
		}
		if len(orig.Payload) == 0 {
			return "", fmt.Errorf("%w: Klärfall %d hat keine Originaldaten", errBadInput, l.Sequence)
		}
		msg.Data = orig.Payload
	}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("redrive.%s.%d.%d", l.Tenant, l.Sequence, n))
	msg.Header.Set(deadletter.HeaderRedriveOf, fmt.Sprintf("%s %d", deadletter.Stream, l.Sequence))
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return "", fmt.Errorf("console: re-drive letter %s/%d to %s: %w", l.Tenant, l.Sequence, l.SourceSubject, err)
	}
	if ack.Stream != l.SourceStream {
		return "", errors.New("console: re-drive landed in stream " + ack.Stream + ", not " + l.SourceStream)
	}
	return fmt.Sprintf("%s %d %s", ack.Stream, ack.Sequence, l.SourceSubject), nil
}
