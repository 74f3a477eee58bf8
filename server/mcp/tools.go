package mcp

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/revocations"
)

// Argument bounds the REST API does not already enforce for us.
const (
	MaxSearchPageSize   = 50
	MaxAnnouncementPage = 1000
	AnnouncementsPage   = 20
	maxArg              = 200 // runes of a short string argument
	maxFields           = 100
	snippetRunes        = 160
)

// Tool names, in the order tools/list gives them.
var ToolNames = []string{"search_datasets", "get_dataset", "preview_rows", "query_rows", "list_departments", "get_announcements"}

// ---- arguments ----------------------------------------------------------------

// SearchFilters narrow a search; each is one value of the catalog facet.
type SearchFilters struct {
	Department string `json:"department,omitempty" jsonschema:"department id (see list_departments) / 部门 id"`
	Topic      string `json:"topic,omitempty" jsonschema:"topic id / 领域"`
	OpenType   string `json:"open_type,omitempty" jsonschema:"unconditional or conditional / 无条件开放或有条件开放"`
	Format     string `json:"format,omitempty" jsonschema:"resource format, e.g. csv / 资源格式"`
	Tag        string `json:"tag,omitempty" jsonschema:"a tag / 标签"`
	Region     string `json:"region,omitempty" jsonschema:"region name / 行政区域"`
}

// SearchArgs are search_datasets' arguments.
type SearchArgs struct {
	Query    string         `json:"query,omitempty" jsonschema:"words to search titles, descriptions, data items and tags (at most 100 characters) / 检索词"`
	Filters  *SearchFilters `json:"filters,omitempty" jsonschema:"facet filters / 筛选条件"`
	Page     int            `json:"page,omitempty" jsonschema:"page number from 1 (default 1)"`
	PageSize int            `json:"page_size,omitempty" jsonschema:"results per page, 1 to 50 (default 10)"`
}

// DatasetArgs are get_dataset's arguments.
type DatasetArgs struct {
	ID string `json:"id" jsonschema:"dataset id, e.g. ds-hlj-scjgj-001 / 数据集 id"`
}

// PreviewArgs are preview_rows' arguments.
type PreviewArgs struct {
	ResourceID string `json:"resource_id" jsonschema:"id of a tabular (CSV) resource, from get_dataset / 资源 id"`
	Limit      int    `json:"limit,omitempty" jsonschema:"rows, 1 to 100 (default 20)"`
}

