package edifact

// Limits bound every input-dependent size the parser allocates. A zero field
// means "use the default". Exceeding one yields a *LimitError.
type Limits struct {
	MaxBytes          int // total input size; default 10 MiB
	MaxSegments       int // segments per interchange (Reader: per stream); default 1,000,000
	MaxSegmentBytes   int // bytes of one segment including escapes; default 64 KiB
	MaxElements       int // data elements per segment (tag excluded); default 99
	MaxComponents     int // components per data element; default 99
	MaxComponentBytes int // raw bytes of one component; default 4,096
}

// DefaultLimits are the limits applied when no option overrides them.
// MaxSegments admits an interchange of the ingest path's 8 MiB
// (streams.MaxInterchange) of short segments: an MSCONS' QTY/DTM run of
// 20–30 bytes a segment has several 100,000 of them.
var DefaultLimits = Limits{
	MaxBytes:          10 << 20,
	MaxSegments:       1_000_000,
	MaxSegmentBytes:   64 << 10,
	MaxElements:       99,
	MaxComponents:     99,
	MaxComponentBytes: 4096,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.MaxSegments > 0 {
		d.MaxSegments = l.MaxSegments
	}
	if l.MaxSegmentBytes > 0 {
		d.MaxSegmentBytes = l.MaxSegmentBytes
	}
	if l.MaxElements > 0 {
		d.MaxElements = l.MaxElements
	}
	if l.MaxComponents > 0 {
		d.MaxComponents = l.MaxComponents
	}
	if l.MaxComponentBytes > 0 {
		d.MaxComponentBytes = l.MaxComponentBytes
	}
	return d
}

// Option configures [Parse] and [NewReader].
type Option func(*config)

type config struct {
	limits   Limits
	encoding Encoding
}

func newConfig(opts []Option) config {
	if len(opts) == 0 { // the common case stays off the heap
		return config{limits: DefaultLimits, encoding: EncodingAuto}
	}
	c := &config{limits: DefaultLimits, encoding: EncodingAuto}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return *c
}

// WithLimits replaces the limits; zero fields keep their defaults.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l.withDefaults() } }

// WithMaxBytes sets Limits.MaxBytes.
func WithMaxBytes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.limits.MaxBytes = n
		}
	}
}

// WithMaxSegments sets Limits.MaxSegments.
func WithMaxSegments(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.limits.MaxSegments = n
		}
	}
}

// WithEncoding forces the character decoding instead of detecting it.
func WithEncoding(e Encoding) Option { return func(c *config) { c.encoding = e } }
