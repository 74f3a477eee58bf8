package frontend

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/locale"
)

// PageMeta is a page file's front matter.
type PageMeta struct {
	Page           string   `json:"page"`       // <body data-page>
	I18n           []string `json:"i18n"`       // extra catalogs (static/i18n/<name>.<lang>.json)
	Scope          string   `json:"scope"`      // <body data-scope>
	Title          string   `json:"title"`      // catalog key of the <title> part
	TitleText      string   `json:"title_text"` // or a literal one
	Desc           string   `json:"desc"`       // catalog key of the meta description
	DescText       string   `json:"desc_text"`  // or a literal one
	CSS            []string `json:"css"`        // extra stylesheets under static/
	JS             string   `json:"js"`         // the page's module under static/
	NoIndex        bool     `json:"noindex"`    // consoles and personal pages
	NoReferrer     bool     `json:"noreferrer"` // pages whose URL carries a secret
	Atom           bool     `json:"atom"`       // links the announcements feed
	Main           string   `json:"main"`       // class of <main>
	NoTab          bool     `json:"notab"`      // <main> without tabindex
	Raw            bool     `json:"raw"`        // a whole document outside the layout
	NoHeaderSearch bool     `json:"no_header_search"`
}

// View is what a handler gives Render for one page.
type View struct {
	Lang        string
	Title       string // translated page part of <title>; "" uses the front matter
	Description string // meta description; "" uses the front matter
	// Path and Query make the canonical URL (lang is added for English);
	// Path "" means the page has no canonical URL (error pages).
	Path  string
	Query url.Values
	// NavPath marks the current main-navigation entry; Path when "".
	NavPath string
	// Origin is scheme://host for absolute URLs when no base URL is set.
	Origin      string
	OGType      string // "website" unless set
	OGImage     string // absolute URL; the logo unless set
	JSONLD      any    // marshalled into <script type="application/ld+json">
	NoIndex     bool
	SearchQuery string // pre-fills the header search box
	Alternates  []Alternate
	Data        any // the page template's data (.Data); nil for shells
}

// Alternate is a <link rel="alternate"> to another representation.
type Alternate struct{ Type, Href, Title string }

// NavItem is an entry of the main navigation.
type NavItem struct {
	Key, Href, Label string
	Current          bool
}

// Doc is the dot of the layout and page templates.
type Doc struct {
	*View
	Meta                                     PageMeta
	V                                        string
	HTMLLang, OGLocale, OGLocaleAlt          string
	FullTitle, OGTitle, Desc                 string
	Canonical, AltZH, AltEN                  string
	Other, OtherHTMLLang, OtherURL           string
	LangParam                                bool
	SiteName, Notice, I18nExtra, JS, OGImage string
	OGType                                   string
	Preload                                  []string
	Style                                    template.CSS
	NoIndex                                  bool
	Nav                                      []NavItem
}

var nav = []struct{ key, href string }{
	{"home", "/"}, {"datasets", "/datasets"}, {"announcements", "/announcements"},
	{"requests", "/requests"}, {"stats", "/stats"}, {"developers", "/developers"},
}

func navCurrent(key, p string) bool {
	switch key {
	case "home":
		return p == "/"
	case "datasets":
		return p == "/datasets" || strings.HasPrefix(p, "/datasets/")
	case "requests":
		return p == "/requests" || (strings.HasPrefix(p, "/requests/") && p != "/requests/new")
	}
	for _, n := range nav {
		if n.key == key {
			return p == n.href || strings.HasPrefix(p, n.href+"/")
		}
	}
	return false
}

// Options configure a Renderer.
type Options struct {
	BaseURL string // PORTAL_BASE_URL, no trailing slash; "" uses the request's host
	Notice  string // the site notice in every footer (the demo notice)
}

