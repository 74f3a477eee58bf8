package site

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/msgs"
	"github.com/hlj-opendata/portal/server/respcache"
	"github.com/hlj-opendata/portal/server/web"
)

// The catalog pages (home, /datasets, departments, topics) keep their
// strings in static/i18n/catalogpages.<lang>.json, which their templates
// name in the front matter; Go reads the same files for the titles and
// descriptions it writes.
var cpMessages = sync.OnceValue(func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range []string{locale.ZH, locale.EN} {
		m := map[string]string{}
		if b := frontend.Asset("/static/i18n/catalogpages." + l + ".json"); b != nil {
			_ = json.Unmarshal(b, &m) // a broken catalog fails frontend's catalog test
		}
		out[l] = m
	}
	return out
})

var cpVar = regexp.MustCompile(`\{\w+\}`)

// cpT translates key for the catalog pages: their own catalog first, then
// the shared ones, Chinese when the language lacks the key.
func (h *Handler) cpT(lang, key string, kv ...any) string {
	sub := func(s string) string {
		if len(kv) == 0 {
			return s
		}
		vars := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			vars[kv[i].(string)] = frontend.FormatNumber(kv[i+1])
		}
		return cpVar.ReplaceAllStringFunc(s, func(m string) string {
			if v, ok := vars[m[1:len(m)-1]]; ok {
				return v
			}
			return m
		})
	}
	if s, ok := cpMessages()[lang][key]; ok {
		return sub(s)
	}
	if h.R.Has(lang, nil, key) {
		return sub(h.R.T(lang, key))
	}
	if s, ok := cpMessages()[locale.ZH][key]; ok {
		return sub(s)
	}
	return sub(h.R.T(lang, key))
}

