package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/audit"
	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/partner"
	auditwire "github.com/mako-engine/mako/pkg/wire/audit"
	"github.com/mako-engine/mako/streams"
)

// partnerStore returns the partner store: the NATS bucket, bound on first
// use and kept (a bucket that does not exist yet is looked up again).
func (s *Server) partnerStore(ctx context.Context) (partner.Store, error) {
	s.storeMu.Lock()
	defer s.storeMu.Unlock()
	if s.partners == nil {
		kv, err := s.js.KeyValue(ctx, streams.BucketPartners)
		if err != nil {
			return nil, fmt.Errorf("console: bucket %s: %w", streams.BucketPartners, err)
		}
		st, err := partner.NewNATSStore(kv)
		if err != nil {
			return nil, err
		}
		s.partners = st
	}
	return s.partners, nil
}

// maloStore returns the master-data store: the NATS bucket, bound on first
// use and kept.
func (s *Server) maloStore(ctx context.Context) (malo.Store, error) {
	s.storeMu.Lock()
	defer s.storeMu.Unlock()
	if s.malos == nil {
		kv, err := s.js.KeyValue(ctx, malonats.Bucket)
		if err != nil {
			return nil, fmt.Errorf("console: bucket %s: %w", malonats.Bucket, err)
		}
		st, err := malonats.NewNATSStore(kv)
		if err != nil {
			return nil, err
		}
		s.malos = st
	}
	return s.malos, nil
}

type partnerListData struct {
	Rows []partner.Entry
}

func (s *Server) partnerList(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	st, err := s.partnerStore(ctx)
	if err != nil {
		return err
	}
	var d partnerListData
	for _, t := range s.visible(r) {
		es, err := st.List(ctx, t)
		if err != nil {
			return err
		}
		d.Rows = append(d.Rows, es...)
	}
	s.render(w, r, http.StatusOK, "partners", "Partner", "partners", d)
	return nil
}

// partnerForm is the editable part of a partner record: name, roles and
// the preferred (first) channel; further channels and contacts are kept.
type partnerForm struct {
	Tenant, MPID, Name, Roles       string
	Transport, URL, Dir, Subject    string
	Timeout, Revision, Reason, Note string
	New                             bool
}

type partnerDetailData struct {
	Form    partnerForm
	Entry   *partner.Entry
	History changeLog
	Error   string
}

func formOf(e partner.Entry) partnerForm {
	f := partnerForm{Tenant: e.Tenant, MPID: e.Partner.MPID, Name: e.Partner.Name, Roles: strings.Join(e.Partner.Roles, ", "),
		Revision: fmt.Sprint(e.Revision)}
	if len(e.Partner.Channels) > 0 {
		c := e.Partner.Channels[0]
		f.Transport, f.URL, f.Dir, f.Subject = string(c.Transport), c.URL, c.Dir, c.Subject
		if c.Timeout > 0 {
			f.Timeout = time.Duration(c.Timeout).String()
		}
	}
	return f
}

func (s *Server) partnerDetail(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	tenant, mpid := r.PathValue("tenant"), r.PathValue("mpid")
	if !allowed(r, tenant) {
		return fmt.Errorf("%w: tenant %s", errNotVisible, tenant)
	}
	st, err := s.partnerStore(ctx)
	if err != nil {
		return err
	}
	d := partnerDetailData{Form: partnerForm{Tenant: tenant, New: true, Transport: "nats"}}
	if mpid != "neu" {
		e, err := st.Get(ctx, tenant, mpid)
		if err != nil {
			return err
		}
		d.Entry, d.Form = &e, formOf(e)
		d.History = s.changeLog(ctx, tenant, auditwire.KindPartner, mpid)
	}
	s.render(w, r, http.StatusOK, "partner", "Partner "+mpid, "partners", d)
	return nil
}