// Renderer renders pages in the reader's language.
type Renderer struct {
	opt   Options
	cats  map[string]map[string]string // "zh", "en", "accounts.zh", ...
	pages map[string]*page
	mu    sync.Mutex
	shell map[string]*asset // page + "\x00" + lang + "\x00" + origin → rendered shell
}

type page struct {
	name string
	meta PageMeta
	// style is the page's whole stylesheet (site.css and its own), inlined:
	// on a slow phone network a linked stylesheet costs a second round trip
	// before anything paints. styleHash admits it under the CSP.
	style     template.CSS
	styleHash string
	tpl       map[string]*template.Template // by language
	preload   []string
	raw       *asset
}

var frontMatter = regexp.MustCompile(`^\{\{/\*page (\{.*\}) \*/\}\}\n`)

// NewRenderer parses every page template in both languages.
func NewRenderer(o Options) (*Renderer, error) {
	r := &Renderer{opt: o, cats: map[string]map[string]string{}, pages: map[string]*page{}, shell: map[string]*asset{}}
	for name, a := range assets {
		if !strings.HasPrefix(name, "/static/i18n/") || !strings.HasSuffix(name, ".json") {
			continue
		}
		m := map[string]string{}
		if err := json.Unmarshal(a.body, &m); err != nil {
			return nil, fmt.Errorf("frontend: %s: %w", name, err)
		}
		r.cats[strings.TrimSuffix(path.Base(name), ".json")] = m
	}
	layout := string(sources["templates/layout.html"])
	graph := moduleGraph()
	for name, src := range sources {
		if !strings.HasPrefix(name, "pages/") {
			continue
		}
		pname := strings.TrimSuffix(path.Base(name), ".html")
		m := frontMatter.FindSubmatch(src)
		if m == nil {
			return nil, fmt.Errorf("frontend: %s has no front matter", name)
		}
		p := &page{name: pname, tpl: map[string]*template.Template{}}
		if err := json.Unmarshal(m[1], &p.meta); err != nil {
			return nil, fmt.Errorf("frontend: %s front matter: %w", name, err)
		}
		body := src[len(m[0]):]
		if p.meta.Raw {
			p.raw = newAsset(body, "text/html; charset=utf-8")
			r.pages[pname] = p
			continue
		}
		if p.meta.JS != "" {
			p.preload = graph.closure("/static/" + p.meta.JS)
		}
		var css strings.Builder
		for _, c := range append([]string{"css/site.css"}, p.meta.CSS...) {
			a := assets["/static/"+c]
			if a == nil {
				return nil, fmt.Errorf("frontend: %s: no stylesheet %s", name, c)
			}
			css.Write(a.body)
			css.WriteByte('\n')
		}
		p.style = template.CSS(css.String()) // our own embedded files, not user data
		sum := sha256.Sum256([]byte(css.String()))
		p.styleHash = "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		for _, l := range []string{locale.ZH, locale.EN} {
			t := template.New(pname).Funcs(r.funcs(l, p.meta.I18n))
			if _, err := t.Parse(layout); err != nil {
				return nil, fmt.Errorf("frontend: layout: %w", err)
			}
			main := `{{define "main"}}` + r.translateStatic(string(body), l, p.meta.I18n) + `{{end}}`
			if _, err := t.Parse(main); err != nil {
				return nil, fmt.Errorf("frontend: %s: %w", name, err)
			}
			p.tpl[l] = t
		}
		r.pages[pname] = p
	}
	return r, nil
}

// T translates key in lang with {name} variables given as pairs; a missing
// key falls back to Chinese, then to the key. extra names domain catalogs.
func (r *Renderer) T(lang, key string, kv ...any) string {
	return r.lookup(lang, nil, key, kv...)
}