// cpTN is cpT with a count: key.one when n is 1 ("1 dataset"), n formatted.
func (h *Handler) cpTN(lang, key string, n int64, kv ...any) string {
	if n == 1 {
		if _, ok := cpMessages()[lang][key+".one"]; ok || h.R.Has(lang, nil, key+".one") {
			key += ".one"
		}
	}
	return h.cpT(lang, key, append([]any{"n", n}, kv...)...)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ---- what the dataset lists show (catalog, home, department, topic) ----

// hlPart is a piece of a search highlight: text, marked or not.
type hlPart struct {
	Text string
	Mark bool
}

var markTag = regexp.MustCompile(`(?i)</?mark>`)

// highlightParts splits an engine snippet (HTML-escaped text with only
// <mark>…</mark> added) into pieces of plain text, so the template escapes
// every piece itself: nothing of the snippet is ever trusted as markup.
func highlightParts(snippet string) []hlPart {
	var out []hlPart
	mark, last := false, 0
	add := func(s string) {
		if s != "" {
			out = append(out, hlPart{Text: html.UnescapeString(s), Mark: mark})
		}
	}
	for _, loc := range markTag.FindAllStringIndex(snippet, -1) {
		add(snippet[last:loc[0]])
		mark = snippet[loc[0]+1] != '/'
		last = loc[1]
	}
	add(snippet[last:])
	return out
}

// matchLine is "also matches in: data items …" of a result.
type matchLine struct {
	Key   string // catalog key of the field's name
	Parts []hlPart
}

// label is a name to show with the language it is written in ("" when it
// is the page's language).
type label struct {
	ID, Name, Lang string
}

// card is one dataset in a list.
type card struct {
	ID, Title, Desc string
	TitleHL, DescHL []hlPart
	Matches         []matchLine
	OpenType        string
	Department      label
	Topic           label
	Frequency       string
	Formats         []string
	UpdatedAt       time.Time
	PublishedAt     *time.Time
	Downloads       int64
	DownloadsText   string
	Quality         int
	Dispute         bool
}

// descRunes bounds the description excerpt of a list item (the list shows
// three lines; a whole description would only weigh the page down).
const descRunes = 160

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// topicLabel is a topic's name in the reader's language: English pages
// show name_en when there is one, else the Chinese name marked as such.
func topicLabel(lang string, t catalog.Topic) label {
	if lang == locale.EN && t.NameEN != "" {
		return label{ID: t.ID, Name: t.NameEN}
	}
	return chineseLabel(lang, t.ID, t.Name)
}

// chineseLabel is catalog data in Chinese (titles, department names):
// marked lang="zh-CN" on English pages.
func chineseLabel(lang, id, name string) label {
	l := label{ID: id, Name: name}
	if lang != locale.ZH {
		l.Lang = locale.HTML(locale.ZH)
	}
	return l
}

func (h *Handler) cardOf(lang string, d *catalog.Dataset, hl map[string]string) card {
	c := card{
		ID: d.ID, Title: d.Title, Desc: excerpt(d.Description, descRunes), OpenType: string(d.OpenType),
		Department: chineseLabel(lang, d.DepartmentID, d.Department.Name), Topic: topicLabel(lang, d.Topic),
		Frequency: d.UpdateFrequency, Formats: d.Formats(), UpdatedAt: d.UpdatedAt, PublishedAt: d.PublishedAt,
		Downloads: d.Downloads, DownloadsText: h.cpTN(lang, "result.downloads", d.Downloads), Quality: d.QualityScore,
	}
	if c.Topic.Name == "" {
		c.Topic.Name = d.TopicID
	}
	if s := hl["title"]; s != "" {
		c.TitleHL = highlightParts(s)
	}
	if s := hl["description"]; s != "" {
		c.DescHL = highlightParts(s)
	}
	for _, k := range []string{"data_items", "tags"} {
		if s := hl[k]; s != "" {
			c.Matches = append(c.Matches, matchLine{Key: "result.match." + k, Parts: highlightParts(s)})
		}
	}
	return c
}

// cards turns a list page into cards, with the dispute marks (a failing
// check leaves them off: the dataset page and the API still carry them).
func (h *Handler) cards(ctx context.Context, lang string, items []catalog.ListItem) []card {
	out := make([]card, 0, len(items))
	for _, it := range items {
		out = append(out, h.cardOf(lang, it.Dataset, it.Highlights))
	}
	if h.Corrections != nil && len(out) > 0 {
		ids := make([]string, len(out))
		for i, c := range out {
			ids[i] = c.ID
		}
		if open, err := h.Corrections.Disputes(ctx, ids); err == nil {
			for i := range out {
				_, out[i].Dispute = open[out[i].ID]
			}
		} else if h.Log != nil {
			h.Log.Warn("dispute marks of a list page", "err", err)
		}
	}
	return out
}

// ---- the catalog page ----

func (h *Handler) catalogRoutes(r *web.Router) {
	r.GET("/datasets", web.Public, h.catalogPage)
	// The department and topic pages are the catalog by provider and by
	// subject (site.go's Routes names the page files' route groups).
	h.departmentRoutes(r)
	h.topicRoutes(r)
}

// catalogState is what a /datasets address says: the same parameters as
// GET /api/v1/datasets (catalog.js reads and writes the same ones).
type catalogState struct {
	Q          string
	Filters    map[string][]string
	MinQuality int
	Sort       string
	Page       int
	PageSize   int
	// Cursor is the position of a page beyond pagerDepth (the previous
	// page's next cursor); such a page has no number.
	Cursor string
}

// pagerDepth is how many pages the pager numbers: deeper pages are
// reached by a "next" link carrying the cursor, which costs the engine
// the same at any depth (an offset costs more the deeper it goes).
const pagerDepth = 50

// catalogFilters are the filters the address may carry, in display order:
// the facets, then those only reached from links (a tag on a dataset page).
var catalogFilters = append(slices.Clone(catalog.ListFacets), search.FieldTag, search.FieldRegion)

const defaultPageSize = 20

func stateOf(p catalog.ListParams) catalogState {
	s := catalogState{Q: p.Query, Filters: map[string][]string{}, MinQuality: p.MinQuality, Sort: p.Sort, Page: p.Page, PageSize: p.PageSize, Cursor: p.Cursor}
	for _, f := range catalogFilters {
		var vals []string
		for _, v := range p.Filters[f] {
			if !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			s.Filters[f] = vals
		}
	}
	return s
}

// query is the state's canonical query: defaults left out, so one state
// has one address (url.Values encodes keys in order).
func (s catalogState) query() url.Values {
	q := url.Values{}
	if s.Q != "" {
		q.Set("q", s.Q)
	}
	for f, vals := range s.Filters {
		for _, v := range vals {
			q.Add(f, v)
		}
	}
	if s.MinQuality > 0 {
		q.Set("min_quality", strconv.Itoa(s.MinQuality))
	}
	if s.Sort != "" {
		q.Set("sort", s.Sort)
	}
	if s.Cursor != "" {
		q.Set("cursor", s.Cursor)
	} else if s.Page > 1 {
		q.Set("page", strconv.Itoa(s.Page))
	}
	if s.PageSize != 0 && s.PageSize != defaultPageSize {
		q.Set("page_size", strconv.Itoa(s.PageSize))
	}
	return q
}

func (s catalogState) href() string {
	if q := s.query().Encode(); q != "" {
		return "/datasets?" + q
	}
	return "/datasets"
}

func (s catalogState) clone() catalogState {
	c := s
	c.Filters = make(map[string][]string, len(s.Filters))
	for k, v := range s.Filters {
		c.Filters[k] = slices.Clone(v)
	}
	return c
}

// first is the state back on the first page: a cursor only continues
// the list it came from.
func (s catalogState) first() catalogState {
	c := s.clone()
	c.Page, c.Cursor = 1, ""
	return c
}

// toggled is the state with value added to or removed from field, back on
// the first page.
func (s catalogState) toggled(field, value string) catalogState {
	c := s.first()
	if i := slices.Index(c.Filters[field], value); i >= 0 {
		c.Filters[field] = slices.Delete(c.Filters[field], i, i+1)
		if len(c.Filters[field]) == 0 {
			delete(c.Filters, field)
		}
	} else {
		c.Filters[field] = append(c.Filters[field], value)
	}
	return c
}

func (s catalogState) filterCount() int {
	n := 0
	for _, v := range s.Filters {
		n += len(v)
	}
	if s.MinQuality > 0 {
		n++
	}
	return n
}

// catalogData is the page's data.
type catalogData struct {
	Q           string
	Total       int
	PageSize    int
	Count       []countPart
	Items       []card
	Facets      []facetGroup
	FacetHidden []hidden // the state the facet form keeps
	Chips       []chip
	FilterCount int
	ToggleText  string
	ClearHref   string
	Sorts       []option
	MinQuality  []option
	Hidden      []hidden // the rest of the state, for the sort form
	Pager       []pagerItem
	Error       *pageError
	// Degraded: the search index is starting up and the database answered
	// (no facet counts, no search words).
	Degraded bool
}

// countPart is a piece of "共 {n} 个数据集": text, the number or the query.
type countPart struct {
	Text         string
	Number, Echo bool
}

type facetGroup struct {
	Field  string
	Values []facetValue
	More   int // values behind "show more" (all shown without script)
}

type facetValue struct {
	Value, ID, Href string
	Label           label
	Count           int
	Selected        bool
	Extra           bool // beyond the first facetShown: hidden once the script runs
}

type chip struct {
	Field, Href string
	Label       label
	Text        string // the whole chip for screen readers: "移除筛选条件 领域：交通出行"
	Quality     bool
}

type option struct {
	Value, Label string
	Selected     bool
}

type hidden struct{ Name, Value string }

type pagerItem struct {
	Href, Text, Aria, Rel, Class string
	N                            int
	Current, Disabled, Gap       bool
}

type pageError struct {
	Lines []string
	Title string
}

// Facet values shown before "show more", as catalog.js shows them.
const facetShown = 8

var catalogSorts = []string{search.SortRelevance, search.SortUpdated, search.SortPublished, search.SortDownloads, search.SortName, search.SortQuality}

var minQualities = []int{0, 60, 80, 90}

// catalogParam reports whether name is a parameter of the list; others
// (a share tracker's from=, utm_*) are ignored rather than refused: they
// come with links people share.
func catalogParam(name string) bool {
	switch name {
	case "q", "page", "page_size", "sort", "min_quality", "cursor":
		return true
	}
	return search.IsFacetField(name)
}

func (h *Handler) catalogPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := locale.FromRequest(c.Request())
	q := url.Values{}
	for k, vs := range c.QueryParams() {
		if catalogParam(k) {
			q[k] = vs
		}
	}
	v := h.view(c)
	p, err := catalog.ParseListParams(q)
	var res catalog.ListResult
	if err == nil {
		res, err = h.Catalog.List(ctx, p)
	}
	if err != nil {
		return h.catalogError(c, v, lang, err)
	}
	st := stateOf(p)
	v.Query = st.query()
	// Only the catalog itself is indexed: searches, filter combinations,
	// sorts and further pages are endless variations of it, and every
	// dataset is in the sitemap (department and topic pages are the
	// landing pages of a filter).
	v.NoIndex = len(v.Query) > 0 || p.Cursor != ""
	v.SearchQuery = p.Query
	v.Title = h.cpT(lang, "catalog.title")
	if p.Query != "" {
		v.Title = h.cpT(lang, "catalog.titleQuery", "q", p.Query) + " - " + v.Title
		v.Description = h.cpT(lang, "cp.meta.catalog.query", "q", p.Query, "n", res.Total)
	}
	if p.Cursor != "" {
		v.Title += " - " + h.cpT(lang, "cp.pager.beyond", "n", pagerDepth)
	} else if p.Page > 1 {
		v.Title += " - " + h.cpT(lang, "pager.page", "n", p.Page)
	}
	topics, err := h.topicNames(ctx)
	if err != nil {
		return err
	}
	d := &catalogData{Q: p.Query, Total: res.Total, PageSize: p.PageSize, Items: h.cards(ctx, lang, res.Items), Degraded: res.Degraded}
	if res.Degraded {
		respcache.Skip(c) // the database's stand-in must not outlive the index's start
	}
	d.Count = h.countParts(lang, p.Query, res.Total)
	d.Facets = h.facetGroups(lang, st, res.Facets, topics)
	h.controls(lang, st, d, res.Facets, topics)
	d.Pager = h.pager(lang, st, res.Total, res.Next)
	v.Data = d
	return h.page(c, http.StatusOK, "datasets", v)
}

