package readmodel

import (
	"fmt"
	"strings"
)

// ProcessKey is the key of a process overview: "<tenant>.<process>". Tenant
// and process ids are subject tokens (engine.TenantID, engine.ProcessID),
// which are valid KV key tokens as they are.
func ProcessKey(tenant, process string) string { return tenant + "." + process }

// IndexKey is the key of a business-key index entry:
// "<tenant>.<kind>.<EncodeKeyValue(value)>".
func IndexKey(tenant, kind, value string) string {
	return tenant + "." + kind + "." + EncodeKeyValue(value)
}

// DeadLetterKey is the key of a dead letter: "<tenant>.<sequence>" with the
// MAKO_DLQ sequence zero-padded to 20 digits, so keys sort by sequence.
func DeadLetterKey(tenant string, seq uint64) string { return fmt.Sprintf("%s.%020d", tenant, seq) }

const hexDigits = "0123456789ABCDEF"

// EncodeKeyValue escapes a business-key value into one KV key token:
// A-Z, a-z, 0-9 and '-' stay, every other byte becomes "_XX" (upper-case
// hex). It is injective and keeps MaLo ids and most references readable
// ("9900000000004:TX1" → "9900000000004_3ATX1").
func EncodeKeyValue(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// DecodeKeyValue reverses EncodeKeyValue.
func DecodeKeyValue(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("readmodel: key value %q: truncated escape", s)
		}
		hi, lo := strings.IndexByte(hexDigits, s[i+1]), strings.IndexByte(hexDigits, s[i+2])
		if hi < 0 || lo < 0 {
			return "", fmt.Errorf("readmodel: key value %q: bad escape", s)
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), nil
}
