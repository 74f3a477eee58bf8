package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/calendar"
)

// Clock is an injected clock (Options.Now = c.Now) that tests move;
// nothing sleeps. Safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// CST parses "2006-01-02 15:04" as China time, panicking on a bad literal.
func CST(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// DueOn is the last second (23:59:59) of a China-time day "2006-01-02".
func DueOn(day string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, day, calendar.Zone)
	if err != nil {
		panic(err)
	}
	return d.Add(24*time.Hour - time.Second)
}

// Roles signs the demo roles in on demand and keeps each session while the
// injected clock stands still: sessions expire on that clock too, so a
// role signs in again once it moved (or, with KeepFor, once it moved
// backwards or by KeepFor or more).
type Roles struct {
	p   *Portal
	now func() time.Time
	// KeepFor keeps a session while the clock moved forward less than
	// this; 0 keeps it only while the clock has not moved.
	KeepFor time.Duration

	mu   sync.Mutex
	sess map[string]*Session
	when map[string]time.Time
}

// NewRoles signs in on p, reading the clock now (the portal's Options.Now).
func NewRoles(p *Portal, now func() time.Time) *Roles {
	return &Roles{p: p, now: now, sess: map[string]*Session{}, when: map[string]time.Time{}}
}

// As returns a session of the demo role (see DemoRoles); "" is anonymous
// (a nil session, whose Header is empty).
func (r *Roles) As(t testing.TB, role string) *Session {
	t.Helper()
	if role == "" {
		return nil
	}
	now := r.now()
	r.mu.Lock()
	s, at := r.sess[role], r.when[role]
	r.mu.Unlock()
	if s != nil && (now.Equal(at) || !now.Before(at) && now.Sub(at) < r.KeepFor) {
		return s
	}
	s = r.p.SignInAs(t, role)
	r.mu.Lock()
	r.sess[role], r.when[role] = s, now
	r.mu.Unlock()
	return s
}

// Get sends a GET as role ("" anonymous).
func (r *Roles) Get(t testing.TB, role, path string) *Response {
	t.Helper()
	return r.p.Do(t, http.MethodGet, path, nil, r.As(t, role).Header())
}

// PostJSON posts body, always JSON-encoded (nil as null), as role.
func (r *Roles) PostJSON(t testing.TB, role, path string, body any) *Response {
	t.Helper()
	return r.p.PostJSON(t, path, body, r.As(t, role).Header())
}

// Do sends method as role with body JSON-encoded, or no body when nil.
func (r *Roles) Do(t testing.TB, role, method, path string, body any) *Response {
	t.Helper()
	h := r.As(t, role).Header()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
		h["Content-Type"] = "application/json"
	}
	return r.p.Do(t, method, path, rd, h)
}

// Upload posts content as the multipart form field "file" named name, as
// role.
func (r *Roles) Upload(t testing.TB, role, path, name string, content []byte) *Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	return r.p.Do(t, http.MethodPost, path, &b, r.As(t, role).Header("Content-Type", w.FormDataContentType()))
}

// Count counts the rows of table matching where ("" counts them all).
func (p *Portal) Count(t testing.TB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := p.DB.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// OnEach runs f on every item at once, each in its own goroutine, and
// waits for all: e.g. a job on two replicas at the same time.
func OnEach[T any](items []T, f func(T)) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(it)
		}()
	}
	wg.Wait()
}