func (s *Server) partnerSave(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	tenant, mpid := r.PathValue("tenant"), r.PathValue("mpid")
	if !allowed(r, tenant) {
		return fmt.Errorf("%w: tenant %s", errNotVisible, tenant)
	}
	st, err := s.partnerStore(ctx)
	if err != nil {
		return err
	}
	f := partnerForm{Tenant: tenant, MPID: strings.TrimSpace(r.PostFormValue("mp_id")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Roles: r.PostFormValue("rollen"), Transport: strings.TrimSpace(r.PostFormValue("transport")), URL: strings.TrimSpace(r.PostFormValue("url")),
		Dir: strings.TrimSpace(r.PostFormValue("verzeichnis")), Subject: strings.TrimSpace(r.PostFormValue("subject")),
		Timeout: strings.TrimSpace(r.PostFormValue("timeout")), Revision: r.PostFormValue("revision"), Reason: strings.TrimSpace(r.PostFormValue("grund")),
		New: mpid == "neu"}
	if !f.New {
		f.MPID = mpid
	}
	var before *partner.Entry
	p := partner.Partner{MPID: f.MPID}
	if !f.New {
		e, err := st.Get(ctx, tenant, mpid)
		if err != nil {
			return err
		}
		before, p = &e, e.Partner
	}
	p.Name = f.Name
	p.Roles = nil
	for _, role := range strings.FieldsFunc(f.Roles, func(r rune) bool { return r == ',' || r == ' ' }) {
		p.Roles = append(p.Roles, strings.ToUpper(role))
	}
	ch := partner.Channel{Transport: partner.Transport(f.Transport), URL: f.URL, Dir: f.Dir, Subject: f.Subject}
	var formErr error
	if f.Timeout != "" {
		t, err := time.ParseDuration(f.Timeout)
		if err != nil {
			formErr = fmt.Errorf("Timeout %q: eine Dauer wie 30s", f.Timeout)
		}
		ch.Timeout = partner.Duration(t)
	}
	if f.Transport != "" {
		if len(p.Channels) > 0 {
			p.Channels = append([]partner.Channel{ch}, p.Channels[1:]...)
		} else {
			p.Channels = []partner.Channel{ch}
		}
	}
	if formErr == nil {
		formErr = p.Validate()
	}
	rev, formErr := saveRecord(f.New, f.Revision, f.Reason, formErr, partner.ErrConflict, func(opt kvrecord.WriteOption) (uint64, error) {
		return st.Put(ctx, tenant, p, opt)
	})
	var was []byte
	if before != nil {
		was, _ = partner.Encode(before.Partner)
	}
	now, _ := partner.Encode(p)
	return s.finishSave(ctx, w, r, formErr, func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, "partner", "Partner "+mpid, "partners", partnerDetailData{Form: f, Entry: before, Error: msg})
	}, auditwire.Record{Tenant: tenant, Kind: auditwire.KindPartner, ID: p.MPID, Reason: f.Reason, Revision: rev}, was, now, "/partner/"+tenant+"/"+p.MPID)
}

// saveRecord writes a record edited in a form unless formErr (a validation
// failure) is set or no reason is given: create-only for a new record,
// else only at the revision the form was loaded with (a stale form is
// refused with a message instead of the store's conflict).
func saveRecord(isNew bool, revision, reason string, formErr, conflict error, put func(kvrecord.WriteOption) (uint64, error)) (uint64, error) {
	if formErr != nil {
		return 0, formErr
	}
	if reason == "" {
		return 0, errors.New("bitte einen Grund für die Änderung angeben")
	}
	opt := kvrecord.IfAbsent()
	if !isNew {
		var rev uint64
		if _, err := fmt.Sscan(revision, &rev); err != nil {
			return 0, errors.New("Revision fehlt")
		}
		opt = kvrecord.IfRevision(rev)
	}
	rev, err := put(opt)
	if errors.Is(err, conflict) {
		return 0, errors.New("der Datensatz wurde inzwischen geändert oder existiert bereits; bitte neu laden")
	}
	return rev, err
}

// finishSave ends a form save (saveRecord): after formErr the form is shown
// again with the message (rerender); else the change is audited — an
// update from before (the stored JSON value) to after, or a create when
// before is nil — and the browser is sent to location.
func (s *Server) finishSave(ctx context.Context, w http.ResponseWriter, r *http.Request, formErr error, rerender func(msg string),
	rec auditwire.Record, before, after []byte, location string) error {
	if formErr != nil {
		rerender(formErr.Error())
		return nil
	}
	rec.Action, rec.Before, rec.After = "create", nil, after
	if before != nil {
		rec.Action, rec.Before = "update", before
	}
	if err := s.audit(ctx, r, rec); err != nil {
		return err
	}
	http.Redirect(w, r, location+"?ok=gespeichert", http.StatusSeeOther)
	return nil
}