// catalogError answers a list the search cannot run: 400 with the
// problems in the reader's language, 503 while search is down.
func (h *Handler) catalogError(c echo.Context, v *frontend.View, lang string, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	status := http.StatusBadRequest
	pe := &pageError{Title: h.cpT(lang, "cp.error.title")}
	switch ae.Code {
	case apperr.Invalid:
		pe.Lines = append(pe.Lines, h.cpT(lang, "cp.error.lead"))
		fields := make([]string, 0, len(ae.Fields))
		for f := range ae.Fields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			m := ae.FieldMsg(f)
			pe.Lines = append(pe.Lines, h.cpT(lang, "error.fieldDetail", "field", h.fieldName(lang, f), "message", msgs.Localize(lang, m.Format, m.Args...)))
		}
		if len(fields) == 0 {
			m := ae.Msg()
			pe.Lines = append(pe.Lines, msgs.Localize(lang, m.Format, m.Args...))
		}
	case apperr.Unavailable:
		status = http.StatusServiceUnavailable
		pe.Lines = []string{h.cpT(lang, "cp.error.unavailable")}
		if errors.Is(err, catalog.ErrBrowseOnly) {
			// What still works: browsing (the page's reset link).
			m := ae.Msg()
			pe.Lines = []string{msgs.Localize(lang, m.Format, m.Args...)}
		}
	default:
		return err
	}
	v.NoIndex = true
	v.Title = h.cpT(lang, "catalog.title")
	v.SearchQuery = excerpt(c.QueryParam("q"), search.MaxQueryRunes)
	v.Data = &catalogData{Error: pe, Q: v.SearchQuery}
	return h.page(c, status, "datasets", v)
}

