// Package c14n implements Exclusive XML Canonicalization 1.0 (W3C Recommendation 18 July 2002,
// http://www.w3.org/2001/10/xml-exc-c14n#), with and without comments and with the
// InclusiveNamespaces PrefixList, over a github.com/beevik/etree tree.
//
// The node set canonicalized is always an element subtree (the apex element, its attributes and
// all its descendants), the only shape XMLDSig same-document references ("#id"), SignedInfo and
// the WS-Security references of the BDEW AS4 profile produce. Namespace declarations of the apex's
// ancestors are in scope, as XPath namespace nodes would be. A whole document is canonicalized
// with Document.
//
// encoding/xml (which etree uses) does not apply XML attribute-value normalization, so literal
// tabs and line breaks inside attribute values must be normalized before parsing; the as4
// packages parse with internal/xmlutil.Parse, which does (checked against xmllint).
package c14n

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// Algorithm URIs of Exclusive XML Canonicalization.
const (
	// Algorithm is exclusive canonicalization without comments.
	Algorithm = "http://www.w3.org/2001/10/xml-exc-c14n#"
	// AlgorithmWithComments is exclusive canonicalization with comments.
	AlgorithmWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	// xmlNamespace is the namespace bound to the reserved prefix "xml".
	xmlNamespace = "http://www.w3.org/XML/1998/namespace"
)

// ErrMalformed is wrapped by every error about input the canonicalizer cannot give a canonical
// form for (an unbound prefix, duplicate attributes).
var ErrMalformed = errors.New("c14n: malformed XML")

// Option configures a canonicalization.
type Option func(*config)

type config struct {
	comments  bool
	inclusive map[string]bool
}

// WithComments keeps comments (the #WithComments variant).
func WithComments() Option { return func(c *config) { c.comments = true } }

// WithInclusivePrefixes names the prefixes of the InclusiveNamespaces PrefixList, which are
// treated as in inclusive C14N. "#default" stands for the default namespace.
func WithInclusivePrefixes(prefixes ...string) Option {
	return func(c *config) {
		if c.inclusive == nil {
			c.inclusive = map[string]bool{}
		}
		for _, p := range prefixes {
			if p == "#default" {
				p = ""
			}
			c.inclusive[p] = true
		}
	}
}

// ParsePrefixList splits the whitespace-separated PrefixList attribute of an
// ec:InclusiveNamespaces element.
func ParsePrefixList(list string) []string { return strings.Fields(list) }

// Canonicalize returns the exclusive canonical form of the subtree rooted at el.
func Canonicalize(el *etree.Element, opts ...Option) ([]byte, error) {
	w, buf := newWriter(opts)
	if err := w.element(el, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Document returns the exclusive canonical form of a whole document: the root element plus the
// comments (with WithComments) and processing instructions outside it, each separated from the
// root by a line feed as C14N 1.0 §2.1 prescribes. The XML declaration and DTD are dropped.
func Document(doc *etree.Document, opts ...Option) ([]byte, error) {
	w, buf := newWriter(opts)
	seenRoot := false
	for _, tok := range doc.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if err := w.element(t, nil); err != nil {
				return nil, err
			}
			seenRoot = true
		case *etree.Comment:
			if w.cfg.comments {
				if seenRoot {
					buf.WriteByte('\n')
				}
				w.comment(t)
				if !seenRoot {
					buf.WriteByte('\n')
				}
			}
		case *etree.ProcInst:
			if t.Target == "xml" {
				continue
			}
			if seenRoot {
				buf.WriteByte('\n')
			}
			w.procInst(t)
			if !seenRoot {
				buf.WriteByte('\n')
			}
		}
	}
	return buf.Bytes(), nil
}

func newWriter(opts []Option) (*writer, *bytes.Buffer) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	buf := &bytes.Buffer{}
	return &writer{cfg: c, buf: buf}, buf
}

// rendered maps each prefix ("" for the default namespace) to the namespace URI an output
// ancestor rendered for it.
type rendered map[string]string

type writer struct {
	cfg config
	buf *bytes.Buffer
}

// lookup returns the namespace URI bound to prefix in the scope of el, and whether it is bound.
// The default namespace is reported bound (to "") when nothing declares it.
func lookup(el *etree.Element, prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNamespace, true
	}
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if prefix == "" && a.Space == "" && a.Key == "xmlns" {
				return a.Value, true
			}
			if prefix != "" && a.Space == "xmlns" && a.Key == prefix {
				return a.Value, true
			}
		}
	}
	return "", prefix == ""
}