// audit stamps and writes an audit record.
func (s *Server) audit(ctx context.Context, r *http.Request, rec auditwire.Record) error {
	p, _ := PrincipalFrom(r.Context())
	rec.Actor = p.Name
	rec.At = s.now().In(s.loc).Format(time.RFC3339)
	if err := audit.Write(ctx, s.js, rec); err != nil {
		return err
	}
	s.log.Info().Str("tenant", rec.Tenant).Str("kind", rec.Kind).Str("id", rec.ID).Str("action", rec.Action).Str("user", p.Name).Msg("console: record changed")
	return nil
}

type maloListData struct {
	Rows  []malo.Entry
	Query string
}

func (s *Server) maloList(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	st, err := s.maloStore(ctx)
	if err != nil {
		return err
	}
	d := maloListData{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	for _, t := range s.visible(r) {
		es, err := st.List(ctx, t)
		if err != nil {
			return err
		}
		for _, e := range es {
			if d.Query == "" || strings.Contains(e.Record.MaLo, d.Query) {
				d.Rows = append(d.Rows, e)
			}
		}
	}
	if len(d.Rows) > 500 {
		d.Rows = d.Rows[:500]
	}
	s.render(w, r, http.StatusOK, "malos", "Stammdaten", "malos", d)
	return nil
}

// maloForm is the editable master data of a MaLo; Periods has one supply
// period per line: "<Lieferant MP-ID> <von JJJJ-MM-TT> [<bis JJJJ-MM-TT>]"
// (German calendar days, 00:00 German time).
type maloForm struct {
	Tenant, MaLo, GridArea, GridOperator, Sector string
	// Gas master data (pkg/malo Gas): Marktgebiet, Bilanzkreis, Gasqualität,
	// Druckebene; empty = not recorded.
	MarketArea, BalanceGroup, GasQuality, Pressure string
	Periods, Revision, Reason                      string
	New                                            bool
}

type maloDetailData struct {
	Form    maloForm
	Entry   *malo.Entry
	History changeLog
	Error   string
}

func (s *Server) maloFormOf(e malo.Entry) maloForm {
	f := maloForm{Tenant: e.Tenant, MaLo: e.Record.MaLo, GridArea: e.Record.GridArea, GridOperator: e.Record.GridOperator,
		Sector: e.Record.Sector, MarketArea: e.Record.MarketArea, BalanceGroup: e.Record.BalanceGroup, GasQuality: string(e.Record.Quality),
		Pressure: string(e.Record.Pressure), Revision: fmt.Sprint(e.Revision)}
	var lines []string
	for _, p := range e.Record.Periods {
		l := p.Supplier + " " + p.From.In(s.loc).Format("2006-01-02")
		if p.To != nil {
			l += " " + p.To.In(s.loc).Format("2006-01-02")
		}
		lines = append(lines, l)
	}
	f.Periods = strings.Join(lines, "\n")
	return f
}

func (s *Server) maloDetail(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	tenant, id := r.PathValue("tenant"), r.PathValue("malo")
	if !allowed(r, tenant) {
		return fmt.Errorf("%w: tenant %s", errNotVisible, tenant)
	}
	st, err := s.maloStore(ctx)
	if err != nil {
		return err
	}
	d := maloDetailData{Form: maloForm{Tenant: tenant, New: true, Sector: "Strom"}}
	if id != "neu" {
		e, err := st.Get(ctx, tenant, id)
		if err != nil {
			return err
		}
		d.Entry, d.Form = &e, s.maloFormOf(e)
		d.History = s.changeLog(ctx, tenant, auditwire.KindMaLo, id)
	}
	s.render(w, r, http.StatusOK, "malo", "Stammdaten "+id, "malos", d)
	return nil
}

// parsePeriods reads the period lines of maloForm.
func (s *Server) parsePeriods(text string) ([]malo.Period, error) {
	var out []malo.Period
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("Zeile %d: „Lieferant von [bis]“ erwartet", i+1)
		}
		from, err := time.ParseInLocation("2006-01-02", f[1], s.loc)
		if err != nil {
			return nil, fmt.Errorf("Zeile %d: Beginn %q: JJJJ-MM-TT", i+1, f[1])
		}
		p := malo.Period{Supplier: f[0], From: from.UTC()}
		if len(f) == 3 {
			to, err := time.ParseInLocation("2006-01-02", f[2], s.loc)
			if err != nil {
				return nil, fmt.Errorf("Zeile %d: Ende %q: JJJJ-MM-TT", i+1, f[2])
			}
			t := to.UTC()
			p.To = &t
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b malo.Period) int { return a.From.Compare(b.From) })
	return out, nil
}

