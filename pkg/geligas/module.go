package geligas

import (
	"context"
	"fmt"
	"slices"
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

// formatVersions are the format versions every workflow is defined for: a
// process started before 2026-10-01 runs on in FV2604.
var formatVersions = []string{"FV2604", "FV2610"}

// ObjectionPolicy decides the deployment's default verdict at the policy
// steps (E_3020 Abmeldeanfrage, E_3001 Kündigung, E_3008 EoG, E_3002
// Abmeldung vom NB): true objects. DefaultObjection is the default.
type ObjectionPolicy func(pid string, md MasterData, date time.Time) bool

// policyPIDs are the requests whose answer has a policy step (E_3020
// Abmeldeanfrage, E_3001 Kündigung, E_3008 EoG, E_3002 Abmeldung vom NB).
func policyPIDs() []string {
	return []string{PIDAbmeldeanfrage, PIDKuendigung, PIDEoG, PIDAbmeldungNB}
}

// DefaultObjection objects to a 44010 or 44016 iff the master data say the
// contract binds beyond the requested date (md.ContractBinding), and never
// to a 44013 (the Grundversorger's duty to supply, EnWG §36/§38 — an
// interpretation) or a 44007 (a Stilllegung the NB reports).
func DefaultObjection(pid string, md MasterData, _ time.Time) bool {
	switch pid {
	case PIDAbmeldeanfrage, PIDKuendigung:
		return md.ContractBinding
	}
	return false
}

// ProcessIndex reads the tenant's business-key sets (engine.Registry
// implements it); see WithProcessIndex.
type ProcessIndex = utilmdkit.ProcessIndex

// ProcessIndexFunc adapts a function to ProcessIndex.
type ProcessIndexFunc = utilmdkit.ProcessIndexFunc

// config is the module's configuration (see Option).
type config struct {
	cal          *fristen.Calendar
	aperak       *fristen.APERAKClock
	gas          *fristen.GeLiGas
	aperakGrace  time.Duration
	ask          utilmdkit.AskERP
	objection    ObjectionPolicy
	stornoAccept bool
	codes        codeTable
	source       MasterDataSource
	index        ProcessIndex
	// billingMonths is the LF's default Abrechnungsintervall (months) for
	// its 44014 when the master data name none; 0: none.
	billingMonths int
}

// Option configures Module.
type Option func(*config) error

// WithCalendar sets the Werktag calendar (default fristen.Default()).
func WithCalendar(c *fristen.Calendar) Option {
	return func(cfg *config) error {
		if c == nil {
			return fmt.Errorf("%w: nil calendar", ErrInvalidOption)
		}
		cfg.cal = c
		return nil
	}
}

// WithAPERAKClock sets the APERAK deadline clock (default on the calendar:
// Gas Folgeprozess next Werktag 12:00, Initialprozess 3 Werktage). A nil
// clock is refused.
func WithAPERAKClock(a *fristen.APERAKClock) Option {
	return func(cfg *config) error {
		if a == nil {
			return fmt.Errorf("%w: nil APERAK clock", ErrInvalidOption)
		}
		cfg.aperak = a
		return nil
	}
}

// WithGasClock sets the GeLi Gas deadlines (lead times of an Anmeldung, the
// wait for the LFA's 44011/44012; default fristen.NewGeLiGas on the
// calendar, all values UNVERIFIED). A nil clock is refused.
func WithGasClock(g *fristen.GeLiGas) Option {
	return func(cfg *config) error {
		if g == nil {
			return fmt.Errorf("%w: nil GeLi Gas clock", ErrInvalidOption)
		}
		cfg.gas = g
		return nil
	}
}

// WithAPERAKGrace adds d to the partner's APERAK deadline before a sent
// transaction counts as processed (default 15 minutes: the deadline runs
// from the partner's receipt, which is after our decision by the delivery
// time).
func WithAPERAKGrace(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return fmt.Errorf("%w: negative APERAK grace %s", ErrInvalidOption, d)
		}
		cfg.aperakGrace = d
		return nil
	}
}