// fieldName names a parameter for a reader: the facet's label, else the
// one the API error messages use.
func (h *Handler) fieldName(lang, f string) string {
	for _, k := range []string{"facet." + f, "error.field." + f, "cp.field." + f} {
		if s := h.cpT(lang, k); s != k {
			return s
		}
	}
	return f
}

// topicNames maps topic ids to topics (English names for English pages).
func (h *Handler) topicNames(ctx context.Context) (map[string]catalog.Topic, error) {
	var list []catalog.Topic
	if err := h.DB.WithContext(ctx).Select("id, name, name_en").Find(&list).Error; err != nil {
		return nil, apperr.Internalf(err, "topic names")
	}
	out := make(map[string]catalog.Topic, len(list))
	for _, t := range list {
		out[t.ID] = t
	}
	return out, nil
}

func (h *Handler) countParts(lang, q string, total int) []countPart {
	var tpl string
	if q != "" {
		tpl = h.cpTN(lang, "catalog.resultCountQuery", int64(total), "n", "\x00n\x00", "q", "\x00q\x00")
	} else {
		tpl = h.cpTN(lang, "catalog.resultCount", int64(total), "n", "\x00n\x00")
	}
	var out []countPart
	for i, piece := range strings.Split(tpl, "\x00") {
		switch {
		case i%2 == 0:
			if piece != "" {
				out = append(out, countPart{Text: piece})
			}
		case piece == "n":
			out = append(out, countPart{Text: frontend.FormatNumber(total), Number: true})
		case piece == "q":
			out = append(out, countPart{Text: q, Echo: true})
		}
	}
	return out
}

