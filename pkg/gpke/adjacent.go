package gpke

import "github.com/mako-engine/mako/pkg/routing"

// Handling says what the module does with a PID that reaches a tenant of a
// role.
type Handling string

// Handlings of AdjacentPIDs.
const (
	// Routed: a workflow of the module takes the transaction (Routes).
	Routed Handling = "routed"
	// RefusedZ31: the module has no route; ingest answers APERAK 313 Z31
	// ("Prüfidentifikator wird vom Empfänger nicht verarbeitet") and writes
	// a dead letter, so that the sender learns of it and nothing is lost.
	RefusedZ31 Handling = "refused Z31"
)

// Adjacent is one PID of (or next to) the LFW24 switch that can arrive at
// a tenant of Role, and the module's explicit decision about it.
type Adjacent struct {
	PID      string
	Role     routing.Role
	Handling Handling
	Why      string
}

// AdjacentPIDs is the decision table of the UTILMD Strom PIDs of the AHB
// chapters 8.1–8.11 that reach an NB or an LF (sender/receiver roles from
// the AHB process metadata, edifactgenerator 202610 UTILMD Strom
// pruef-ids/_prozess-meta.js): every one is routed or refused on purpose,
// none by accident. TestAdjacentPIDsMatchRoutes keeps it equal to Routes.
func AdjacentPIDs() []Adjacent {
	nb, lf := routing.RoleNB, routing.RoleLF
	route := func(pid string, role routing.Role, why string) Adjacent {
		return Adjacent{PID: pid, Role: role, Handling: Routed, Why: why}
	}
	refuse := func(pid string, role routing.Role, why string) Adjacent {
		return Adjacent{PID: pid, Role: role, Handling: RefusedZ31, Why: why}
	}
	return []Adjacent{
		// At the NB.
		route(PIDAnmeldung, nb, "8.2 Anmeldung verbrauchende MaLo: gpke.nb.lieferbeginn (E_0622, E_0623)"),
		route(PIDAnmeldungErz, nb, "8.3 Anmeldung erzeugende MaLo: gpke.nb.lieferbeginn"),
		route(PIDAbmeldungLF, nb, "8.9 Abmeldung des LF: gpke.nb.lieferende (E_0607)"),
		route(PIDStorno, nb, "Stornierung: follow-up of the cancelled request's process (RFF+ACW)"),
		route(PIDAnfrageBest, nb, "answer of the LFA to the NB's 55010 (follow-up)"),
		route(PIDAnfrageAbl, nb, "answer of the LFA to the NB's 55010 (follow-up)"),
		route(PIDBeendigungNBBest, nb, "answer of the LF to the NB's 55007 (follow-up)"),
		route(PIDBeendigungNBAbl, nb, "answer of the LF to the NB's 55007 (follow-up)"),
		route(PIDStornoBest, nb, "answer of the LFA to the NB's 55022 cancelling an open 55010 (follow-up)"),
		route(PIDStornoAbl, nb, "answer of the LFA to the NB's 55022 cancelling an open 55010 (follow-up)"),
		refuse("55600", nb, "8.4 Anmeldung neue verbrauchende MaLo (Neuanlage, E_0608): not modelled"),
		refuse("55601", nb, "8.5 Anmeldung neue erzeugende MaLo (Neuanlage, E_0608): not modelled"),
		refuse("55608", nb, "8.7 answer to an Ankündigung 55607, which the NB's workflows do not send"),
		refuse("55609", nb, "8.7 answer to an Ankündigung 55607, which the NB's workflows do not send"),
		refuse("55014", nb, "8.6 answer to an Anmeldung EoG 55013 (E_0615), which the NB's workflows do not send"),
		refuse("55015", nb, "8.6 answer to an Anmeldung EoG 55013, which the NB's workflows do not send"),
		refuse(PIDAnfrageBeendigung, nb, "8.8 goes NB → LFA; an NB does not receive it"),
		refuse(PIDBeendigungNB, nb, "8.10 goes NB → LF; an NB does not receive it"),
		refuse(PIDKuendigung, nb, "8.1 goes LFN → LFA; an NB does not receive it"),
		// At the LF.
		route(PIDAnfrageBeendigung, lf, "8.8 Anfrage zur Beendigung der Zuordnung: gpke.lfa.beendigung (E_0624)"),
		route(PIDBeendigungNB, lf, "8.10 Beendigung der Zuordnung: gpke.lf.abmeldung (E_0609)"),
		route(PIDKuendigung, lf, "8.1 Kündigung: gpke.lfa.kuendigung (E_0614)"),
		route(PIDStorno, lf, "Stornierung: follow-up of the cancelled request's process (RFF+ACW; codes S_0086/S_0087)"),
		route(PIDAnmeldungBestaetig, lf, "answer to the LFN's 55001 (follow-up)"),
		route(PIDAnmeldungAblehnung, lf, "answer to the LFN's 55001 (follow-up)"),
		route(PIDAnmeldungErzBest, lf, "answer to the LFN's 55077 (follow-up)"),
		route(PIDAnmeldungErzAbl, lf, "answer to the LFN's 55077 (follow-up)"),
		route(PIDKuendigungBest, lf, "answer to the LFN's 55016 (follow-up)"),
		route(PIDKuendigungAbl, lf, "answer to the LFN's 55016 (follow-up)"),
		route(PIDAbmeldungLFBest, lf, "answer to the LF's 55004 (follow-up)"),
		route(PIDAbmeldungLFAbl, lf, "answer to the LF's 55004 (follow-up)"),
		route(PIDStornoBest, lf, "answer to the LF's 55022 (follow-up)"),
		route(PIDStornoAbl, lf, "answer to the LF's 55022 (follow-up)"),
		refuse(PIDAnmeldung, lf, "8.2 goes LF → NB; an LF does not receive it"),
		refuse(PIDAnmeldungErz, lf, "8.3 goes LF → NB; an LF does not receive it"),
		refuse(PIDAbmeldungLF, lf, "8.9 goes LF → NB; an LF does not receive it"),
		refuse("55013", lf, "8.6 Anmeldung zur Grund-/Ersatzversorgung (E_0615): not modelled"),
		refuse("55036", lf, "8.11 Meldung existierende Zuordnung: not modelled (no answer due)"),
		refuse("55037", lf, "8.11 Meldung Beendigung der Zuordnung: not modelled (no answer due)"),
		refuse("55038", lf, "8.11 Meldung Aufhebung einer zukünftigen Zuordnung: not modelled (no answer due)"),
		refuse("55602", lf, "8.4 answer to a 55600, which the LF's workflows do not send"),
		refuse("55603", lf, "8.5 answer to a 55601, which the LF's workflows do not send"),
		refuse("55604", lf, "8.4 answer to a 55600, which the LF's workflows do not send"),
		refuse("55605", lf, "8.5 answer to a 55601, which the LF's workflows do not send"),
		refuse("55607", lf, "8.7 Ankündigung Zuordnung erzeugende MaLo (E_0603/E_0604/E_0606): not modelled"),
	}
}
