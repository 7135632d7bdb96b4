// Package ebms builds and parses the ebMS3 messages of the BDEW AS4 profile: the UserMessage
// with the BDEW values (as4.md §3.2; Profil §2.3), the signed non-repudiation receipt (NRR,
// Profil §2.2.5) and ebMS errors with the profile's codes (as4.md §6.2), plus the SwA MIME
// packaging and gzip compression (Profil §2.2.3). Seal, Receiver.Open, SealReceipt and
// ReadResponse tie these to package wss (signing, encryption) for one message and its
// synchronous answer; transport (HTTP, retries, MessageId dedup) is the MSH's, not here.
package ebms

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
)

// Values fixed by the BDEW AS4 profile (Profil §2.3, as4.md §3.2).
const (
	// AgreementBDEW is the fixed CollaborationInfo/AgreementRef (Profil §2.3.2).
	AgreementBDEW = "https://www.bdew.de/as4/communication/agreement"

	// Business services (Profil §2.3.1.2.1). Market processes (EDIFACT) use ServiceMP only
	// (RzÜ §7.3).
	ServiceMP = "https://www.bdew.de/as4/communication/services/MP"
	ServiceFP = "https://www.bdew.de/as4/communication/services/FP"
	ServiceRD = "https://www.bdew.de/as4/communication/services/RD"
	ServiceKW = "https://www.bdew.de/as4/communication/services/KW"
	ServiceSO = "https://www.bdew.de/as4/communication/services/SO"
	// ServicePathSwitch with ActionRequestSwitch / ActionConfirmSwitch (Profil §2.3.7).
	ServicePathSwitch   = "https://www.bdew.de/as4/communication/services/pathSwitch"
	ActionRequestSwitch = "https://www.bdew.de/as4/communication/actions/requestSwitch"
	ActionConfirmSwitch = "https://www.bdew.de/as4/communication/actions/confirmSwitch"
	// ActionDefault is the business action (Profil §2.3.1.2.2).
	ActionDefault = "http://docs.oasis-open.org/ebxml-msg/as4/200902/action"
	// ServiceTest / ActionTest are the ebMS3 test service (Profil §2.3.6). RzÜ 2.0 §7.1 prints
	// ActionTest's value as the service: we send ServiceTest and accept both (as4.md §10.2).
	ServiceTest = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/service"
	ActionTest  = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/test"

	// RoleInitiator and RoleResponder are From/Role and To/Role (Profil §2.3.1.2.3).
	RoleInitiator = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/initiator"
	RoleResponder = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/responder"

	// PartyId types (Profil §2.3.1.1; all four are accepted inbound, as4.md §10.1).
	PartyTypeGLN  = "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088"
	PartyTypeBDEW = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:BDEW"
	PartyTypeDVGW = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:DVGW"
	PartyTypeBAHN = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:BAHN"

	// CompressionGzip is the mandatory CompressionType (Profil §2.2.3.3).
	CompressionGzip = "application/gzip"

	timestampLayout = "2006-01-02T15:04:05.000Z07:00"
)

// Part properties of the BDEW profile (Profil §2.3.5; RzÜ §6) and of AS4 compression.
const (
	PropMimeType                 = "MimeType"
	PropCompressionType          = "CompressionType"
	PropCharacterSet             = "CharacterSet"
	PropBDEWDocumentType         = "BDEWDocumentType"
	PropBDEWApplicationReference = "BDEWApplicationReference"
	PropBDEWDocumentDate         = "BDEWDocumentDate"
	PropBDEWDocumentNo           = "BDEWDocumentNo"
	PropBDEWFulfillmentDate      = "BDEWFulfillmentDate"
	PropBDEWSubjectPartyID       = "BDEWSubjectPartyID"
	PropBDEWSubjectPartyRole     = "BDEWSubjectPartyRole"
)

// Party is a PartyId with its type.
type Party struct {
	ID   string
	Type string
}

// Property is a named value of MessageProperties or PartProperties, in document order.
type Property struct {
	Name  string
	Value string
}

// PartInfo describes one payload part.
type PartInfo struct {
	// Href is "cid:<Content-ID>" for a MIME part.
	Href       string
	Properties []Property
}

