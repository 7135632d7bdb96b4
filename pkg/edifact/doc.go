// Package edifact is the UN/EDIFACT syntax core of mako-engine, specialised
// for EDI@Energy (syntax version 3, UNOC, the BDEW MIG conventions).
//
// It holds four things:
//
//   - a tokenizer and parser: [Parse] over a []byte (zero-copy: components are
//     sub-slices of the input, unescaped lazily) and [Reader] for streaming an
//     io.Reader segment by segment with a bounded buffer;
//   - the model: [Interchange] → [Message] → [Segment] → [Element] →
//     [Component], every segment with its index and byte offset, and typed
//     views of the service segments ([UNB], [UNH], [UNT], [UNZ]);
//   - a builder and serializer ([NewInterchangeBuilder], [Interchange.Bytes])
//     that always emits "UNA:+.? '", UNOC:3 and no line breaks, and fills the
//     UNT and UNZ control counts and references;
//   - syntax checks ([Check]) whose findings carry their CONTRL level
//     (UCI/UCM/UCS/UCD) and DE0085 code, and the CONTRL answer built from a
//     report ([BuildCONTRL]).
//
// Facts come from shared/reference/edifact.md (cited by section as "ref §n").
// Positions in the API are 0-based slice indexes; positions inside a
// [Finding] follow CONTRL conventions (1-based, UNH = segment 1).
//
// The package never panics on input and never allocates without bound: every
// input-dependent size is capped by a [Limits] value (see [WithLimits]).
package edifact
