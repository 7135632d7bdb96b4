package fristen

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Over the whole default table (2000–2100) the precomputed table and the
// rule-based slow path agree: Werktag flag, holiday name, German local date
// of instants (every hour and around every DST switch) and start of day.
func TestTableMatchesSlowPath(t *testing.T) {
	c := cal(t)
	if from, to := c.TableRange(); from != 2000 || to != 2100 {
		t.Fatalf("table range %d-%d", from, to)
	}
	for dd := c.lo; dd < c.hi; dd++ {
		if c.isWT(dd) != c.isWTSlow(dd) {
			t.Fatalf("%s: table isWT %v, slow %v", dd, c.isWT(dd), c.isWTSlow(dd))
		}
		if c.holidayName(dd) != c.holidayNameSlow(dd) {
			t.Fatalf("%s: table name %q, slow %q", dd, c.holidayName(dd), c.holidayNameSlow(dd))
		}
		s := c.start(dd)
		if !s.Equal(dd.startSlow()) {
			t.Fatalf("%s: start %v, slow %v", dd, s, dd.startSlow())
		}
		base := s.Unix()
		for h := int64(-1); h <= 25; h++ {
			for _, off := range []int64{-1, 0, 1, 1799} {
				u := time.Unix(base+h*3600+off, 0)
				if got, want := c.localDay(u), localDaySlow(u); got != want {
					t.Fatalf("localDay(%v) = %s, want %s", u.UTC(), got, want)
				}
			}
		}
	}
	// the DST model covered every year of the default range
	for i, ok := range c.yearFast {
		if !ok {
			t.Errorf("year %d not on the fast path", c.fromYear+i)
		}
	}
	// instants just outside the table use the slow path correctly
	for _, u := range []time.Time{c.start(c.lo).Add(-time.Second), c.start(c.hi), c.start(c.hi).Add(-time.Second), {}} {
		if c.localDay(u) != localDaySlow(u) {
			t.Errorf("edge %v", u)
		}
	}
}

// A calendar with a small table must give the same answers as the default one
// for 2000–2100, exercising every slow path of the public API.
func TestSmallTableAgreesWithDefault(t *testing.T) {
	big := cal(t)
	small, err := New(WithTableRange(2024, 2024))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		at := time.Unix(946684800+rng.Int64N(101*365*86400), 0)
		n := rng.IntN(60) - 30
		p := Period{N: n, Unit: Unit(rng.IntN(2)), End: End(rng.IntN(2)), DayAfter: DayAfter(rng.IntN(2))}
		if big.IsWerktag(at) != small.IsWerktag(at) ||
			!big.AddWerktage(at, n).Equal(small.AddWerktage(at, n)) ||
			!big.AddPeriod(at, p).Equal(small.AddPeriod(at, p)) ||
			!big.NextWerktag(at).Equal(small.NextWerktag(at)) ||
			!big.PreviousWerktag(at).Equal(small.PreviousWerktag(at)) ||
			big.LFW24(at) != small.LFW24(at) {
			t.Fatalf("calendars disagree at %v (n=%d, %v)", at, n, p)
		}
		b := at.Add(time.Duration(rng.Int64N(400*86400)-200*86400) * time.Second)
		if big.WerktageBetween(at, b) != small.WerktageBetween(at, b) || big.CountWerktage(at, b) != small.CountWerktage(at, b) {
			t.Fatalf("counts disagree %v %v", at, b)
		}
	}
	for y := 2000; y <= 2100; y++ {
		if big.WerktageInYear(y) != small.WerktageInYear(y) {
			t.Fatalf("WerktageInYear(%d)", y)
		}
		for m := time.January; m <= time.December; m++ {
			a, _ := big.LastWerktag(y, m)
			b, _ := small.LastWerktag(y, m)
			x, _ := big.NthLastWerktag(y, m, 3)
			z, _ := small.NthLastWerktag(y, m, 3)
			n1, _ := big.NthWerktag(y, m, 18)
			n2, _ := small.NthWerktag(y, m, 18)
			if !a.Equal(b) || !x.Equal(z) || !n1.Equal(n2) {
				t.Fatalf("month functions disagree in %d-%02d", y, m)
			}
		}
	}
}