// WithERPDecision makes the answering workflows ask the ERP
// (DecisionRequested) at the policy steps of the given request PIDs and wait
// up to wait for Decide before they apply the ObjectionPolicy. Default:
// 44010, 44016 and 44013, 30 minutes. A wait of 0 (or no PIDs) decides at
// once by the policy. A PID without a policy step (other than 44010, 44016,
// 44013, 44007) is refused: it would never be asked.
func WithERPDecision(wait time.Duration, pids ...string) Option {
	return func(cfg *config) error {
		if wait < 0 {
			return fmt.Errorf("%w: negative decision wait %s", ErrInvalidOption, wait)
		}
		for _, p := range pids {
			if !slices.Contains(policyPIDs(), p) {
				return fmt.Errorf("%w: decision PID %q: want one of %v (the requests with a policy step)", ErrInvalidOption, p, policyPIDs())
			}
		}
		cfg.ask = utilmdkit.NewAskERP(wait, pids...)
		return nil
	}
}

// WithObjectionPolicy sets the default verdict at the policy steps.
func WithObjectionPolicy(p ObjectionPolicy) Option {
	return func(cfg *config) error {
		if p == nil {
			return fmt.Errorf("%w: nil objection policy", ErrInvalidOption)
		}
		cfg.objection = p
		return nil
	}
}

// WithStornoAccept sets whether a Stornierung of a request still in process
// is confirmed (true, default) or refused (CodeStornoReject).
func WithStornoAccept(accept bool) Option {
	return func(cfg *config) error { cfg.stornoAccept = accept; return nil }
}

// WithMasterData sets the source Module.Enrich reads master data from.
// Without it, Module.Enrich is nil and a request that needs master data
// fails with ErrNoMasterData. A nil source is refused (leave the option
// out instead).
func WithMasterData(s MasterDataSource) Option {
	return func(cfg *config) error {
		if s == nil {
			return fmt.Errorf("%w: nil master-data source", ErrInvalidOption)
		}
		cfg.source = s
		return nil
	}
}

// WithProcessIndex lets Enrich find the NB's Anmeldungen of a MaLo still in
// process in the registry (E_3005 → CodeAnmeldungPending): a process of
// geligas.nb.lieferbeginn bound under the MaLo and not under AnsweredKey,
// other than the asking one.
func WithProcessIndex(ix ProcessIndex) Option {
	return func(cfg *config) error {
		if ix == nil {
			return fmt.Errorf("%w: nil process index", ErrInvalidOption)
		}
		cfg.index = ix
		return nil
	}
}

// WithDefaultBillingMonths sets the Abrechnungsintervall in months (1–99)
// the Grundversorger states in its 44014 (SG6 DTM+Z20 "Abrechnungsintervall
// des LF", format 802) when the master data of the MaLo name none
// (MasterData.BillingMonths 0: pkg/malo holds no LF billing interval, so
// FromMaLo never sets it). This is a deployment choice, not a market rule:
// no BDEW text fixes the interval of an Ersatz-/Grundversorgung. Default:
// none — without it and without the fact in the master data, a confirmed
// 44013 fails the process with the reason and nothing is sent. A value
// outside 1–99 is refused (an..2 of 802).
func WithDefaultBillingMonths(months int) Option {
	return func(cfg *config) error {
		if months < 1 || months > 99 {
			return fmt.Errorf("%w: default billing interval %d months: want 1–99", ErrInvalidOption, months)
		}
		cfg.billingMonths = months
		return nil
	}
}

func newConfig(opts ...Option) (*config, error) {
	cfg := &config{
		aperakGrace:  15 * time.Minute,
		ask:          utilmdkit.NewAskERP(30*time.Minute, PIDAbmeldeanfrage, PIDKuendigung, PIDEoG),
		objection:    DefaultObjection,
		stornoAccept: true,
		codes:        newCodeTable(DefaultCodes()),
	}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.cal == nil {
		cfg.cal = fristen.Default()
	}
	var err error
	if cfg.aperak == nil {
		if cfg.aperak, err = fristen.NewAPERAKClock(cfg.cal); err != nil {
			return nil, fmt.Errorf("geligas: %w", err)
		}
	}
	if cfg.gas == nil {
		if cfg.gas, err = fristen.NewGeLiGas(cfg.cal); err != nil {
			return nil, fmt.Errorf("geligas: %w", err)
		}
	}
	return cfg, nil
}

