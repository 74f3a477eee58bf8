package ckan

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/devapi"
)

// public limits a datasets query to what the public may see: published,
// unconditional or conditional (000 Art 33: not_open never appears).
func public(db *gorm.DB) *gorm.DB {
	return db.Where("datasets.status = ? AND datasets.open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional})
}

// details preloads what a package dict shows. Data items and resources
// are put in position order by loadPackages, in Go: an ORDER BY here costs
// the pure-Go SQLite a sorter, whose memory it maps and unmaps on every
// query (a tenth of package_search's CPU under make bench-load).
func details(db *gorm.DB) *gorm.DB {
	return db.Preload("Department").Preload("Topic").Preload("DataItems").Preload("Resources")
}

func notFound(what string) error {
	return &ckanError{status: http.StatusNotFound, typ: "Not Found Error", msg: "Not found: " + what}
}

// loadPackages loads full entries by id, keeping the order of ids.
func (h *Handler) loadPackages(c echo.Context, ids []string) ([]Package, error) {
	out := make([]Package, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []catalog.Dataset
	// By primary key alone, visibility checked in Go: with status and
	// open_type in the WHERE clause SQLite scans the status index (every
	// published entry) once there are a few ids (see catalog.DatasetsByID).
	if err := h.DB.WithContext(c.Request().Context()).Scopes(details).Where("datasets.id IN ?", ids).Find(&list).Error; err != nil {
		return nil, apperr.Internalf(err, "load packages")
	}
	byID := map[string]*catalog.Dataset{}
	for i := range list {
		d := &list[i]
		if d.Public() { // 000 Art 33: not_open, drafts and revoked entries never appear
			slices.SortStableFunc(d.DataItems, func(a, b catalog.DataItem) int { return cmp.Compare(a.Position, b.Position) })
			slices.SortStableFunc(d.Resources, func(a, b catalog.Resource) int { return cmp.Compare(a.Position, b.Position) })
			byID[d.ID] = d
		}
	}
	base := h.base(c)
	for _, id := range ids {
		if d := byID[id]; d != nil {
			out = append(out, packageDict(d, base))
		}
	}
	return out, nil
}

var sortColumns = map[string]string{
	"metadata_modified": "datasets.updated_at", "metadata_created": "datasets.published_at",
	"name": "datasets.id", "id": "datasets.id", "title_string": "datasets.title", "title": "datasets.title",
	"downloads": "datasets.downloads", "views_recent": "datasets.downloads", "views_total": "datasets.downloads",
}

// orderBy maps CKAN's sort ("score desc, metadata_modified desc") to SQL.
func orderBy(sortParam string) (string, error) {
	if strings.TrimSpace(sortParam) == "" {
		sortParam = "score desc, metadata_modified desc"
	}
	var parts []string
	for _, s := range strings.Split(sortParam, ",") {
		f := strings.Fields(strings.ToLower(s))
		if len(f) == 0 || len(f) > 2 {
			return "", validation("sort", "bad sort %q", s)
		}
		dir := "ASC"
		if len(f) == 2 {
			switch f[1] {
			case "asc":
			case "desc":
				dir = "DESC"
			default:
				return "", validation("sort", "bad sort direction %q", f[1])
			}
		}
		if f[0] == "score" || f[0] == "rank" {
			continue // no relevance score: text matches are filters
		}
		col, ok := sortColumns[f[0]]
		if !ok {
			return "", validation("sort", "cannot sort by %q", f[0])
		}
		parts = append(parts, col+" "+dir)
	}
	if len(parts) == 0 {
		parts = append(parts, "datasets.updated_at DESC")
	}
	return strings.Join(append(parts, "datasets.id ASC"), ", "), nil
}

func (h *Handler) where(c echo.Context, field, expr string) (string, []any, error) {
	n, err := parseQuery(expr)
	if err != nil {
		return "", nil, &ckanError{status: 400, typ: "Search Query Error", msg: "Search Query Error: " + field + ": " + err.Error()}
	}
	b := &sqlBuilder{now: h.Now()}
	if err := n.sql(b); err != nil {
		return "", nil, &ckanError{status: 400, typ: "Search Query Error", msg: "Search Query Error: " + field + ": " + err.Error()}
	}
	return b.b.String(), b.args, nil
}

func (h *Handler) packageSearch(c echo.Context, p params) (any, error) {
	ctx := c.Request().Context()
	rows, err := p.int("rows", 10, 0, MaxRows)
	if err != nil {
		return nil, err
	}
	start, err := p.int("start", 0, 0, 0)
	if err != nil {
		return nil, err
	}
	order, err := orderBy(p.str("sort"))
	if err != nil {
		return nil, err
	}
	qw, qa, err := h.where(c, "q", p.str("q"))
	if err != nil {
		return nil, err
	}
	fw, fa, err := h.where(c, "fq", p.str("fq"))
	if err != nil {
		return nil, err
	}
	facet, err := p.bool("facet", true)
	if err != nil {
		return nil, err
	}
	fields, err := p.list("facet.field")
	if err != nil {
		return nil, err
	}
	if !facet {
		fields = nil
	}
	base := func() *gorm.DB {
		return h.DB.WithContext(ctx).Model(&catalog.Dataset{}).Scopes(public).Where(qw, qa...).Where(fw, fa...)
	}
	limit, err := p.int("facet.limit", 50, -1, 0)
	if err != nil {
		return nil, err
	}
	mincount, err := p.int("facet.mincount", 1, 0, 0)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if !facetable(f) {
			return nil, validation("facet.field", "cannot facet on %q (organization, groups, tags, res_format, license_id, open_type, update_frequency, grade, extras_%s)", f, strings.Join(extrasFacets, ", extras_"))
		}
	}
	ans, indexed, err := h.searchIndex(c, p, fields, start, rows)
	if err != nil {
		return nil, err
	}
	count, results := ans.count, ans.results
	if !indexed {
		if err := base().Count(&count).Error; err != nil {
			return nil, apperr.Internalf(err, "package_search count")
		}
		var ids []string
		if rows > 0 {
			if err := base().Order(order).Limit(rows).Offset(start).Pluck("datasets.id", &ids).Error; err != nil {
				return nil, apperr.Internalf(err, "package_search")
			}
		}
		if results, err = h.loadPackages(c, ids); err != nil {
			return nil, err
		}
	}
	shown, err := applyFL(results, p.str("fl"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"count": count, "results": shown, "sort": p.str("sort"), "facets": map[string]any{}, "search_facets": map[string]any{}}
	if out["sort"] == "" {
		out["sort"] = "score desc, metadata_modified desc"
	}
	if len(fields) == 0 {
		return out, nil
	}
	facets, searchFacets := map[string]any{}, map[string]any{}
	for _, f := range fields {
		var counts map[string]int64
		var labels map[string]string
		if indexed {
			counts, labels = ans.facets[f], h.facetLabels(c, f)
		} else if counts, labels, err = h.facet(c, base, f); err != nil {
			return nil, err
		}
		keys := sortedKeys(counts)
		sort.SliceStable(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
		fc := map[string]int64{}
		items := []map[string]any{}
		for _, k := range keys {
			if counts[k] < int64(mincount) || (limit >= 0 && len(items) >= limit) {
				continue
			}
			fc[k] = counts[k]
			dn := labels[k]
			if dn == "" {
				dn = k
			}
			items = append(items, map[string]any{"name": k, "display_name": dn, "count": counts[k]})
		}
		facets[f] = fc
		searchFacets[f] = map[string]any{"title": f, "items": items}
	}
	out["facets"], out["search_facets"] = facets, searchFacets
	return out, nil
}

// facet counts the matching entries per value of a CKAN facet field.
func (h *Handler) facet(c echo.Context, base func() *gorm.DB, field string) (map[string]int64, map[string]string, error) {
	counts := map[string]int64{}
	group := func(col string) error {
		var rows []struct {
			K string
			N int64
		}
		if err := base().Select(col + " AS k, COUNT(*) AS n").Group(col).Scan(&rows).Error; err != nil {
			return apperr.Internalf(err, "facet %s", field)
		}
		for _, r := range rows {
			counts[r.K] += r.N
		}
		return nil
	}
	switch field {
	case "organization", "owner_org":
		if err := group("datasets.department_id"); err != nil {
			return nil, nil, err
		}
	case "groups":
		if err := group("datasets.topic_id"); err != nil {
			return nil, nil, err
		}
	case "license_id":
		if err := group("datasets.open_type"); err != nil {
			return nil, nil, err
		}
		renamed := map[string]int64{}
		for k, n := range counts {
			renamed[licenseOf(catalog.OpenType(k)).ID] += n
		}
		counts = renamed
	case "open_type", "update_frequency", "grade":
		if err := group("datasets." + field); err != nil {
			return nil, nil, err
		}
	case "extras_open_type", "extras_update_frequency", "extras_grade", "extras_classification", "extras_region", "extras_share_type":
		// The extras package_show lists that are columns of their own.
		if err := group("datasets." + strings.TrimPrefix(field, "extras_")); err != nil {
			return nil, nil, err
		}
	case "res_format":
		var rows []struct {
			K string
			N int64
		}
		err := base().Joins("JOIN resources r ON r.dataset_id = datasets.id").
			Select("UPPER(r.format) AS k, COUNT(DISTINCT datasets.id) AS n").Group("UPPER(r.format)").Scan(&rows).Error
		if err != nil {
			return nil, nil, apperr.Internalf(err, "facet res_format")
		}
		for _, r := range rows {
			counts[r.K] = r.N
		}
	case "tags":
		var tags []catalog.Strings
		if err := base().Pluck("datasets.tags", &tags).Error; err != nil {
			return nil, nil, apperr.Internalf(err, "facet tags")
		}
		for _, ts := range tags {
			for _, t := range ts {
				counts[t]++
			}
		}
	default:
		return nil, nil, validation("facet.field", "cannot facet on %q", field)
	}
	return counts, h.facetLabels(c, field), nil
}

// extrasFacets are the extras facet.field may name (as extras_<key>).
var extrasFacets = []string{"open_type", "update_frequency", "grade", "classification", "region", "share_type"}

func facetable(field string) bool {
	switch field {
	case "organization", "owner_org", "groups", "license_id", "open_type", "update_frequency", "grade", "res_format", "tags":
		return true
	}
	k, ok := strings.CutPrefix(field, "extras_")
	return ok && slices.Contains(extrasFacets, k)
}

// facetLabels are the display names of a facet's values: department and
// topic names, licence titles; other values show as themselves.
func (h *Handler) facetLabels(c echo.Context, field string) map[string]string {
	labels := map[string]string{}
	switch field {
	case "organization", "owner_org":
		var deps []catalog.Department
		h.DB.WithContext(c.Request().Context()).Select("id, name").Find(&deps)
		for _, d := range deps {
			labels[d.ID] = d.Name
		}
	case "groups":
		var topics []catalog.Topic
		h.DB.WithContext(c.Request().Context()).Select("id, name").Find(&topics)
		for _, t := range topics {
			labels[t.ID] = t.Name
		}
	case "license_id":
		for _, l := range licenses {
			labels[l.ID] = l.Title
		}
	}
	return labels
}

func (h *Handler) packageShow(c echo.Context, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		id = p.str("name_or_id")
	}
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	if !devapi.ValidID(id) {
		return nil, notFound("package")
	}
	list, err := h.loadPackages(c, []string{id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("package")
	}
	return list[0], nil
}

func (h *Handler) packageList(c echo.Context, p params) (any, error) {
	limit, err := p.int("limit", 0, 0, 0)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 0, 0)
	if err != nil {
		return nil, err
	}
	q := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Order("datasets.id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	if offset > 0 {
		q = q.Offset(offset)
		if limit == 0 {
			q = q.Limit(1 << 30)
		}
	}
	ids := []string{}
	if err := q.Pluck("datasets.id", &ids).Error; err != nil {
		return nil, apperr.Internalf(err, "package_list")
	}
	return ids, nil
}

func (h *Handler) currentPackages(c echo.Context, p params) (any, error) {
	limit, err := p.int("limit", 10, 0, MaxRows)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 0, 0)
	if err != nil {
		return nil, err
	}
	if page, err := p.int("page", 0, 1, 0); err != nil {
		return nil, err
	} else if page > 0 {
		offset = (page - 1) * limit
	}
	var ids []string
	err = h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).
		Order("datasets.updated_at DESC, datasets.id").Limit(limit).Offset(offset).Pluck("datasets.id", &ids).Error
	if err != nil {
		return nil, apperr.Internalf(err, "current_package_list_with_resources")
	}
	return h.loadPackages(c, ids)
}

