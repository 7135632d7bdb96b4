package edifact

import (
	"fmt"
	"strconv"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

// Finding is one syntax fault with the CONTRL level and DE0085 code it maps
// to and its position.
type Finding struct {
	// Rule is a stable identifier of the check, e.g. "unz-reference".
	Rule  string `json:"rule"`
	Level Level  `json:"level"`
	Code  Code   `json:"code"`
	// Tag is the affected segment tag; for UCI/UCM it is DE0013 (UNA, UNB,
	// UNZ, UNH, UNT).
	Tag string `json:"segment,omitempty"`
	// SegmentIndex is the 0-based index in the interchange, -1 if none.
	SegmentIndex int `json:"segment_index"`
	// Offset is the byte offset in the input, -1 if none.
	Offset int `json:"offset"`
	// MessageIndex is the 0-based message index, -1 for interchange level.
	MessageIndex int `json:"message_index"`
	// MessageRef is UNH 0062 of the message concerned.
	MessageRef string `json:"message_ref,omitempty"`
	// Position is the segment position in the message (DE0096, UNH = 1), 0
	// at interchange level.
	Position int `json:"position,omitempty"`
	// Element and Component are DE0098 and DE0104 (1-based), 0 if none.
	Element   int `json:"element,omitempty"`
	Component int `json:"component,omitempty"`
	// Transaction is the transaction id (e.g. IDE 7402), if any.
	Transaction string `json:"transaction,omitempty"`
	Text        string `json:"text"`
}

// String renders the finding for humans, e.g.
// "UCD 12 [pid-unknown] message 1 segment 10 RFF element 1:2: …".
func (f Finding) String() string {
	s := fmt.Sprintf("%s %d [%s]", f.Level, f.Code, f.Rule)
	if f.MessageIndex >= 0 {
		s += fmt.Sprintf(" message %q", f.MessageRef)
	}
	if f.Position > 0 {
		s += fmt.Sprintf(" segment %d", f.Position)
	}
	if f.Tag != "" {
		if validTag(f.Tag) {
			s += " " + f.Tag
		} else {
			s += fmt.Sprintf(" %q", f.Tag)
		}
	}
	if f.Element > 0 {
		s += fmt.Sprintf(" element %d", f.Element)
		if f.Component > 0 {
			s += fmt.Sprintf(":%d", f.Component)
		}
	}
	return s + ": " + f.Text
}

// PIDInfo describes one transaction's Prüfidentifikator.
type PIDInfo struct {
	Transaction string `json:"transaction,omitempty"` // IDE 7402 / CNI / DOC id
	PID         string `json:"pid"`
	Status      string `json:"status"` // "known", "unknown", "undetermined", "missing"
}

// MessageInfo summarises one message of a checked interchange.
type MessageInfo struct {
	Index int       `json:"index"`
	Ref   string    `json:"ref"`
	ID    MessageID `json:"unh"`
	// Sector is "Strom", "Gas" or "" when not determinable.
	Sector string `json:"sector"`
	// ExpectedVersion is the UNH 0057 the catalog lists for the type in the
	// resolved format version, "" if unknown.
	ExpectedVersion string    `json:"expected_version,omitempty"`
	PIDScope        string    `json:"pid_scope"`
	PIDs            []PIDInfo `json:"pids"`
}

// Report is the result of [Check].
type Report struct {
	// FormatVersion is resolved from Received (ref §7.3); zero if the date
	// is unknown or before the first FV.
	FormatVersion fv.Version `json:"format_version"`
	// Received is the key date used for the format version.
	Received time.Time `json:"received"`
	// ReceivedSource says where Received came from: "option" or "UNB".
	ReceivedSource string `json:"received_source"`
	// Sector of the interchange: from the messages, else the context option,
	// else the UNB code qualifiers; unspecified if none decides.
	Sector   Sector        `json:"-"`
	Messages []MessageInfo `json:"messages"`
	Findings []Finding     `json:"findings"`
	// Notes are non-fault remarks (checks skipped for lack of data).
	Notes []string `json:"notes,omitempty"`
}

// Clean reports whether the report has no finding.
func (r *Report) Clean() bool { return len(r.Findings) == 0 }

// HasErrors reports whether the report has at least one finding; every
// finding is a syntax error that rejects the interchange (ref §10.1).
func (r *Report) HasErrors() bool { return len(r.Findings) > 0 }

// CheckOption configures [Check] and [Analyze].
type CheckOption func(*checkConfig)

type checkConfig struct {
	received     time.Time
	fv           fv.Version
	sector       Sector
	sectorOf     func(recipient string) Sector
	recipients   []string
	knownSender  func(Party) bool
	rejectTest   bool
	seen         func(sender Party, ref string) bool
	unhVersion   bool
	parseOptions []Option
}

// WithReceived sets the receipt time used to resolve the format version
// (ref §7.3: the receipt time, not sender-controlled). Default: UNB S004.
func WithReceived(t time.Time) CheckOption { return func(c *checkConfig) { c.received = t } }

// WithFormatVersion forces the format version instead of resolving it.
func WithFormatVersion(v fv.Version) CheckOption { return func(c *checkConfig) { c.fv = v } }

// WithSector supplies the receiver's sector as context; it decides where the
// message does not (ref §10.1: the receiver's sector decides cross-sector).
func WithSector(s Sector) CheckOption { return func(c *checkConfig) { c.sector = s } }

// WithRecipientSector supplies the receiver's sector as a function of the
// MP-ID the interchange is addressed to (UNB S003 0010), for a receiver
// that serves Strom and Gas under different MP-IDs. It is context like
// WithSector (which wins when both are given); where f returns
// SectorUnspecified, the UNB code qualifiers decide.
func WithRecipientSector(f func(recipient string) Sector) CheckOption {
	return func(c *checkConfig) { c.sectorOf = f }
}

// WithRecipients enables UCI 7: UNB S003 0010 must be one of ids (our MP-IDs).
func WithRecipients(ids ...string) CheckOption {
	return func(c *checkConfig) { c.recipients = append(c.recipients, ids...) }
}

// WithKnownSender enables UCI 23: known reports whether the sender is known.
func WithKnownSender(known func(Party) bool) CheckOption {
	return func(c *checkConfig) { c.knownSender = known }
}

// WithRejectTestIndicator enables UCI 25 for interchanges with 0035 = 1. By
// default test interchanges are accepted (ref §1.2).
func WithRejectTestIndicator() CheckOption { return func(c *checkConfig) { c.rejectTest = true } }

// WithDuplicateCheck enables UCI 26: seen reports whether this DAR of this
// sender was already received. A receiver re-importing a file because of its
// own fault must not answer with 26 (ref §2 footnote 1), so seen must
// exclude such re-imports.
func WithDuplicateCheck(seen func(sender Party, ref string) bool) CheckOption {
	return func(c *checkConfig) { c.seen = seen }
}

// WithoutUNHVersionCheck disables the UNH 0057-against-FV check (e.g. for a
// local grace period around a changeover, ref §7.3).
func WithoutUNHVersionCheck() CheckOption { return func(c *checkConfig) { c.unhVersion = false } }

// WithParseOptions passes parser options to [Analyze].
func WithParseOptions(opts ...Option) CheckOption {
	return func(c *checkConfig) { c.parseOptions = append(c.parseOptions, opts...) }
}

// Analyze parses data and checks it. Tokenizer failures (*SyntaxError)
// become findings; a *LimitError or ErrNotEDIFACT is returned as error with
// a nil report.
func Analyze(data []byte, opts ...CheckOption) (*Interchange, *Report, error) {
	cfg := newCheckConfig(opts)
	ix, err := Parse(data, cfg.parseOptions...)
	se, isSyntax := err.(*SyntaxError) // Parse returns its errors unwrapped
	if err != nil && !isSyntax {
		return ix, nil, err
	}
	rep := check(ix, cfg)
	if se != nil {
		f := Finding{Rule: "tokenizer", Level: LevelInterchange, Code: se.Code, Tag: se.SegmentTag,
			SegmentIndex: se.SegmentIndex, Offset: se.Offset, MessageIndex: -1, Text: se.Msg}
		if f.Code == CodeInvalidServiceChar { // not allowed in UCI (ref §10.3)
			f.Code = CodeInvalidChar
		}
		rep.Findings = append([]Finding{f}, rep.Findings...)
	}
	return ix, rep, nil
}

func newCheckConfig(opts []CheckOption) checkConfig {
	if len(opts) == 0 { // the common case stays off the heap
		return checkConfig{unhVersion: true}
	}
	c := &checkConfig{unhVersion: true}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return *c
}

// Check runs the syntax checks of ref §1–§3, §6 and §10 on ix and returns a
// report whose findings carry CONTRL levels and codes. It never fails; a nil
// ix yields a report with one UCI 13 finding.
func Check(ix *Interchange, opts ...CheckOption) *Report {
	return check(ix, newCheckConfig(opts))
}

type checker struct {
	ix   *Interchange
	cfg  checkConfig
	rep  *Report
	refs map[string]bool // UNH 0062 seen
	unb  UNB             // typed UNB, computed once
	// per message being checked
	h   UNH
	txs []Transaction
	sec Sector
	ok  bool // sec determined from the message
	// msgSector is the first sector determined from a message
	msgSector Sector
}

func check(ix *Interchange, cfg checkConfig) *Report {
	rep := &Report{Findings: []Finding{}, Messages: []MessageInfo{}}
	if ix == nil {
		rep.Findings = append(rep.Findings, Finding{Rule: "unb-missing", Level: LevelInterchange, Code: CodeMissing,
			Tag: "UNB", SegmentIndex: -1, Offset: -1, MessageIndex: -1, Text: "no interchange"})
		return rep
	}
	rep.Messages = make([]MessageInfo, 0, len(ix.Messages))
	c := &checker{ix: ix, cfg: cfg, rep: rep, unb: ix.UNB()}
	c.resolveFV()
	c.interchange()
	for i := range ix.Messages {
		c.message(&ix.Messages[i])
	}
	c.sector()
	return rep
}

func (c *checker) resolveFV() {
	rep := c.rep
	switch {
	case !c.cfg.received.IsZero():
		rep.Received, rep.ReceivedSource = c.cfg.received, "option"
	default:
		if t, ok := c.unb.Prepared(); ok {
			rep.Received, rep.ReceivedSource = t, "UNB"
		}
	}
	if !c.cfg.fv.IsZero() {
		rep.FormatVersion = c.cfg.fv
		return
	}
	if rep.Received.IsZero() {
		rep.Notes = append(rep.Notes, "format version not resolved: no receipt time and no valid UNB S004")
		return
	}
	v, err := resolveFV(rep.Received)
	if err != nil {
		rep.Notes = append(rep.Notes, "format version not resolved: "+err.Error())
		return
	}
	rep.FormatVersion = v
}

func (c *checker) add(f Finding) { c.rep.Findings = append(c.rep.Findings, f) }

// uci adds an interchange-level finding on segment s (may be nil).
func (c *checker) uci(rule string, code Code, tag string, s *Segment, elem, comp int, format string, args ...any) {
	f := Finding{Rule: rule, Level: LevelInterchange, Code: code, Tag: tag, SegmentIndex: -1, Offset: -1,
		MessageIndex: -1, Element: elem, Component: comp, Text: fmt.Sprintf(format, args...)}
	if s != nil {
		f.SegmentIndex, f.Offset = s.Index, s.Offset
	}
	c.add(f)
}

// unbElems are the UNB data elements and their maximum lengths per
// component (ISO 9735 syntax version 3 service segment directory; 0020 and
// 0026 an..14 also in ref §2). mandatory marks the components EDI@Energy
// requires (ref §2: S001, S002 0004:0007, S003 0010:0007, S004, 0020).
var unbElems = []struct {
	name      string
	maxLen    []int
	mandatory []bool
}{
	{"S001", []int{4, 1}, []bool{true, true}},
	{"S002", []int{35, 4, 14}, []bool{true, true, false}},
	{"S003", []int{35, 4, 14}, []bool{true, true, false}},
	{"S004", []int{6, 4}, []bool{true, true}},
	{"0020", []int{14}, []bool{true}},
	{"S005", []int{14, 2}, []bool{false, false}},
	{"0026", []int{14}, []bool{false}},
	{"0029", []int{1}, []bool{false}},
	{"0031", []int{1}, []bool{false}},
	{"0032", []int{35}, []bool{false}},
	{"0035", []int{1}, []bool{false}},
}

// partyQualifiers is code list 0007 as used by EDI@Energy (ref §2).
var partyQualifiers = map[string]bool{"500": true, "502": true, "14": true}

func (c *checker) interchange() {
	ix := c.ix
	unb := ix.Header()
	if unb == nil {
		var first *Segment
		if len(ix.Segments) > 0 {
			first = &ix.Segments[0]
		}
		c.uci("unb-missing", CodeMissing, "UNB", first, 0, 0, "interchange does not start with UNB")
	} else {
		c.checkUNB(unb)
	}
	// stray segments outside messages and a second UNB
	next := 0 // index of the next segment not yet covered by a message
	mi := 0
	for i := range ix.Segments {
		s := &ix.Segments[i]
		if mi < len(ix.Messages) && len(ix.Messages[mi].Segments) > 0 && ix.Messages[mi].Segments[0].Index == i {
			next = i + len(ix.Messages[mi].Segments)
			mi++
		}
		if i < next || i == 0 && s.Tag == "UNB" || i == len(ix.Segments)-1 && s.Tag == "UNZ" {
			continue
		}
		c.uci("segment-outside-message", CodeTooManyConstituents, s.Tag, s, 0, 0,
			"segment %q at index %d is outside UNH…UNT and not UNB/UNZ", s.Tag, i)
	}
	unz := ix.Trailer()
	if unz == nil {
		c.uci("unz-missing", CodeMissing, "UNZ", nil, 0, 0, "interchange does not end with UNZ")
	} else {
		c.charIssueUCI(unz)
		if len(unz.Elements) > 2 {
			c.uci("unz-constituents", CodeTooManyConstituents, "UNZ", unz, 3, 0, "UNZ has %d data elements, 2 allowed", len(unz.Elements))
		}
		z, _ := ix.UNZ()
		switch {
		case z.MessageCount == "":
			c.uci("unz-count-missing", CodeMissing, "UNZ", unz, 1, 0, "UNZ 0036 (message count) is missing")
		case z.MessageCount != strconv.Itoa(len(ix.Messages)):
			c.uci("unz-count", CodeCountMismatch, "UNZ", unz, 1, 0, "UNZ 0036 = %q but the interchange holds %d messages",
				z.MessageCount, len(ix.Messages))
		}
		switch {
		case z.ControlRef == "":
			c.uci("unz-reference-missing", CodeMissing, "UNZ", unz, 2, 0, "UNZ 0020 is missing")
		case unb != nil && z.ControlRef != c.unb.ControlRef:
			c.uci("unz-reference", CodeReferenceMismatch, "UNZ", unz, 2, 0, "UNZ 0020 %q differs from UNB 0020 %q",
				z.ControlRef, c.unb.ControlRef)
		}
	}
	if len(ix.Messages) == 0 {
		c.uci("no-message", CodeEmpty, "UNB", unb, 0, 0, "the interchange holds no message")
	}
}

func (c *checker) charIssueUCI(s *Segment) {
	if s.issue != nil {
		c.uci("invalid-character", CodeInvalidChar, s.Tag, s, s.issue.element, s.issue.comp,
			"character %q is not allowed in UNOC (ISO 8859-1)", s.issue.char)
	}
}

func (c *checker) checkUNB(s *Segment) {
	c.charIssueUCI(s)
	if len(s.Elements) > len(unbElems) {
		c.uci("unb-constituents", CodeTooManyConstituents, "UNB", s, len(unbElems)+1, 0,
			"UNB has %d data elements, %d allowed", len(s.Elements), len(unbElems))
	}
	for ei, spec := range unbElems {
		e := s.Element(ei)
		if len(e) > len(spec.maxLen) {
			c.uci("unb-constituents", CodeTooManyConstituents, "UNB", s, ei+1, len(spec.maxLen)+1,
				"UNB %s has %d components, %d allowed", spec.name, len(e), len(spec.maxLen))
		}
		for ci := range spec.maxLen {
			v := e.Component(ci)
			if v.IsEmpty() {
				if spec.mandatory[ci] {
					c.uci("unb-missing-element", CodeMissing, "UNB", s, ei+1, ci+1, "UNB %s component %d is missing", spec.name, ci+1)
				}
				continue
			}
			if n := len(v.Bytes()); n > spec.maxLen[ci] {
				c.uci("unb-too-long", CodeInvalidValue, "UNB", s, ei+1, ci+1, "UNB %s component %d has %d characters, at most %d",
					spec.name, ci+1, n, spec.maxLen[ci])
			}
		}
	}
	u := c.unb
	if u.SyntaxID != "" && u.SyntaxVersion != "" && (u.SyntaxID != "UNOC" || u.SyntaxVersion != "3") {
		c.uci("syntax-unsupported", CodeUnsupportedSyntax, "UNB", s, 1, 0, "syntax %s:%s is not supported (UNOC:3 expected)",
			u.SyntaxID, u.SyntaxVersion)
	}
	for i, p := range []Party{u.Sender, u.Recipient} {
		if p.Qualifier != "" && !partyQualifiers[p.Qualifier] {
			c.uci("unb-party-qualifier", CodeInvalidValue, "UNB", s, 2+i, 2, "code qualifier 0007 %q is not 500, 502 or 14", p.Qualifier)
		}
	}
	if u.Date != "" && u.Time != "" {
		if _, ok := u.Prepared(); !ok {
			c.uci("unb-datetime", CodeInvalidValue, "UNB", s, 4, 0, "S004 %s:%s is not a valid YYMMDD:HHMM", u.Date, u.Time)
		}
	}
	if u.TestIndicator != "" && u.TestIndicator != "1" {
		c.uci("unb-test-indicator", CodeInvalidValue, "UNB", s, 11, 0, "test indicator 0035 %q is not 1", u.TestIndicator)
	}
	if len(c.cfg.recipients) > 0 && u.Recipient.ID != "" {
		ok := false
		for _, id := range c.cfg.recipients {
			ok = ok || id == u.Recipient.ID
		}
		if !ok {
			c.uci("not-recipient", CodeNotRecipient, "UNB", s, 3, 1, "recipient %s is not us", u.Recipient.ID)
		}
	}
	if c.cfg.knownSender != nil && u.Sender.ID != "" && !c.cfg.knownSender(u.Sender) {
		c.uci("unknown-sender", CodeUnknownSender, "UNB", s, 2, 1, "sender %s is unknown", u.Sender.ID)
	}
	if c.cfg.rejectTest && u.IsTest() {
		c.uci("test-indicator", CodeTestNotSupported, "UNB", s, 11, 0, "test interchanges are not supported")
	}
	if c.cfg.seen != nil && u.ControlRef != "" && c.cfg.seen(u.Sender, u.ControlRef) {
		c.uci("duplicate-interchange", CodeDuplicate, "UNB", s, 5, 0, "interchange %s of %s was already received", u.ControlRef, u.Sender.ID)
	}
}

// ucm adds a message-level finding (0013 = UNH/UNT).
func (c *checker) ucm(m *Message, rule string, code Code, s *Segment, elem, comp int, format string, args ...any) {
	f := Finding{Rule: rule, Level: LevelMessage, Code: code, SegmentIndex: -1, Offset: -1, MessageIndex: m.Index,
		MessageRef: c.h.Ref, Element: elem, Component: comp, Text: fmt.Sprintf(format, args...)}
	if s != nil {
		f.Tag, f.SegmentIndex, f.Offset, f.Position = s.Tag, s.Index, s.Offset, m.Position(s)
	}
	c.add(f)
}

// body adds a UCS (elem == 0) or UCD finding on a body segment.
func (c *checker) body(m *Message, rule string, code Code, s *Segment, elem, comp int, tx string, format string, args ...any) {
	lvl := LevelElement
	if elem == 0 {
		lvl = LevelSegment
	}
	c.add(Finding{Rule: rule, Level: lvl, Code: code, Tag: s.Tag, SegmentIndex: s.Index, Offset: s.Offset,
		MessageIndex: m.Index, MessageRef: c.h.Ref, Position: m.Position(s), Element: elem, Component: comp,
		Transaction: tx, Text: fmt.Sprintf(format, args...)})
}

// unhMax are the maximum lengths of UNH 0062 and the S009 components
// (ISO 9735 v3 service directory; 0062 an..14 also ref §3).
var unhMax = [][]int{{14}, {6, 3, 3, 2, 6}, {35}, {2, 1}}

func (c *checker) message(m *Message) {
	h := m.Header()
	c.h = h
	c.txs = transactions(m, h.Type)
	c.sec, c.ok = messageSector(m, h, c.txs)
	if c.ok && c.msgSector == catalog.SectorUnspecified {
		c.msgSector = c.sec
	}
	unh := h.Segment
	info := MessageInfo{Index: m.Index, Ref: h.Ref, ID: h.MessageID, PIDs: []PIDInfo{}}
	defer func() { c.rep.Messages = append(c.rep.Messages, info) }()
	if unh == nil { // only for a hand-made Message; Parse and Reader start every message with UNH
		c.add(Finding{Rule: "unh-missing", Level: LevelMessage, Code: CodeMissing, Tag: "UNH", SegmentIndex: -1, Offset: -1,
			MessageIndex: m.Index, Text: "message does not start with UNH"})
		return
	}
	if unh.issue != nil {
		c.ucm(m, "invalid-character", CodeInvalidChar, unh, unh.issue.element, unh.issue.comp,
			"character %q is not allowed in UNOC (ISO 8859-1)", unh.issue.char)
	}
	if len(unh.Elements) > len(unhMax) {
		c.ucm(m, "unh-constituents", CodeTooManyConstituents, unh, len(unhMax)+1, 0, "UNH has %d data elements", len(unh.Elements))
	}
	for ei, lens := range unhMax {
		e := unh.Element(ei)
		if len(e) > len(lens) {
			c.ucm(m, "unh-constituents", CodeTooManyConstituents, unh, ei+1, len(lens)+1, "UNH element %d has %d components", ei+1, len(e))
		}
		for ci, n := range lens {
			if l := len(e.Component(ci).Bytes()); l > n {
				c.ucm(m, "unh-too-long", CodeTooLong, unh, ei+1, ci+1, "UNH element %d:%d has %d characters, at most %d", ei+1, ci+1, l, n)
			}
		}
	}
	missing := false
	for _, p := range []struct {
		v    string
		e, c int
		name string
	}{{h.Ref, 1, 0, "0062"}, {h.Type, 2, 1, "0065"}, {h.Version, 2, 2, "0052"}, {h.Release, 2, 3, "0054"},
		{h.Agency, 2, 4, "0051"}, {h.Association, 2, 5, "0057"}} {
		if p.v == "" {
			missing = true
			c.ucm(m, "unh-missing-element", CodeMissing, unh, p.e, p.c, "UNH %s is missing", p.name)
		}
	}
	known := catalog.IsMessageType(h.Type)
	if h.Type != "" && !known {
		c.ucm(m, "unh-unknown-type", CodeInvalidValue, unh, 2, 1, "message type %q is not an EDI@Energy type", h.Type)
	}
	if known && h.Version != "" && h.Release != "" {
		if ver, rel, ok := catalog.UNHRelease(h.Type); ok && (ver != h.Version || rel != h.Release || h.Agency != "" && h.Agency != "UN") {
			c.ucm(m, "unh-release", CodeInvalidValue, unh, 2, 0, "S009 %s:%s:%s is not %s:%s:UN for %s",
				h.Version, h.Release, h.Agency, ver, rel, h.Type)
		}
	}
	// UNT
	unt, hasUNT := m.Trailer()
	if !hasUNT {
		last := &m.Segments[len(m.Segments)-1]
		c.ucm(m, "unt-missing", CodeMissing, last, 0, 0, "message %q has no UNT", h.Ref)
		c.rep.Findings[len(c.rep.Findings)-1].Tag = "UNT"
	} else {
		s := unt.Segment
		if s.issue != nil {
			c.ucm(m, "invalid-character", CodeInvalidChar, s, s.issue.element, s.issue.comp,
				"character %q is not allowed in UNOC (ISO 8859-1)", s.issue.char)
		}
		if len(s.Elements) > 2 {
			c.ucm(m, "unt-constituents", CodeTooManyConstituents, s, 3, 0, "UNT has %d data elements, 2 allowed", len(s.Elements))
		}
		switch {
		case unt.SegmentCount == "":
			c.ucm(m, "unt-count-missing", CodeMissing, s, 1, 0, "UNT 0074 is missing")
		case unt.SegmentCount != strconv.Itoa(len(m.Segments)):
			c.ucm(m, "unt-count", CodeCountMismatch, s, 1, 0, "UNT 0074 = %q but the message holds %d segments (UNH…UNT)",
				unt.SegmentCount, len(m.Segments))
		}
		switch {
		case unt.Ref == "":
			c.ucm(m, "unt-reference-missing", CodeMissing, s, 2, 0, "UNT 0062 is missing")
		case unt.Ref != h.Ref:
			c.ucm(m, "unt-reference", CodeReferenceMismatch, s, 2, 0, "UNT 0062 %q differs from UNH 0062 %q", unt.Ref, h.Ref)
		}
	}
	if h.Ref != "" {
		if c.refs == nil {
			c.refs = make(map[string]bool, len(c.ix.Messages))
		}
		if c.refs[h.Ref] {
			c.ucm(m, "duplicate-message", CodeDuplicate, unh, 1, 0, "message reference %q used twice in the interchange", h.Ref)
		}
		c.refs[h.Ref] = true
	}
	// sector and FV version check
	sector := c.sec
	if !c.ok {
		sector = c.contextSector()
	}
	info.Sector = sector.String()
	v := c.rep.FormatVersion
	if known && !v.IsZero() && !missing {
		want, ok := unhVersion(h.Type, sector, v)
		if h.Type == catalog.UTILMD {
			if _, fromVersion := catalog.SectorFromUTILMDVersion(h.Association); !fromVersion {
				// neither S… (Strom) nor G… (Gas): wrong for every FV since
				// FV2310 (ref §7.1); name both valid versions
				s, sok := unhVersion(h.Type, catalog.Strom, v)
				g, gok := unhVersion(h.Type, catalog.Gas, v)
				if sok && gok {
					want, ok = s+" or "+g, true
				}
			}
		}
		if ok {
			info.ExpectedVersion = want
			if c.cfg.unhVersion && want != h.Association {
				c.ucm(m, "unh-version", CodeInvalidValue, unh, 2, 5, "UNH 0057 %q is not the %s version %q valid in %s",
					h.Association, h.Type, want, v)
			}
		} else {
			c.rep.Notes = append(c.rep.Notes, fmt.Sprintf("message %q: no UNH version known for %s in %s", h.Ref, h.Type, v))
		}
	}
	c.bodySegments(m)
	info.PIDScope = catalog.PIDScope(h.Type).String()
	if known {
		info.PIDs = c.pids(m, sector, v)
	}
}

// idLengths are body data elements with a length the reference states
// (ref §5: Vorgangsnummer IDE 7402 an..35).
var idLengths = map[string]struct{ elem, comp, max int }{
	"IDE": {2, 1, 35},
}

func (c *checker) bodySegments(m *Message) {
	n := len(m.Segments)
	d := c.ix.Delimiters
	for i := 1; i < n; i++ {
		s := &m.Segments[i]
		if s.Tag == "UNT" && i == n-1 {
			continue
		}
		if !validTag(s.Tag) {
			c.body(m, "segment-tag", CodeNotSupportedHere, s, 0, 0, "", "segment tag %q is not valid", s.Tag)
			continue
		}
		if s.Tag == "UNH" || s.Tag == "UNT" || s.Tag == "UNB" || s.Tag == "UNZ" {
			c.body(m, "service-segment-in-body", CodeNotSupportedHere, s, 0, 0, "", "service segment %s inside a message", s.Tag)
			continue
		}
		if s.issue != nil {
			c.body(m, "invalid-character", CodeInvalidChar, s, max(s.issue.element, 1), max(s.issue.comp, 1), "",
				"character %q is not allowed in UNOC (ISO 8859-1)", s.issue.char)
		}
		if l, ok := idLengths[s.Tag]; ok {
			if got := len(s.Element(l.elem - 1).Component(l.comp - 1).Bytes()); got > l.max {
				c.body(m, "element-too-long", CodeTooLong, s, l.elem, l.comp, "", "%s element %d:%d has %d characters, at most %d",
					s.Tag, l.elem, l.comp, got, l.max)
			}
		}
		c.numeric(m, s, d)
	}
}

// numericPositions are the numeric data elements EDI@Energy messages carry:
// QTY C186 6060, MOA C516 5004, PRI C509 5118 (component 2 of element 1).
// Numbers are n..15 without the decimal mark (ref §1.1).
var numericPositions = map[string]bool{"QTY": true, "MOA": true, "PRI": true}

// numeric checks the decimal notation of a numeric component (ref §1.2:
// UCD 19 decimal mark differs from UNA, 37 wrong character type, 38 no digit
// before the decimal mark, 39 too long).
func (c *checker) numeric(m *Message, s *Segment, d Delimiters) {
	if !numericPositions[s.Tag] {
		return
	}
	v := s.Element(0).Component(1).Bytes()
	if len(v) == 0 {
		return
	}
	b := v
	if b[0] == '-' {
		b = b[1:]
	}
	digits, marks := 0, 0
	for k, ch := range b {
		switch {
		case ch >= '0' && ch <= '9':
			digits++
		case ch == d.Decimal:
			marks++
			if k == 0 {
				c.body(m, "no-digit-before-decimal", CodeNoDigitBeforeDecimal, s, 1, 2, "", "%s value %q has no digit before the decimal mark", s.Tag, v)
				return
			}
		case ch == '.' || ch == ',':
			c.body(m, "decimal-notation", CodeDecimalNotation, s, 1, 2, "", "%s value %q uses %q but UNA declares %q", s.Tag, v, ch, d.Decimal)
			return
		default:
			c.body(m, "wrong-character-type", CodeWrongCharType, s, 1, 2, "", "%s value %q is not numeric", s.Tag, v)
			return
		}
	}
	if marks > 1 || digits == 0 {
		c.body(m, "wrong-character-type", CodeWrongCharType, s, 1, 2, "", "%s value %q is not a number", s.Tag, v)
		return
	}
	if digits > 15 {
		c.body(m, "element-too-long", CodeTooLong, s, 1, 2, "", "%s value %q has %d digits, at most 15", s.Tag, v, digits)
	}
}

// pids detects the PIDs per transaction or message and checks them against
// the catalog value list of the format version (ref §6.3: missing or unknown
// PID is a syntax error, UCS 13 / UCD 12).
func (c *checker) pids(m *Message, sector Sector, v fv.Version) []PIDInfo {
	typ := c.h.Type
	scope := catalog.PIDScope(typ)
	if scope == catalog.ScopeNone {
		return []PIDInfo{}
	}
	txs := c.txs
	out := []PIDInfo{}
	if len(txs) == 0 {
		last := &m.Segments[max(len(m.Segments)-2, 0)]
		c.body(m, "transaction-missing", CodeMissing, last, 0, 0, "", "%s message holds no transaction", typ)
		return out
	}
	msgSector := sector
	if typ == catalog.UTILMD {
		if s, ok := catalog.SectorFromUTILMDVersion(c.h.Association); ok {
			msgSector = s
		} else {
			msgSector = catalog.SectorUnspecified
		}
	}
	for _, t := range txs {
		info := PIDInfo{Transaction: t.ID, PID: t.PID}
		if t.PIDSegment == nil {
			info.Status = "missing"
			at := c.pidAnchor(m)
			if t.Opening != nil {
				at = txPIDAnchor(m, t)
			}
			c.body(m, "pid-missing", CodeMissing, at, 0, 0, t.ID, "RFF+Z13 (Prüfidentifikator) is missing")
			out = append(out, info)
			continue
		}
		if v.IsZero() {
			info.Status = "undetermined"
			if !catalog.ValidPIDFormat(t.PID) {
				info.Status = "unknown"
				c.body(m, "pid-unknown", CodeInvalidValue, t.PIDSegment, 1, 2, t.ID, "Prüfidentifikator %q is malformed", t.PID)
			}
			out = append(out, info)
			continue
		}
		switch checkPID(typ, msgSector, v, t.PID) {
		case catalog.PIDKnown:
			info.Status = "known"
		case catalog.PIDUndetermined:
			info.Status = "undetermined"
		default:
			info.Status = "unknown"
			c.body(m, "pid-unknown", CodeInvalidValue, t.PIDSegment, 1, 2, t.ID,
				"Prüfidentifikator %q is not a %s PID in %s", t.PID, typ, v)
		}
		out = append(out, info)
	}
	return out
}

// pidAnchor is the segment after which a missing per-message RFF+Z13 is
// reported (ref §10.2: a missing segment is reported at the position of the
// segment it should follow): the last DTM after BGM, else BGM, else UNH.
func (c *checker) pidAnchor(m *Message) *Segment {
	at := &m.Segments[0]
	for i := 1; i < len(m.Segments); i++ {
		s := &m.Segments[i]
		if s.Tag == "BGM" || s.Tag == "DTM" && at.Tag != "UNH" {
			at = s
			continue
		}
		if at.Tag != "UNH" {
			break
		}
	}
	return at
}

// txPreamble are the segments a transaction carries before its PID group
// (UTILMD SG4 IDE, DTM, STS, FTX, AGR, then SG5 LOC before SG6 RFF; ref §6.1,
// §13 worked example).
var txPreamble = map[string]bool{"IDE": true, "CNI": true, "DOC": true, "DTM": true, "STS": true, "FTX": true, "AGR": true, "LOC": true}

// txPIDAnchor is the segment after which a transaction's missing RFF+Z13
// should have followed (ref §10.2): the last preamble segment.
func txPIDAnchor(m *Message, t Transaction) *Segment {
	at := &m.Segments[t.Start]
	for i := t.Start + 1; i < t.End && txPreamble[m.Segments[i].Tag]; i++ {
		at = &m.Segments[i]
	}
	return at
}

func (c *checker) contextSector() Sector {
	if c.cfg.sector != catalog.SectorUnspecified {
		return c.cfg.sector
	}
	u := c.unb
	if c.cfg.sectorOf != nil {
		if s := c.cfg.sectorOf(u.Recipient.ID); s != catalog.SectorUnspecified {
			return s
		}
	}
	if s, ok := partySector(u.Recipient.Qualifier); ok {
		return s
	}
	if s, ok := partySector(u.Sender.Qualifier); ok {
		return s
	}
	return catalog.SectorUnspecified
}

// sector sets the report sector: the first message sector, else context.
func (c *checker) sector() {
	if c.msgSector != catalog.SectorUnspecified {
		c.rep.Sector = c.msgSector
		return
	}
	c.rep.Sector = c.contextSector()
}