// The table-based n-th Werktag and counts agree with stepping day by day.
func TestCountsAgreeWithStepping(t *testing.T) {
	c := cal(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		dd := c.lo + day(rng.IntN(int(c.hi-c.lo)))
		n := 1 + rng.IntN(80)
		if got, want := c.nthAfter(dd, n), c.stepForward(dd, n); got != want {
			t.Fatalf("nthAfter(%s, %d) = %s, stepping %s", dd, n, got, want)
		}
		if got, want := c.nthBefore(dd, n), c.stepBackward(dd, n); got != want {
			t.Fatalf("nthBefore(%s, %d) = %s, stepping %s", dd, n, got, want)
		}
		e := dd + day(rng.IntN(200)-100)
		want := 0
		if e >= dd {
			for x := dd + 1; x <= e; x++ {
				if c.isWTSlow(x) {
					want++
				}
			}
		} else {
			for x := e + 1; x <= dd; x++ {
				if c.isWTSlow(x) {
					want--
				}
			}
		}
		if got := c.WerktageBetween(c.start(dd), c.start(e)); got != want {
			t.Fatalf("WerktageBetween(%s, %s) = %d, stepping %d", dd, e, got, want)
		}
	}
	// WerktageBetween(a, AddWerktage(a, n)) == n for every start
	for i := 0; i < 2000; i++ {
		a := c.start(c.lo + day(rng.IntN(int(c.hi-c.lo)-200)))
		n := rng.IntN(60)
		if got := c.WerktageBetween(a, c.AddWerktage(a, n)); got != n {
			t.Fatalf("WerktageBetween(%v, +%d) = %d", a, n, got)
		}
	}
}

// Add then subtract returns the start for Werktag starts; AddPeriod with -N is
// the exact inverse (latest Werktag receipt) of AddPeriod with +N.
func TestAddSubtractInverse(t *testing.T) {
	c := cal(t)
	rng := rand.New(rand.NewPCG(5, 6))
	periods := func(n int) []Period {
		var ps []Period
		for _, u := range []Unit{WT, KT} {
			for _, e := range []End{Inclusive, Exclusive} {
				for _, da := range []DayAfter{DayAfterCalendarDay, DayAfterNextWerktag} {
					ps = append(ps, Period{N: n, Unit: u, End: e, DayAfter: da})
				}
			}
		}
		return ps
	}
	for i := 0; i < 3000; i++ {
		w := c.nthAfter(day(int64(c.lo)+int64(rng.IntN(int(c.hi-c.lo)-400))), 1) // a Werktag
		wt := c.start(w).Add(time.Duration(rng.IntN(86400)) * time.Second)       // any time of that day
		n := rng.IntN(50)
		if got := c.SubtractWerktage(c.AddWerktage(wt, n), n); !got.Equal(c.start(w)) {
			t.Fatalf("Subtract(Add(%s, %d)) = %v", w, n, got)
		}
		if got := c.AddWerktage(c.SubtractWerktage(wt, n), n); !got.Equal(c.start(w)) {
			t.Fatalf("Add(Subtract(%s, %d)) = %v", w, n, got)
		}
		for _, p := range periods(n + 1) {
			neg := p
			neg.N = -p.N
			if got := c.AddPeriod(c.AddPeriod(wt, p), neg); !got.Equal(c.start(w)) {
				t.Fatalf("AddPeriod inverse %s %v: %v", w, p, got)
			}
			// Galois property against nearby event dates e.
			e := w + day(rng.IntN(120))
			latest := c.period(e, neg)
			for x := w - 5; x <= w+5; x++ {
				if !c.isWT(x) && p.Unit == WT {
					continue
				}
				meets := c.period(x, p) <= e
				if meets != (x <= latest) {
					t.Fatalf("%v: receipt %s, event %s: meets=%v but latest=%s", p, x, e, meets, latest)
				}
			}
		}
	}
}

// civil ↔ day number round trip and weekday against the time package.
func TestCivil(t *testing.T) {
	for dd := daysFromCivil(1583, 1, 1); dd < daysFromCivil(2401, 1, 1); dd += 3 {
		y, m, x := dd.civil()
		if daysFromCivil(y, m, x) != dd {
			t.Fatalf("round trip %d", dd)
		}
		tt := time.Date(y, m, x, 0, 0, 0, 0, time.UTC)
		if tt.Unix() != int64(dd)*86400 || tt.Weekday() != dd.weekday() {
			t.Fatalf("%s: unix %d weekday %v/%v", dd, tt.Unix(), tt.Weekday(), dd.weekday())
		}
	}
}