// QueryArgs are query_rows' arguments: the rows API's parameters.
type QueryArgs struct {
	ResourceID string         `json:"resource_id" jsonschema:"id of a tabular (CSV) resource / 资源 id"`
	Filters    map[string]any `json:"filters,omitempty" jsonschema:"field to value (equals), list (any of), null (empty) or operators {gt,gte,lt,lte,ne,eq}"`
	Q          string         `json:"q,omitempty" jsonschema:"full-text over every readable value (at most 100 characters)"`
	Fields     []string       `json:"fields,omitempty" jsonschema:"field ids to return (default all readable)"`
	Sort       string         `json:"sort,omitempty" jsonschema:"field, -field or field desc, comma-separated (at most 5)"`
	Limit      *int           `json:"limit,omitempty" jsonschema:"rows, 0 to 1000 (default 100)"`
	Offset     *int           `json:"offset,omitempty" jsonschema:"rows to skip, 0 to 10000; page deeper with cursor"`
	Cursor     string         `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
}

// NoArgs is a tool without arguments.
type NoArgs struct{}

// AnnouncementArgs are get_announcements' arguments.
type AnnouncementArgs struct {
	Page      int    `json:"page,omitempty" jsonschema:"page number from 1 (default 1), 20 per page"`
	DatasetID string `json:"dataset_id,omitempty" jsonschema:"only announcements about this dataset"`
}

// ---- answers --------------------------------------------------------------------

// ResourceRef cites a resource: its id, checksum and where to get it.
type ResourceRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Format      string `json:"format"`
	Size        int64  `json:"size"`
	Rows        int64  `json:"rows"`
	SHA256      string `json:"sha256"`
	DownloadURL string `json:"download_url,omitempty"`
}

// SearchHit is one search result.
type SearchHit struct {
	DatasetID  string        `json:"dataset_id"`
	Title      string        `json:"title"`
	Snippet    string        `json:"snippet"`
	Department string        `json:"department"`
	OpenType   string        `json:"open_type"`
	UpdatedAt  time.Time     `json:"updated_at"`
	Resources  []ResourceRef `json:"resources"`
}

// SearchResult is search_datasets' answer.
type SearchResult struct {
	Total    int         `json:"total"`
	Page     int         `json:"page"`
	PageSize int         `json:"page_size"`
	Results  []SearchHit `json:"results"`
}

// DatasetResult is get_dataset's answer: the public entry, with the
// resources cited like every other answer.
type DatasetResult struct {
	DatasetID string              `json:"dataset_id"`
	Dataset   catalog.DatasetJSON `json:"dataset"`
	Resources []ResourceRef       `json:"resources"`
}

// RowsResult is the answer of preview_rows and query_rows: the rows API's
// page with the dataset id and the resource's checksum.
type RowsResult struct {
	DatasetID  string            `json:"dataset_id"`
	ResourceID string            `json:"resource_id"`
	SHA256     string            `json:"sha256"`
	Fields     []devapi.RowField `json:"fields"`
	Records    []json.RawMessage `json:"records"`
	Total      int64             `json:"total"`
	Limit      int               `json:"limit"`
	Offset     int               `json:"offset"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// DepartmentItem is a department with its public dataset count.
type DepartmentItem struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Code         string `json:"code"`
	Region       string `json:"region"`
	DatasetCount int64  `json:"dataset_count"`
}

// DepartmentsResult is list_departments' answer.
type DepartmentsResult struct {
	Departments []DepartmentItem `json:"departments"`
}

