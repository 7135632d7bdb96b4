// Package xmlutil holds the namespace-aware etree helpers shared by the as4 XML packages.
package xmlutil

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// Namespace URIs used across WS-Security, XMLDSig and XMLEnc.
const (
	NSSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
	NSWSSE   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NSWSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
	NSWSU    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	NSDS     = "http://www.w3.org/2000/09/xmldsig#"
	NSDS11   = "http://www.w3.org/2009/xmldsig11#"
	NSXENC   = "http://www.w3.org/2001/04/xmlenc#"
	NSXENC11 = "http://www.w3.org/2009/xmlenc11#"
	NSEC     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	NSEB     = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
	NSEBBP   = "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0"
)

// Is reports whether el is the element {ns}local.
func Is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// Child returns the first child element {ns}local of el, or nil.
func Child(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if Is(c, ns, local) {
			return c
		}
	}
	return nil
}

// Children returns all child elements {ns}local of el.
func Children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if Is(c, ns, local) {
			out = append(out, c)
		}
	}
	return out
}

// Path follows a chain of {ns}local steps from el; nil if any step is missing.
func Path(el *etree.Element, steps ...[2]string) *etree.Element {
	for _, s := range steps {
		el = Child(el, s[0], s[1])
	}
	return el
}

// Text returns the whitespace-trimmed text content of el ("" for nil).
func Text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

// AttrNS returns the value of attribute {ns}local of el (ns "" for an unqualified attribute).
func AttrNS(el *etree.Element, ns, local string) (string, bool) {
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Key != local || a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			continue
		}
		if ns == "" && a.Space == "" {
			return a.Value, true
		}
		if ns != "" && a.Space != "" && a.NamespaceURI() == ns {
			return a.Value, true
		}
	}
	return "", false
}

// ErrUnsafeXML is returned by Parse for documents with a DTD (entity expansion, external
// references) or that are not well-formed.
var ErrUnsafeXML = errors.New("xml: document refused")

// Parse reads a document, refusing DTDs and keeping duplicate attributes so that the
// canonicalizer can refuse them.
func Parse(b []byte) (*etree.Document, error) {
	if bytes.Contains(b, []byte("<!DOCTYPE")) || bytes.Contains(b, []byte("<!ENTITY")) {
		return nil, fmt.Errorf("%w: DTDs are not accepted", ErrUnsafeXML)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveDuplicateAttrs = true
	if err := doc.ReadFromBytes(NormalizeAttributeWhitespace(b)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsafeXML, err)
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("%w: no root element", ErrUnsafeXML)
	}
	return doc, nil
}

// NormalizeAttributeWhitespace applies the attribute-value normalization of XML 1.0 §3.3.3 to
// literal white space, which encoding/xml (and so etree) does not do: inside the quoted
// attribute values of start tags, a CR LF pair, CR, LF and TAB each become one space. Character
// references (&#10; etc.) are left alone and keep their character, as the specification wants.
// Text, comments, CDATA sections and processing instructions are not touched. Without this, a
// canonical form would differ from other implementations' for attribute values spanning lines.
func NormalizeAttributeWhitespace(b []byte) []byte {
	out := make([]byte, 0, len(b))
	skipTo := func(i int, end string) int {
		j := bytes.Index(b[i:], []byte(end))
		if j < 0 {
			return len(b)
		}
		return i + j + len(end)
	}
	for i := 0; i < len(b); {
		if b[i] != '<' {
			out = append(out, b[i])
			i++
			continue
		}
		rest := b[i:]
		var j int
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			j = skipTo(i+4, "-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			j = skipTo(i+9, "]]>")
		case bytes.HasPrefix(rest, []byte("<?")):
			j = skipTo(i+2, "?>")
		case bytes.HasPrefix(rest, []byte("<!")):
			j = skipTo(i+2, ">")
		default:
			// A start or end tag: copy up to the closing '>' outside quotes, normalizing inside.
			var quote byte
			k := i
			for ; k < len(b); k++ {
				c := b[k]
				if quote != 0 {
					switch {
					case c == quote:
						quote = 0
					case c == '\r' && k+1 < len(b) && b[k+1] == '\n':
						out = append(out, ' ')
						k++
						continue
					case c == '\r' || c == '\n' || c == '\t':
						out = append(out, ' ')
						continue
					}
				} else if c == '"' || c == '\'' {
					quote = c
				} else if c == '>' {
					out = append(out, c)
					k++
					break
				}
				out = append(out, c)
			}
			i = k
			continue
		}
		out = append(out, b[i:j]...)
		i = j
	}
	return out
}

// IDIndex maps the values of the ID-typed attributes WS-Security and XMLDSig use (wsu:Id, and
// unqualified Id and id) to their elements. A value that occurs twice is recorded in Dups: a
// reference to it is ambiguous and must be refused (signature wrapping defence).
type IDIndex struct {
	ByID map[string]*etree.Element
	Dups map[string]bool
}

// IndexIDs walks the tree below root.
func IndexIDs(root *etree.Element) *IDIndex {
	ix := &IDIndex{ByID: map[string]*etree.Element{}, Dups: map[string]bool{}}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for i := range e.Attr {
			a := &e.Attr[i]
			isID := (a.Space == "" && (a.Key == "Id" || a.Key == "id" || a.Key == "ID")) ||
				(a.Key == "Id" && a.Space != "" && a.NamespaceURI() == NSWSU)
			if !isID {
				continue
			}
			if prev, ok := ix.ByID[a.Value]; ok && prev != e {
				ix.Dups[a.Value] = true
			}
			ix.ByID[a.Value] = e
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	return ix
}

// DetachedCopy returns a deep copy of el that can stand on its own: every namespace prefix the
// subtree uses but does not declare is declared on the copy's root with the value in scope at el
// (the default namespace included). Used to move ds:Reference elements into receipts.
func DetachedCopy(el *etree.Element) *etree.Element {
	cp := el.Copy()
	used := map[string]bool{}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		used[e.Space] = true
		for _, a := range e.Attr {
			if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" {
				used[a.Space] = true
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(cp)
	for p := range used {
		declared := false
		for _, a := range cp.Attr {
			if (p == "" && a.Space == "" && a.Key == "xmlns") || (p != "" && a.Space == "xmlns" && a.Key == p) {
				declared = true
			}
		}
		if declared {
			continue
		}
		if uri, ok := inScope(el, p); ok {
			if p == "" {
				if uri != "" {
					cp.CreateAttr("xmlns", uri)
				}
			} else {
				cp.CreateAttr("xmlns:"+p, uri)
			}
		}
	}
	return cp
}

func inScope(el *etree.Element, prefix string) (string, bool) {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if (prefix == "" && a.Space == "" && a.Key == "xmlns") || (prefix != "" && a.Space == "xmlns" && a.Key == prefix) {
				return a.Value, true
			}
		}
	}
	return "", false
}
