// Package utilmdkit holds the sector-neutral building blocks that the
// process families (pkg/gpke for Strom, pkg/geligas for Gas) share when they
// read and write UTILMD, APERAK and CONTRL: the UNB/NAD party of an MP-ID,
// DTM values, the C080 name composite, the parse of a received transaction,
// the reading of APERAK, CONTRL and STS answer codes, the strict decoding of
// ERP command JSON, the validation of MaLo-IDs and MP-IDs, and the outbound
// AHB guard (Conform) with its refusal error.
//
// The package is pure (no NATS, no HTTP, no clock): it imports only the
// EDIFACT, AHB and engine contracts, so a family that uses it stays pure
// (TestFamiliesArePure in pkg/module).
package utilmdkit