// countBy counts public entries per department or topic.
func (h *Handler) countBy(c echo.Context, col string) (map[string]int64, error) {
	var rows []struct {
		K string
		N int64
	}
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).
		Select(col + " AS k, COUNT(*) AS n").Group(col).Scan(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "count by %s", col)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.K] = r.N
	}
	return out, nil
}

type listParams struct {
	allFields     bool
	sortKey       string
	desc          bool
	limit, offset int
}

func readListParams(p params) (listParams, error) {
	var lp listParams
	var err error
	if lp.allFields, err = p.bool("all_fields", false); err != nil {
		return lp, err
	}
	if lp.limit, err = p.int("limit", 1000, 0, 1000); err != nil {
		return lp, err
	}
	if lp.offset, err = p.int("offset", 0, 0, 0); err != nil {
		return lp, err
	}
	f := strings.Fields(strings.ToLower(p.str("sort")))
	lp.sortKey = "name"
	if len(f) > 0 {
		lp.sortKey = f[0]
	}
	if len(f) > 1 {
		lp.desc = f[1] == "desc"
	} else if lp.sortKey == "package_count" {
		lp.desc = true
	}
	switch lp.sortKey {
	case "name", "title", "package_count":
	default:
		return lp, validation("sort", "sort by name, title or package_count")
	}
	return lp, nil
}