// Property returns the value of the named property and whether it is present.
func (p PartInfo) Property(name string) (string, bool) {
	for _, pr := range p.Properties {
		if pr.Name == name {
			return pr.Value, true
		}
	}
	return "", false
}

// ContentID returns the Href without "cid:" ("" for other hrefs).
func (p PartInfo) ContentID() string {
	s, ok := strings.CutPrefix(p.Href, "cid:")
	if !ok {
		return ""
	}
	return s
}

// UserMessage is an ebMS3 eb:UserMessage.
type UserMessage struct {
	MessageID      string
	RefToMessageID string
	Timestamp      time.Time
	From, To       Party
	FromRole       string
	ToRole         string
	AgreementRef   string
	// AgreementPMode and AgreementType are the AgreementRef attributes the profile forbids;
	// they are kept on parse so that Validate can refuse them.
	AgreementPMode, AgreementType string
	Service                       string
	ServiceType                   string
	Action                        string
	ConversationID                string
	MPC                           string
	MessageProperties             []Property
	Parts                         []PartInfo
}

// NewBDEWUserMessage returns a UserMessage with the BDEW fixed values: agreement, roles,
// default action, empty ConversationId. Service is ServiceMP for market-process EDIFACT.
func NewBDEWUserMessage(messageID string, ts time.Time, from, to Party, service string, parts ...PartInfo) *UserMessage {
	action := ActionDefault
	if service == ServiceTest {
		action = ActionTest
	}
	return &UserMessage{
		MessageID: messageID, Timestamp: ts, From: from, To: to,
		FromRole: RoleInitiator, ToRole: RoleResponder, AgreementRef: AgreementBDEW,
		Service: service, Action: action, Parts: parts,
	}
}

// EDIFACTPart returns the PartInfo of a gzip-compressed EDIFACT transmission file with the
// PartProperties RzÜ §6 defines: BDEWDocumentType (UNH DE0065), BDEWDocumentNo (UNB DE0020),
// BDEWDocumentDate (ISO date) and, when not empty, BDEWApplicationReference (the UNB
// application reference, RzÜ 2.3 via phase4; its use is not fixed by the profile 1.1 text).
func EDIFACTPart(contentID, docType, docNo string, docDate time.Time, appRef string) PartInfo {
	props := []Property{
		{PropMimeType, "application/edifact"},
		{PropCompressionType, CompressionGzip},
		{PropBDEWDocumentType, docType},
		{PropBDEWDocumentNo, docNo},
		{PropBDEWDocumentDate, docDate.Format(time.DateOnly)},
	}
	if appRef != "" {
		props = append(props, Property{PropBDEWApplicationReference, appRef})
	}
	return PartInfo{Href: "cid:" + contentID, Properties: props}
}

// newEnvelope returns a SOAP 1.2 envelope with an eb:Messaging header (mustUnderstand, wsu:Id)
// and an empty Body with a wsu:Id.
func newEnvelope(messagingID, bodyID string) (*etree.Document, *etree.Element) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	env := doc.CreateElement("S12:Envelope")
	env.CreateAttr("xmlns:S12", x.NSSOAP12)
	env.CreateAttr("xmlns:wsu", x.NSWSU)
	hdr := env.CreateElement("S12:Header")
	m := hdr.CreateElement("eb:Messaging")
	m.CreateAttr("xmlns:eb", x.NSEB)
	m.CreateAttr("S12:mustUnderstand", "true")
	m.CreateAttr("wsu:Id", messagingID)
	body := env.CreateElement("S12:Body")
	body.CreateAttr("wsu:Id", bodyID)
	return doc, m
}

func addMessageInfo(parent *etree.Element, ts time.Time, id, refTo string) {
	mi := parent.CreateElement("eb:MessageInfo")
	mi.CreateElement("eb:Timestamp").SetText(ts.UTC().Format(timestampLayout))
	mi.CreateElement("eb:MessageId").SetText(id)
	if refTo != "" {
		mi.CreateElement("eb:RefToMessageId").SetText(refTo)
	}
}

