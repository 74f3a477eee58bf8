package site

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/web"
)

// The sitemaps (https://www.sitemaps.org/protocol.html): /sitemap.xml is an
// index of files of at most SitemapMaxURLs URLs each: the site's pages
// with every department and topic (pages-N.xml), every public dataset
// (datasets-N.xml) and every announcement (announcements-N.xml). Files are
// written as they are read, in bounded batches of ids and dates.

// SitemapMaxURLs is the most URLs in one sitemap file (the protocol's
// limit); a variable so tests can split small catalogs.
var SitemapMaxURLs = 50000

// SitemapMaxBytes is the protocol's size limit of one file (uncompressed).
// At most a few hundred bytes per URL, 50,000 URLs stay far below it; the
// writer still stops before it.
var SitemapMaxBytes = 50 << 20

// sitemapBatch is how many rows one query reads.
const sitemapBatch = 1000

func (h *Handler) sitemapRoutes(r *web.Router) {
	r.GET("/sitemap.xml", web.Public, h.sitemapIndex)
	r.GET("/sitemaps/:file", web.Public, h.sitemapFile)
	r.GET("/robots.txt", web.Public, h.robots)
}

// robotsDisallow keeps crawlers out of the API, the consoles, personal
// pages and forms. /api/docs goes with the API: it is a client-rendered
// reference, and /developers is the page to find.
var robotsDisallow = []string{
	"/api/", "/console", "/review", "/admin", "/account", "/apply", "/applications/",
	"/login", "/register", "/forgot-password", "/reset-password", "/corrections/", "/requests/new",
}

