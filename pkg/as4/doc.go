// Package as4 is the root of mako-engine's native implementation of the BDEW AS4 profile
// (AS4-Profil 1.1; summary and citations in ../shared/reference/as4.md). The work is split into
// sub-packages whose names say what they hold:
//
//   - keywrap:   AES key wrap (RFC 3394), the xmlenc kw-aes128 algorithm.
//   - concatkdf: the single-step key derivation of NIST SP 800-56A as XMLEnc 1.1 ConcatKDF uses it.
//   - c14n:      Exclusive XML Canonicalization 1.0 (with InclusiveNamespaces PrefixList).
//   - smpki:     X.509 for the BSI Smart Metering PKI (brainpool certificates, chains, EMT.MAK,
//     OU = MP-ID, CRLs with a staleness alarm); smpki/smpkitest issues test PKIs.
//   - xmlenc:    XML Encryption 1.1 (AES-128-GCM, ECDH-ES + ConcatKDF + kw-aes128).
//   - wss:       WS-Security 1.1.1 signing, verification, attachment encryption and decryption.
//   - ebms:      ebMS3 UserMessage with the BDEW values, NRR receipts, ebMS errors, SwA MIME, gzip.
//   - msh:       the MSH: the inbound HTTP endpoint (publish to ingest, receipt, MessageId dedup),
//     the deliverer's as4 transport (receipt states, retries), identities, trust, the
//     certificate/CRL monitor and the listen modes (docs/as4.md lists its choices).
//
// The brainpool curve arithmetic lives in pkg/brainpool and knows nothing of AS4.
//
// # Choices where the profile is ambiguous or silent
//
// Each choice is configurable where a peer might expect the other reading.
//
//  1. Security token: wsse:BinarySecurityToken X509PKIPathv1 (Profil §2.2.6.2.1), the PkiPath
//     ordered as ITU-T X.509 defines it (end entity last). The verifier finds the end entity by
//     issuer links, so the reversed order is read as well (as4.md §16 lists the order as open).
//     X509v3 tokens: wss.WithToken to send, wss.WithAcceptX509v3 to accept.
//  2. Signed parts: eb:Messaging always, each attachment always (a verifier refuses an unsigned
//     attachment), the empty Body by default (FAQ: SHOULD); a receiver does not require the Body
//     unless wss.WithRequireBodySignature. Attachments are digested as their decoded octets (SwA
//     Attachment-Content-Signature-Transform; BDEW payloads are gzip, never XML).
//  3. No InclusiveNamespaces are written by default (wss.WithInclusivePrefixes("S12") writes what
//     phase4 writes); whatever a peer writes is honoured on verification.
//  4. Ids: wsu:Id is added to eb:Messaging and Body when they have none; references resolve
//     wsu:Id, Id and id; an Id that occurs twice fails verification (signature wrapping).
//  5. Algorithms are an allow-list of exactly the profile's: exclusive C14N without comments,
//     ecdsa-sha256 with an r||s SignatureValue (DER is refused), SHA-256, kw-aes128, ECDH-ES,
//     ConcatKDF with SHA-256, aes128-gcm. Anything else is wss.ErrPolicy/xmlenc.ErrUnsupported,
//     answered with EBMS:0103.
//  6. Encryption: one fresh AES-128 content key per message, one xenc:EncryptedKey for all parts,
//     a fresh IV per part; EncryptedKey and EncryptedData go first in wsse:Security (before the
//     signature: sign, then encrypt). EncryptedData has Type SwA Attachment-Content-Only and a
//     cid: CipherReference with the Attachment-Ciphertext-Transform (as4.md §5's open points).
//  7. Recipient reference: the profile's "x509SKI" option (Profil §2.3.4.3) is written as WSS4J
//     writes it for ECDH-ES (the library under phase4's BDEW sender): RecipientKeyInfo holds a
//     wsse:SecurityTokenReference with a KeyIdentifier of X509SubjectKeyIdentifier type.
//     xmlenc.Options.RecipientX509Data writes ds:X509Data/ds:X509SKI instead (the shape as4.md §5
//     took from asx-rs). Both are read. The SKI is the certificate's extension, or RFC 5280
//     method 1 when absent.
//  8. ConcatKDF: AlgorithmID, PartyUInfo, PartyVInfo empty (as4.md §5), written as "" (Apache
//     Santuario skips "" but refuses "00" as too short); xmlenc.Options.EmptyBitStringAsZero
//     writes "00". Both read as empty; bit strings are read as XMLEnc 1.1 defines them (leading
//     padding-count octet), proven by the W3C interop case.
//  9. EMT.MAK: the subject CN must end in the labels "EMT.MAK" (SM-PKI naming "<name>.EMT.MAK");
//     stricter than phase4's substring test. MP-ID: exactly one subject OU, equal to the PartyId.
//  10. CRLs: a CRL past nextUpdate is used with an alarm (smpki.RevocationCheck.Stale) for 3 days
//     (RzÜ §5.4), then the CA is distrusted (smpki.WithStaleGrace); a missing CRL is an alarm,
//     and a failure only with smpki.WithRequireCRL(true).
//  11. Test service: ServiceTest is sent; both spellings (as4.md §10.2) are recognized.
//  12. ebMS codes for profile violations (ebms.UserMessage.Validate): header structure 0009,
//     unknown agreement/service/action 0001, pmode/type/MPC 0010, CompressionType other than gzip
//     0303; security: signature/digest/token/certificate 0101, decryption 0102, missing security or
//     other algorithms 0103; MIME 0007. Severity and category follow ebMS3 Core §6.7.1.
//  13. Documents with a DTD are refused before parsing; decompressed payloads and MIME parts have
//     size limits chosen by the caller.
package as4