func addProperties(parent *etree.Element, name string, props []Property) {
	if len(props) == 0 {
		return
	}
	ps := parent.CreateElement("eb:" + name)
	for _, p := range props {
		e := ps.CreateElement("eb:Property")
		e.CreateAttr("name", p.Name)
		e.SetText(p.Value)
	}
}

// Envelope returns the SOAP 1.2 envelope carrying m, with an empty Body (Profil §2.2.3), ready
// for wss.Signer.Sign.
func (m *UserMessage) Envelope() *etree.Document {
	doc, msg := newEnvelope("msg-"+idSafe(m.MessageID), "body-"+idSafe(m.MessageID))
	um := msg.CreateElement("eb:UserMessage")
	if m.MPC != "" {
		um.CreateAttr("mpc", m.MPC)
	}
	addMessageInfo(um, m.Timestamp, m.MessageID, m.RefToMessageID)
	pi := um.CreateElement("eb:PartyInfo")
	for _, side := range []struct {
		tag  string
		p    Party
		role string
	}{{"eb:From", m.From, m.FromRole}, {"eb:To", m.To, m.ToRole}} {
		e := pi.CreateElement(side.tag)
		id := e.CreateElement("eb:PartyId")
		if side.p.Type != "" {
			id.CreateAttr("type", side.p.Type)
		}
		id.SetText(side.p.ID)
		e.CreateElement("eb:Role").SetText(side.role)
	}
	ci := um.CreateElement("eb:CollaborationInfo")
	ar := ci.CreateElement("eb:AgreementRef")
	ar.SetText(m.AgreementRef)
	if m.AgreementPMode != "" {
		ar.CreateAttr("pmode", m.AgreementPMode)
	}
	if m.AgreementType != "" {
		ar.CreateAttr("type", m.AgreementType)
	}
	svc := ci.CreateElement("eb:Service")
	if m.ServiceType != "" {
		svc.CreateAttr("type", m.ServiceType)
	}
	svc.SetText(m.Service)
	ci.CreateElement("eb:Action").SetText(m.Action)
	ci.CreateElement("eb:ConversationId").SetText(m.ConversationID)
	addProperties(um, "MessageProperties", m.MessageProperties)
	if len(m.Parts) > 0 {
		pl := um.CreateElement("eb:PayloadInfo")
		for _, p := range m.Parts {
			e := pl.CreateElement("eb:PartInfo")
			e.CreateAttr("href", p.Href)
			addProperties(e, "PartProperties", p.Properties)
		}
	}
	return doc
}

// idSafe turns a MessageId into an xsd:NCName-safe Id suffix.
func idSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ErrNotUserMessage is returned by ParseUserMessage for envelopes carrying a SignalMessage.
var ErrNotUserMessage = errors.New("ebms: not a UserMessage")

// messaging returns the single eb:Messaging header of a SOAP 1.2 envelope.
func messaging(doc *etree.Document) (*etree.Element, error) {
	env := doc.Root()
	if !x.Is(env, x.NSSOAP12, "Envelope") {
		return nil, NewError(CodeInvalidHeader, "", "not a SOAP 1.2 envelope")
	}
	ms := x.Children(x.Child(env, x.NSSOAP12, "Header"), x.NSEB, "Messaging")
	if len(ms) != 1 {
		return nil, NewError(CodeInvalidHeader, "", fmt.Sprintf("%d eb:Messaging headers", len(ms)))
	}
	return ms[0], nil
}

func parseProperties(el *etree.Element) []Property {
	var out []Property
	for _, p := range x.Children(el, x.NSEB, "Property") {
		out = append(out, Property{Name: p.SelectAttrValue("name", ""), Value: x.Text(p)})
	}
	return out
}