func (s *Server) maloSave(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	tenant, id := r.PathValue("tenant"), r.PathValue("malo")
	if !allowed(r, tenant) {
		return fmt.Errorf("%w: tenant %s", errNotVisible, tenant)
	}
	st, err := s.maloStore(ctx)
	if err != nil {
		return err
	}
	f := maloForm{Tenant: tenant, MaLo: strings.TrimSpace(r.PostFormValue("malo")), GridArea: strings.TrimSpace(r.PostFormValue("netzgebiet")),
		GridOperator: strings.TrimSpace(r.PostFormValue("netzbetreiber")), Sector: r.PostFormValue("sparte"),
		MarketArea: strings.TrimSpace(r.PostFormValue("marktgebiet")), BalanceGroup: strings.TrimSpace(r.PostFormValue("bilanzkreis")),
		GasQuality: r.PostFormValue("gasqualitaet"), Pressure: r.PostFormValue("druckebene"),
		Periods: r.PostFormValue("zeitraeume"), Revision: r.PostFormValue("revision"), Reason: strings.TrimSpace(r.PostFormValue("grund")), New: id == "neu"}
	if !f.New {
		f.MaLo = id
	}
	var before *malo.Entry
	rec := malo.Record{MaLo: f.MaLo}
	if !f.New {
		e, err := st.Get(ctx, tenant, id)
		if err != nil {
			return err
		}
		before, rec = &e, e.Record.Clone()
	}
	rec.GridArea, rec.GridOperator, rec.Sector = f.GridArea, f.GridOperator, f.Sector
	rec.MarketArea, rec.BalanceGroup = f.MarketArea, f.BalanceGroup
	rec.Quality, rec.Pressure = malo.GasQuality(f.GasQuality), malo.PressureLevel(f.Pressure)
	periods, formErr := s.parsePeriods(f.Periods)
	rec.Periods = periods
	if formErr == nil {
		formErr = rec.Validate()
	}
	rev, formErr := saveRecord(f.New, f.Revision, f.Reason, formErr, malo.ErrConflict, func(opt kvrecord.WriteOption) (uint64, error) {
		return st.Put(ctx, tenant, rec, opt)
	})
	var was []byte
	if before != nil {
		was, _ = json.Marshal(before.Record)
	}
	now, _ := json.Marshal(rec)
	return s.finishSave(ctx, w, r, formErr, func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, "malo", "Stammdaten "+id, "malos", maloDetailData{Form: f, Entry: before, Error: msg})
	}, auditwire.Record{Tenant: tenant, Kind: auditwire.KindMaLo, ID: rec.MaLo, Reason: f.Reason, Revision: rev}, was, now, "/stammdaten/"+tenant+"/"+rec.MaLo)
}

// changeLog is what a record's page shows of its audit history: the last 20
// console changes, or why they could not be read (the page still renders; an
// empty log and an unreadable one must not look the same).
type changeLog struct {
	Records []auditwire.Record
	Err     string
}

// changeLog reads the audit history of one partner or master-data record.
func (s *Server) changeLog(ctx context.Context, tenant, kind, id string) changeLog {
	recs, err := audit.History(ctx, s.js, tenant, kind, id, 20)
	if err != nil {
		s.log.Warn().Err(err).Str("tenant", tenant).Str("kind", kind).Msg("console: audit history unreadable")
		return changeLog{Err: err.Error()}
	}
	return changeLog{Records: recs}
}
