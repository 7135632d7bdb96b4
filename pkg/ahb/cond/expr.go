// Package cond parses and evaluates the condition expressions of the BDEW /
// EDI@Energy Anwendungshandbücher (AHB): the status words Muss/Soll/Kann
// (M/S/K) and X/O/U, numbered conditions "[n]", time conditions "[UBn]", code
// packages "[nP]"/"[nPa..b]", the operators ∧ ∨ ⊻ (ASCII U O X) and brackets;
// an expression may hold several status+condition pairs ("Muss [13] Soll [9]").
//
// Evaluation is three-valued (Kleene): a condition the code cannot decide —
// no predicate, or the message/Scope lacks the context — is Unknown and is
// reported as not evaluated, never as a pass. Hints ([500]–[899]) are
// informational and neutral; format conditions ([9xx]) are checked on the
// data element value; repeatability conditions and packages are cardinalities
// left to the validator (see Expr.Refs).
//
// Predicates live in one registration table per message type (predicates_*.go);
// PredicatesFor returns the Set for a message type and format version.
package cond

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Status is the status word of an AHB expression.
type Status uint8

// Status words.
const (
	// StatusNone: no status applies (or it could not be determined).
	StatusNone Status = iota
	// StatusMuss: "Muss" / "M" — mandatory when the condition holds.
	StatusMuss
	// StatusSoll: "Soll" / "S" — should be sent when the condition holds.
	StatusSoll
	// StatusKann: "Kann" / "K" — may be sent when the condition holds.
	StatusKann
	// StatusX: "X" — to be used (data elements and codes) when the condition
	// holds.
	StatusX
	// StatusO: "O" — optional.
	StatusO
	// StatusU: "U" — as in the older AHB tables; treated as required like X.
	StatusU
)

var statusNames = [...]string{"", "Muss", "Soll", "Kann", "X", "O", "U"}

// String returns the AHB spelling ("Muss", "X", …), "" for StatusNone.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return ""
}

// Required reports whether a line with this status must be present when its
// condition holds: Muss, X and U. Soll, Kann and O are not enforceable.
func (s Status) Required() bool { return s == StatusMuss || s == StatusX || s == StatusU }

type op uint8

const (
	opRef op = iota
	opAnd
	opOr
	opXor
)

type node struct {
	op   op
	a, b int32 // operands of opAnd/opOr/opXor
	ref  Ref   // opRef
}

type pair struct {
	status Status
	root   int32 // -1: no condition (unconditional)
}

// Expr is a parsed AHB expression. It is immutable and safe for concurrent
// use; parse once and cache it (the validator does).
type Expr struct {
	src   string
	pairs []pair
	nodes []node
	refs  []Ref // distinct, in order of first appearance
}

// String returns the source text the expression was parsed from.
func (e *Expr) String() string { return e.src }

// Statuses returns the status words of the expression's pairs in order.
func (e *Expr) Statuses() []Status {
	out := make([]Status, len(e.pairs))
	for i, p := range e.pairs {
		out[i] = p.status
	}
	return out
}

// Refs returns the distinct references of the expression in order of first
// appearance. The slice is shared: do not modify it.
func (e *Expr) Refs() []Ref { return e.refs }

// Conditional reports whether any pair has a condition.
func (e *Expr) Conditional() bool {
	for _, p := range e.pairs {
		if p.root >= 0 {
			return true
		}
	}
	return false
}

// ParseError reports an expression that does not follow the AHB grammar.
type ParseError struct {
	Expr string // the input
	Pos  int    // byte offset of the problem
	Msg  string
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("cond: parse %q at %d: %s", e.Expr, e.Pos, e.Msg)
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tAnd // ∧
	tOr  // ∨
	tXor // ⊻
	tLParen
	tRParen
	tRef
)

type token struct {
	kind tokKind
	pos  int
	text string // tWord: the word
	ref  Ref
}

// Parse parses an AHB expression: one or more pairs of a status word and an
// optional condition expression. Accepted spellings: Muss/M, Soll/S, Kann/K,
// X (also "x"), O, U as status words; ∧/U, ∨/O, ⊻/X as operators (the ASCII
// letters, case-insensitive, only where an operator is expected; "V" is read
// as ∨ because the source data contains it); juxtaposed operands ("[914] [22]",
// "then also") are a conjunction binding tighter than ∧. Precedence: brackets,
// juxtaposition, ∧, ⊻, ∨ (as in Hochfrequenz ahbicht). Whitespace including
// line breaks is ignored.
func Parse(expr string) (*Expr, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{src: expr, toks: toks}
	e := &Expr{src: expr}
	for p.peek().kind != tEOF {
		t := p.next()
		if t.kind != tWord {
			return nil, p.errAt(t.pos, "status word expected")
		}
		st, ok := statusWord(t.text)
		if !ok {
			return nil, p.errAt(t.pos, "unknown status word "+strconv.Quote(t.text))
		}
		pr := pair{status: st, root: -1}
		if k := p.peek().kind; k == tRef || k == tLParen {
			root, err := p.parseOr(e)
			if err != nil {
				return nil, err
			}
			pr.root = root
		}
		e.pairs = append(e.pairs, pr)
	}
	if len(e.pairs) == 0 {
		return nil, &ParseError{Expr: expr, Msg: "empty expression"}
	}
	return e, nil
}

// MustParse is Parse that panics on error; for tables and tests.
func MustParse(expr string) *Expr {
	e, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return e
}

