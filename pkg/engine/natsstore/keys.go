package natsstore

import (
	"fmt"
	"strings"
)

// KV keys may contain only [-/_=.a-zA-Z0-9], and "." separates the tokens
// that filters match on. escapeToken maps an arbitrary byte string to one
// such token reversibly: [A-Za-z0-9-] stay, every other byte becomes "_XX"
// (upper-case hex), so "conv:4711" is "conv_3A4711" and stays readable in
// `nats kv ls`. The result is at most three times as long as the input.
func escapeToken(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			b.WriteByte(c)
		default:
			const hex = "0123456789ABCDEF"
			b.WriteByte('_')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	return b.String()
}

// unescapeToken inverts escapeToken.
func unescapeToken(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("truncated escape in %q", s)
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// snapshotKey is the KV key of a process snapshot, "<tenant>.<process>"
// (both already valid key tokens).
func snapshotKey(tenant, process string) string { return tenant + "." + process }