func (h *Handler) robots(c echo.Context) error {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range robotsDisallow {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("\nSitemap: " + h.base(c) + "/sitemap.xml\n")
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// sitemapURL is one <url>.
type sitemapURL struct {
	Path    string
	LastMod time.Time
}

// chunked is a kind of sitemap whose rows are read in id order (datasets,
// announcements).
type chunked struct {
	table   string
	timeCol string
	scope   func(*gorm.DB) *gorm.DB
	path    string // URL prefix of a row's page
	// exclude drops rows that must not be listed although the table still
	// shows them (a revocation in effect that the job has not applied).
	exclude func(ctx context.Context, ids []string) (map[string]bool, error)
}

func (h *Handler) chunkedKinds() map[string]*chunked {
	public := func(db *gorm.DB) *gorm.DB {
		return db.Where("status = ? AND open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional})
	}
	kinds := map[string]*chunked{
		"datasets":      {table: "datasets", timeCol: "updated_at", scope: public, path: "/datasets/"},
		"announcements": {table: "announcements", timeCol: "published_at", scope: func(db *gorm.DB) *gorm.DB { return db }, path: "/announcements/"},
	}
	if h.Revocations != nil {
		kinds["datasets"].exclude = h.Revocations.Withdrawn
	}
	return kinds
}

func (k *chunked) q(ctx context.Context, db *gorm.DB) *gorm.DB {
	return k.scope(db.WithContext(ctx).Table(k.table))
}

// idAt is the id at position i in id order ("" past the end).
func (k *chunked) idAt(ctx context.Context, db *gorm.DB, i int) (string, error) {
	var ids []string
	if err := k.q(ctx, db).Order("id").Offset(i).Limit(1).Pluck("id", &ids).Error; err != nil {
		return "", apperr.Internalf(err, "sitemap %s position %d", k.table, i)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

// latest is the newest date among the rows between two ids (inclusive).
func (k *chunked) latest(ctx context.Context, db *gorm.DB, from, to string) (time.Time, error) {
	var ts []time.Time
	q := k.q(ctx, db).Where("id >= ?", from)
	if to != "" {
		q = q.Where("id <= ?", to)
	}
	if err := q.Order(k.timeCol+" DESC").Limit(1).Pluck(k.timeCol, &ts).Error; err != nil {
		return time.Time{}, apperr.Internalf(err, "sitemap %s date", k.table)
	}
	if len(ts) == 0 {
		return time.Time{}, nil
	}
	return ts[0], nil
}

// files lists the kind's sitemap files with their dates.
func (k *chunked) files(ctx context.Context, db *gorm.DB, name string) ([]sitemapURL, error) {
	var n int64
	if err := k.q(ctx, db).Count(&n).Error; err != nil {
		return nil, apperr.Internalf(err, "sitemap count %s", k.table)
	}
	var out []sitemapURL
	for i := 0; int64(i*SitemapMaxURLs) < n; i++ {
		from, err := k.idAt(ctx, db, i*SitemapMaxURLs)
		if err != nil {
			return nil, err
		}
		last := min(int64((i+1)*SitemapMaxURLs), n) - 1
		to, err := k.idAt(ctx, db, int(last))
		if err != nil {
			return nil, err
		}
		t, err := k.latest(ctx, db, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, sitemapURL{Path: "/sitemaps/" + name + "-" + strconv.Itoa(i+1) + ".xml", LastMod: t})
	}
	return out, nil
}

// each calls fn with the rows of one file, from the id it starts at, in
// batches.
func (k *chunked) each(ctx context.Context, db *gorm.DB, from string, fn func(sitemapURL) error) error {
	type row struct {
		ID string
		T  time.Time
	}
	left := SitemapMaxURLs
	first := true
	for left > 0 {
		var rows []row
		q := k.q(ctx, db).Select("id, " + k.timeCol + " AS t")
		if first {
			q = q.Where("id >= ?", from)
		} else {
			q = q.Where("id > ?", from)
		}
		if err := q.Order("id").Limit(min(sitemapBatch, left)).Scan(&rows).Error; err != nil {
			return apperr.Internalf(err, "sitemap %s rows", k.table)
		}
		if len(rows) == 0 {
			break
		}
		first, left, from = false, left-len(rows), rows[len(rows)-1].ID
		var drop map[string]bool
		if k.exclude != nil {
			ids := make([]string, len(rows))
			for i, r := range rows {
				ids[i] = r.ID
			}
			var err error
			if drop, err = k.exclude(ctx, ids); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if drop[r.ID] {
				continue
			}
			if err := fn(sitemapURL{Path: k.path + r.ID, LastMod: r.T}); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageURLs are the site's own pages, departments and topics: a few
// hundred, read at once.
func (h *Handler) pageURLs(ctx context.Context) ([]sitemapURL, error) {
	db := h.DB.WithContext(ctx)
	kinds := h.chunkedKinds()
	newest := func(k *chunked, where string, args ...any) (time.Time, error) {
		var ts []time.Time
		q := k.q(ctx, h.DB)
		if where != "" {
			q = q.Where(where, args...)
		}
		if err := q.Order(k.timeCol+" DESC").Limit(1).Pluck(k.timeCol, &ts).Error; err != nil {
			return time.Time{}, apperr.Internalf(err, "sitemap dates")
		}
		if len(ts) == 0 {
			return time.Time{}, nil
		}
		return ts[0], nil
	}
	catalogDate, err := newest(kinds["datasets"], "")
	if err != nil {
		return nil, err
	}
	annDate, err := newest(kinds["announcements"], "")
	if err != nil {
		return nil, err
	}
	out := []sitemapURL{
		{"/", catalogDate}, {"/datasets", catalogDate}, {"/departments", catalogDate}, {"/topics", catalogDate},
		{"/announcements", annDate}, {"/requests", time.Time{}}, {"/stats", time.Time{}}, {"/developers", time.Time{}},
	}
	var deps, topics []string
	if err := db.Model(&catalog.Department{}).Order("id").Pluck("id", &deps).Error; err != nil {
		return nil, apperr.Internalf(err, "sitemap departments")
	}
	if err := db.Model(&catalog.Topic{}).Order("id").Pluck("id", &topics).Error; err != nil {
		return nil, apperr.Internalf(err, "sitemap topics")
	}
	// A department's or topic's page changes with its newest dataset.
	for _, g := range []struct {
		ids         []string
		col, prefix string
	}{{deps, "department_id", "/departments/"}, {topics, "topic_id", "/topics/"}} {
		for _, id := range g.ids {
			t, err := newest(kinds["datasets"], g.col+" = ?", id)
			if err != nil {
				return nil, err
			}
			out = append(out, sitemapURL{Path: g.prefix + id, LastMod: t})
		}
	}
	return out, nil
}

func (h *Handler) sitemapIndex(c echo.Context) error {
	ctx := c.Request().Context()
	pages, err := h.pageURLs(ctx)
	if err != nil {
		return err
	}
	var files []sitemapURL
	for i := 0; i*SitemapMaxURLs < len(pages); i++ {
		var t time.Time
		for _, p := range pages[i*SitemapMaxURLs : min(len(pages), (i+1)*SitemapMaxURLs)] {
			if p.LastMod.After(t) {
				t = p.LastMod
			}
		}
		files = append(files, sitemapURL{Path: "/sitemaps/pages-" + strconv.Itoa(i+1) + ".xml", LastMod: t})
	}
	kinds := h.chunkedKinds()
	for _, name := range []string{"datasets", "announcements"} {
		list, err := kinds[name].files(ctx, h.DB, name)
		if err != nil {
			return err
		}
		files = append(files, list...)
	}
	w := h.sitemapWriter(c, "sitemapindex")
	for _, f := range files {
		if err := w.add("sitemap", f); err != nil {
			return err
		}
	}
	return w.close()
}

var sitemapFileRE = regexp.MustCompile(`^(pages|datasets|announcements)-([1-9][0-9]{0,5})\.xml$`)

func (h *Handler) sitemapFile(c echo.Context) error {
	m := sitemapFileRE.FindStringSubmatch(c.Param("file"))
	if m == nil {
		return h.NotFound(c)
	}
	ctx := c.Request().Context()
	number, _ := strconv.Atoi(m[2])
	if m[1] == "pages" {
		pages, err := h.pageURLs(ctx)
		if err != nil {
			return err
		}
		from := (number - 1) * SitemapMaxURLs
		if from >= len(pages) {
			return h.NotFound(c)
		}
		w := h.sitemapWriter(c, "urlset")
		for _, p := range pages[from:min(len(pages), from+SitemapMaxURLs)] {
			if err := w.add("url", p); err != nil {
				return err
			}
		}
		return w.close()
	}
	k := h.chunkedKinds()[m[1]]
	// The file's first row, read before anything is written, tells a file
	// that exists from one past the end.
	from, err := k.idAt(ctx, h.DB, (number-1)*SitemapMaxURLs)
	if err != nil {
		return err
	}
	if from == "" {
		return h.NotFound(c)
	}
	w := h.sitemapWriter(c, "urlset")
	if err := k.each(ctx, h.DB, from, func(u sitemapURL) error { return w.add("url", u) }); err != nil {
		return h.sitemapFailed(w, err)
	}
	return w.close()
}

// sitemapWriter streams one sitemap or index.
type sitemapWriter struct {
	c       echo.Context
	base    string
	root    string
	w       *bufio.Writer
	n       int // bytes so far
	started bool
	head    bool
	full    bool
}

func (h *Handler) sitemapWriter(c echo.Context, root string) *sitemapWriter {
	return &sitemapWriter{c: c, base: h.base(c), root: root, head: c.Request().Method == http.MethodHead}
}

func (s *sitemapWriter) write(str string) error {
	s.n += len(str)
	if s.head {
		return nil
	}
	_, err := s.w.WriteString(str)
	return err
}

func (s *sitemapWriter) start() error {
	if s.started {
		return nil
	}
	s.started = true
	hd := s.c.Response().Header()
	hd.Set("Content-Type", "application/xml; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=600")
	hd.Set("X-Content-Type-Options", "nosniff")
	s.c.Response().WriteHeader(http.StatusOK)
	s.w = bufio.NewWriterSize(s.c.Response(), 32<<10)
	return s.write(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<` + s.root + ` xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
}

// closing is the end of the document, kept room for under the size limit.
func (s *sitemapWriter) closing() string { return "</" + s.root + ">\n" }

// add writes one <url> or <sitemap>; past the size limit it writes no more.
func (s *sitemapWriter) add(elem string, u sitemapURL) error {
	if err := s.start(); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<" + elem + "><loc>")
	if err := xml.EscapeText(&b, []byte(s.base+u.Path)); err != nil {
		return err
	}
	b.WriteString("</loc>")
	if !u.LastMod.IsZero() {
		b.WriteString("<lastmod>" + u.LastMod.In(calendar.Zone).Format(time.RFC3339) + "</lastmod>")
	}
	b.WriteString("</" + elem + ">\n")
	if s.full || s.n+b.Len()+len(s.closing()) > SitemapMaxBytes {
		s.full = true
		return nil
	}
	return s.write(b.String())
}

func (s *sitemapWriter) close() error {
	if err := s.start(); err != nil {
		return err
	}
	if err := s.write(s.closing()); err != nil {
		return err
	}
	if s.head {
		return nil
	}
	return s.w.Flush()
}

// sitemapFailed ends a sitemap that broke while being written: before
// the first byte the error answers as usual; after it the document is cut
// short, left unclosed so that no reader takes it for complete.
func (h *Handler) sitemapFailed(s *sitemapWriter, err error) error {
	if !s.started {
		return err
	}
	if s.w != nil {
		_ = s.w.Flush()
	}
	if h.Log != nil {
		h.Log.Error("sitemap cut short", "path", s.c.Request().URL.Path, "err", err)
	}
	return fmt.Errorf("sitemap cut short: %w", err)
}
