// Package respcache keeps the answers of public catalog reads in memory,
// so a dataset page or a list page read a thousand times is made once.
//
// An answer is stored with the catalog version read before it was made
// (Versions, one row in the database that the outbox bumps after it
// applies a change) and is served only while its version is at least the
// one this request read: a change is visible on the next request after
// its outbox event is applied on the replica that applied it, and on the
// other replicas after at most Versions.MaxAge. A client that saw version
// N (the X-Catalog-Version response header) and sends it back gets an
// answer of at least N from any replica: the replica reads the database
// again when it knows less.
//
// Only anonymous GETs are cached (no Authorization, app key or cookie
// other than the language one), only 200 answers without Set-Cookie, and
// each entry also expires after MaxAge, which bounds how long the parts
// the catalog version does not follow (download counts, the dispute flag,
// freshness) may lag.
package respcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/locale"
)

// Headers of a cacheable answer.
const (
	HeaderVersion = "X-Catalog-Version"
	// CacheControl makes browsers ask every time (a cheap 304): a reader
	// who just filed a correction must see the dispute flag at once.
	CacheControl = "public, max-age=0, must-revalidate"
	// CDNCacheControl (RFC 9213) lets a CDN keep an answer for a minute and
	// serve it a while longer while it asks again.
	CDNCacheControl = "public, max-age=60, stale-while-revalidate=300"
	maxQuery        = 2048 // longer queries are not cached (bounded keys)
	minGzip         = 1024
)

// Cache is the response cache of one replica.
type Cache struct {
	Versions *Versions
	LRU      *LRU
	MaxAge   time.Duration    // lifetime of an entry whatever the version
	Now      func() time.Time // injected clock
	// Cacheable says whether the routed request is a public read to cache.
	Cacheable func(c echo.Context) bool
	// Follow says whether the request is a page cached elsewhere (server/site)
	// that only needs this replica's version kept current.
	Follow func(c echo.Context) bool
	// Until, when set, is when the answer stops being true (a revocation
	// taking effect); zero when unknown.
	Until func(c echo.Context) time.Time
	// OnHit wraps the serving of a stored answer for routes whose own
	// middleware must still run on hits (rate limits); nil for none.
	OnHit func(c echo.Context) func(echo.HandlerFunc) echo.HandlerFunc
}

func (rc *Cache) now() time.Time {
	if rc.Now != nil {
		return rc.Now()
	}
	return time.Now()
}

// Middleware serves stored answers and stores new ones. It runs after
// routing (echo Use), so Cacheable can look at c.Path().
func (rc *Cache) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet {
			return next(c)
		}
		if rc.Follow != nil && rc.Follow(c) {
			// Any reader, signed in or not: the page cache serves them all.
			// Errors only mean the page cache keeps its last view for now.
			_, _ = rc.required(c)
			return next(c)
		}
		if Private(req) {
			return next(c)
		}
		if rc.LRU.max <= 0 || rc.Cacheable == nil || !rc.Cacheable(c) {
			return next(c)
		}
		key, ok := Key(c)
		if !ok {
			return next(c)
		}
		v, err := rc.required(c)
		if err != nil {
			// The version is unknown: answer, but neither serve nor store.
			return next(c)
		}
		now := rc.now()
		if e := rc.LRU.Get(key); e != nil {
			if e.Version >= v && now.Before(e.Expires) {
				cacheHits.Inc()
				serve := func(c echo.Context) error { return rc.serve(c, e) }
				if rc.OnHit != nil {
					if mw := rc.OnHit(c); mw != nil {
						serve = mw(serve)
					}
				}
				return serve(c)
			}
			rc.LRU.Remove(key, e)
		}
		cacheMisses.Inc()
		return rc.fill(c, next, key, v, now)
	}
}

const skipKey = "respcache.skip"

// Skip keeps this answer out of the cache: a stand-in the database gave
// while the index starts must not outlive it, and the index becoming
// ready bumps no version.
func Skip(c echo.Context) { c.Set(skipKey, true) }

