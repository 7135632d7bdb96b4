package smpki

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
)

// Errors of the market-partner identity checks.
var (
	// ErrNotEMTMAK: the certificate is not an SM-PKI EMT.MAK (market communication) certificate.
	ErrNotEMTMAK = errors.New("smpki: not an EMT.MAK certificate")
	// ErrMPIDMismatch: the subject OU does not hold the expected MP-ID.
	ErrMPIDMismatch = errors.New("smpki: certificate OU does not match the MP-ID")
)

var (
	oidCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
)

func attrValues(c *Certificate, oid asn1.ObjectIdentifier) []string {
	var out []string
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oid) {
			if s, ok := n.Value.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// IsEMTMAKName reports whether a subject common name marks an EMT.MAK certificate.
//
// Encoding (SM-PKI certificate policy as applied by the Sub-CAs, see as4.md §8): the CN of the
// TLS, signature and encryption certificates of an external market participant (EMT) for market
// communication (MAK) has the form "<name>.EMT.MAK". phase4's BDEWCompatibilityValidator checks
// that the CN contains "EMT.MAK"; this function is stricter and requires the dot-separated labels
// "EMT" and "MAK" as the last two labels (case-sensitive), so "x.EMT.MAKER" or "EMT.MAKx" do not
// pass. The phase4 sample nonemtmako.cert (CN "dummy.EMT.dummy") is refused.
func IsEMTMAKName(cn string) bool {
	labels := strings.Split(cn, ".")
	n := len(labels)
	return n >= 2 && labels[n-2] == "EMT" && labels[n-1] == "MAK"
}

// CheckEMTMAK requires exactly one subject CN, marking an EMT.MAK certificate (IsEMTMAKName).
func CheckEMTMAK(c *Certificate) error {
	cns := attrValues(c, oidCommonName)
	if len(cns) != 1 {
		return fmt.Errorf("%w: %s has %d common names", ErrNotEMTMAK, describe(c), len(cns))
	}
	if !IsEMTMAKName(cns[0]) {
		return fmt.Errorf("%w: %s: CN %q does not end in .EMT.MAK", ErrNotEMTMAK, describe(c), cns[0])
	}
	return nil
}

// MPID returns the MP-ID a certificate is issued to: the value of its single subject OU
// (Profil §2.3.4.4, RzÜ §5.2). A certificate with no or several OU values has none.
func MPID(c *Certificate) (string, error) {
	ous := attrValues(c, oidOrganizationalUnit)
	if len(ous) != 1 {
		return "", fmt.Errorf("%w: %s has %d OU values", ErrMPIDMismatch, describe(c), len(ous))
	}
	return ous[0], nil
}

// CheckMPID requires the certificate's single subject OU to equal mpID (the sender's
// From/PartyId, or the partner's MP-ID from master data).
func CheckMPID(c *Certificate, mpID string) error {
	ou, err := MPID(c)
	if err != nil {
		return err
	}
	if ou != mpID {
		return fmt.Errorf("%w: %s has OU %q, expected %q", ErrMPIDMismatch, describe(c), ou, mpID)
	}
	return nil
}

// CheckMarketPartner applies both identity checks of the BDEW profile to a partner's TLS or
// signature certificate: EMT.MAK and OU = mpID.
func CheckMarketPartner(c *Certificate, mpID string) error {
	if err := CheckEMTMAK(c); err != nil {
		return err
	}
	return CheckMPID(c, mpID)
}
