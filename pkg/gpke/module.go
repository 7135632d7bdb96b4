package gpke

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// FormatVersions are the format versions every workflow is defined for.
var formatVersions = []string{"FV2604", "FV2610"}

// Query names the master data a request needs: the tenant and its own
// MP-ID (the request's recipient), the partner (its sender), the PID, the MaLo
// and the requested date (DTM+92 start or DTM+93 end; zero if absent). The
// type is shared with geligas (utilmdkit.Query).
type Query = utilmdkit.Query

// MasterDataSource reads the master data of a MaLo as the tenant knows it.
// It is called by Module.Enrich (I/O is allowed there, never in Handle). A
// MaLo the tenant does not know is MasterData{MaLo: id} with Known = false
// and a nil error; an error means the facts could not be read (the command is
// retried). FromMaLo adapts pkg/malo.
type MasterDataSource = utilmdkit.Source[MasterData]

// MasterDataFunc adapts a function to MasterDataSource.
type MasterDataFunc = utilmdkit.SourceFunc[MasterData]

// ObjectionPolicy decides the deployment's default verdict at the EBD steps
// that ask about the LF's contract (E_0624 step 90/220, E_0614 step 70/580):
// true objects. The default, DefaultObjection, objects iff the master data
// say the contract is binding beyond the requested date.
type ObjectionPolicy func(pid string, md MasterData, date time.Time) bool

// DefaultObjection objects iff md.ContractBinding.
func DefaultObjection(_ string, md MasterData, _ time.Time) bool { return md.ContractBinding }

// StornoCodes are the answer codes of 55023/55024 (code lists S_0086/S_0087,
// AHB 55022 STS 1131). UNVERIFIED: the project's references do not hold the
// code lists; only A14 "Ablehnung Sonstiges" is named by AHB 55022 condition
// [49]. Configure them with WithStornoCodes.
type StornoCodes struct {
	Confirm, ConfirmList string
	Reject, RejectList   string
	// Late is the code (list RejectList) of a Stornierung whose request is
	// already answered (the NB's Anmeldung/Abmeldung process has sent its
	// 55002/55003 or 55005/55006); empty = Reject.
	Late string
}

// config is the module's configuration (see Option).
type config struct {
	cal            *fristen.Calendar
	aperak         *fristen.APERAKClock
	answers        *fristen.AnswerTable
	aperakGrace    time.Duration
	lfaHour        int
	lfaMinute      int
	ask            utilmdkit.AskERP
	objection      ObjectionPolicy
	unknownERC     string
	storno         StornoCodes
	stornoAccept   bool
	source         MasterDataSource
	index          ProcessIndex
	beendigungZ18  bool
	suppressSecond bool
	beendigungLead func(cal *fristen.Calendar, received, end time.Time) bool
	abmeldungLead  func(cal *fristen.Calendar, received, end time.Time) bool
	endReason      string
	cutoff         time.Duration // E_0624 step 5: after 00:00 of W; < 0 disables
}

// Option configures Module.
type Option func(*config) error

// WithCalendar sets the Werktag calendar (default fristen.Default()).
func WithCalendar(c *fristen.Calendar) Option {
	return func(cfg *config) error { cfg.cal = c; return nil }
}

// WithAPERAKClock sets the APERAK deadline clock (default on the calendar).
func WithAPERAKClock(a *fristen.APERAKClock) Option {
	return func(cfg *config) error { cfg.aperak = a; return nil }
}

// WithAnswerTable sets the per-PID answer deadlines. When it yields a
// deadline for a request we send (e.g. a rule for 55001 verified against GPKE
// Teil 2), the sending workflow fails at that deadline without an answer;
// when it yields one for 55010, that is the NB's wait for the LFA.
func WithAnswerTable(t *fristen.AnswerTable) Option {
	return func(cfg *config) error { cfg.answers = t; return nil }
}

// WithAPERAKGrace adds d to the partner's APERAK deadline before the
// missing-APERAK alert fires (default 15 minutes: the deadline runs from the
// partner's receipt, which is after our decision by the delivery time).
func WithAPERAKGrace(d time.Duration) Option {
	return func(cfg *config) error { cfg.aperakGrace = d; return nil }
}