type named struct {
	name, title string
	count       int64
}

func page(items []named, lp listParams) []named {
	less := func(a, b named) bool {
		switch lp.sortKey {
		case "title":
			return a.title < b.title
		case "package_count":
			return a.count < b.count
		}
		return a.name < b.name
	}
	sort.SliceStable(items, func(i, j int) bool {
		if lp.desc {
			return less(items[j], items[i])
		}
		return less(items[i], items[j])
	})
	if lp.offset >= len(items) {
		return nil
	}
	items = items[lp.offset:]
	if lp.limit > 0 && len(items) > lp.limit {
		items = items[:lp.limit]
	}
	return items
}

// grouping is a kind of CKAN group over public datasets: organizations
// (departments) and groups (topics) are listed and shown the same way.
type grouping[M any, D any] struct {
	kind     string // "organization" or "group": the action prefix and the not-found name
	column   string // the datasets column naming the grouping
	key      func(M) (id, title string)
	dict     func(M, *int64) D
	packages func(*D, []any) // sets the dict's packages
}

var (
	organizations = grouping[catalog.Department, Organization]{
		kind: "organization", column: "department_id",
		key:      func(d catalog.Department) (string, string) { return d.ID, d.Name },
		dict:     orgDict,
		packages: func(o *Organization, pk []any) { o.Packages = pk },
	}
	groups = grouping[catalog.Topic, Group]{
		kind: "group", column: "topic_id",
		key:      func(t catalog.Topic) (string, string) { return t.ID, t.Name },
		dict:     groupDict,
		packages: func(g *Group, pk []any) { g.Packages = pk },
	}
)