func statusWord(w string) (Status, bool) {
	switch w {
	case "Muss", "M":
		return StatusMuss, true
	case "Soll", "S":
		return StatusSoll, true
	case "Kann", "K":
		return StatusKann, true
	case "X", "x":
		return StatusX, true
	case "O":
		return StatusO, true
	case "U":
		return StatusU, true
	}
	return StatusNone, false
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(pos int, msg string) error {
	return &ParseError{Expr: p.src, Pos: pos, Msg: msg}
}

// operator reports the binary operator at the current token, reading the
// ASCII letters U/O/X/V as operators.
func (p *parser) operator() (op, bool) {
	t := p.peek()
	switch t.kind {
	case tAnd:
		return opAnd, true
	case tOr:
		return opOr, true
	case tXor:
		return opXor, true
	case tWord:
		switch t.text {
		case "U", "u":
			return opAnd, true
		case "O", "o", "V", "v":
			return opOr, true
		case "X", "x":
			return opXor, true
		}
	}
	return 0, false
}

func (p *parser) binary(e *Expr, want op, sub func(*Expr) (int32, error)) (int32, error) {
	l, err := sub(e)
	if err != nil {
		return -1, err
	}
	for {
		o, ok := p.operator()
		if !ok || o != want {
			return l, nil
		}
		t := p.next()
		if k := p.peek().kind; k != tRef && k != tLParen {
			return -1, p.errAt(t.pos, "operand expected after operator")
		}
		r, err := sub(e)
		if err != nil {
			return -1, err
		}
		e.nodes = append(e.nodes, node{op: want, a: l, b: r})
		l = int32(len(e.nodes) - 1)
	}
}

func (p *parser) parseOr(e *Expr) (int32, error) { return p.binary(e, opOr, p.parseXor) }

func (p *parser) parseXor(e *Expr) (int32, error) { return p.binary(e, opXor, p.parseAnd) }

func (p *parser) parseAnd(e *Expr) (int32, error) { return p.binary(e, opAnd, p.parseJuxt) }

// parseJuxt reads operands written next to each other without an operator.
func (p *parser) parseJuxt(e *Expr) (int32, error) {
	l, err := p.parsePrimary(e)
	if err != nil {
		return -1, err
	}
	for {
		if k := p.peek().kind; k != tRef && k != tLParen {
			return l, nil
		}
		r, err := p.parsePrimary(e)
		if err != nil {
			return -1, err
		}
		e.nodes = append(e.nodes, node{op: opAnd, a: l, b: r})
		l = int32(len(e.nodes) - 1)
	}
}

func (p *parser) parsePrimary(e *Expr) (int32, error) {
	t := p.next()
	switch t.kind {
	case tRef:
		e.nodes = append(e.nodes, node{op: opRef, ref: t.ref})
		seen := false
		for _, r := range e.refs {
			if r == t.ref {
				seen = true
				break
			}
		}
		if !seen {
			e.refs = append(e.refs, t.ref)
		}
		return int32(len(e.nodes) - 1), nil
	case tLParen:
		n, err := p.parseOr(e)
		if err != nil {
			return -1, err
		}
		if c := p.next(); c.kind != tRParen {
			return -1, p.errAt(c.pos, "')' expected")
		}
		return n, nil
	}
	return -1, p.errAt(t.pos, "condition or '(' expected")
}

func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{kind: tLParen, pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tRParen, pos: i})
			i++
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, &ParseError{Expr: s, Pos: i, Msg: "unterminated '['"}
			}
			r, err := parseRef(s[i+1 : i+end])
			if err != nil {
				return nil, &ParseError{Expr: s, Pos: i, Msg: err.Error()}
			}
			toks = append(toks, token{kind: tRef, pos: i, ref: r})
			i += end + 1
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tWord, pos: i, text: s[i:j]})
			i = j
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch r {
			case '∧':
				toks = append(toks, token{kind: tAnd, pos: i})
			case '∨':
				toks = append(toks, token{kind: tOr, pos: i})
			case '⊻':
				toks = append(toks, token{kind: tXor, pos: i})
			case '\u00a0', '\u2009', '\u202f':
			default:
				return nil, &ParseError{Expr: s, Pos: i, Msg: "unexpected character " + strconv.QuoteRune(r)}
			}
			i += size
		}
	}
	return append(toks, token{kind: tEOF, pos: len(s)}), nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseRef reads the inside of a bracket: "480", "2P0..n", "2P", "UB1"
// (spaces ignored).
func parseRef(in string) (Ref, error) {
	s := strings.ReplaceAll(strings.TrimSpace(in), " ", "")
	kind := RefCondition
	if strings.HasPrefix(s, "UB") {
		kind, s = RefTime, s[2:]
	}
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 0 {
		return Ref{}, fmt.Errorf("bad reference [%s]", in)
	}
	n, err := strconv.Atoi(s[:j])
	if err != nil || n <= 0 || n >= Many {
		return Ref{}, fmt.Errorf("bad number in [%s]", in)
	}
	r := Ref{Kind: kind, N: uint16(n)}
	rest := s[j:]
	if rest == "" {
		return r, nil
	}
	if kind != RefCondition || rest[0] != 'P' {
		return Ref{}, fmt.Errorf("bad reference [%s]", in)
	}
	r.Kind = RefPackage
	rest = rest[1:]
	if rest == "" {
		return r, nil
	}
	lo, hi, ok := strings.Cut(rest, "..")
	if !ok {
		return Ref{}, fmt.Errorf("bad package range [%s]", in)
	}
	a, err := strconv.Atoi(lo)
	if err != nil || a < 0 || a >= Many {
		return Ref{}, fmt.Errorf("bad package minimum [%s]", in)
	}
	b := Many
	if hi != "n" {
		if b, err = strconv.Atoi(hi); err != nil || b < a || b >= Many {
			return Ref{}, fmt.Errorf("bad package maximum [%s]", in)
		}
	}
	r.Min, r.Max = uint16(a), uint16(b)
	return r, nil
}
