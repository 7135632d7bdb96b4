// Package geligas runs the GeLi Gas supplier processes (UTILMD Gas, format
// versions FV2610 = MIG G1.2 and, for a process started before 2026-10-01,
// FV2604) for the market roles NB (grid operator), LFN (new supplier) and
// LFA (old supplier), both market sides:
//
//   - Lieferbeginn: Anmeldung 44001 (LFN → NB), answered with 44002/44003
//     after the NB's Informationsmeldung über existierende Zuordnung 44036
//     to the LFN and its Abmeldungsanfrage 44010 to the LFA (44011/44012),
//     and — when the LFA stays silent — its Informationsmeldung zur
//     Beendigung der Zuordnung 44037;
//   - Lieferende: Abmeldung 44004 (LF → NB), answered with 44005/44006 (a
//     confirmed move-out cancels a future assignment: 44038);
//   - Abmeldung vom NB 44007 (NB → LF, Stilllegung), answered with
//     44008/44009;
//   - Anmeldung EoG 44013 (NB → Grund-/Ersatzversorger), answered with
//     44014/44015;
//   - Kündigung 44016 (LFN → LFA), answered with 44017/44018;
//   - Stornierung 44022, answered with 44023/44024;
//   - Informationsmeldungen 44036/44037/44038, recorded by the LF.
//
// The decisions follow the GeLi Gas EBDs E_3001, E_3002, E_3005–E_3008,
// E_3019 and E_3020. Their machine-readable form in the references has no
// rows, only the code lists (G_00xx) of the answers; so every answer code
// is a row of the answer-code table (DefaultCodes): the codes an AHB
// condition names (E14, Z01, Z12, Z34, Z35, ZC5) are cited facts, all others
// are UNVERIFIED, configurable (WithCode) and said so. Every step the EBD
// leaves to the deployment is an ObjectionPolicy with an ERP hook
// (DecisionRequested → Decide).
//
// Gas rules: a received transaction gets an APERAK only if it is faulty
// (error APERAK); a sent one counts as processed when its Gas APERAK
// deadline (pkg/fristen: Initialprozess 3 WT, Folgeprozess next WT 12:00)
// passes without an error APERAK (event Processed, no alert). A positive
// CONTRL (UCI 0083 = 7) records the interchange as received, a negative one
// (4) as not received. DTM+92/93 are Gastag boundaries (06:00 German local
// time); a message received before 06:00 belongs to the previous Gastag.
// The deadlines are pkg/fristen's GeLiGas clock.
//
// What is sent is what the AHB demands: the UTILMDs are assembled from the
// PID's AHB lines by pkg/ahb/build and validated with pkg/ahb (strict)
// before the decision is returned; a finding refuses the decision
// (*NonConformantError). The workflows are pure: master data come in
// through Module.Enrich (MasterDataSource, FromMaLo), the clock is the
// command's receipt time. See docs/geligas.md.
package geligas