// WithLFAAnswerTime sets the time of day on W (the first Werktag after the
// ÜT, fristen.md §5.3) by which the NB expects the LFA's 55011/55012 when the
// answer table has no rule for 55010. UNVERIFIED default 10:00 German local
// time: the project's references do not give the LFA's answer deadline
// (fristen.md §10 item 2).
func WithLFAAnswerTime(hour, minute int) Option {
	return func(cfg *config) error {
		if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
			return fmt.Errorf("gpke: LFA answer time %02d:%02d", hour, minute)
		}
		cfg.lfaHour, cfg.lfaMinute = hour, minute
		return nil
	}
}

// WithERPDecision makes the LF workflows ask the ERP (DecisionRequested) at
// the policy steps of the given request PIDs and wait up to wait for Decide
// before they apply the default. Default: 55010 and 55016, 30 minutes. A wait
// of 0 (or no PIDs) decides at once by the ObjectionPolicy.
func WithERPDecision(wait time.Duration, pids ...string) Option {
	return func(cfg *config) error {
		if wait < 0 {
			return fmt.Errorf("gpke: negative decision wait %s", wait)
		}
		cfg.ask = utilmdkit.NewAskERP(wait, pids...)
		return nil
	}
}

// WithObjectionPolicy sets the default verdict at the contract steps.
func WithObjectionPolicy(p ObjectionPolicy) Option {
	return func(cfg *config) error {
		if p == nil {
			return fmt.Errorf("gpke: nil objection policy")
		}
		cfg.objection = p
		return nil
	}
}

// WithUnknownMaLoERC sets the APERAK error code for a MaLo the NB does not
// know (default Z14 "object not found", which the APERAK AHB marks for
// Initialprozesse; Z10 "ID unknown" is marked for Folgeprozesse, edifact.md
// §11.5). Which one the Anwendungsübersicht prescribes for 55001 is not in
// the project's references.
func WithUnknownMaLoERC(code string) Option {
	return func(cfg *config) error {
		if _, ok := catalog.LookupERC(code); !ok {
			return fmt.Errorf("gpke: unknown ERC code %q", code)
		}
		cfg.unknownERC = code
		return nil
	}
}

// WithStornoCodes sets the answer codes of 55023/55024 (UNVERIFIED defaults
// A01/S_0086 and A14/S_0087) and whether a Stornierung is confirmed by
// default (true) when the ERP is not asked or does not answer.
func WithStornoCodes(c StornoCodes, acceptByDefault bool) Option {
	return func(cfg *config) error {
		if c.Confirm == "" || c.Reject == "" {
			return fmt.Errorf("gpke: storno codes need Confirm and Reject")
		}
		if c.Late == "" {
			c.Late = c.Reject
		}
		cfg.storno, cfg.stornoAccept = c, acceptByDefault
		return nil
	}
}

// WithMasterData sets the source Module.Enrich reads master data from.
// Without it, Module.Enrich is nil and the pipeline must wrap inbound
// transactions of the answering workflows itself (see Enrich).
func WithMasterData(s MasterDataSource) Option {
	return func(cfg *config) error { cfg.source = s; return nil }
}

// WithAbmeldungLeadTime sets the Vorlauffrist check of an Abmeldung 55004
// (E_0607 step 50): ok reports whether end respects it for a receipt at
// received. UNVERIFIED default: the LFW24 rule of the Anmeldung (end not
// before W + 1 day, fristen.md §5.3); the references give no Abmeldung lead
// time under LFW24.
func WithAbmeldungLeadTime(ok func(cal *fristen.Calendar, received, end time.Time) bool) Option {
	return func(cfg *config) error { cfg.abmeldungLead = ok; return nil }
}

