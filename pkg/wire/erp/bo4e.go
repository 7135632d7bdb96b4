package erp

import "strings"

// BO4E-shaped payloads of the CloudEvents: small subsets of the BO4E
// business objects (bo) and components (com) with their JSON field names.
//
// Source: the BO4E JSON schemas (repository BO4E/BO4E-Schemas, files
// src/bo4e_schemas/bo/<Name>.json and com/<Name>.json) and the BO4E-python
// models generated from them (field aliases such as "_typ", "_version",
// "marktlokationsId", "netzbetreibercodenr", "netzgebietsnr"). The brief
// fixes the schema release to v202501.0.0; the field names used here are
// those of the Marktlokation, Geschaeftspartner and Marktteilnehmer objects
// as published in the v2024/v2025 releases. Unverified against the exact
// v202501.0.0 files: make BO4EVersion configurable if an ERP needs another.

// BO4EVersion is the BO4E release the payloads follow (the "_version" field
// and the dataschema URLs).
const BO4EVersion = "v202501.0.0"

// bo4eBase is the URL prefix of the BO4E JSON schemas of BO4EVersion.
const bo4eBase = "https://raw.githubusercontent.com/BO4E/BO4E-Schemas/" + BO4EVersion + "/src/bo4e_schemas/"

// BO4ESchemaURL returns the JSON schema URL of a BO4E object given as
// "bo/<Name>" or "com/<Name>" (a bare name is taken as "bo/<Name>"), e.g.
// https://raw.githubusercontent.com/BO4E/BO4E-Schemas/v202501.0.0/src/bo4e_schemas/bo/Marktlokation.json.
// An empty name gives "".
func BO4ESchemaURL(name string) string {
	if name == "" {
		return ""
	}
	if !strings.Contains(name, "/") {
		name = "bo/" + name
	}
	return bo4eBase + name + ".json"
}

// BO4E "_typ" values of the objects below (BO4E enum Typ).
const (
	TypMarktlokation     = "MARKTLOKATION"
	TypGeschaeftspartner = "GESCHAEFTSPARTNER"
	TypMarktteilnehmer   = "MARKTTEILNEHMER"
)

// Marktlokation is BO4E bo/Marktlokation (subset).
type Marktlokation struct {
	Typ     string `json:"_typ"`
	Version string `json:"_version"`
	// ID holds an id of another system (BO4E "_id").
	ID               string `json:"_id,omitempty"`
	MarktlokationsID string `json:"marktlokationsId"`
	// Sparte is the BO4E enum Sparte: "STROM" or "GAS".
	Sparte string `json:"sparte,omitempty"`
	// Energierichtung is the BO4E enum Energierichtung: "AUSSP" (consumption) or "EINSP" (generation).
	Energierichtung string `json:"energierichtung,omitempty"`
	// Netzbetreibercodenr is the MP-ID of the grid operator.
	Netzbetreibercodenr string `json:"netzbetreibercodenr,omitempty"`
	// Netzgebietsnr is the grid area.
	Netzgebietsnr string `json:"netzgebietsnr,omitempty"`
	// Bilanzierungsgebiet is the balancing area (EIC).
	Bilanzierungsgebiet string `json:"bilanzierungsgebiet,omitempty"`
}

// NewMarktlokation returns a Marktlokation with _typ and _version set.
func NewMarktlokation(maloID string) Marktlokation {
	return Marktlokation{Typ: TypMarktlokation, Version: BO4EVersion, MarktlokationsID: maloID}
}

// BO4ESchema implements Schema.
func (Marktlokation) BO4ESchema() string { return "bo/Marktlokation" }

// Marktteilnehmer is BO4E bo/Marktteilnehmer (subset): a market partner
// by its MP-ID.
type Marktteilnehmer struct {
	Typ     string `json:"_typ"`
	Version string `json:"_version"`
	// Marktrolle is the BO4E enum Marktrolle, e.g. "NB", "LF".
	Marktrolle string `json:"marktrolle,omitempty"`
	// Rollencodenummer is the MP-ID.
	Rollencodenummer string `json:"rollencodenummer"`
	// Rollencodetyp is the BO4E enum Rollencodetyp: "BDEW", "DVGW" or "GLN".
	Rollencodetyp string `json:"rollencodetyp,omitempty"`
}

// NewMarktteilnehmer returns a Marktteilnehmer with _typ and _version set.
func NewMarktteilnehmer(mpID, role string) Marktteilnehmer {
	return Marktteilnehmer{Typ: TypMarktteilnehmer, Version: BO4EVersion, Rollencodenummer: mpID, Marktrolle: role}
}

// BO4ESchema implements Schema.
func (Marktteilnehmer) BO4ESchema() string { return "bo/Marktteilnehmer" }

// Geschaeftspartner is BO4E bo/Geschaeftspartner (subset): the end
// customer or another business partner.
type Geschaeftspartner struct {
	Typ     string `json:"_typ"`
	Version string `json:"_version"`
	ID      string `json:"_id,omitempty"`
	Name1   string `json:"name1,omitempty"`
	Name2   string `json:"name2,omitempty"`
	Name3   string `json:"name3,omitempty"`
	// Gewerbekennzeichnung is true for a business customer.
	Gewerbekennzeichnung *bool `json:"gewerbekennzeichnung,omitempty"`
}

// NewGeschaeftspartner returns a Geschaeftspartner with _typ and _version set.
func NewGeschaeftspartner(name1 string) Geschaeftspartner {
	return Geschaeftspartner{Typ: TypGeschaeftspartner, Version: BO4EVersion, Name1: name1}
}

// BO4ESchema implements Schema.
func (Geschaeftspartner) BO4ESchema() string { return "bo/Geschaeftspartner" }

// ProcessData is the data of the de.mako.process.* and de.mako.aperak.*
// CloudEvents a workflow can use as is: which process, which MaLo, which
// partner, with what result. Fields are omitted when empty.
type ProcessData struct {
	// Workflow is the workflow name, e.g. "gpke.lfw.lfn".
	Workflow string `json:"workflow,omitempty"`
	// PID is the Prüfidentifikator the event concerns.
	PID string `json:"pid,omitempty"`
	// TransactionID is the IDE 7402 transaction id concerned.
	TransactionID string `json:"transaction_id,omitempty"`
	// Outcome names the result ("accepted", "rejected", "timeout" …).
	Outcome string `json:"outcome,omitempty"`
	// Code is an answer code (e.g. EBD answer code, APERAK error code).
	Code string `json:"code,omitempty"`
	// Reason is a human-readable explanation.
	Reason string `json:"reason,omitempty"`
	// Date is the business date concerned (e.g. the Zuordnungsbeginn), RFC 3339.
	Date string `json:"date,omitempty"`
	// Marktlokation is the MaLo concerned.
	Marktlokation *Marktlokation `json:"marktlokation,omitempty"`
	// Partner is the market partner concerned.
	Partner *Marktteilnehmer `json:"partner,omitempty"`
	// Kunde is the customer concerned.
	Kunde *Geschaeftspartner `json:"kunde,omitempty"`
}

// BO4ESchema implements Schema: the schema of the main object (the
// Marktlokation when set).
func (d ProcessData) BO4ESchema() string {
	if d.Marktlokation != nil {
		return d.Marktlokation.BO4ESchema()
	}
	return ""
}
