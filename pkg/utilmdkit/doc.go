// Package utilmdkit holds the sector-neutral building blocks that the
// process families (pkg/gpke for Strom, pkg/geligas for Gas) share when they
// read and write UTILMD, APERAK and CONTRL: the UNB/NAD party of an MP-ID,
// DTM values, the C080 name composite, the parse of a received transaction,
// the reading of APERAK, CONTRL and STS answer codes, the strict decoding of
// ERP command JSON, the validation of MaLo-IDs and MP-IDs, the outbound
// AHB guard (Conform) with its refusal error, and the mechanics of a
// decision that do not depend on the sector: its format version, the time of
// a fired deadline, the APERAK reply to a received transaction, the lookup
// in the table of sent transactions and of processes still in process, and
// the master-data query with the facts both families read from pkg/malo.
// Package utilmdtest holds the test checks the families share.
//
// The package is pure (no NATS, no HTTP, no clock): it imports only the
// EDIFACT, AHB and engine contracts, so a family that uses it stays pure
// (TestFamiliesArePure in pkg/module).
package utilmdkit
