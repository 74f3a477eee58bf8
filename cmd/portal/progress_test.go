package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressLines: off a terminal, progress writes a plain line every
// few seconds with done/total, the rate and the time left, then a summary.
func TestProgressLines(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgress(&out, "indexing")
	p.now = func() time.Time { return clock }
	p.start, p.last = clock, clock
	p.total = 10000
	for i := 1; i <= 10; i++ {
		clock = clock.Add(time.Second)
		p.set(i*1000, -1)
	}
	p.done()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"indexing 5000/10000 (50.0%) 1000/s ETA 5s",
		"indexing 10000/10000 (100.0%) 1000/s",
		"indexing: 10000 done in 10s",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("progress wrote\n%s\nwant\n%s", out.String(), strings.Join(want, "\n"))
	}
	if strings.Contains(out.String(), "\r") || strings.Contains(out.String(), "#") {
		t.Errorf("no bar or carriage return off a terminal: %q", out.String())
	}
}

// TestProgressBar: on a terminal the line is a bar redrawn in place.
func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{w: &out, label: "loading", tty: true, now: func() time.Time { return clock }, start: clock, last: clock}
	clock = clock.Add(2 * time.Second)
	p.set(250, 1000)
	if got, want := out.String(), "\r\033[Kloading [#######.......................] 250/1000 (25.0%) 125/s ETA 6s"; got != want {
		t.Fatalf("bar %q, want %q", got, want)
	}
}
