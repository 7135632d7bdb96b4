// Package brainpool implements the brainpool r1 elliptic curves of RFC 5639
// (brainpoolP256r1, brainpoolP384r1, brainpoolP512r1) with ECDSA (SEC1 §4.1,
// nonces per RFC 6979, optionally hedged), ECDH (SEC1 §3.3.1, RFC 7027) and
// the usual key and signature encodings: SEC1 points (uncompressed and
// compressed), PKIX SubjectPublicKeyInfo, SEC1 ECPrivateKey and PKCS#8 DER
// with the RFC 5639 named-curve OIDs, and ECDSA signatures as ASN.1 DER or
// IEEE P1363 r||s. It knows nothing of any protocol that uses it.
//
// The API follows crypto/ecdsa and crypto/ecdh: *PrivateKey implements
// crypto.Signer with DER signatures; SignP1363/VerifyP1363 handle r||s.
//
// # Arithmetic
//
// Field elements and scalars are fixed-size arrays of 64-bit limbs in
// Montgomery form, multiplied with math/bits (CIOS Montgomery
// multiplication); math/big is used only to build the public curve constants
// and in tests. Points are mapped to the isomorphic curve with a = -3 (the
// "t1" curve of RFC 5639, (x, y) -> (x*Z^2, y*Z^3)) and kept in homogeneous
// projective coordinates; addition and doubling use the complete formulas
// for a = -3 of Renes, Costello and Batina (ePrint 2015/1060, Algorithms 4
// and 6), which have no exceptional cases on these prime-order curves.
// Points are decoded, validated and returned on the r1 curve only. Field and
// scalar inversion is Fermat exponentiation (fixed 4-bit window) with the
// public exponent m-2. The Montgomery product, addition and subtraction are
// unrolled per limb count by gen_field.go (go generate).
//
// # Constant-time contract
//
// Constant-time means: the sequence of instructions, branches and memory
// addresses does not depend on the secret, only on the curve.
//
//   - NewPrivateKey, GenerateKey: constant-time in the scalar d (d*G by a
//     fixed-base comb with a full-table constant-time lookup). Whether d is in
//     [1, n-1] is revealed (as an error).
//   - (*PrivateKey).ECDH: constant-time in d and in the peer point (fixed
//     4-bit window, constant-time table lookup, complete formulas). Whether the
//     peer point is valid is checked at parse time on public data.
//   - (*PrivateKey).Sign, SignASN1, SignP1363: constant-time in d and in the
//     nonce k (k*G, k^-1 by Fermat, s = k^-1(e + r*d) mod n in Montgomery
//     form). The RFC 6979 generator (crypto/hmac) draws candidates until one
//     is below n; with the brainpool orders about a third of the candidates
//     (45% on brainpoolP384r1) are rejected, so the time of a signature shows
//     how many were drawn. The rejected candidates are independent of the
//     accepted nonce and are PRF outputs keyed by d, so this reveals nothing
//     about d or k (the same holds for GenerateKey's rejection sampling). A
//     retry because r or s is zero has probability about 2^-256.
//   - (*PrivateKey).Equal compares scalars with crypto/subtle.
//   - Verification (VerifyASN1, VerifyP1363), key and signature parsing and
//     marshalling (NewPublicKey, ParsePKIXPublicKey, MarshalPKIXPublicKey,
//     the private-key parsers' structure checks) handle public data and are not
//     constant-time. The private-key parsers pass the scalar to NewPrivateKey.
//
// Secrets held in memory (PrivateKey.d, intermediate values on the stack)
// are not zeroed after use; Go gives no guarantee that zeroing would reach
// every copy.
//
// The contract rests on branch-free code (selections by masks, full-table
// scans) and on math/bits compiling to the processor's multiply and
// add-with-carry instructions, which take data-independent time on amd64
// and arm64; the amd64 disassembly of the field and table-lookup functions
// has no conditional jumps other than loop bounds and bounds checks. It is
// supported, not proven, by a dudect-style statistical test of the two scalar
// multiplications and of signing (TestScalarMultTiming), skipped unless
// BRAINPOOL_DUDECT=1 is set.
package brainpool
