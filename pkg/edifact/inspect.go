package edifact

import (
	"time"
)

// Inspection is the summary of one file that `mako edi inspect` prints; its
// JSON field names are stable and documented in docs/edifact.md.
type Inspection struct {
	File string `json:"file"`
	// Error is set when the file could not be parsed at all (a limit was
	// exceeded or it holds no segment); the other fields are then empty.
	Error          string              `json:"error,omitempty"`
	Interchange    *InterchangeSummary `json:"interchange,omitempty"`
	Received       string              `json:"received,omitempty"`        // RFC 3339, UTC
	ReceivedSource string              `json:"received_source,omitempty"` // "option" or "UNB"
	FormatVersion  string              `json:"format_version"`            // e.g. "FV2610", "" if unresolved
	Sector         string              `json:"sector"`                    // "Strom", "Gas" or ""
	Messages       []MessageInfo       `json:"messages"`
	Findings       []Finding           `json:"findings"`
	Warnings       []string            `json:"warnings"`
	Notes          []string            `json:"notes"`
	// Clean is true when the file parsed and has no finding.
	Clean  bool `json:"clean"`
	report *Report
	ix     *Interchange
}

// InterchangeSummary describes the UNB/UNZ envelope.
type InterchangeSummary struct {
	Ref       string `json:"ref"` // UNB 0020
	Sender    Party  `json:"sender"`
	Recipient Party  `json:"recipient"`
	Prepared  string `json:"prepared,omitempty"` // UNB S004 as RFC 3339 (UTC)
	Syntax    string `json:"syntax"`             // S001, e.g. "UNOC:3"
	AppRef    string `json:"app_ref,omitempty"`  // 0026
	Test      bool   `json:"test"`               // 0035 = 1
	UNA       bool   `json:"una"`                // UNA present
	Encoding  string `json:"encoding"`           // "ISO-8859-1" or "UTF-8"
	Segments  int    `json:"segments"`
	Messages  int    `json:"message_count"`
}

// Inspect parses and checks data and summarises the result. The error is
// non-nil only for failures that are reported in Inspection.Error as well
// (limits, no EDIFACT); the caller decides how to treat them.
func Inspect(file string, data []byte, opts ...CheckOption) (*Inspection, error) {
	in := &Inspection{File: file, Messages: []MessageInfo{}, Findings: []Finding{}, Warnings: []string{}, Notes: []string{}}
	ix, rep, err := Analyze(data, opts...)
	if err != nil {
		in.Error = err.Error()
		return in, err
	}
	in.ix, in.report = ix, rep
	u := ix.UNB()
	sum := &InterchangeSummary{
		Ref: u.ControlRef, Sender: u.Sender, Recipient: u.Recipient, AppRef: u.AppRef, Test: u.IsTest(),
		UNA: ix.HasUNA, Encoding: ix.Encoding.String(), Segments: len(ix.Segments), Messages: len(ix.Messages),
	}
	if u.SyntaxID != "" || u.SyntaxVersion != "" {
		sum.Syntax = u.SyntaxID + ":" + u.SyntaxVersion
	}
	if t, ok := u.Prepared(); ok {
		sum.Prepared = t.UTC().Format(time.RFC3339)
	}
	in.Interchange = sum
	if !rep.Received.IsZero() {
		in.Received = rep.Received.UTC().Format(time.RFC3339)
		in.ReceivedSource = rep.ReceivedSource
	}
	in.FormatVersion = rep.FormatVersion.String()
	in.Sector = rep.Sector.String()
	in.Messages = rep.Messages
	in.Findings = append(in.Findings, rep.Findings...)
	in.Warnings = append(in.Warnings, ix.Warnings...)
	in.Notes = append(in.Notes, rep.Notes...)
	in.Clean = rep.Clean()
	return in, nil
}

// ParsedInterchange returns the parsed interchange (nil if parsing failed).
func (in *Inspection) ParsedInterchange() *Interchange { return in.ix }

// Report returns the check report (nil if parsing failed).
func (in *Inspection) Report() *Report { return in.report }
