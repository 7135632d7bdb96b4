package console

import (
	"strconv"
	"testing"
)

func TestPaginate(t *testing.T) {
	link := func(p int) string { return "p" + strconv.Itoa(p) }
	for _, c := range []struct {
		total, page, lo, hi int
		want                pager
	}{
		{0, 1, 0, 0, pager{}},
		{10, 1, 0, 10, pager{First: 1, Last: 10}},
		{120, 1, 0, 50, pager{First: 1, Last: 50, Next: "p2"}},
		{120, 2, 50, 100, pager{First: 51, Last: 100, Prev: "p1", Next: "p3"}},
		{120, 3, 100, 120, pager{First: 101, Last: 120, Prev: "p2"}},
		{120, 9, 120, 120, pager{Prev: "p8"}},
	} {
		lo, hi, pg := paginate(c.total, c.page, link)
		if lo != c.lo || hi != c.hi || pg != c.want {
			t.Errorf("paginate(%d, %d) = %d, %d, %+v; want %d, %d, %+v", c.total, c.page, lo, hi, pg, c.lo, c.hi, c.want)
		}
	}
	if got := pageLink("/vorgaenge", 2, "q", "a b", "mandant", ""); got != "/vorgaenge?q=a+b&seite=2" {
		t.Errorf("pageLink: %s", got)
	}
}