// valueLabel is how a filter value reads: enumerations from the message
// catalogs, topics in the reader's language, departments in Chinese.
func (h *Handler) valueLabel(lang, field, value, serverLabel string, topics map[string]catalog.Topic) label {
	switch field {
	case search.FieldOpenType, search.FieldUpdateFrequency, search.FieldGrade:
		k := "enum." + field + "." + value
		if s := h.cpT(lang, k); s != k {
			return label{ID: value, Name: s}
		}
	case search.FieldTopic:
		if t, ok := topics[value]; ok {
			return topicLabel(lang, t)
		}
	case search.FieldDepartment:
		if serverLabel != "" {
			return chineseLabel(lang, value, serverLabel)
		}
	}
	if serverLabel == "" {
		serverLabel = value
	}
	return chineseLabel(lang, value, serverLabel)
}

func (h *Handler) facetGroups(lang string, st catalogState, facets map[string][]catalog.FacetValue, topics map[string]catalog.Topic) []facetGroup {
	var out []facetGroup
	for _, f := range catalog.ListFacets {
		vals := slices.Clone(facets[f])
		for _, sel := range st.Filters[f] {
			if !slices.ContainsFunc(vals, func(x catalog.FacetValue) bool { return x.Value == sel }) {
				vals = append(vals, catalog.FacetValue{Value: sel})
			}
		}
		if len(vals) == 0 {
			continue
		}
		g := facetGroup{Field: f}
		for i, x := range vals {
			fv := facetValue{
				Value: x.Value, ID: "facet-" + f + "-" + idPart(x.Value), Label: h.valueLabel(lang, f, x.Value, x.Label, topics),
				Count: x.Count, Selected: slices.Contains(st.Filters[f], x.Value), Href: st.toggled(f, x.Value).href(),
			}
			fv.Extra = i >= facetShown && !fv.Selected
			g.Values = append(g.Values, fv)
		}
		if len(vals) > facetShown {
			g.More = len(vals) - facetShown
		}
		out = append(out, g)
	}
	return out
}

// idPart makes a value safe in an id as dom.js's idPart does.
func idPart(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteString("_" + strconv.FormatInt(int64(r), 16))
		}
	}
	return b.String()
}