// required is the version an answer to c must have: the shared version,
// and at least the one the client says it saw.
func (rc *Cache) required(c echo.Context) (uint64, error) {
	ctx := c.Request().Context()
	if s := c.Request().Header.Get(HeaderVersion); s != "" {
		if seen, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64); err == nil {
			return rc.Versions.AtLeast(ctx, seen)
		}
	}
	return rc.Versions.Current(ctx)
}

// fill runs the handler into a buffer and stores a 200 answer.
func (rc *Cache) fill(c echo.Context, next echo.HandlerFunc, key string, v uint64, now time.Time) error {
	res := c.Response()
	before := res.Header().Clone()
	rec := &recorder{w: res.Writer, limit: rc.LRU.max / 8}
	res.Writer = rec
	// The handler answers uncompressed (pages compress themselves when
	// asked); the stored entry makes its gzip once and serves either.
	req := c.Request()
	ae, hadAE := req.Header["Accept-Encoding"]
	req.Header.Del("Accept-Encoding")
	err := next(c)
	if hadAE {
		req.Header["Accept-Encoding"] = ae
	}
	res.Writer = rec.w
	if rec.passthrough {
		return err // not a 200, too large, or streamed: already written
	}
	if err != nil || !rec.wroteHeader {
		rec.flush()
		return err
	}
	h := res.Header()
	if len(h.Values("Set-Cookie")) > 0 || h.Get("Content-Encoding") != "" || c.Get(skipKey) != nil {
		rec.flush()
		return nil
	}
	e := &Entry{Version: v, Status: http.StatusOK, Header: handlerHeaders(before, h), Body: bytes.Clone(rec.buf.Bytes()), Expires: now.Add(rc.MaxAge)}
	if rc.Until != nil {
		if u := rc.Until(c); !u.IsZero() && u.Before(e.Expires) {
			e.Expires = u
		}
	}
	e.ETag = etagOf(key, e.Body)
	if now.Before(e.Expires) {
		rc.LRU.Put(key, e)
	}
	res.Committed, res.Size = false, 0
	return rc.serve(c, e)
}

