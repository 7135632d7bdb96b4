// Package as4 is the root of mako-engine's native implementation of the BDEW AS4 profile
// (AS4-Profil 1.1, see docs and ../shared/reference/as4.md). The work is split into
// sub-packages whose names say what they hold:
//
//   - keywrap:   AES key wrap (RFC 3394), the xmlenc kw-aes128 algorithm.
//   - concatkdf: the single-step key derivation of NIST SP 800-56A as XMLEnc 1.1 ConcatKDF uses it.
//   - c14n:      Exclusive XML Canonicalization 1.0 (with InclusiveNamespaces PrefixList).
//   - smpki:     X.509 for the BSI Smart Metering PKI (brainpool certificates, chains, EMT.MAK, CRLs).
//   - xmlenc:    XML Encryption 1.1 for the attachment (AES-128-GCM, ECDH-ES + ConcatKDF + kw-aes128).
//   - wss:       WS-Security 1.1.1 XMLDSig signing and verification as the BDEW profile demands.
//
// The brainpool curve arithmetic lives in pkg/brainpool and knows nothing of AS4.
package as4