func (r *Renderer) lookup(lang string, extra []string, key string, kv ...any) string {
	s, ok := r.find(lang, extra, key)
	if !ok {
		s, ok = r.find(locale.ZH, extra, key)
	}
	if !ok {
		return key
	}
	if len(kv) == 0 || !strings.Contains(s, "{") {
		return s
	}
	vars := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		vars[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	return varRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

var varRE = regexp.MustCompile(`\{\w+\}`)

// find looks in the page's catalogs, then the site and shared ones.
func (r *Renderer) find(lang string, extra []string, key string) (string, bool) {
	for i := len(extra) - 1; i >= 0; i-- {
		if s, ok := r.cats[extra[i]+"."+lang][key]; ok {
			return s, true
		}
	}
	if s, ok := r.cats["site."+lang][key]; ok {
		return s, true
	}
	s, ok := r.cats[lang][key]
	return s, ok
}

// TWith translates key looking first in the named domain catalogs (first
// match wins), then the site and shared ones.
func (r *Renderer) TWith(lang string, catalogs []string, key string, kv ...any) string {
	extra := make([]string, len(catalogs))
	for i, c := range catalogs {
		extra[len(catalogs)-1-i] = c // lookup searches its list from the end
	}
	return r.lookup(lang, extra, key, kv...)
}

// TPage translates key as page name's templates do (its own catalogs
// first), for titles and descriptions built in Go.
func (r *Renderer) TPage(lang, page, key string, kv ...any) string {
	var extra []string
	if p := r.pages[page]; p != nil {
		extra = p.meta.I18n
	}
	return r.lookup(lang, extra, key, kv...)
}

// Has reports whether key exists in lang's catalogs (with extra ones).
func (r *Renderer) Has(lang string, extra []string, key string) bool {
	_, ok := r.find(lang, extra, key)
	return ok
}

// funcs are the template functions, bound to one language.
func (r *Renderer) funcs(lang string, extra []string) template.FuncMap {
	tr := func(key string, kv ...any) string { return r.lookup(lang, extra, key, kv...) }
	return template.FuncMap{
		// t "key" "var" value ... translates.
		"t": tr,
		// tn "key" n "var" value ...: the key's ".one" variant when n is 1.
		"tn": func(key string, n any, kv ...any) string {
			k := key
			if fmt.Sprint(n) == "1" && r.Has(lang, extra, key+".one") {
				k = key + ".one"
			}
			return tr(k, append([]any{"n", FormatNumber(n)}, kv...)...)
		},
		// enum "open_type" "conditional" → 有条件开放 (enum.open_type.conditional).
		"enum": func(kind string, v any) string {
			k := "enum." + kind + "." + fmt.Sprint(v)
			if r.Has(lang, extra, k) {
				return tr(k)
			}
			return fmt.Sprint(v)
		},
		"lang":     func() string { return lang },
		"date":     FormatDate,
		"datetime": FormatDateTime,
		"num":      FormatNumber,
		"bytes":    FormatBytes,
		"add":      func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			out := make([]int, 0, n)
			for i := 1; i <= n; i++ {
				out = append(out, i)
			}
			return out
		},
	}
}

// i18nLeaf matches an element with data-i18n whose content is plain text.
var i18nLeaf = regexp.MustCompile(`(<[a-zA-Z][a-zA-Z0-9]*\b[^<>]*?\sdata-i18n="([a-zA-Z0-9_.-]+)"[^<>]*>)([^<{]*)(</)`)

// i18nAttr matches data-i18n-attr="attr:key;attr:key" on a tag.
var i18nAttr = regexp.MustCompile(`<[a-zA-Z][^<>]*\sdata-i18n-attr="([^"]+)"[^<>]*>`)

// translateStatic writes each data-i18n element's text (and data-i18n-attr
// attributes) in lang, as the page script would, so shells read right
// before any script runs.
func (r *Renderer) translateStatic(src, lang string, extra []string) string {
	esc := func(s string) string {
		s = template.HTMLEscapeString(s)
		return strings.ReplaceAll(s, "{{", "&#123;&#123;")
	}
	src = i18nLeaf.ReplaceAllStringFunc(src, func(m string) string {
		sm := i18nLeaf.FindStringSubmatch(m)
		return sm[1] + esc(r.lookup(lang, extra, sm[2])) + sm[4]
	})
	return i18nAttr.ReplaceAllStringFunc(src, func(tag string) string {
		spec := i18nAttr.FindStringSubmatch(tag)[1]
		for _, pair := range strings.Split(spec, ";") {
			attr, key, ok := strings.Cut(pair, ":")
			attr, key = strings.TrimSpace(attr), strings.TrimSpace(key)
			if !ok || attr == "" || key == "" {
				continue
			}
			re := regexp.MustCompile(`(\s` + regexp.QuoteMeta(attr) + `=")[^"]*(")`)
			val := esc(r.lookup(lang, extra, key))
			if re.MatchString(tag) {
				tag = re.ReplaceAllString(tag, "${1}"+strings.ReplaceAll(val, "$", "$$")+"${2}")
			}
		}
		return tag
	})
}

// doc fills the layout's data for one page.
func (r *Renderer) doc(p *page, v *View) *Doc {
	l := v.Lang
	if !locale.Valid(l) {
		l = locale.Default
	}
	v.Lang = l
	tr := func(key string, kv ...any) string { return r.lookup(l, p.meta.I18n, key, kv...) }
	d := &Doc{View: v, Meta: p.meta, V: version, HTMLLang: locale.HTML(l), OGLocale: locale.OG(l), SiteName: tr("site.name"), Notice: r.opt.Notice}
	d.Other = locale.EN
	if l == locale.EN {
		d.Other = locale.ZH
	}
	d.OtherHTMLLang, d.OGLocaleAlt = locale.HTML(d.Other), locale.OG(d.Other)
	title := v.Title
	if title == "" {
		switch {
		case p.meta.Title != "":
			title = tr(p.meta.Title)
		case p.meta.TitleText != "":
			title = p.meta.TitleText
		}
	}
	d.OGTitle = d.SiteName
	d.FullTitle = d.SiteName
	if title != "" {
		d.OGTitle = title
		d.FullTitle = title + " - " + d.SiteName
	}
	d.Desc = v.Description
	if d.Desc == "" {
		switch {
		case p.meta.Desc != "":
			d.Desc = tr(p.meta.Desc)
		case p.meta.DescText != "":
			d.Desc = p.meta.DescText
		}
	}
	d.NoIndex = v.NoIndex || p.meta.NoIndex
	d.I18nExtra = strings.Join(p.meta.I18n, " ")
	d.Style = p.style
	if p.meta.JS != "" {
		d.JS = "/static/" + p.meta.JS + "?v=" + version
		for _, m := range p.preload {
			d.Preload = append(d.Preload, m+"?v="+version)
		}
	}
	base := r.opt.BaseURL
	if base == "" {
		base = v.Origin
	}
	cur := v.Path
	if v.NavPath != "" {
		cur = v.NavPath
	}
	if v.Path != "" {
		d.AltZH = base + withLang(v.Path, v.Query, "")
		d.AltEN = base + withLang(v.Path, v.Query, locale.EN)
		d.Canonical = d.AltZH
		if l == locale.EN {
			d.Canonical = d.AltEN
		}
	}
	d.OGType = v.OGType
	if d.OGType == "" {
		d.OGType = "website"
	}
	d.OGImage = v.OGImage
	if d.OGImage == "" {
		d.OGImage = base + "/static/img/logo.svg"
	}
	// The switch keeps the page; scripts keep the rest of the query too.
	d.OtherURL = "?" + locale.Param + "=" + d.Other
	if v.Path != "" {
		d.OtherURL = withLang(v.Path, v.Query, d.Other)
	}
	d.LangParam = l != locale.Default
	for _, n := range nav {
		d.Nav = append(d.Nav, NavItem{Key: n.key, Href: n.href, Label: tr("nav." + n.key), Current: navCurrent(n.key, cur)})
	}
	return d
}

// withLang is p?query with lang set (or removed for "").
func withLang(p string, q url.Values, lang string) string {
	vals := url.Values{}
	for k, vs := range q {
		if k != locale.Param {
			vals[k] = vs
		}
	}
	if lang != "" {
		vals.Set(locale.Param, lang)
	}
	if len(vals) == 0 {
		return p
	}
	return p + "?" + vals.Encode()
}

// Render renders page name with v into a byte slice.
func (r *Renderer) Render(name string, v *View) ([]byte, error) {
	p := r.pages[name]
	if p == nil {
		return nil, fmt.Errorf("frontend: no page %q", name)
	}
	if p.raw != nil {
		return p.raw.body, nil
	}
	d := r.doc(p, v)
	var buf bytes.Buffer
	if err := p.tpl[d.Lang].ExecuteTemplate(&buf, "layout", d); err != nil {
		return nil, fmt.Errorf("frontend: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// AllowStyle admits page name's inline stylesheet under the response's
// Content-Security-Policy (set by the security middleware before the
// handler runs): style-src 'self' gains the stylesheet's hash.
func (r *Renderer) AllowStyle(c echo.Context, name string) {
	p := r.pages[name]
	if p == nil || p.styleHash == "" {
		return
	}
	h := c.Response().Header()
	if csp := h.Get("Content-Security-Policy"); strings.Contains(csp, "style-src 'self'") {
		h.Set("Content-Security-Policy", strings.Replace(csp, "style-src 'self'", "style-src 'self' "+p.styleHash, 1))
	}
}

// Meta returns a page's front matter (ok false when there is no such page).
func (r *Renderer) Meta(name string) (PageMeta, bool) {
	p := r.pages[name]
	if p == nil {
		return PageMeta{}, false
	}
	return p.meta, true
}

// Origin is scheme://host of the request, for absolute URLs when no base URL
// is configured.
func Origin(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}

// ServeShell answers with a client-rendered page in the reader's language.
func (r *Renderer) ServeShell(c echo.Context, name string) error {
	p := r.pages[name]
	if p == nil {
		return echo.ErrNotFound
	}
	if p.raw != nil {
		c.Response().Header().Set("Cache-Control", "no-cache")
		return serve(c, p.raw)
	}
	l := locale.FromRequest(c.Request())
	origin := ""
	if r.opt.BaseURL == "" {
		origin = Origin(c)
	}
	key := name + "\x00" + l + "\x00" + origin
	r.mu.Lock()
	a := r.shell[key]
	r.mu.Unlock()
	if a == nil {
		v := &View{Lang: l, Origin: origin, NavPath: c.Path()}
		if !strings.Contains(c.Path(), ":") {
			v.Path = c.Path() // a canonical URL only where the route names one page
		}
		b, err := r.Render(name, v)
		if err != nil {
			return err
		}
		a = newAsset(b, "text/html; charset=utf-8")
		r.mu.Lock()
		if len(r.shell) < 4096 { // bounded: hosts come from requests
			r.shell[key] = a
		}
		r.mu.Unlock()
	}
	PageHeaders(c, l)
	r.AllowStyle(c, name)
	return serve(c, a)
}

// PageHeaders sets what every HTML page answer carries: the language it is
// in, that it varies by the reader's language, and the remembered choice
// when the URL names one.
func PageHeaders(c echo.Context, l string) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Language", locale.HTML(l))
	h.Add("Vary", "Accept-Language, Cookie")
	locale.Remember(c.Response(), c.Request())
}

// ServeHTML writes a rendered page with an ETag (304 when it matches),
// compressed for clients that accept gzip.
func ServeHTML(c echo.Context, status int, body []byte, etag string) error {
	return ServeHTMLGz(c, status, body, nil, etag)
}

// ServeHTMLGz is ServeHTML with the body's gzip form made once by the
// caller (kept pages): compressing on every answer would cost more than
// the rest of a cached answer. gz nil compresses on the fly.
func ServeHTMLGz(c echo.Context, status int, body, gz []byte, etag string) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if etag != "" {
		h.Set("ETag", etag)
		if status == http.StatusOK && (etagMatch(c.Request().Header.Get("If-None-Match"), etag) || etagMatch(c.Request().Header.Get("If-None-Match"), gzETag(etag))) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	h.Add("Vary", "Accept-Encoding")
	if len(body) >= minGzip && acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
		if gz == nil {
			gz = Gzip(body)
		}
		body = gz
		h.Set("Content-Encoding", "gzip")
		if etag != "" {
			h.Set("ETag", gzETag(etag))
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// Gzip compresses a page body (fastest level: pages are compressed per
// render).
func Gzip(b []byte) []byte { return gzipBytes(b, gzip.BestSpeed) }

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == etag || t == "W/"+etag || t == "*" {
			return true
		}
	}
	return false
}

// ETag is a strong validator for a rendered body.
func ETag(b []byte) string { return newAsset(b, "").etag }

// ---- formatting (the server's twin of i18n.js) ----

// FormatDate is "2006-01-02" in China time; "—" for nil or zero.
func FormatDate(v any) string {
	if t, ok := timeOf(v); ok {
		return t.In(calendar.Zone).Format("2006-01-02")
	}
	return "—"
}

// FormatDateTime is "2006-01-02 15:04" in China time.
func FormatDateTime(v any) string {
	if t, ok := timeOf(v); ok {
		return t.In(calendar.Zone).Format("2006-01-02 15:04")
	}
	return "—"
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t != nil && !t.IsZero() {
			return *t, true
		}
	}
	return time.Time{}, false
}

// FormatNumber writes an integer with thousands separators.
func FormatNumber(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case int32:
		n = int64(x)
	case uint:
		n = int64(x)
	case uint64:
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatBytes is a size like "1.5 MB" (binary units, as the pages show).
func FormatBytes(v any) string {
	var n float64
	switch x := v.(type) {
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	default:
		return "—"
	}
	if n < 0 {
		return "—"
	}
	units := []string{"B", "KB", "MB", "GB", "TB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 || n >= 100 {
		return strconv.FormatFloat(n, 'f', 0, 64) + " " + units[i]
	}
	return strconv.FormatFloat(n, 'f', 1, 64) + " " + units[i]
}

// ---- module preloads ----

type modGraph map[string][]string // "/static/js/a.js" → its static imports

var importRE = regexp.MustCompile(`(?m)(?:^|;|\s)(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}/[^'"?]+)(?:\?[^'"]*)?['"]|(?m)^\s*import\s*['"](\.{1,2}/[^'"?]+)(?:\?[^'"]*)?['"]`)

func moduleGraph() modGraph {
	g := modGraph{}
	for name, a := range assets {
		if !strings.HasPrefix(name, "/static/") || !strings.HasSuffix(name, ".js") {
			continue
		}
		dir := path.Dir(name)
		for _, m := range importRE.FindAllSubmatch(a.body, -1) {
			rel := string(m[1])
			if rel == "" {
				rel = string(m[2])
			}
			g[name] = append(g[name], path.Join(dir, rel))
		}
	}
	return g
}

// closure lists the static imports reachable from entry (not entry itself),
// sorted, so the browser fetches the whole module graph at once instead of
// one level per round trip.
func (g modGraph) closure(entry string) []string {
	seen := map[string]bool{entry: true}
	stack := []string{entry}
	var out []string
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range g[n] {
			if !seen[d] && assets[d] != nil {
				seen[d] = true
				out = append(out, d)
				stack = append(stack, d)
			}
		}
	}
	sort.Strings(out)
	return out
}