// serve writes a stored answer, 304 when the client has it.
func (rc *Cache) serve(c echo.Context, e *Entry) error {
	res := c.Response()
	h := res.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	h.Set("Cache-Control", CacheControl)
	h.Set("CDN-Cache-Control", CDNCacheControl)
	h.Set(HeaderVersion, strconv.FormatUint(e.Version, 10))
	// The language comes from ?lang=, the lang cookie or Accept-Language.
	addVary(h, "Accept-Language", "Accept-Encoding", "Cookie")
	if ex := h.Get(echo.HeaderAccessControlExposeHeaders); ex != "" && !strings.Contains(ex, HeaderVersion) {
		h.Set(echo.HeaderAccessControlExposeHeaders, ex+", "+HeaderVersion)
	}
	req := c.Request()
	gz := len(e.Body) >= minGzip && acceptsGzip(req.Header.Get("Accept-Encoding"))
	etag := e.ETag
	if gz {
		etag = gzETag(etag)
	}
	h.Set("ETag", etag)
	if inm := req.Header.Get("If-None-Match"); inm != "" && (etagMatch(inm, e.ETag) || etagMatch(inm, gzETag(e.ETag))) {
		h.Del("Content-Type")
		res.WriteHeader(http.StatusNotModified)
		return nil
	}
	body := e.Body
	if gz {
		body = rc.LRU.Gz(e)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	res.WriteHeader(e.Status)
	_, err := res.Write(body)
	return err
}

// Private reports whether a request carries credentials or a cookie
// other than the language: its answer may be personal and is never cached.
func Private(req *http.Request) bool {
	if req.Header.Get("Authorization") != "" || req.Header.Get("X-App-Key") != "" {
		return true
	}
	for _, ck := range req.Cookies() {
		if ck.Name != locale.Cookie {
			return true
		}
	}
	return false
}

// Key is the request normalised: method, scheme and host (answers may
// carry absolute links), path, the query sorted by name, and the
// language. ok is false for a query too long or malformed to key on.
func Key(c echo.Context) (string, bool) {
	req := c.Request()
	if len(req.URL.RawQuery) > maxQuery {
		return "", false
	}
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte(' ')
	b.WriteString(c.Scheme())
	b.WriteString("://")
	b.WriteString(strings.ToLower(req.Host))
	b.WriteString(req.URL.EscapedPath())
	b.WriteByte('?')
	b.WriteString(q.Encode()) // names sorted; repeated values keep their order
	b.WriteByte(0)
	b.WriteString(locale.FromRequest(req))
	return b.String(), true
}

// skipHeaders are set per request or by serve, never stored.
var skipHeaders = map[string]bool{
	"Cache-Control": true, "Content-Length": true, "Content-Encoding": true, "Etag": true,
	"Vary": true, "Date": true, "Cdn-Cache-Control": true, "Set-Cookie": true, "Retry-After": true, HeaderVersion: true,
}

// handlerHeaders are the headers the handler set (after minus before),
// without the per-request ones (rate limits among them).
func handlerHeaders(before, after http.Header) http.Header {
	out := http.Header{}
	for k, vs := range after {
		if skipHeaders[k] || strings.HasPrefix(k, "X-Ratelimit") || strings.HasPrefix(k, "Ratelimit") {
			continue
		}
		if old, ok := before[k]; ok && equal(old, vs) {
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func addVary(h http.Header, names ...string) {
	have := strings.ToLower(strings.Join(h.Values("Vary"), ","))
	var add []string
	for _, n := range names {
		if !strings.Contains(have, strings.ToLower(n)) {
			add = append(add, n)
		}
	}
	if len(add) > 0 {
		h.Add("Vary", strings.Join(add, ", "))
	}
}

// etagOf is a strong validator of the body under its key. The version is
// left out on purpose: a body that did not change keeps its ETag across
// unrelated catalog changes, so revalidation still answers 304.
func etagOf(key string, body []byte) string {
	s := sha256.New()
	s.Write([]byte(key))
	s.Write([]byte{0})
	s.Write(body)
	return `"` + hex.EncodeToString(s.Sum(nil)[:16]) + `"`
}

func gzETag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gz"` }

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == etag || t == "W/"+etag || t == "*" {
			return true
		}
	}
	return false
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if v, ok := strings.CutPrefix(q, "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			return err == nil && f > 0
		}
		return true
	}
	return false
}

// recorder buffers a 200 answer up to limit; anything else (another
// status, a larger body, a flush) goes straight to the client.
type recorder struct {
	w           http.ResponseWriter
	status      int
	wroteHeader bool
	passthrough bool
	buf         bytes.Buffer
	limit       int
}

func (r *recorder) Header() http.Header { return r.w.Header() }

func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader {
		return
	}
	r.status, r.wroteHeader = code, true
	if code != http.StatusOK {
		r.passthrough = true
		r.w.WriteHeader(code)
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	if r.passthrough {
		return r.w.Write(b)
	}
	if r.buf.Len()+len(b) > r.limit {
		r.flush()
		return r.w.Write(b)
	}
	return r.buf.Write(b)
}

// Flush gives up buffering: the handler streams.
func (r *recorder) Flush() {
	r.flush()
	if f, ok := r.w.(http.Flusher); ok {
		f.Flush()
	}
}

// flush writes what is buffered and passes the rest through.
func (r *recorder) flush() {
	if r.passthrough {
		return
	}
	r.passthrough = true
	if r.wroteHeader {
		r.w.WriteHeader(r.status)
	}
	if r.buf.Len() > 0 {
		_, _ = r.w.Write(r.buf.Bytes())
		r.buf.Reset()
	}
}
