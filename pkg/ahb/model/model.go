// Package model holds the normalized, project-owned AHB/MIG data format of
// mako-engine: one File per format version, message type and (for UTILMD)
// sector, written by internal/ahbgen from the shared AHB data and embedded in
// pkg/ahb. The package is pure data plus its line-oriented JSON codec; it
// imports no EDIFACT parser.
//
// A File holds two parts:
//   - the MIG model (MIG): the segment-group tree with each group's parent,
//     opening (trigger) segment and the order of its segments and child
//     groups, and the segment layouts (data-element positions and formats);
//   - the AHB (PIDs): per Prüfidentifikator the AHB lines in document order,
//     each a segment instance with its group, AHB expression, the group's
//     expression when the line opens a group instance, and its data elements
//     with their codes.
//
// Encode writes one AHB line per text line so that the data of the next
// format version shows as a reviewable diff.
package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// File is the AHB and MIG data of one format version, message type and sector.
type File struct {
	// FV is the format version in the short style, e.g. "FV2610".
	FV string `json:"fv"`
	// Type is the UNH 0065 message type, e.g. "UTILMD".
	Type string `json:"type"`
	// Sector is "Strom" or "Gas" for UTILMD, "" otherwise.
	Sector string `json:"sector,omitempty"`
	// Version is the MIG version (UNH 0057), e.g. "S2.2"; "" if unknown.
	Version string `json:"version,omitempty"`
	// Sources names the source files the data was derived from.
	Sources []string `json:"sources"`
	// Repairs lists the repairs the converter applied to the source data.
	Repairs []string `json:"repairs,omitempty"`
	// MIG is the message structure.
	MIG MIG `json:"mig"`
	// PIDs are the Prüfidentifikatoren in ascending order.
	PIDs []PID `json:"pids"`
	// Conditions are the condition texts by number ("480", "931"), as far as
	// the source carries them (only UTILMD in the current source).
	Conditions map[string]string `json:"conditions,omitempty"`
}

// MIG is the segment-group tree and the segment layouts of one message type.
type MIG struct {
	// Root lists the message-level items in MIG order: segment tags and group
	// ids ("SG4").
	Root []string `json:"root"`
	// RootOrdered reports whether Root's order is known (derived without
	// conflict); when false, order is not checked at this level.
	RootOrdered bool `json:"root_ordered"`
	// RootQualifiers are the Qualifiers of the message-level lines.
	RootQualifiers []Qualifier `json:"root_quals,omitempty"`
	// Groups are the segment groups in ascending number.
	Groups []Group `json:"groups"`
	// Segments are the segment layouts by tag, in ascending tag order.
	Segments []Layout `json:"segments"`
}

// Group is one segment group of the MIG tree.
type Group struct {
	// ID is the group id, e.g. "SG8".
	ID string `json:"id"`
	// Parent is the parent group id, "" for a message-level group.
	Parent string `json:"parent,omitempty"`
	// Trigger is the tag of the segment that opens a group instance.
	Trigger string `json:"trigger"`
	// Items lists the group's segment tags and child group ids in MIG order
	// (Trigger first).
	Items []string `json:"items"`
	// Ordered reports whether Items' order is known.
	Ordered bool `json:"ordered"`
	// Origin says where the group's place in the tree comes from.
	Origin string `json:"origin,omitempty"`
	// Qualifiers are the qualifiers the AHB lines of this group use, per
	// segment tag, over all PIDs of the file; they steer which group a
	// segment belongs to where the tree alone is ambiguous (MSCONS SG2 and
	// SG5 both open with NAD).
	Qualifiers []Qualifier `json:"quals,omitempty"`
}

// Qualifier is the union of the qualifying codes of the AHB lines with one
// segment tag in one group: the codes of the line's first data element at
// Pos/Sub. A Qualifier without Codes means some line of the tag has none.
type Qualifier struct {
	Tag   string   `json:"tag"`
	Pos   int      `json:"pos"`
	Sub   int      `json:"sub"`
	Codes []string `json:"codes,omitempty"`
}

// Layout is the data-element layout of one segment tag (UN D.11A segment
// directory as used by the EDI@Energy MIG).
type Layout struct {
	// Tag is the segment tag.
	Tag string `json:"tag"`
	// Elements are the data elements in segment order. A data element id may
	// occur more than once (e.g. STS 9013).
	Elements []Element `json:"elements"`
}

