package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// jsLiteral extracts the object literal assigned to the JavaScript variable
// name ("var name = {…};" or "const name = {…};") from a file and decodes it
// as JSON. The file is read as data, never executed; a literal that is not
// JSON (unquoted keys, comments, trailing commas) is normalised first.
func jsLiteral(path, name string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	src := string(b)
	re := regexp.MustCompile(`(?m)^\s*(?:var|const|let)\s+` + regexp.QuoteMeta(name) + `\s*=\s*`)
	loc := re.FindStringIndex(src)
	if loc == nil {
		return fmt.Errorf("%s: no variable %s", path, name)
	}
	lit, err := balanced(src[loc[1]:])
	if err != nil {
		return fmt.Errorf("%s: %s: %w", path, name, err)
	}
	if err := json.Unmarshal([]byte(lit), v); err != nil {
		norm := normaliseJS(lit)
		if err2 := json.Unmarshal([]byte(norm), v); err2 != nil {
			return fmt.Errorf("%s: %s: not JSON (%v; after normalising: %v)", path, name, err, err2)
		}
	}
	return nil
}

// balanced returns the leading {…} or […] literal of s, honouring strings.
func balanced(s string) (string, error) {
	if s == "" || (s[0] != '{' && s[0] != '[') {
		return "", fmt.Errorf("literal does not start with { or [")
	}
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '/':
			if i+1 < len(s) && s[i+1] == '/' { // line comment
				for i < len(s) && s[i] != '\n' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return s[:i+1], nil
			}
		}
	}
	return "", fmt.Errorf("unbalanced literal")
}

var (
	reLineComment = regexp.MustCompile(`(?m)^\s*//.*$`)
	reTrailComma  = regexp.MustCompile(`,(\s*[}\]])`)
	reBareKey     = regexp.MustCompile(`([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:`)
)

// normaliseJS turns a JavaScript object literal of plain data into JSON:
// whole-line comments and trailing commas removed, bare keys quoted,
// single-quoted strings converted.
func normaliseJS(s string) string {
	s = reLineComment.ReplaceAllString(s, "")
	s = singleToDouble(s)
	s = reBareKey.ReplaceAllString(s, `$1"$2":`)
	s = reTrailComma.ReplaceAllString(s, "$1")
	return s
}

// singleToDouble rewrites '…' string literals as "…" literals and drops
// // comments outside strings.
func singleToDouble(s string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == 0 && c == '/' && i+1 < len(s) && s[i+1] == '/': // comment to the end of the line
			for i < len(s) && s[i] != '\n' {
				i++
			}
			if i < len(s) {
				b.WriteByte('\n')
			}
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
			b.WriteByte('"')
		case quote != 0 && c == '\\' && i+1 < len(s):
			if quote == '\'' && s[i+1] == '\'' {
				b.WriteByte('\'')
			} else {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case quote != 0 && c == quote:
			quote = 0
			b.WriteByte('"')
		case quote == '\'' && c == '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