// AnnouncementItem is one revocation announcement (撤销公告).
type AnnouncementItem struct {
	ID           string    `json:"id"`
	Number       string    `json:"number"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	DatasetID    string    `json:"dataset_id"`
	DatasetTitle string    `json:"dataset_title"`
	ResourceID   string    `json:"resource_id,omitempty"`
	ResourceName string    `json:"resource_name,omitempty"`
	Department   string    `json:"department"`
	Reason       string    `json:"reason"`
	PublishedAt  time.Time `json:"published_at"`
	EffectiveAt  time.Time `json:"effective_at"`
}

// AnnouncementsResult is get_announcements' answer.
type AnnouncementsResult struct {
	Total int64              `json:"total"`
	Page  int                `json:"page"`
	Items []AnnouncementItem `json:"items"`
}

// ---- tools ----------------------------------------------------------------------

func readOnly() *sdk.ToolAnnotations {
	no := false
	return &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &no}
}

func (h *Handler) addTools(s *sdk.Server, c caller) {
	sdk.AddTool(s, &sdk.Tool{Name: "search_datasets", Title: "Search datasets / 检索数据集", Annotations: readOnly(),
		Description: "Search the public open-data catalog. Returns dataset ids, titles, snippets and each dataset's resources (id, SHA-256). 检索公共数据开放目录。"},
		tool(h, c, "search_datasets", h.search))
	sdk.AddTool(s, &sdk.Tool{Name: "get_dataset", Title: "Get a dataset / 获取数据集", Annotations: readOnly(),
		Description: "One catalog entry: metadata, data items and resources (id, name, format, size, SHA-256, download URL). 数据集元数据与资源。"},
		tool(h, c, "get_dataset", h.dataset))
	sdk.AddTool(s, &sdk.Tool{Name: "preview_rows", Title: "Preview rows / 预览数据", Annotations: readOnly(),
		Description: "The first rows (at most 100) of a tabular resource. Conditionally open data only for grant holders. 预览表格资源的前若干行。"},
		tool(h, c, "preview_rows", h.preview))
	sdk.AddTool(s, &sdk.Tool{Name: "query_rows", Title: "Query rows / 查询数据", Annotations: readOnly(),
		Description: "Rows of a tabular resource with filters, full-text, fields, sort and paging (limit ≤ 1000, offset ≤ 10000, then cursor): the rows API /api/v1/resources/{id}/rows. 按条件查询表格资源的数据行。"},
		tool(h, c, "query_rows", h.query))
	sdk.AddTool(s, &sdk.Tool{Name: "list_departments", Title: "List departments / 部门列表", Annotations: readOnly(),
		Description: "Departments with their public dataset counts; use an id as the department filter. 数据提供部门及其开放数据集数量。"},
		tool(h, c, "list_departments", func(ctx context.Context, c caller, _ NoArgs) (any, error) { return h.departments(ctx, c) }))
	sdk.AddTool(s, &sdk.Tool{Name: "get_announcements", Title: "Revocation announcements / 撤销公告", Annotations: readOnly(),
		Description: "Published announcements of revoked datasets and resources, newest first, 20 per page. 数据撤销公告。"},
		tool(h, c, "get_announcements", h.announcements))
}

// tool adapts a tool function: the call gets the request's time budget
// (the SDK does not tie a tool's context to the HTTP request for older
// protocol versions) and errors become tool errors in the caller's language.
func tool[In any](h *Handler, c caller, name string, f func(context.Context, caller, In) (any, error)) sdk.ToolHandlerFor[In, any] {
	return func(ctx context.Context, _ *sdk.CallToolRequest, in In) (*sdk.CallToolResult, any, error) {
		ctx, cancel := context.WithTimeout(ctx, h.timeout())
		defer cancel()
		out, err := f(ctx, c, in)
		if err != nil {
			return nil, nil, h.fail(c, name, err)
		}
		return nil, out, nil
	}
}

func (h *Handler) search(ctx context.Context, c caller, in SearchArgs) (any, error) {
	var v apperr.Validation
	if in.Page == 0 {
		in.Page = 1
	}
	if in.PageSize == 0 {
		in.PageSize = 10
	}
	v.Check(in.PageSize >= 1 && in.PageSize <= MaxSearchPageSize, "page_size", "page_size must be a whole number from 1 to %d", MaxSearchPageSize)
	v.Check(in.Page >= 1 && in.Page <= search.MaxWindow, "page", "page must be a whole number from 1 to %d", search.MaxWindow)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// The public list's own parser: same defaults, limits and messages.
	q := url.Values{"page": {strconv.Itoa(in.Page)}, "page_size": {strconv.Itoa(in.PageSize)}}
	if s := strings.TrimSpace(in.Query); s != "" {
		q.Set("q", s)
	}
	if f := in.Filters; f != nil {
		for name, val := range map[string]string{search.FieldDepartment: f.Department, search.FieldTopic: f.Topic, search.FieldOpenType: f.OpenType,
			search.FieldFormat: f.Format, search.FieldTag: f.Tag, search.FieldRegion: f.Region} {
			if val = strings.TrimSpace(val); val != "" {
				q.Set(name, val)
			}
		}
	}
	p, err := catalog.ParseListParams(q)
	if err != nil {
		return nil, err
	}
	if err := h.charge(ctx, c, "search"); err != nil {
		return nil, err
	}
	res, err := h.Catalog.List(ctx, p)
	if err != nil {
		return nil, err
	}
	// The list loads resources without checksums; cite them in one query.
	ids := make([]string, len(res.Items))
	for i, it := range res.Items {
		ids[i] = it.ID
	}
	byDataset := map[string][]catalog.Resource{}
	if len(ids) > 0 {
		var rs []catalog.Resource
		// Columns as a list so GORM quotes them: ROWS is reserved in MySQL.
		cols := []string{"id", "dataset_id", "position", "name", "format", "size", "sha256", "rows"}
		if err := h.Catalog.Store.DB.WithContext(ctx).Select(cols).Where("dataset_id IN ?", ids).
			Order("dataset_id").Order("position").Find(&rs).Error; err != nil {
			return nil, apperr.Internalf(err, "load resources")
		}
		for _, r := range rs {
			byDataset[r.DatasetID] = append(byDataset[r.DatasetID], r)
		}
	}
	out := SearchResult{Total: res.Total, Page: res.Page, PageSize: res.PageSize, Results: make([]SearchHit, 0, len(res.Items))}
	for _, it := range res.Items {
		d := *it.Dataset
		d.Resources = byDataset[d.ID]
		out.Results = append(out.Results, SearchHit{DatasetID: d.ID, Title: d.Title, Snippet: snippet(it.Highlights, d.Description),
			Department: d.Department.Name, OpenType: string(d.OpenType), UpdatedAt: d.UpdatedAt, Resources: h.refs(&d)})
	}
	return out, nil
}

// snippet is the search engine's highlight of the description (or any
// field) with its <mark> tags removed, else the description's start.
func snippet(hl map[string]string, desc string) string {
	s := hl["description"]
	if s == "" {
		for _, k := range sortedKeys(hl) {
			if k != "title" {
				s = hl[k]
				break
			}
		}
	}
	if s == "" {
		s = desc
	}
	s = strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	if utf8.RuneCountInString(s) > snippetRunes {
		s = string([]rune(s)[:snippetRunes]) + "…"
	}
	return s
}

// refs cites a dataset's resources; download URLs only where the public
// may download (unconditional data), as on the REST API.
func (h *Handler) refs(d *catalog.Dataset) []ResourceRef {
	out := make([]ResourceRef, 0, len(d.Resources))
	for _, r := range d.Resources {
		ref := ResourceRef{ID: r.ID, Name: r.Name, Format: r.Format, Size: r.Size, Rows: r.Rows, SHA256: r.SHA256}
		if d.OpenType == catalog.Unconditional {
			ref.DownloadURL = strings.TrimRight(h.BaseURL, "/") + "/api/v1/resources/" + url.PathEscape(r.ID) + "/download"
		}
		out = append(out, ref)
	}
	return out
}

func (h *Handler) dataset(ctx context.Context, c caller, in DatasetArgs) (any, error) {
	id := strings.TrimSpace(in.ID)
	var v apperr.Validation
	v.Check(id != "", "id", "%s is required", "id")
	v.Check(utf8.RuneCountInString(id) <= maxArg, "id", "%s is longer than %d characters", "id", maxArg)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := h.charge(ctx, c, "search"); err != nil {
		return nil, err
	}
	d, err := h.Catalog.PublicDataset(ctx, id)
	if err != nil {
		return nil, err
	}
	j := catalog.DatasetDetailJSON(d)
	refs := h.refs(d)
	for i := range j.Resources {
		if refs[i].DownloadURL != "" {
			u := refs[i].DownloadURL
			j.Resources[i].DownloadURL = &u
		}
	}
	return DatasetResult{DatasetID: d.ID, Dataset: j, Resources: refs}, nil
}

func (h *Handler) preview(ctx context.Context, c caller, in PreviewArgs) (any, error) {
	var v apperr.Validation
	if in.Limit == 0 {
		in.Limit = 20
	}
	v.Check(in.Limit >= 1 && in.Limit <= devapi.MaxPreviewLimit, "limit", "limit must be a whole number from 1 to %d", devapi.MaxPreviewLimit)
	v.Check(strings.TrimSpace(in.ResourceID) != "", "resource_id", "%s is required", "resource_id")
	if err := v.Err(); err != nil {
		return nil, err
	}
	// The preview's query: arrays in field order, recorded as "preview".
	return h.rows(ctx, c, in.ResourceID, devapi.RowQuery{Limit: in.Limit, Arrays: true})
}

func (h *Handler) query(ctx context.Context, c caller, in QueryArgs) (any, error) {
	var v apperr.Validation
	v.Check(strings.TrimSpace(in.ResourceID) != "", "resource_id", "%s is required", "resource_id")
	v.Check(len(in.Fields) <= maxFields, "fields", "at most %d fields", maxFields)
	v.Check(utf8.RuneCountInString(in.Sort) <= maxArg, "sort", "%s is longer than %d characters", "sort", maxArg)
	v.Check(len(in.Cursor) <= maxArg, "cursor", "%s is longer than %d characters", "cursor", maxArg)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Arguments become the rows API's parameters and go through its parser.
	params := map[string]string{"q": in.Q, "sort": in.Sort, "cursor": in.Cursor, "fields": strings.Join(in.Fields, ",")}
	if len(in.Filters) > 0 {
		b, err := json.Marshal(in.Filters)
		if err != nil {
			return nil, apperr.Internalf(err, "encode filters")
		}
		params["filters"] = string(b)
	}
	if in.Limit != nil {
		params["limit"] = strconv.Itoa(*in.Limit)
	}
	if in.Offset != nil {
		params["offset"] = strconv.Itoa(*in.Offset)
	}
	q, err := devapi.ParseRowQuery(func(k string) string { return params[k] }, func(k string) bool { _, ok := params[k]; return ok })
	if err != nil {
		return nil, err
	}
	return h.rows(ctx, c, in.ResourceID, q)
}

// rows runs a row query through devapi.Service.Rows (grants, counters and
// use records as for REST) and cites the dataset and checksum.
func (h *Handler) rows(ctx context.Context, c caller, resourceID string, q devapi.RowQuery) (any, error) {
	if err := h.charge(ctx, c, "rows"); err != nil {
		return nil, err
	}
	page, err := h.Dev.Rows(ctx, c.p, resourceID, q)
	if err != nil {
		return nil, err
	}
	res, ds, err := h.Dev.Resource(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	return RowsResult{DatasetID: ds.ID, ResourceID: res.ID, SHA256: res.SHA256, Fields: page.Fields, Records: page.Records,
		Total: page.Total, Limit: page.Limit, Offset: page.Offset, NextCursor: page.NextCursor}, nil
}

func (h *Handler) departments(ctx context.Context, c caller) (any, error) {
	if err := h.charge(ctx, c, "search"); err != nil {
		return nil, err
	}
	deps, err := h.Catalog.Store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	out := DepartmentsResult{Departments: make([]DepartmentItem, len(deps))}
	for i, d := range deps {
		out.Departments[i] = DepartmentItem{ID: d.ID, Name: d.Name, Code: d.Code, Region: d.Region, DatasetCount: d.DatasetCount}
	}
	return out, nil
}

func (h *Handler) announcements(ctx context.Context, c caller, in AnnouncementArgs) (any, error) {
	if in.Page == 0 {
		in.Page = 1
	}
	var v apperr.Validation
	v.Check(in.Page >= 1 && in.Page <= MaxAnnouncementPage, "page", "page must be a whole number from 1 to %d", MaxAnnouncementPage)
	v.Check(len(in.DatasetID) <= 64, "dataset_id", "dataset not found")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := h.charge(ctx, c, "search"); err != nil {
		return nil, err
	}
	page, err := h.Revocations.Announcements(ctx, revocations.AnnouncementParams{DatasetID: strings.TrimSpace(in.DatasetID), Page: in.Page, PageSize: AnnouncementsPage})
	if err != nil {
		return nil, err
	}
	out := AnnouncementsResult{Total: page.Total, Page: in.Page, Items: make([]AnnouncementItem, len(page.Items))}
	for i, a := range page.Items {
		out.Items[i] = AnnouncementItem{ID: a.ID, Number: a.Number, Kind: a.Kind, Title: a.Title, DatasetID: a.DatasetID, DatasetTitle: a.DatasetTitle,
			ResourceID: a.ResourceID, ResourceName: a.ResourceName, Department: a.DepartmentName, Reason: a.Reason, PublishedAt: a.PublishedAt, EffectiveAt: a.EffectiveAt}
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