// Workflows returns the package's workflows configured by opts (for tests
// and for callers that assemble definitions themselves).
func Workflows(opts ...Option) ([]engine.Workflow[State], error) {
	cfg, err := newConfig(opts...)
	if err != nil {
		return nil, err
	}
	out := make([]engine.Workflow[State], 0, len(workflowNames))
	for _, n := range workflowNames {
		out = append(out, flow{name: n, cfg: cfg})
	}
	return out, nil
}

// Routes returns the PID routes of the package (sector Gas; docs/geligas.md
// "Routing"): requests and the Informationsmeldungen 44037/44038 spawn the
// answering (recording) workflow of the receiving role; answers and 44036
// are follow-ups found by the RFF+TN of the transaction we sent; a 44022 is
// a follow-up of the process that received the cancelled transaction
// (RFF+ACW).
func Routes() []routing.Route {
	r := func(pid string, role routing.Role, wf string, initiating bool) routing.Route {
		return routing.Route{PID: pid, Sector: catalog.Gas, Role: role, Workflow: wf, Initiating: initiating}
	}
	nb, lf := routing.RoleNB, routing.RoleLF
	return []routing.Route{
		// NB receives requests …
		r(PIDAnmeldung, nb, WorkflowNBLieferbeginn, true),
		r(PIDAbmeldung, nb, WorkflowNBLieferende, true),
		r(PIDStorno, nb, WorkflowStornoAnswer, false),
		// … and the answers to its 44010, 44007, 44013 and 44022.
		r(PIDAbmeldeanfrageBest, nb, WorkflowNBLieferbeginn, false),
		r(PIDAbmeldeanfrageAbl, nb, WorkflowNBLieferbeginn, false),
		r(PIDAbmeldungNBBest, nb, WorkflowNBAbmeldung, false),
		r(PIDAbmeldungNBAbl, nb, WorkflowNBAbmeldung, false),
		r(PIDEoGBest, nb, WorkflowNBEoG, false),
		r(PIDEoGAbl, nb, WorkflowNBEoG, false),
		// The answers to a 44022 find the process that sent it by RFF+TN
		// like every answer (the NB's Lieferbeginn for its revoked 44010,
		// the sending process of an ERP Stornierung); the workflow named is
		// only the codec.
		r(PIDStornoBest, nb, WorkflowStornoRequest, false),
		r(PIDStornoAbl, nb, WorkflowStornoRequest, false),
		// LF receives requests and Informationsmeldungen …
		r(PIDAbmeldeanfrage, lf, WorkflowLFAAbmeldeanfrage, true),
		r(PIDAbmeldungNB, lf, WorkflowLFAbmeldungNB, true),
		r(PIDEoG, lf, WorkflowLFEoG, true),
		r(PIDKuendigung, lf, WorkflowLFAKuendigung, true),
		r(PIDInfoBeendigung, lf, WorkflowLFInfo, true),
		r(PIDInfoAufhebung, lf, WorkflowLFInfo, true),
		r(PIDStorno, lf, WorkflowStornoAnswer, false),
		// … and the answers to what it sent (44036 refers to its 44001).
		r(PIDInfoZuordnung, lf, WorkflowLFNLieferbeginn, false),
		r(PIDAnmeldungBest, lf, WorkflowLFNLieferbeginn, false),
		r(PIDAnmeldungAbl, lf, WorkflowLFNLieferbeginn, false),
		r(PIDKuendigungBest, lf, WorkflowLFNKuendigung, false),
		r(PIDKuendigungAbl, lf, WorkflowLFNKuendigung, false),
		r(PIDAbmeldungBest, lf, WorkflowLFLieferende, false),
		r(PIDAbmeldungAbl, lf, WorkflowLFLieferende, false),
		r(PIDStornoBest, lf, WorkflowStornoRequest, false),
		r(PIDStornoAbl, lf, WorkflowStornoRequest, false),
	}
}

// needsMasterData lists the workflows whose requests carry master data.
var needsMasterData = map[string]bool{WorkflowNBLieferbeginn: true, WorkflowNBLieferende: true, WorkflowLFAAbmeldeanfrage: true,
	WorkflowLFAbmeldungNB: true, WorkflowLFEoG: true, WorkflowLFAKuendigung: true}

