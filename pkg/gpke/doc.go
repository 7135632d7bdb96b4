// Package gpke runs the GPKE supplier switch in 24 hours (LFW24, UTILMD
// Strom, format versions FV2604 and FV2610) for the market roles NB (grid
// operator), LFN (new supplier) and LFA (old supplier):
//
//   - Lieferbeginn: Anmeldung 55001 (verbrauchende MaLo) and 55077 (erzeugende
//     MaLo), answered by the NB with 55002/55003 and 55078/55080 after the NB's
//     Anfrage zur Beendigung der Zuordnung 55010 to the LFA (55011/55012) and
//     its Beendigung der Zuordnung 55007 (55008/55009);
//   - Lieferende: Abmeldung 55004 (LF → NB), answered with 55005/55006;
//   - Kündigung 55016 (LFN → LFA), answered with 55017/55018;
//   - Stornierung 55022, answered with 55023/55024.
//
// The decisions follow the BDEW Entscheidungsbaumdiagramme (EBD) E_0622,
// E_0623, E_0624, E_0607, E_0609 and E_0614 as published machine-readably
// by Hochfrequenz (machine-readable_entscheidungsbaumdiagramme, FV2604); the
// code cites the EBD step of every check. Every step the EBD leaves to the
// deployment (does the LFA object? is the contract still binding?) is a
// Policy with a default and an ERP hook. Every received transaction gets its
// APERAK (Strom: 312 or 313 in the order AHB → Zuordnung → Objekteigenschaft,
// due per pkg/fristen's APERAKClock); every sent transaction waits for the
// partner's APERAK and raises an alert when it is missing.
//
// What is sent is what the AHB demands: the UTILMDs are assembled from the
// PID's AHB lines by pkg/ahb/build, and every UTILMD and APERAK is validated
// with pkg/ahb against the AHB of its PID and the decision's format version
// before the decision is returned; a finding refuses the decision
// (*NonConformantError), so nothing is committed or sent.
//
// The workflows are pure (engine.Workflow): facts that are not in the
// message — master data of the MaLo — come in through the command
// (Module.Enrich wraps an inbound transaction into an Enriched command), the
// clock is the command's receipt time. See docs/gpke.md for the routing, the
// ERP commands and events and every fact that is not verified.
package gpke
