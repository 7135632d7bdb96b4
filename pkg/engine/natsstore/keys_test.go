package natsstore

import (
	"regexp"
	"testing"
	"testing/quick"
)

var kvToken = regexp.MustCompile(`^[-_=a-zA-Z0-9]+$`)

func TestEscapeTokenRoundTripsAndIsAValidKVToken(t *testing.T) {
	f := func(s string) bool {
		if s == "" {
			return true
		}
		enc := escapeToken(s)
		dec, err := unescapeToken(enc)
		return err == nil && dec == s && kvToken.MatchString(enc)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"conv:4711:9900000000003": "conv_3A4711_3A9900000000003", "a.b*>_": "a_2Eb_2A_3E_5F", "ä": "_C3_A4"} {
		if got := escapeToken(in); got != want {
			t.Errorf("escapeToken(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"_", "_4", "_ZZ", "a_4g"} {
		if _, err := unescapeToken(bad); err == nil {
			t.Errorf("unescapeToken(%q) succeeded", bad)
		}
	}
}