// Module returns the GeLi Gas module: every workflow defined for FV2604
// and FV2610, the routes of Routes, the ERP commands of ERPCommands and,
// with WithMasterData, the Enrich step. A configuration error is returned.
func Module(opts ...Option) (module.Module, error) {
	cfg, err := newConfig(opts...)
	if err != nil {
		return module.Module{}, err
	}
	m := module.Module{Name: "geligas", Routes: Routes(), ERPCommands: ERPCommands()}
	for _, n := range workflowNames {
		for _, v := range formatVersions {
			m.Definitions = append(m.Definitions, engine.Define[State](flow{name: n, cfg: cfg}, fv.MustParse(v)))
		}
	}
	if cfg.source != nil {
		m.Enrich = enrich(cfg.source, cfg.index)
	}
	return m, nil
}

// KeyAnswered is the business-key kind under which the NB's Anmeldung
// processes of a MaLo (value: the MaLo-ID) are recorded once the Anmeldung
// is answered; with inbound.KeyMaLo it tells Enrich which Anmeldungen are
// still in process (E_3005, ZC5).
const KeyAnswered engine.KeyKind = "geligas-answered"

// AnsweredKey is the business key of the answered Anmeldungen of a MaLo.
func AnsweredKey(malo string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyAnswered, Value: malo}
}

// MaLoKey is the business key of the processes of a MaLo (kind
// inbound.KeyMaLo, as gpke binds it; utilmdkit.MaLoKey).
func MaLoKey(malo string) engine.BusinessKey { return utilmdkit.MaLoKey(malo) }

// enrich is the module.Enricher: for the requests of the answering
// workflows it reads MaLo (LOC+172) and date, asks src and replaces the
// inbound.Transaction payload by Enriched; for RegisterEoG without location
// it adds the NB's LocationData. ix (may be nil) finds Anmeldungen in
// process.
func enrich(src MasterDataSource, ix ProcessIndex) module.Enricher {
	return func(ctx context.Context, id engine.ProcessIdentity, cmd *engine.Command) error {
		if p, ok := cmd.Payload.(RegisterEoG); ok && p.Location == nil && p.MaLo != "" {
			md, err := src.MasterData(ctx, Query{Tenant: id.Tenant, Own: p.NB, Partner: p.LF, PID: PIDEoG, MaLo: p.MaLo, Date: p.Start, ReceivedAt: cmd.ReceivedAt})
			if err != nil {
				return fmt.Errorf("geligas: master data of %s: %w", p.MaLo, err)
			}
			p.Location = md.Location
			cmd.Payload = p
			return nil
		}
		tx, ok := cmd.Payload.(inbound.Transaction)
		if !ok || !needsMasterData[id.Workflow.Name] || tx.MessageType != "UTILMD" || !isRequest(tx.PID) {
			return nil
		}
		r, err := utilmdkit.Parse(tx, ErrMessage)
		if err != nil {
			return err
		}
		q := Query{Tenant: id.Tenant, Own: tx.Receiver, Partner: tx.Sender, PID: tx.PID, ReceivedAt: cmd.ReceivedAt}
		q.MaLo, _ = maloOf(r.T)
		q.Date = utilmdkit.RequestDate(r.T)
		md := MasterData{MaLo: q.MaLo}
		if q.MaLo != "" {
			if md, err = src.MasterData(ctx, q); err != nil {
				return fmt.Errorf("geligas: master data of %s: %w", q.MaLo, err)
			}
			md.MaLo = q.MaLo
			if ix != nil && id.Workflow.Name == WorkflowNBLieferbeginn && !md.PendingRegistration {
				pending, err := utilmdkit.PendingIn(ctx, ix, id, WorkflowNBLieferbeginn, MaLoKey(q.MaLo), AnsweredKey(q.MaLo))
				if err != nil {
					return fmt.Errorf("geligas: Anmeldungen of %s in process: %w", q.MaLo, err)
				}
				md.PendingRegistration = pending
			}
		}
		e := utilmdkit.NewEnriched[family](tx, md, r)
		cmd.Payload, cmd.Type = e, e.CommandType()
		return nil
	}
}
