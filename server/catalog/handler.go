package catalog

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/msgs"
	"github.com/hlj-opendata/portal/server/respcache"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the public catalog API.
type Handler struct {
	Service *Service
	Site    SiteInfo
	// Disputes marks entries with open correction reports (optional).
	Disputes DisputeChecker
}

// SiteInfo is what the frontend shows in every page's header and footer.
type SiteInfo struct {
	Name   string `json:"name"`
	Notice string `json:"notice,omitempty"`
	Demo   bool   `json:"demo"`
}

// Routes registers the public catalog routes.
func (h *Handler) Routes(r *web.Router) {
	r.GET("/api/v1/site", web.Public, h.site)
	r.GET("/api/v1/catalog/summary", web.Public, h.summary)
	r.GET("/api/v1/datasets", web.Public, h.listDatasets)
	r.GET("/api/v1/datasets/:id", web.Public, h.getDataset)
	r.GET("/api/v1/departments", web.Public, h.listDepartments)
	r.GET("/api/v1/topics", web.Public, h.listTopics)
}

// site godoc
// @Summary  Portal name and notices
// @Tags     catalog
// @Produce  json
// @Success  200 {object} SiteInfo
// @Router   /site [get]
func (h *Handler) site(c echo.Context) error {
	return web.JSON(c, http.StatusOK, h.Site)
}

// SummaryJSON is the catalog totals.
type SummaryJSON struct {
	Datasets    int64            `json:"datasets"`
	Departments int64            `json:"departments"`
	Topics      int64            `json:"topics"`
	Resources   int64            `json:"resources"`
	Downloads   int64            `json:"downloads"`
	OpenTypes   map[string]int64 `json:"open_types"`
}