// Element is the position and format of one (component) data element.
type Element struct {
	// ID is the data element id, e.g. "2380".
	ID string `json:"id"`
	// Pos is the 0-based data element position after the tag.
	Pos int `json:"pos"`
	// Sub is the 0-based component position inside a composite, 0 for a
	// simple data element.
	Sub int `json:"sub"`
	// Format is the MIG format, e.g. "an..35" or "n..15"; "" if unknown.
	Format string `json:"fmt,omitempty"`
}

// PID is the AHB column of one Prüfidentifikator.
type PID struct {
	// ID is the Prüfidentifikator, e.g. "55001".
	ID string `json:"pid"`
	// Name is the AHB's short description.
	Name string `json:"name"`
	// Lines are the AHB lines in document order.
	Lines []Line `json:"lines"`
}

// Line is one AHB line: a segment instance.
type Line struct {
	// Group is the segment group id, "" at message level.
	Group string `json:"sg,omitempty"`
	// Seg is the segment tag.
	Seg string `json:"seg"`
	// Expr is the segment's AHB expression, e.g. "Muss [10]".
	Expr string `json:"expr"`
	// GroupExpr is the group's AHB expression when this line opens a group
	// instance (the group's trigger segment), "" otherwise.
	GroupExpr string `json:"sg_expr,omitempty"`
	// Section is the AHB's name of the line, e.g. "Beginn zum".
	Section string `json:"section,omitempty"`
	// Elements are the data elements the AHB lists for this line.
	Elements []LineElement `json:"des,omitempty"`
}

// LineElement is one data element of an AHB line.
type LineElement struct {
	// ID is the data element id.
	ID string `json:"de"`
	// Pos and Sub are the position in the segment (see Element); -1 when the
	// position could not be determined unambiguously.
	Pos int `json:"pos"`
	Sub int `json:"sub"`
	// Expr is the AHB expression of the data element, e.g. "X [950]".
	Expr string `json:"expr,omitempty"`
	// Name is the AHB's name of the data element.
	Name string `json:"name,omitempty"`
	// Codes are the allowed codes, each [value, AHB expression].
	Codes [][2]string `json:"codes,omitempty"`
}

// Decode reads a File written by Encode (any JSON encoding of File works).
func Decode(data []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("model: decode: %w", err)
	}
	return &f, nil
}

// Encode writes f as JSON with one PID header and one AHB line per text line,
// so that a new format version diffs line by line.
func Encode(w io.Writer, f *File) error {
	bw := bufio.NewWriter(w)
	enc := func(v any) []byte {
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			panic(err) // only plain data types are encoded
		}
		return bytes.TrimRight(buf.Bytes(), "\n")
	}
	p := func(parts ...any) {
		for _, x := range parts {
			switch x := x.(type) {
			case string:
				bw.WriteString(x)
			case []byte:
				bw.Write(x)
			}
		}
	}
	p(`{"fv":`, enc(f.FV), `,"type":`, enc(f.Type))
	if f.Sector != "" {
		p(`,"sector":`, enc(f.Sector))
	}
	if f.Version != "" {
		p(`,"version":`, enc(f.Version))
	}
	p("\n" + `,"sources":`)
	p("[\n")
	for i, s := range f.Sources {
		if i > 0 {
			p(",\n")
		}
		p("", enc(s))
	}
	p("\n]")
	if len(f.Repairs) > 0 {
		p("\n" + `,"repairs":[` + "\n")
		for i, s := range f.Repairs {
			if i > 0 {
				p(",\n")
			}
			p("", enc(s))
		}
		p("\n]")
	}
	p("\n"+`,"mig":{"root":`, enc(f.MIG.Root), `,"root_ordered":`, enc(f.MIG.RootOrdered))
	if len(f.MIG.RootQualifiers) > 0 {
		p(`,"root_quals":`, enc(f.MIG.RootQualifiers))
	}
	p("\n" + `,"groups":[` + "\n")
	for i, g := range f.MIG.Groups {
		if i > 0 {
			p(",\n")
		}
		p("", enc(g))
	}
	p("\n]\n" + `,"segments":[` + "\n")
	for i, l := range f.MIG.Segments {
		if i > 0 {
			p(",\n")
		}
		p("", enc(l))
	}
	p("\n]}\n" + `,"pids":[` + "\n")
	for i, pid := range f.PIDs {
		if i > 0 {
			p(",\n")
		}
		p(`{"pid":`, enc(pid.ID), `,"name":`, enc(pid.Name))
		p("\n" + `,"lines":[` + "\n")
		for j, l := range pid.Lines {
			if j > 0 {
				p(",\n")
			}
			p("", enc(l))
		}
		p("\n]}")
	}
	p("\n]")
	if len(f.Conditions) > 0 {
		keys := make([]string, 0, len(f.Conditions))
		for k := range f.Conditions {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareConditionNumbers)
		p("\n" + `,"conditions":{` + "\n")
		for i, k := range keys {
			if i > 0 {
				p(",\n")
			}
			p("", enc(k), []byte(":"), enc(f.Conditions[k]))
		}
		p("\n}")
	}
	p("}\n")
	return bw.Flush()
}