func isNSDecl(a etree.Attr) bool { return a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") }

type nsDecl struct{ prefix, uri string }

type attr struct {
	uri, local, qname, value string
}

func (w *writer) element(el *etree.Element, parent rendered) error {
	// Namespaces: visibly utilized prefixes (element and attribute prefixes), plus the
	// inclusive ones in scope.
	utilized := map[string]bool{el.Space: true}
	var attrs []attr
	seen := map[[2]string]bool{}
	for _, a := range el.Attr {
		if isNSDecl(a) {
			continue
		}
		uri := ""
		if a.Space != "" {
			u, ok := lookup(el, a.Space)
			if !ok {
				return fmt.Errorf("%w: attribute %s:%s uses unbound prefix", ErrMalformed, a.Space, a.Key)
			}
			uri = u
			if a.Space != "xml" {
				utilized[a.Space] = true
			}
		}
		k := [2]string{uri, a.Key}
		if seen[k] {
			return fmt.Errorf("%w: duplicate attribute {%s}%s on <%s>", ErrMalformed, uri, a.Key, el.FullTag())
		}
		seen[k] = true
		attrs = append(attrs, attr{uri: uri, local: a.Key, qname: a.FullKey(), value: a.Value})
	}
	cur := rendered{}
	for k, v := range parent {
		cur[k] = v
	}
	var decls []nsDecl
	consider := func(prefix string, mustBeBound bool) error {
		if prefix == "xml" {
			return nil
		}
		uri, ok := lookup(el, prefix)
		if !ok {
			if mustBeBound {
				return fmt.Errorf("%w: prefix %q of <%s> is not bound", ErrMalformed, prefix, el.FullTag())
			}
			return nil
		}
		prev, had := parent[prefix]
		if prefix == "" && !had {
			prev, had = "", true // the default namespace starts out as "no namespace"
		}
		if had && prev == uri {
			return nil
		}
		cur[prefix] = uri
		decls = append(decls, nsDecl{prefix, uri})
		return nil
	}
	for p := range utilized {
		if err := consider(p, true); err != nil {
			return err
		}
	}
	for p := range w.cfg.inclusive {
		if utilized[p] {
			continue
		}
		if err := consider(p, false); err != nil {
			return err
		}
	}
	slices.SortFunc(decls, func(a, b nsDecl) int { return strings.Compare(a.prefix, b.prefix) })
	slices.SortFunc(attrs, func(a, b attr) int {
		if c := strings.Compare(a.uri, b.uri); c != 0 {
			return c
		}
		return strings.Compare(a.local, b.local)
	})

	b := w.buf
	b.WriteByte('<')
	b.WriteString(el.FullTag())
	for _, d := range decls {
		if d.prefix == "" {
			b.WriteString(` xmlns="`)
		} else {
			b.WriteString(` xmlns:`)
			b.WriteString(d.prefix)
			b.WriteString(`="`)
		}
		escapeAttr(b, d.uri)
		b.WriteByte('"')
	}
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.qname)
		b.WriteString(`="`)
		escapeAttr(b, a.value)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if err := w.element(t, cur); err != nil {
				return err
			}
		case *etree.CharData:
			escapeText(b, t.Data)
		case *etree.Comment:
			if w.cfg.comments {
				w.comment(t)
			}
		case *etree.ProcInst:
			w.procInst(t)
		}
	}
	b.WriteString("</")
	b.WriteString(el.FullTag())
	b.WriteByte('>')
	return nil
}

func (w *writer) comment(c *etree.Comment) {
	w.buf.WriteString("<!--")
	w.buf.WriteString(strings.ReplaceAll(c.Data, "\r", "&#xD;"))
	w.buf.WriteString("-->")
}

func (w *writer) procInst(p *etree.ProcInst) {
	w.buf.WriteString("<?")
	w.buf.WriteString(p.Target)
	if p.Inst != "" {
		w.buf.WriteByte(' ')
		w.buf.WriteString(strings.TrimLeft(p.Inst, " \t\n\r"))
	}
	w.buf.WriteString("?>")
}

func escapeText(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteByte(c)
		}
	}
}

func escapeAttr(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteByte(c)
		}
	}
}
