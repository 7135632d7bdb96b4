package console

// RenderEDI exposes renderEDI to the external tests (which may import
// internal/bench; this package may not: bench imports it).
var RenderEDI = renderEDI
