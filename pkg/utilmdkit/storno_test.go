package utilmdkit

import "testing"

// RevokeAnfrage cancels only an Anfrage that was sent and is still open.
func TestRevokeAnfrageOnlyOpen(t *testing.T) {
	for _, tc := range []struct {
		a    OpenAnfrage
		want bool
	}{
		{OpenAnfrage{}, false},
		{OpenAnfrage{Tx: "V1", LFA: "9900000000028"}, true},
		{OpenAnfrage{Tx: "V1", LFA: "9900000000028", Answered: true}, false},
		{OpenAnfrage{Tx: "V1", LFA: "9900000000028", Expired: true}, false},
	} {
		called := false
		if err := RevokeAnfrage(tc.a, func(lfa, tx string) error {
			called = lfa == "9900000000028" && tx == "V1"
			return nil
		}); err != nil || called != tc.want {
			t.Errorf("%+v: sent %v, want %v", tc.a, called, tc.want)
		}
	}
}
