// Package utilmdkit holds what the process families (pkg/gpke for Strom,
// pkg/geligas for Gas) share where their logic is the same:
//
//   - the event and command kinds both record (AperakReceived,
//     ContrlReceived, Failed, Noted, Delivered, Undelivered, StornoReceived,
//     SupplierAssigned, SupplyEnded, LFAWaitExpired; Enriched, Decide,
//     Timeout, RequestCancellation), generic over a Family tag that supplies
//     the stable type-name prefix ("gpke.failed", "geligas.failed") and the
//     BO4E Sparte of the ERP events; a family declares them as aliases, so
//     their JSON and msgpack shape is the family's own (pinned by
//     utilmdtest.PinWire);
//   - the outcomes and overview labels, the ERP data helpers (ERPData,
//     ERPDate, ERPPartner), the strict ERP command Decoder and RouteDecide;
//   - reading and writing UTILMD, APERAK and CONTRL: the UNB/NAD party of an
//     MP-ID, DTM values, the C080 name composite, Address, the UTILMD
//     envelope (Header), the parse of a received transaction, the reading of
//     APERAK, CONTRL and STS answer codes, the outbound AHB guard (Conform)
//     with its refusal error;
//   - the mechanics of a decision that do not depend on the sector
//     (Decision): its format version, the time of a fired deadline, the
//     APERAK reply to a received transaction, the bookkeeping of a sent
//     transaction, the start of an ERP-initiated process, the lookup in the
//     table of sent transactions and of processes still in process, and the
//     master-data query with the facts both families read from pkg/malo.
//
// Package utilmdtest holds the test harness and checks the families share.
//
// The package is pure (no NATS, no HTTP, no clock): it imports only the
// EDIFACT, AHB, engine, module and wire contracts, so a family that uses it
// stays pure (TestFamiliesArePure in pkg/module).
package utilmdkit