func parseMessageInfo(el *etree.Element) (id, refTo string, ts time.Time, err error) {
	mi := x.Child(el, x.NSEB, "MessageInfo")
	if mi == nil {
		return "", "", time.Time{}, NewError(CodeInvalidHeader, "", "MessageInfo missing")
	}
	id, refTo = x.Text(x.Child(mi, x.NSEB, "MessageId")), x.Text(x.Child(mi, x.NSEB, "RefToMessageId"))
	if tsText := x.Text(x.Child(mi, x.NSEB, "Timestamp")); tsText != "" {
		if ts, err = time.Parse(time.RFC3339Nano, tsText); err != nil {
			// ebMS3 allows xsd:dateTime without a zone (phase4's ErrorMessage.xml); read it as UTC.
			if ts, err = time.Parse("2006-01-02T15:04:05.999999999", tsText); err != nil {
				return id, refTo, ts, NewError(CodeInvalidHeader, id, "Timestamp "+tsText)
			}
		}
	}
	return id, refTo, ts, nil
}

// ParseUserMessage reads the eb:UserMessage of a SOAP 1.2 envelope. Structural problems are
// *Error values (EBMS:0009 InvalidHeader); profile conformance is checked by Validate.
func ParseUserMessage(doc *etree.Document) (*UserMessage, error) {
	msg, err := messaging(doc)
	if err != nil {
		return nil, err
	}
	ums := x.Children(msg, x.NSEB, "UserMessage")
	if len(ums) == 0 {
		return nil, ErrNotUserMessage
	}
	if len(ums) > 1 {
		return nil, NewError(CodeInvalidHeader, "", "more than one UserMessage")
	}
	um := ums[0]
	m := &UserMessage{MPC: um.SelectAttrValue("mpc", "")}
	if m.MessageID, m.RefToMessageID, m.Timestamp, err = parseMessageInfo(um); err != nil {
		return nil, err
	}
	pi := x.Child(um, x.NSEB, "PartyInfo")
	for _, side := range []struct {
		tag  string
		p    *Party
		role *string
	}{{"From", &m.From, &m.FromRole}, {"To", &m.To, &m.ToRole}} {
		e := x.Child(pi, x.NSEB, side.tag)
		ids := x.Children(e, x.NSEB, "PartyId")
		if len(ids) != 1 {
			return nil, NewError(CodeInvalidHeader, m.MessageID, fmt.Sprintf("PartyInfo/%s needs exactly one PartyId, has %d", side.tag, len(ids)))
		}
		*side.p = Party{ID: x.Text(ids[0]), Type: ids[0].SelectAttrValue("type", "")}
		*side.role = x.Text(x.Child(e, x.NSEB, "Role"))
	}
	ci := x.Child(um, x.NSEB, "CollaborationInfo")
	if ci == nil {
		return nil, NewError(CodeInvalidHeader, m.MessageID, "CollaborationInfo missing")
	}
	if ar := x.Child(ci, x.NSEB, "AgreementRef"); ar != nil {
		m.AgreementRef, m.AgreementPMode, m.AgreementType = x.Text(ar), ar.SelectAttrValue("pmode", ""), ar.SelectAttrValue("type", "")
	}
	svc := x.Child(ci, x.NSEB, "Service")
	m.Service, m.ServiceType = x.Text(svc), ""
	if svc != nil {
		m.ServiceType = svc.SelectAttrValue("type", "")
	}
	m.Action = x.Text(x.Child(ci, x.NSEB, "Action"))
	conv := x.Child(ci, x.NSEB, "ConversationId")
	if conv == nil {
		return nil, NewError(CodeInvalidHeader, m.MessageID, "ConversationId missing")
	}
	m.ConversationID = x.Text(conv)
	m.MessageProperties = parseProperties(x.Child(um, x.NSEB, "MessageProperties"))
	for _, p := range x.Children(x.Child(um, x.NSEB, "PayloadInfo"), x.NSEB, "PartInfo") {
		m.Parts = append(m.Parts, PartInfo{Href: p.SelectAttrValue("href", ""), Properties: parseProperties(x.Child(p, x.NSEB, "PartProperties"))})
	}
	return m, nil
}

// IsTest reports whether m is a test-service message, which must never reach a business
// application (Profil §2.3.6). Both spellings of as4.md §10.2 count.
func (m *UserMessage) IsTest() bool {
	return (m.Service == ServiceTest || m.Service == ActionTest) && m.Action == ActionTest
}