// WithBeendigungReason sets the Transaktionsgrund (STS+7) of the 55007 the
// NB sends the LFA when a supplier switch ends its assignment. The AHB
// (FV2604/FV2610 UTILMD Strom 55007) allows Z33 "Auszug wegen Stilllegung",
// ZQ7 "Abmeldung wegen fehlender Zuordnungsermächtigung" and ZT0 "… aufgrund
// Änderung ZRT"; none names the supplier switch. UNVERIFIED default: ZQ7 —
// after the LFN's registration the LFA no longer holds the customer's
// Zuordnungsermächtigung. Z33 is refused (it is a Stilllegung and makes
// DTM+206 Geräteausbaudatum mandatory, which a switch does not have).
func WithBeendigungReason(code string) Option {
	return func(cfg *config) error {
		if code != "ZQ7" && code != "ZT0" {
			return fmt.Errorf("gpke: Beendigung reason %q: want ZQ7 or ZT0", code)
		}
		cfg.endReason = code
		return nil
	}
}

// WithAnfrageCutoff sets the time of day of E_0624 step 5: the LFA answers
// a 55010 with A43 when it arrives after this time on the first Werktag
// after the ÜT of the Anmeldung (DTM+154). Default 07:00 (the EBD's text);
// a negative hour disables the check — for a test that backdates the NB's
// receipt of the Anmeldung but not the LFA's receipt of the Anfrage.
func WithAnfrageCutoff(hour, minute int) Option {
	return func(cfg *config) error {
		if hour >= 24 || minute < 0 || minute > 59 {
			return fmt.Errorf("gpke: Anfrage cutoff %02d:%02d", hour, minute)
		}
		cfg.cutoff = time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute
		if hour < 0 {
			cfg.cutoff = -1
		}
		return nil
	}
}

// WithBeendigungLeadTime sets the Vorlauffrist check of a Beendigung der
// Zuordnung 55007 on the LF side (E_0609 step 40, "maximale und minimale
// Vorlauffrist"): ok reports whether end respects it for a receipt at
// received; a failed check answers 55009 A03. UNVERIFIED: the references give
// no lead time for 55007 (under LFW24 the NB sends it on W or later for a
// Zuordnungsende of W + 1 day or later), so by default step 40 passes.
func WithBeendigungLeadTime(ok func(cal *fristen.Calendar, received, end time.Time) bool) Option {
	return func(cfg *config) error { cfg.beendigungLead = ok; return nil }
}

// WithUnsuppliedBeendigung decides how an LF answers a 55007 for a MaLo it
// does not supply: true (default) APERAK 313 Z18 ("recipient not assigned
// to the object at that time", APERAK AHB Zuordnung check, edifact.md §11.3,
// §11.5), false the E_0609 answer (55008 A10). UNVERIFIED choice: whether
// 55007 has a Zuordnung check is in the Anwendungsübersicht, which the
// references do not hold.
func WithUnsuppliedBeendigung(aperakZ18 bool) Option {
	return func(cfg *config) error { cfg.beendigungZ18 = aperakZ18; return nil }
}

func newConfig(opts ...Option) (*config, error) {
	cfg := &config{
		cutoff:        7 * time.Hour,
		endReason:     "ZQ7",
		aperakGrace:   15 * time.Minute,
		lfaHour:       10,
		ask:           utilmdkit.NewAskERP(30*time.Minute, PIDAnfrageBeendigung, PIDKuendigung),
		objection:     DefaultObjection,
		unknownERC:    "Z14",
		beendigungZ18: true,
		storno:        StornoCodes{Confirm: "A01", ConfirmList: "S_0086", Reject: "A14", RejectList: "S_0087", Late: "A14"},
		stornoAccept:  true,
		abmeldungLead: func(cal *fristen.Calendar, received, end time.Time) bool {
			return cal.LFW24(received).Allows(end)
		},
	}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.cal == nil {
		cfg.cal = fristen.Default()
	}
	if cfg.aperak == nil {
		a, err := fristen.NewAPERAKClock(cfg.cal)
		if err != nil {
			return nil, fmt.Errorf("gpke: %w", err)
		}
		cfg.aperak = a
	}
	if cfg.answers == nil {
		t, err := fristen.NewAnswerTable(cfg.cal)
		if err != nil {
			return nil, fmt.Errorf("gpke: %w", err)
		}
		cfg.answers = t
	}
	return cfg, nil
}