// controls fills the chips of the active filters, "clear all", and the
// sort and minimum quality form.
func (h *Handler) controls(lang string, st catalogState, d *catalogData, facets map[string][]catalog.FacetValue, topics map[string]catalog.Topic) {
	serverLabel := func(f, v string) string {
		for _, x := range facets[f] {
			if x.Value == v {
				return x.Label
			}
		}
		return ""
	}
	for _, f := range catalogFilters {
		for _, v := range st.Filters[f] {
			l := h.valueLabel(lang, f, v, serverLabel(f, v), topics)
			field := h.cpT(lang, "facet."+f)
			whole := h.cpT(lang, "catalog.chip", "field", field, "value", l.Name)
			d.Chips = append(d.Chips, chip{
				Field: h.cpT(lang, "catalog.chipField", "field", field), Label: l, Href: st.toggled(f, v).href(),
				Text: h.cpT(lang, "catalog.removeFilter", "label", whole),
			})
		}
	}
	if st.MinQuality > 0 {
		c := st.first()
		c.MinQuality = 0
		l := h.cpT(lang, "catalog.minQuality.chip", "n", st.MinQuality)
		d.Chips = append(d.Chips, chip{Label: label{Name: l}, Href: c.href(), Text: h.cpT(lang, "catalog.removeFilter", "label", l), Quality: true})
	}
	d.FilterCount = st.filterCount()
	d.ToggleText = h.cpT(lang, "catalog.filtersToggle")
	if d.FilterCount > 0 {
		d.ToggleText = h.cpT(lang, "catalog.filtersToggleCount", "n", d.FilterCount)
	}
	cleared := catalogState{Q: st.Q, Sort: st.Sort, Page: 1, PageSize: st.PageSize, Filters: map[string][]string{}}
	d.ClearHref = cleared.href()

	sort := st.Sort
	if sort == "" {
		sort = search.SortUpdated
		if st.Q != "" {
			sort = search.SortRelevance
		}
	}
	for _, s := range catalogSorts {
		d.Sorts = append(d.Sorts, option{Value: s, Label: h.cpT(lang, "sort."+s), Selected: s == sort})
	}
	mq := slices.Clone(minQualities)
	if !slices.Contains(mq, st.MinQuality) {
		mq = append(mq, st.MinQuality)
		slices.Sort(mq)
	}
	for _, n := range mq {
		l := h.cpT(lang, "catalog.minQuality.any")
		if n > 0 {
			l = h.cpT(lang, "catalog.minQuality.atLeast", "n", n)
		}
		d.MinQuality = append(d.MinQuality, option{Value: strconv.Itoa(n), Label: l, Selected: n == st.MinQuality})
	}
	// The forms send their own fields; the rest of the state rides along
	// (either starts again at page 1).
	rest := st.first()
	rest.Sort, rest.MinQuality = "", 0
	d.Hidden = hiddenFields(rest.query())
	rest = st.first()
	for _, f := range catalog.ListFacets {
		delete(rest.Filters, f) // the checkboxes send these
	}
	d.FacetHidden = hiddenFields(rest.query())
}

func hiddenFields(q url.Values) []hidden {
	var out []hidden
	for _, k := range sortedKeys(q) {
		for _, v := range q[k] {
			out = append(out, hidden{Name: k, Value: v})
		}
	}
	return out
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pager builds the page links as catalog.js does: first, last, two either
// side of the current page, gaps between; numbered up to pagerDepth (and
// never past the search window), then "next" carries the cursor.
func (h *Handler) pager(lang string, st catalogState, total int, next string) []pagerItem {
	size := st.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	pages := min((total+size-1)/size, max(1, search.MaxWindow/size), pagerDepth)
	page := st.Page
	at := func(n int) string {
		c := st.first()
		c.Page = n
		return c.href()
	}
	nextItem := pagerItem{Text: h.cpT(lang, "pager.next"), Class: "page-next", Disabled: true}
	switch {
	case next != "" && (st.Cursor != "" || page >= pages):
		c := st.first()
		c.Cursor = next
		// No data-page: catalog.js lets the browser load it from the server.
		nextItem = pagerItem{Href: c.href(), Text: h.cpT(lang, "pager.next"), Rel: "next", Class: "page-next page-cursor"}
	case st.Cursor == "" && page < pages:
		nextItem = pagerItem{Href: at(page + 1), Text: h.cpT(lang, "pager.next"), Rel: "next", Class: "page-next", N: page + 1}
	}
	if st.Cursor != "" {
		// Beyond the numbered pages: back to the start, or on.
		return []pagerItem{{Href: at(1), Text: h.cpT(lang, "cp.pager.first"), Class: "page-first", N: 1}, nextItem}
	}
	if pages <= 1 && page <= 1 && nextItem.Disabled {
		return nil
	}
	var out []pagerItem
	if page > 1 {
		out = append(out, pagerItem{Href: at(min(page-1, max(pages, 1))), Text: h.cpT(lang, "pager.prev"), Rel: "prev", Class: "page-prev", N: min(page-1, max(pages, 1))})
	} else {
		out = append(out, pagerItem{Text: h.cpT(lang, "pager.prev"), Class: "page-prev", Disabled: true})
	}
	nums := []int{1, pages, page - 2, page - 1, page, page + 1, page + 2}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	prev := 0
	for _, n := range nums {
		if n < 1 || n > pages {
			continue
		}
		if n-prev > 1 {
			out = append(out, pagerItem{Gap: true})
		}
		out = append(out, pagerItem{Href: at(n), Text: frontend.FormatNumber(n), Aria: h.cpT(lang, "pager.page", "n", n), N: n, Current: n == page})
		prev = n
	}
	return append(out, nextItem)
}