func (h *Handler) organizationList(c echo.Context, p params) (any, error) {
	return organizations.list(h, c, p)
}

func (h *Handler) organizationShow(c echo.Context, p params) (any, error) {
	return organizations.show(h, c, p)
}

func (h *Handler) groupList(c echo.Context, p params) (any, error) { return groups.list(h, c, p) }

func (h *Handler) groupShow(c echo.Context, p params) (any, error) { return groups.show(h, c, p) }

// list answers <kind>_list: names, or dicts with all_fields, sorted and
// paged, each with its count of public packages.
func (g grouping[M, D]) list(h *Handler, c echo.Context, p params) (any, error) {
	lp, err := readListParams(p)
	if err != nil {
		return nil, err
	}
	var rows []M
	if err := h.DB.WithContext(c.Request().Context()).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, g.kind+"_list")
	}
	counts, err := h.countBy(c, g.column)
	if err != nil {
		return nil, err
	}
	byID := map[string]M{}
	items := make([]named, len(rows))
	for i, r := range rows {
		id, title := g.key(r)
		byID[id] = r
		items[i] = named{id, title, counts[id]}
	}
	items = page(items, lp)
	if !lp.allFields {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.name
		}
		return out, nil
	}
	out := make([]D, len(items))
	for i, it := range items {
		n := it.count
		out[i] = g.dict(byID[it.name], &n)
	}
	return out, nil
}