// IsPathSwitch reports whether m belongs to the path-switch service (Profil §2.3.7).
func (m *UserMessage) IsPathSwitch() bool { return m.Service == ServicePathSwitch }

var knownPartyTypes = map[string]bool{PartyTypeGLN: true, PartyTypeBDEW: true, PartyTypeDVGW: true, PartyTypeBAHN: true}

// services maps every Service the profile knows to the Actions allowed with it.
var services = map[string][]string{
	ServiceMP: {ActionDefault}, ServiceFP: {ActionDefault}, ServiceRD: {ActionDefault}, ServiceKW: {ActionDefault}, ServiceSO: {ActionDefault},
	ServicePathSwitch: {ActionRequestSwitch, ActionConfirmSwitch},
	ServiceTest:       {ActionTest}, ActionTest: {ActionTest},
}

// Validate checks m against the BDEW profile as a receiver must (Profil §2.3; the checks of
// phase4's BDEWCompatibilityValidator plus gzip compression). It returns the first violation as
// an *Error with the ebMS code to answer with:
//
//   - EBMS:0009 InvalidHeader: MessageId missing, RefToMessageId present, a non-empty
//     ConversationId, roles other than initiator/responder, an unknown PartyId type;
//   - EBMS:0001 ValueNotRecognized: an unknown AgreementRef, Service or Action, Service@type;
//   - EBMS:0010 ProcessingModeMismatch: AgreementRef@pmode or @type present, an mpc other than
//     the default with push;
//   - EBMS:0303 DecompressionFailure: a payload part without CompressionType application/gzip.
func (m *UserMessage) Validate() error {
	id := m.MessageID
	switch {
	case m.MessageID == "":
		return NewError(CodeInvalidHeader, "", "MessageInfo/MessageId missing")
	case m.RefToMessageID != "":
		return NewError(CodeInvalidHeader, id, "RefToMessageId must not be used in a UserMessage")
	case m.From.ID == "" || m.To.ID == "":
		return NewError(CodeInvalidHeader, id, "PartyId missing")
	case !knownPartyTypes[m.From.Type] || !knownPartyTypes[m.To.Type]:
		return NewError(CodeInvalidHeader, id, fmt.Sprintf("PartyId types %q/%q are not among the profile's", m.From.Type, m.To.Type))
	case m.FromRole != RoleInitiator || m.ToRole != RoleResponder:
		return NewError(CodeInvalidHeader, id, "From/Role and To/Role must be initiator and responder")
	case m.ConversationID != "":
		return NewError(CodeInvalidHeader, id, "ConversationId must be empty")
	case m.AgreementRef != AgreementBDEW:
		return NewError(CodeValueNotRecognized, id, fmt.Sprintf("AgreementRef %q", m.AgreementRef))
	case m.AgreementPMode != "" || m.AgreementType != "":
		return NewError(CodeProcessingModeMismatch, id, "AgreementRef@pmode and @type must not be used")
	case m.MPC != "" && m.MPC != "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/defaultMPC":
		return NewError(CodeProcessingModeMismatch, id, "only the default MPC is used with push")
	case m.ServiceType != "":
		return NewError(CodeValueNotRecognized, id, "Service@type must not be used")
	}
	actions, ok := services[m.Service]
	if !ok {
		return NewError(CodeValueNotRecognized, id, fmt.Sprintf("Service %q", m.Service))
	}
	okAction := false
	for _, a := range actions {
		okAction = okAction || a == m.Action
	}
	if !okAction {
		return NewError(CodeValueNotRecognized, id, fmt.Sprintf("Action %q with Service %q", m.Action, m.Service))
	}
	for _, p := range m.Parts {
		if p.ContentID() == "" {
			return NewError(CodeValueNotRecognized, id, fmt.Sprintf("PartInfo href %q is not a cid: MIME part (the SOAP Body stays empty)", p.Href))
		}
		if ct, _ := p.Property(PropCompressionType); ct != CompressionGzip {
			return NewError(CodeDecompressionFailure, id, fmt.Sprintf("part %q: CompressionType %q, the profile requires %s", p.Href, ct, CompressionGzip))
		}
	}
	return nil
}