// workflowNames lists every workflow of the package.
var workflowNames = []string{WorkflowNBLieferbeginn, WorkflowNBLieferende, WorkflowLFABeendigung, WorkflowLFAbmeldung,
	WorkflowLFAKuendigung, WorkflowLFNLieferbeginn, WorkflowLFNKuendigung, WorkflowLFLieferende, WorkflowStornoAnswer, WorkflowStornoRequest}

// Workflows returns the package's workflows configured by opts (for tests
// and for callers that assemble definitions themselves).
func Workflows(opts ...Option) ([]engine.Workflow[State], error) {
	cfg, err := newConfig(opts...)
	if err != nil {
		return nil, err
	}
	var out []engine.Workflow[State]
	for _, n := range workflowNames {
		out = append(out, flow{name: n, cfg: cfg})
	}
	return out, nil
}

// Routes returns the PID routes of the package (docs/gpke.md "Routing"):
// requests spawn the answering workflow of the receiving role, answers are
// follow-ups found by the RFF+TN of the transaction we sent.
func Routes() []routing.Route {
	r := func(pid string, role routing.Role, wf string, initiating bool) routing.Route {
		return routing.Route{PID: pid, Sector: catalog.Strom, Role: role, Workflow: wf, Initiating: initiating}
	}
	nb, lf := routing.RoleNB, routing.RoleLF
	return []routing.Route{
		// NB receives requests …
		r(PIDAnmeldung, nb, WorkflowNBLieferbeginn, true),
		r(PIDAnmeldungErz, nb, WorkflowNBLieferbeginn, true),
		r(PIDAbmeldungLF, nb, WorkflowNBLieferende, true),
		// A Stornierung goes to the process that received the cancelled
		// request (ingest: RFF+ACW under TransactionKey(sender, tx)); the
		// route's workflow only selects the codec. An unknown reference is
		// refused with APERAK Z33.
		r(PIDStorno, nb, WorkflowStornoAnswer, false),
		// … and the LFA's answers to its 55010 and 55007.
		r(PIDAnfrageBest, nb, WorkflowNBLieferbeginn, false),
		r(PIDAnfrageAbl, nb, WorkflowNBLieferbeginn, false),
		r(PIDBeendigungNBBest, nb, WorkflowNBLieferbeginn, false),
		r(PIDBeendigungNBAbl, nb, WorkflowNBLieferbeginn, false),
		// … and the LFA's answer to the 55022 that cancels an open 55010
		// (a confirmed Stornierung of the Anmeldung, utilmdkit.RevokeAnfrage)
		// or to an NB's ERP Stornierung: found by RFF+TN like every answer.
		r(PIDStornoBest, nb, WorkflowStornoRequest, false),
		r(PIDStornoAbl, nb, WorkflowStornoRequest, false),
		// LF (as LFA) receives requests …
		r(PIDAnfrageBeendigung, lf, WorkflowLFABeendigung, true),
		r(PIDBeendigungNB, lf, WorkflowLFAbmeldung, true),
		r(PIDKuendigung, lf, WorkflowLFAKuendigung, true),
		r(PIDStorno, lf, WorkflowStornoAnswer, false), // follow-up of the cancelled request's process, as at the NB
		// … and (as LFN or LF) the answers to what it sent.
		r(PIDAnmeldungBestaetig, lf, WorkflowLFNLieferbeginn, false),
		r(PIDAnmeldungAblehnung, lf, WorkflowLFNLieferbeginn, false),
		r(PIDAnmeldungErzBest, lf, WorkflowLFNLieferbeginn, false),
		r(PIDAnmeldungErzAbl, lf, WorkflowLFNLieferbeginn, false),
		r(PIDKuendigungBest, lf, WorkflowLFNKuendigung, false),
		r(PIDKuendigungAbl, lf, WorkflowLFNKuendigung, false),
		r(PIDAbmeldungLFBest, lf, WorkflowLFLieferende, false),
		r(PIDAbmeldungLFAbl, lf, WorkflowLFLieferende, false),
		r(PIDStornoBest, lf, WorkflowStornoRequest, false),
		r(PIDStornoAbl, lf, WorkflowStornoRequest, false),
	}
}