// show answers <kind>_show: one dict with its count, and its first
// packages with include_datasets.
func (g grouping[M, D]) show(h *Handler, c echo.Context, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	var r M
	if err := h.DB.WithContext(c.Request().Context()).Where("id = ?", id).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, notFound(g.kind)
		}
		return nil, apperr.Internalf(err, g.kind+"_show")
	}
	counts, err := h.countBy(c, g.column)
	if err != nil {
		return nil, err
	}
	rid, _ := g.key(r)
	n := counts[rid]
	out := g.dict(r, &n)
	if inc, err := p.bool("include_datasets", false); err != nil {
		return nil, err
	} else if inc {
		pk, err := h.firstPackages(c, "datasets."+g.column+" = ?", rid)
		if err != nil {
			return nil, err
		}
		g.packages(&out, pk)
	}
	return out, nil
}

func (h *Handler) firstPackages(c echo.Context, where string, arg any) ([]any, error) {
	var ids []string
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Where(where, arg).
		Order("datasets.updated_at DESC, datasets.id").Limit(1000).Pluck("datasets.id", &ids).Error; err != nil {
		return nil, apperr.Internalf(err, "list packages")
	}
	list, err := h.loadPackages(c, ids)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(list))
	for i := range list {
		out[i] = list[i]
	}
	return out, nil
}

func (h *Handler) tagList(c echo.Context, p params) (any, error) {
	var all []catalog.Strings
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Pluck("datasets.tags", &all).Error; err != nil {
		return nil, apperr.Internalf(err, "tag_list")
	}
	query := strings.ToLower(p.str("query"))
	seen := map[string]bool{}
	for _, ts := range all {
		for _, t := range ts {
			if query == "" || strings.Contains(strings.ToLower(t), query) {
				seen[t] = true
			}
		}
	}
	names := sortedKeys(seen)
	if af, err := p.bool("all_fields", false); err != nil {
		return nil, err
	} else if af {
		out := make([]Tag, len(names))
		for i, n := range names {
			out[i] = Tag{ID: n, Name: n, DisplayName: n, State: "active"}
		}
		return out, nil
	}
	return names, nil
}

// ckanTypes maps data item types to DataStore field types.
var ckanTypes = map[string]string{"integer": "int", "number": "numeric", "date": "date", "datetime": "timestamp", "boolean": "bool", "string": "text"}

func (h *Handler) datastoreSearch(c echo.Context, p params) (any, error) {
	id := p.str("resource_id")
	if id == "" {
		id = p.str("id")
	}
	if id == "" {
		return nil, validation("resource_id", "Missing value")
	}
	get := func(name string) string {
		if name == "filters" {
			if m, ok := p[name].(map[string]any); ok {
				b, _ := json.Marshal(m)
				return string(b)
			}
		}
		if name == "fields" {
			if l, err := p.list(name); err == nil {
				return strings.Join(l, ",")
			}
		}
		return p.str(name)
	}
	q, err := devapi.ParseRowQuery(get, p.has)
	if err != nil {
		return nil, err
	}
	page, err := h.Dev.Rows(c.Request().Context(), authz.PrincipalFrom(c), id, q)
	if devapi.IsUseNotRecorded(err) {
		// No use record, no rows (000 Art 11, 28): 503, try again later.
		c.Response().Header().Set("Retry-After", strconv.Itoa(devapi.UseRetryAfter))
	}
	if err != nil {
		return nil, err
	}
	fields := make([]map[string]any, len(page.Fields))
	for i, f := range page.Fields {
		t := ckanTypes[f.Type]
		if f.ID == "_id" {
			t = "int"
		}
		fields[i] = map[string]any{"id": f.ID, "type": t, "info": map[string]string{"label": f.Label}}
	}
	base := "/api/3/action/datastore_search?resource_id=" + id
	links := map[string]string{"start": base}
	if len(page.Records) == q.Limit {
		links["next"] = base + "&offset=" + strconv.Itoa(q.Offset+q.Limit)
	}
	return map[string]any{
		"resource_id": id, "fields": fields, "records": page.Records, "total": page.Total,
		"limit": q.Limit, "offset": q.Offset, "_links": links, "include_total": true, "records_format": "objects",
	}, nil
}