// summary godoc
// @Summary  Catalog totals for the home page
// @Tags     catalog
// @Produce  json
// @Success  200 {object} SummaryJSON
// @Router   /catalog/summary [get]
func (h *Handler) summary(c echo.Context) error {
	s, err := h.Service.Store.Summary(c.Request().Context())
	if err != nil {
		return err
	}
	ot := map[string]int64{}
	for k, v := range s.OpenTypes {
		ot[string(k)] = v
	}
	return web.JSON(c, http.StatusOK, SummaryJSON{s.Datasets, s.Departments, s.Topics, s.Resources, s.Downloads, ot})
}

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DatasetItemJSON is a dataset on a list page.
type DatasetItemJSON struct {
	ID              string            `json:"id"`
	Title           string            `json:"title"`
	Description     string            `json:"description"`
	OpenType        OpenType          `json:"open_type"`
	ShareType       ShareType         `json:"share_type"`
	ResourceCode    string            `json:"resource_code"`
	Department      RefJSON           `json:"department"`
	Topic           RefJSON           `json:"topic"`
	Formats         []string          `json:"formats"`
	UpdateFrequency string            `json:"update_frequency"`
	Grade           string            `json:"grade"`
	Tags            []string          `json:"tags"`
	Region          string            `json:"region"`
	PublishedAt     *time.Time        `json:"published_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	Downloads       int64             `json:"downloads"`
	QualityScore    int               `json:"quality_score"`
	UnderDispute    bool              `json:"under_dispute"`
	Highlights      map[string]string `json:"highlights,omitempty"`
}

// FacetValueJSON is one facet value.
type FacetValueJSON struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// DatasetListJSON is a page of the catalog.
type DatasetListJSON struct {
	Total int `json:"total"`
	// Page is 0 on a page reached by cursor.
	Page     int                         `json:"page"`
	PageSize int                         `json:"page_size"`
	Items    []DatasetItemJSON           `json:"items"`
	Facets   map[string][]FacetValueJSON `json:"facets"`
	// NextCursor continues after this page (send it as cursor); absent on
	// the last page and for searches by relevance (query text).
	NextCursor string `json:"next_cursor,omitempty"`
	// Degraded: the search index is starting up or down and the database
	// answered: no facet counts and no highlights.
	Degraded bool `json:"degraded,omitempty"`
}

// listDatasets godoc
// @Summary      Search and browse the public catalog
// @Description  Facet parameters may repeat: OR within a facet, AND across facets. Facet counts ignore the facet's own selection.
// @Tags         catalog
// @Produce      json
// @Param        q                query  string  false  "full-text query (≤100 characters)"
// @Param        page             query  int     false  "page, from 1; page × page_size ≤ 10000 (use cursor beyond)"
// @Param        cursor           query  string  false  "opaque cursor from the previous page's next_cursor (not with page): deep paging without a depth limit"
// @Param        page_size        query  int     false  "items per page, 1–100 (default 20)"
// @Param        topic            query  []string false "topic id" collectionFormat(multi)
// @Param        department       query  []string false "department id" collectionFormat(multi)
// @Param        open_type        query  []string false "unconditional | conditional" collectionFormat(multi)
// @Param        format           query  []string false "resource format, e.g. CSV" collectionFormat(multi)
// @Param        update_frequency query  []string false "realtime | daily | weekly | monthly | quarterly | yearly | irregular" collectionFormat(multi)
// @Param        grade            query  []string false "L1 | L2 | L3 | L4" collectionFormat(multi)
// @Param        tag              query  []string false "tag" collectionFormat(multi)
// @Param        region           query  []string false "region" collectionFormat(multi)
// @Param        sort             query  string  false  "relevance | updated | downloads | name | published | quality"
// @Param        min_quality      query  int     false  "only entries whose quality score is at least this, 0–100"
// @Success      200 {object} DatasetListJSON "degraded is true when the database answered a browse while the search index is starting up"
// @Failure      400 {object} web.ErrorBody "bad parameters, a malformed or mismatched cursor, or cursor with page"
// @Failure      503 {object} web.ErrorBody "the search index is unavailable and the request needs it (query text, format or tag filters)"
// @Router       /datasets [get]
func (h *Handler) listDatasets(c echo.Context) error {
	p, err := parseListParams(c)
	if err != nil {
		return err
	}
	res, err := h.Service.List(c.Request().Context(), p)
	if errors.Is(err, ErrBrowseOnly) {
		return browseOnly(c, err)
	}
	if err != nil {
		return err
	}
	out := DatasetListJSON{Total: res.Total, Page: res.Page, PageSize: res.PageSize, Items: make([]DatasetItemJSON, 0, len(res.Items)), Facets: map[string][]FacetValueJSON{}, NextCursor: res.Next, Degraded: res.Degraded}
	if res.Degraded {
		respcache.Skip(c)
	}
	for _, it := range res.Items {
		j := itemJSON(it.Dataset)
		j.Highlights = it.Highlights
		out.Items = append(out.Items, j)
	}
	if err := h.markListDisputes(c.Request().Context(), out.Items); err != nil {
		return err
	}
	for f, vals := range res.Facets {
		list := make([]FacetValueJSON, len(vals))
		for i, v := range vals {
			list[i] = FacetValueJSON{v.Value, v.Label, v.Count}
		}
		out.Facets[f] = list
	}
	return web.JSON(c, http.StatusOK, out)
}

// browseOnly answers 503 with the list's own message: the shared error
// handler words every 503 alike, but here the reader can act on the reason
// (browse without search words, or search again in a moment).
func browseOnly(c echo.Context, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	lang := locale.FromRequest(c.Request())
	m := ae.Msg()
	hd := c.Response().Header()
	hd.Set("Content-Language", locale.HTML(lang))
	hd.Add("Vary", "Accept-Language")
	hd.Set("Retry-After", strconv.Itoa(web.RetryAfterUnavailable))
	return web.JSON(c, http.StatusServiceUnavailable, web.ErrorBody{Error: web.ErrorDetail{
		Code: apperr.Unavailable, Message: msgs.Localize(lang, m.Format, m.Args...), RequestID: hd.Get(echo.HeaderXRequestID),
	}})
}

var listQueryParams = map[string]bool{"q": true, "page": true, "page_size": true, "sort": true, "lang": true, "min_quality": true, "cursor": true}

func parseListParams(c echo.Context) (ListParams, error) {
	q := c.QueryParams()
	var v apperr.Validation
	for name := range q {
		if !listQueryParams[name] && !isFilterField(name) {
			v.Add(name, "unknown parameter %q", name)
		}
	}
	page, err := web.QueryInt(c, "page", 1, 1, search.MaxWindow)
	if err != nil {
		v.Add("page", "page must be a whole number from 1 to %d", search.MaxWindow)
	}
	size, err := web.QueryInt(c, "page_size", 20, 1, MaxPageSize)
	if err != nil {
		v.Add("page_size", "page_size must be a whole number from 1 to %d", MaxPageSize)
	}
	if len(q["q"]) > 1 || len(q["sort"]) > 1 || len(q["min_quality"]) > 1 {
		v.Add("q", "q, sort and min_quality may be given once")
	}
	if cur, ok := q["cursor"]; ok {
		switch {
		case len(cur) != 1 || cur[0] == "":
			v.Add("cursor", "cursor is not one this list gave out; start again from the first page")
		case q.Has("page"):
			v.Add("cursor", "cursor and page cannot be given together")
		}
	}
	minQ, err := web.QueryInt(c, "min_quality", 0, 0, 100)
	if err != nil {
		v.Add("min_quality", "min_quality must be a whole number from 0 to 100")
	}
	if err := v.Err(); err != nil {
		return ListParams{}, err
	}
	p := ListParams{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), MinQuality: minQ, Page: page, PageSize: size, Cursor: q.Get("cursor"), Filters: map[string][]string{}}
	for _, f := range search.FacetFields {
		if vals, ok := q[f]; ok {
			p.Filters[f] = vals
		}
	}
	return p, p.Validate()
}

func isFilterField(name string) bool {
	for _, f := range search.FacetFields {
		if f == name {
			return true
		}
	}
	return false
}

func itemJSON(d *Dataset) DatasetItemJSON {
	tags := []string(d.Tags)
	if tags == nil {
		tags = []string{}
	}
	return DatasetItemJSON{
		ID: d.ID, Title: d.Title, Description: d.Description, OpenType: d.OpenType, ShareType: d.ShareType, ResourceCode: d.ResourceCode,
		Department: RefJSON{d.Department.ID, d.Department.Name}, Topic: RefJSON{d.Topic.ID, d.Topic.Name},
		Formats: d.Formats(), UpdateFrequency: d.UpdateFrequency, Grade: d.Grade, Tags: tags, Region: d.Region,
		PublishedAt: d.PublishedAt, UpdatedAt: d.UpdatedAt, Downloads: d.Downloads, QualityScore: d.QualityScore,
	}
}

// DepartmentJSON is a department. Code is its 统一社会信用代码, the
// provider code of its entries ("" when not recorded yet).
type DepartmentJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Code         string `json:"code"`
	RegionLevel  string `json:"region_level"`
	Region       string `json:"region"`
	DatasetCount int64  `json:"dataset_count,omitempty"`
}

// DataItemJSON is a data item.
type DataItemJSON struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	// Domain is the value domain its values are checked against
	// (credit_code, region_code, phone, email), "" for none.
	Domain string `json:"domain"`
	// UnderDispute: an open correction report names this data item.
	UnderDispute bool `json:"under_dispute"`
}

// ResourceJSON is a resource; download_url is null when the public may
// not download it (conditional data goes through an application).
type ResourceJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Format      string    `json:"format"`
	MediaType   string    `json:"media_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Rows        int64     `json:"rows"`
	UpdatedAt   time.Time `json:"updated_at"`
	DownloadURL *string   `json:"download_url"`
}