// compareConditionNumbers orders numeric condition keys numerically, others
// after them lexically.
func compareConditionNumbers(a, b string) int {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case ea == nil && eb == nil:
		return na - nb
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// RawPID is the undecoded AHB column of one PID inside a File written by
// Encode: its id and name, and the JSON of the whole PID for DecodePID.
type RawPID struct {
	ID, Name string
	JSON     []byte
}

// DecodeIndexed decodes a File written by Encode without decoding its PIDs:
// it returns the File with PIDs nil and the raw PIDs in file order, so that a
// reader can decode only the PIDs it needs (DecodePID). It relies on Encode's
// layout (one PID header line starting with {"pid": per PID, the array
// closed by a line "]"); for other encodings it decodes everything.
func DecodeIndexed(data []byte) (*File, []RawPID, error) {
	const open = "\n,\"pids\":[\n"
	i := bytes.Index(data, []byte(open))
	if i < 0 {
		return decodeAll(data)
	}
	body := data[i+len(open):]
	end := bytes.Index(body, []byte("\n]\n,\"conditions\":{"))
	if end < 0 && bytes.HasSuffix(body, []byte("\n]}\n")) {
		end = len(body) - len("\n]}\n")
	}
	if end < 0 {
		return decodeAll(data)
	}
	head := make([]byte, 0, i+len(body)-end+16)
	head = append(head, data[:i]...)
	head = append(head, body[end+2:]...) // "," conditions … "}" or "}"
	var f File
	if err := json.Unmarshal(head, &f); err != nil {
		return decodeAll(data)
	}
	var raws []RawPID
	pids := body[:end]
	for len(pids) > 0 {
		next := bytes.Index(pids[1:], []byte("\n{\"pid\":"))
		chunk := pids
		if next >= 0 {
			chunk, pids = pids[:next+1], pids[next+2:]
		} else {
			pids = nil
		}
		chunk = bytes.TrimSuffix(bytes.TrimRight(chunk, "\n"), []byte(","))
		nl := bytes.IndexByte(chunk, '\n')
		if nl < 0 {
			return decodeAll(data)
		}
		var hdr struct {
			ID   string `json:"pid"`
			Name string `json:"name"`
		}
		if err := json.Unmarshal(append(chunk[:nl:nl], '}'), &hdr); err != nil {
			return decodeAll(data)
		}
		raws = append(raws, RawPID{ID: hdr.ID, Name: hdr.Name, JSON: chunk})
	}
	return &f, raws, nil
}

func decodeAll(data []byte) (*File, []RawPID, error) {
	f, err := Decode(data)
	if err != nil {
		return nil, nil, err
	}
	raws := make([]RawPID, 0, len(f.PIDs))
	for _, p := range f.PIDs {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, nil, err
		}
		raws = append(raws, RawPID{ID: p.ID, Name: p.Name, JSON: b})
	}
	f.PIDs = nil
	return f, raws, nil
}

// DecodePID decodes one raw PID.
func DecodePID(r RawPID) (*PID, error) {
	var p PID
	if err := json.Unmarshal(r.JSON, &p); err != nil {
		return nil, fmt.Errorf("model: decode PID %s: %w", r.ID, err)
	}
	return &p, nil
}