// needsMasterData lists the workflows whose requests carry master data.
var needsMasterData = map[string]bool{WorkflowNBLieferbeginn: true, WorkflowNBLieferende: true, WorkflowLFABeendigung: true,
	WorkflowLFAbmeldung: true, WorkflowLFAKuendigung: true}

// Module returns the GPKE module: every workflow defined for FV2604 and
// FV2610, the routes of Routes and, with WithMasterData, the Enrich step.
// A configuration error is reported by the returned definitions' Err.
func Module(opts ...Option) module.Module {
	m := module.Module{Name: "gpke", Routes: Routes(), ERPCommands: ERPCommands()}
	cfg, err := newConfig(opts...)
	if err != nil {
		cfg = nil
	}
	for _, n := range workflowNames {
		for _, v := range formatVersions {
			wf := flow{name: n, cfg: cfg}
			if cfg == nil {
				wf = flow{name: "", cfg: nil} // invalid name: Define reports it
			}
			m.Definitions = append(m.Definitions, engine.Define[State](wf, fv.MustParse(v)))
		}
	}
	if cfg != nil && cfg.source != nil {
		m.Enrich = enrich(cfg.source, cfg.index, cfg.suppressSecond)
	}
	return m
}

// Enrich returns the module.Enricher of the module: for the requests of
// the answering workflows it reads MaLo (LOC+Z16) and date of the transaction,
// asks src and replaces the inbound.Transaction payload by
// Enriched{Transaction, MasterData} — setting cmd.Type accordingly, since
// inbound.Transaction has no slot for it. Other commands pass unchanged.
func Enrich(src MasterDataSource) module.Enricher { return enrich(src, nil, false) }

// enrich is Enrich with the pending-Anmeldung lookups of WithProcessIndex
// (ix may be nil): for the NB's Anmeldung (E_0622 step 70) and, with
// suppressSecond, for the LFN's RegisterSupplyStart (WithSecondAnmeldung).
func enrich(src MasterDataSource, ix ProcessIndex, suppressSecond bool) module.Enricher {
	return func(ctx context.Context, id engine.ProcessIdentity, cmd *engine.Command) error {
		if p, ok := cmd.Payload.(RegisterSupplyStart); ok && suppressSecond && ix != nil && id.Workflow.Name == WorkflowLFNLieferbeginn && p.MaLo != "" {
			pending, err := pendingIn(ctx, ix, id, WorkflowLFNLieferbeginn, p.MaLo)
			if err != nil {
				return fmt.Errorf("gpke: pending Anmeldungen of %s: %w", p.MaLo, err)
			}
			p.pending = pending
			cmd.Payload = p
			return nil
		}
		tx, ok := cmd.Payload.(inbound.Transaction)
		if !ok || !needsMasterData[id.Workflow.Name] || tx.MessageType != "UTILMD" || !isRequest(tx.PID) {
			return nil
		}
		r, err := parseReceived(tx)
		if err != nil {
			return err
		}
		q := Query{Tenant: id.Tenant, Own: tx.Receiver, Partner: tx.Sender, PID: tx.PID, ReceivedAt: cmd.ReceivedAt}
		q.MaLo, _ = r.T.MaLo()
		q.Date = utilmdkit.RequestDate(r.T)
		md := MasterData{MaLo: q.MaLo}
		if q.MaLo != "" {
			if md, err = src.MasterData(ctx, q); err != nil {
				return fmt.Errorf("gpke: master data of %s: %w", q.MaLo, err)
			}
			md.MaLo = q.MaLo
			if ix != nil && id.Workflow.Name == WorkflowNBLieferbeginn && !md.PendingRegistration {
				if md.PendingRegistration, err = pendingAnmeldung(ctx, ix, id, q.MaLo); err != nil {
					return fmt.Errorf("gpke: pending Anmeldungen of %s: %w", q.MaLo, err)
				}
			}
		}
		e := utilmdkit.NewEnriched[family](tx, md, r)
		cmd.Payload, cmd.Type = e, e.CommandType()
		return nil
	}
}