// DatasetJSON is a full catalog entry with every field of 000 Art 13 and
// 001 Art 13: formats are the declared formats; the share type, conditions
// and method say how other departments may use the data; department.code
// is the provider code.
type DatasetJSON struct {
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	Description     string         `json:"description"`
	ResourceCode    string         `json:"resource_code"`
	OpenType        OpenType       `json:"open_type"`
	OpenConditions  string         `json:"open_conditions,omitempty"`
	UsageScope      string         `json:"usage_scope,omitempty"`
	ShareType       ShareType      `json:"share_type"`
	ShareConditions string         `json:"share_conditions"`
	ShareMethod     string         `json:"share_method"`
	Department      DepartmentJSON `json:"department"`
	Topic           RefJSON        `json:"topic"`
	DataItems       []DataItemJSON `json:"data_items"`
	Formats         []string       `json:"formats"`
	UpdateFrequency string         `json:"update_frequency"`
	Classification  string         `json:"classification"`
	Grade           string         `json:"grade"`
	Tags            []string       `json:"tags"`
	Region          string         `json:"region"`
	Version         int            `json:"version"`
	PublishedAt     *time.Time     `json:"published_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	Downloads       int64          `json:"downloads"`
	QualityScore    int            `json:"quality_score"`
	UnderDispute    bool           `json:"under_dispute"`
	Resources       []ResourceJSON `json:"resources"`
	// Freshness: next update due by the update frequency and whether the
	// entry is on schedule: the update frequency the entry declares (000
	// Art 13) is a promise to users; no article sets a deadline for it.
	Freshness Freshness `json:"freshness"`
	// Alternates: the entry's DCAT-AP descriptions, for <link rel="alternate">.
	Alternates []AlternateJSON `json:"alternates"`
}

// AlternateJSON is another representation of an entry (a same-site path).
type AlternateJSON struct {
	Type  string `json:"type"`
	Href  string `json:"href"`
	Title string `json:"title"`
}

// DCATAlternates lists an entry's DCAT-AP files (served by server/dcat).
func DCATAlternates(id string) []AlternateJSON {
	base := "/dataset/" + url.PathEscape(id)
	return []AlternateJSON{
		{Type: "application/ld+json", Href: base + ".jsonld", Title: "DCAT-AP (JSON-LD)"},
		{Type: "text/turtle", Href: base + ".ttl", Title: "DCAT-AP (Turtle)"},
		{Type: "application/rdf+xml", Href: base + ".rdf", Title: "DCAT-AP (RDF/XML)"},
	}
}

// DatasetDetailJSON renders an entry for the public API.
func DatasetDetailJSON(d *Dataset) DatasetJSON {
	out := DatasetJSON{
		ID: d.ID, Title: d.Title, Description: d.Description, ResourceCode: d.ResourceCode, OpenType: d.OpenType,
		ShareType: d.ShareType, ShareConditions: d.ShareConditions, ShareMethod: d.ShareMethod,
		Department: DepartmentJSON{ID: d.Department.ID, Name: d.Department.Name, Code: d.Department.Code, RegionLevel: d.Department.RegionLevel, Region: d.Department.Region},
		Topic:      RefJSON{d.Topic.ID, d.Topic.Name}, DataItems: make([]DataItemJSON, len(d.DataItems)),
		Formats: d.Formats(), UpdateFrequency: d.UpdateFrequency, Classification: d.Classification, Grade: d.Grade,
		Tags: []string(d.Tags), Region: d.Region, Version: d.Version, PublishedAt: d.PublishedAt, UpdatedAt: d.UpdatedAt,
		Downloads: d.Downloads, QualityScore: d.QualityScore, Resources: make([]ResourceJSON, len(d.Resources)),
		Alternates: DCATAlternates(d.ID),
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if d.OpenType == Conditional {
		out.OpenConditions, out.UsageScope = d.OpenConditions, d.UsageScope
	}
	for i, it := range d.DataItems {
		out.DataItems[i] = DataItemJSON{Name: it.Name, Label: it.Label, Type: it.Type, Description: it.Description, Required: it.Required, Domain: it.Domain}
	}
	for i, r := range d.Resources {
		rj := ResourceJSON{ID: r.ID, Name: r.Name, Format: r.Format, MediaType: r.MediaType, Size: r.Size, SHA256: r.SHA256, Rows: r.Rows, UpdatedAt: r.UpdatedAt}
		if d.OpenType == Unconditional {
			u := "/api/v1/resources/" + url.PathEscape(r.ID) + "/download"
			rj.DownloadURL = &u
		}
		out.Resources[i] = rj
	}
	return out
}

// getDataset godoc
// @Summary  One catalog entry with data items and resources
// @Tags     catalog
// @Produce  json
// @Param    id  path  string  true  "dataset id"
// @Success  200 {object} DatasetJSON
// @Failure  404 {object} web.ErrorBody
// @Failure  410 {object} web.ErrorBody "revoked: the body also carries a tombstone"
// @Router   /datasets/{id} [get]
func (h *Handler) getDataset(c echo.Context) error {
	d, err := h.Service.PublicDataset(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := DatasetDetailJSON(d)
	if err := h.markDisputes(c.Request().Context(), &out); err != nil {
		return err
	}
	out.Freshness = FreshnessAt(d, h.Service.Now())
	return web.JSON(c, http.StatusOK, out)
}

// ItemsJSON wraps a list.
type ItemsJSON[T any] struct {
	Items []T `json:"items"`
}

// listDepartments godoc
// @Summary  Departments with their public dataset counts
// @Tags     catalog
// @Produce  json
// @Success  200 {object} ItemsJSON[DepartmentJSON]
// @Router   /departments [get]
func (h *Handler) listDepartments(c echo.Context) error {
	deps, err := h.Service.Store.Departments(c.Request().Context())
	if err != nil {
		return err
	}
	out := ItemsJSON[DepartmentJSON]{Items: make([]DepartmentJSON, len(deps))}
	for i, d := range deps {
		out.Items[i] = DepartmentJSON{ID: d.ID, Name: d.Name, Code: d.Code, RegionLevel: d.RegionLevel, Region: d.Region, DatasetCount: d.DatasetCount}
	}
	return web.JSON(c, http.StatusOK, out)
}

// TopicJSON is a topic.
type TopicJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	NameEN       string `json:"name_en"`
	DatasetCount int64  `json:"dataset_count"`
}

// listTopics godoc
// @Summary  Topics (领域) with their public dataset counts
// @Tags     catalog
// @Produce  json
// @Success  200 {object} ItemsJSON[TopicJSON]
// @Router   /topics [get]
func (h *Handler) listTopics(c echo.Context) error {
	topics, err := h.Service.Store.Topics(c.Request().Context())
	if err != nil {
		return err
	}
	out := ItemsJSON[TopicJSON]{Items: make([]TopicJSON, len(topics))}
	for i, t := range topics {
		out.Items[i] = TopicJSON{t.ID, t.Name, t.NameEN, t.DatasetCount}
	}
	return web.JSON(c, http.StatusOK, out)
}

// The download route (/api/v1/resources/{id}/download) lives in server/devapi.

// FileName is the download name of a resource: its name plus the
// extension of its format, with path separators removed.
func FileName(r *Resource) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f || r == '"' {
			return '_'
		}
		return r
	}, r.Name)
	ext := "." + strings.ToLower(r.Format)
	if !strings.EqualFold(path.Ext(name), ext) {
		name += ext
	}
	return name
}
