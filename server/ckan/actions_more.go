package ckan

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/publishing"
)

// Bounds of the actions below (CKAN's own defaults and maxima).
const (
	maxAutocomplete = 100  // package/format/organization_autocomplete limit
	maxActivities   = 100  // ckan.activity_list_limit_max
	maxActivitySkip = 1000 // offset of the activity lists: history is read newest first
	maxTagPackages  = 100  // tag_show include_datasets
	maxQueryLen     = 200  // q / query terms
)

// resourceIDs maps the UUIDs resources show as their CKAN id back to the
// portal's ids. It is rebuilt from the resources table on a miss, at most
// once per rebuildEvery, so unknown UUIDs cannot make every call a scan.
type resourceIDs struct {
	mu    sync.Mutex
	m     map[string]string
	built time.Time
}

const rebuildEvery = 30 * time.Second

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// portalResourceID returns the portal id of a resource id given as CKAN
// shows it (a UUID) or as the portal's own id.
func (h *Handler) portalResourceID(c echo.Context, id string) (string, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return id, nil
	}
	id = strings.ToLower(id)
	r := &h.resIDs
	r.mu.Lock()
	defer r.mu.Unlock()
	if got, ok := r.m[id]; ok {
		return got, nil
	}
	if r.m != nil && h.now().Sub(r.built) < rebuildEvery {
		return id, nil
	}
	var ids []string
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Resource{}).Pluck("id", &ids).Error; err != nil {
		return "", apperr.Internalf(err, "resource ids")
	}
	m := make(map[string]string, len(ids))
	for _, x := range ids {
		m[resourceUUID(x)] = x
	}
	r.m, r.built = m, h.now()
	if got, ok := m[id]; ok {
		return got, nil
	}
	return id, nil
}

// resourceShowByID answers resource_show for the UUID a package dict
// shows or the portal's id.
func (h *Handler) resourceShowByID(c echo.Context, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	pid, err := h.portalResourceID(c, id)
	if err != nil {
		return nil, err
	}
	if !devapi.ValidID(pid) {
		return nil, notFound("resource")
	}
	var r catalog.Resource
	if err := h.DB.WithContext(c.Request().Context()).Where("id = ?", pid).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, notFound("resource")
		}
		return nil, apperr.Internalf(err, "resource_show")
	}
	list, err := h.loadPackages(c, []string{r.DatasetID})
	if err != nil {
		return nil, err
	}
	if len(list) == 1 {
		for _, res := range list[0].Resources {
			if res.PortalID == pid {
				return res, nil
			}
		}
	}
	return nil, notFound("resource")
}

// datastoreByUUID lets datastore_search take the resource id a package
// dict shows.
func (h *Handler) datastoreByUUID(c echo.Context, p params) (any, error) {
	for _, k := range []string{"resource_id", "id"} {
		if s := p.str(k); s != "" {
			pid, err := h.portalResourceID(c, s)
			if err != nil {
				return nil, err
			}
			p[k] = pid
		}
	}
	return h.datastoreSearch(c, p)
}

// likeEscape quotes LIKE's wildcards; queries use ESCAPE '!'.
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func (p params) query(name string) (string, error) {
	q := strings.TrimSpace(p.str(name))
	if len([]rune(q)) > maxQueryLen {
		return "", validation(name, "Must be at most %d characters long", maxQueryLen)
	}
	return q, nil
}

type autocompletePackage struct {
	Name           string `json:"name"`
	Title          string `json:"title"`
	MatchField     string `json:"match_field"`
	MatchDisplayed string `json:"match_displayed"`
}

// packageAutocomplete matches q in titles and names, titles first, as
// CKAN's package_autocomplete does.
func (h *Handler) packageAutocomplete(c echo.Context, p params) (any, error) {
	q, err := p.query("q")
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", 10, 0, maxAutocomplete)
	if err != nil {
		return nil, err
	}
	out := []autocompletePackage{}
	if q == "" || limit == 0 {
		return out, nil
	}
	var rows []catalog.Dataset
	like := "%" + likeEscape(strings.ToLower(q)) + "%"
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Select("datasets.id, datasets.title").
		Where("LOWER(datasets.title) LIKE ? ESCAPE '!' OR LOWER(datasets.id) LIKE ? ESCAPE '!'", like, like).
		Order("datasets.title, datasets.id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "package_autocomplete")
	}
	lq := strings.ToLower(q)
	for _, d := range rows {
		a := autocompletePackage{Name: d.ID, Title: d.Title, MatchField: "title", MatchDisplayed: d.Title}
		if !strings.Contains(strings.ToLower(d.Title), lq) {
			a.MatchField, a.MatchDisplayed = "name", d.ID+" ("+d.Title+")"
		}
		out = append(out, a)
	}
	// Title matches before name matches (CKAN's order).
	slices.SortStableFunc(out, func(a, b autocompletePackage) int {
		return strings.Compare(b.MatchField, a.MatchField)
	})
	return out, nil
}

// formatAutocomplete lists the formats of public resources that contain
// q, most used first, lower case as CKAN returns them.
func (h *Handler) formatAutocomplete(c echo.Context, p params) (any, error) {
	q, err := p.query("q")
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", 5, 0, maxAutocomplete)
	if err != nil {
		return nil, err
	}
	out := []string{}
	if q == "" || limit == 0 {
		return out, nil
	}
	var rows []struct {
		F string
		N int64
	}
	if err := h.DB.WithContext(c.Request().Context()).Table("resources").
		Joins("JOIN datasets ON datasets.id = resources.dataset_id").Scopes(public).
		Where("LOWER(resources.format) LIKE ? ESCAPE '!'", "%"+likeEscape(strings.ToLower(q))+"%").
		Select("LOWER(resources.format) AS f, COUNT(*) AS n").Group("LOWER(resources.format)").
		Order("n DESC, f").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "format_autocomplete")
	}
	for _, r := range rows {
		out = append(out, r.F)
	}
	return out, nil
}

// organizationAutocomplete matches q in department names and ids.
func (h *Handler) organizationAutocomplete(c echo.Context, p params) (any, error) {
	q, err := p.query("q")
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", 20, 0, maxAutocomplete)
	if err != nil {
		return nil, err
	}
	type org struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Title string `json:"title"`
	}
	out := []org{}
	if q == "" || limit == 0 {
		return out, nil
	}
	var rows []catalog.Department
	like := "%" + likeEscape(strings.ToLower(q)) + "%"
	if err := h.DB.WithContext(c.Request().Context()).Where("LOWER(name) LIKE ? ESCAPE '!' OR LOWER(id) LIKE ? ESCAPE '!'", like, like).
		Order("name, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "organization_autocomplete")
	}
	for _, d := range rows {
		out = append(out, org{ID: d.ID, Name: d.ID, Title: d.Name})
	}
	return out, nil
}

// tagShow shows one tag of public entries, with its packages (at most
// maxTagPackages, newest first) when include_datasets is set.
func (h *Handler) tagShow(c echo.Context, p params) (any, error) {
	id := strings.TrimSpace(p.str("id"))
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	if len([]rune(id)) > maxQueryLen {
		return nil, notFound("tag")
	}
	inc, err := p.bool("include_datasets", false)
	if err != nil {
		return nil, err
	}
	// The JSON column is prefiltered with LIKE, then checked exactly.
	var rows []catalog.Dataset
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Select("datasets.id, datasets.tags").
		Where("datasets.tags LIKE ? ESCAPE '!'", "%"+likeEscape(mustJSON(id))+"%").
		Order("datasets.updated_at DESC, datasets.id").Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "tag_show")
	}
	var ids []string
	for _, d := range rows {
		if slices.Contains([]string(d.Tags), id) {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return nil, notFound("tag")
	}
	out := map[string]any{"id": id, "name": id, "display_name": id, "state": "active", "vocabulary_id": nil}
	if inc {
		if len(ids) > maxTagPackages {
			ids = ids[:maxTagPackages]
		}
		pk, err := h.loadPackages(c, ids)
		if err != nil {
			return nil, err
		}
		out["packages"] = pk
	}
	return out, nil
}

// groupPackageShow lists a topic's public packages, newest first.
func (h *Handler) groupPackageShow(c echo.Context, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	limit, err := p.int("limit", 20, 1, MaxRows)
	if err != nil {
		return nil, err
	}
	var t catalog.Topic
	if err := h.DB.WithContext(c.Request().Context()).Where("id = ?", id).Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, notFound("group")
		}
		return nil, apperr.Internalf(err, "group_package_show")
	}
	var ids []string
	if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Where("datasets.topic_id = ?", t.ID).
		Order("datasets.updated_at DESC, datasets.id").Limit(limit).Pluck("datasets.id", &ids).Error; err != nil {
		return nil, apperr.Internalf(err, "group_package_show")
	}
	return h.loadPackages(c, ids)
}

// resourceSearchFields are the resource columns resource_search matches;
// url, id and description are derived, not stored, and are not searched.
var resourceSearchFields = map[string]string{
	"name": "resources.name", "format": "resources.format", "mimetype": "resources.media_type",
}

// resourceSearch answers CKAN's resource_search: query is "field:term"
// or a list of them, all of which must match (case-insensitive
// substring, as CKAN does).
func (h *Handler) resourceSearch(c echo.Context, p params) (any, error) {
	terms, err := p.list("query")
	if err != nil {
		return nil, err
	}
	if _, ok := p["query"].([]any); !ok && len(terms) > 1 {
		// A plain string is one term, commas included.
		terms = []string{p.str("query")}
	}
	if len(terms) > 10 {
		return nil, validation("query", "At most 10 terms")
	}
	offset, err := p.int("offset", 0, 0, 0)
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", 100, 0, MaxRows)
	if err != nil {
		return nil, err
	}
	order := "resources.dataset_id, resources.position"
	if ob := strings.TrimSpace(p.str("order_by")); ob != "" {
		col, ok := resourceSearchFields[ob]
		if !ok {
			return nil, validation("order_by", "Cannot order by field %s: use name, format or mimetype", ob)
		}
		order = col + ", resources.id"
	}
	q := h.DB.WithContext(c.Request().Context()).Table("resources").Joins("JOIN datasets ON datasets.id = resources.dataset_id").Scopes(public)
	for _, term := range terms {
		field, value, ok := strings.Cut(term, ":")
		col, known := resourceSearchFields[strings.TrimSpace(field)]
		if !ok || !known {
			return nil, validation("query", "Field %q not recognised in resource_search: use name, format or mimetype", field)
		}
		if len([]rune(value)) > maxQueryLen {
			return nil, validation("query", "Must be at most %d characters long", maxQueryLen)
		}
		q = q.Where("LOWER("+col+") LIKE ? ESCAPE '!'", "%"+likeEscape(strings.ToLower(strings.TrimSpace(value)))+"%")
	}
	var count int64
	if err := q.Session(&gorm.Session{}).Count(&count).Error; err != nil {
		return nil, apperr.Internalf(err, "resource_search")
	}
	var rows []struct{ ID, DatasetID string }
	if limit > 0 {
		if err := q.Select("resources.id AS id, resources.dataset_id AS dataset_id").Order(order).Limit(limit).Offset(offset).Scan(&rows).Error; err != nil {
			return nil, apperr.Internalf(err, "resource_search")
		}
	}
	var dsIDs []string
	for _, r := range rows {
		if !slices.Contains(dsIDs, r.DatasetID) {
			dsIDs = append(dsIDs, r.DatasetID)
		}
	}
	pk, err := h.loadPackages(c, dsIDs)
	if err != nil {
		return nil, err
	}
	byID := map[string]Resource{}
	for _, d := range pk {
		for _, r := range d.Resources {
			byID[r.PortalID] = r
		}
	}
	results := make([]Resource, 0, len(rows))
	for _, r := range rows {
		if res, ok := byID[r.ID]; ok {
			results = append(results, res)
		}
	}
	return map[string]any{"count": count, "results": results}, nil
}

// Activity is CKAN's activity dict.
type Activity struct {
	ID           string         `json:"id"`
	Timestamp    string         `json:"timestamp"`
	UserID       string         `json:"user_id"`
	ObjectID     string         `json:"object_id"`
	RevisionID   *string        `json:"revision_id"`
	ActivityType string         `json:"activity_type"`
	Data         map[string]any `json:"data"`
	at           time.Time
}

// activity is one approved version of a public entry: the first a "new
// package", later ones "changed package". Entries loaded without a
// history (a generated catalog) show one "new package" at publication.
// Revoked and not_open entries never appear, so "deleted package" never does.
func activity(d *catalog.Dataset, number int, title string, at time.Time, key string) Activity {
	typ := "changed package"
	if number <= 1 {
		typ = "new package"
	}
	return Activity{
		ID: stableUUID("activity", key).String(), Timestamp: ckanTime(at), UserID: publisherID(d.DepartmentID), ObjectID: d.ID,
		ActivityType: typ, at: at,
		Data: map[string]any{"package": map[string]any{
			"id": d.ID, "name": d.ID, "title": title, "type": "dataset", "state": "active", "owner_org": d.DepartmentID,
			"version": number, "metadata_modified": ckanTime(at),
		}},
	}
}

func (h *Handler) activityPage(p params) (limit, offset int, err error) {
	if limit, err = p.int("limit", 31, 1, maxActivities); err != nil {
		return
	}
	if offset, err = p.int("offset", 0, 0, 0); err != nil {
		return
	}
	if offset > maxActivitySkip {
		err = validation("offset", "Must be at most %d", maxActivitySkip)
	}
	return
}

// activities reads up to n newest activities of public entries (of one
// entry when id is set): approved versions, and the publication of
// entries without any.
func (h *Handler) activities(c echo.Context, id string, n int) ([]Activity, error) {
	db := h.DB.WithContext(c.Request().Context())
	var vers []struct {
		ID         uint64
		DatasetID  string
		Number     int
		Title      string
		ApprovedAt time.Time
	}
	hasVersions := db.Migrator().HasTable(&publishing.Version{})
	if hasVersions {
		q := db.Table("dataset_versions").Joins("JOIN datasets ON datasets.id = dataset_versions.dataset_id").Scopes(public).
			Where("dataset_versions.status = ? AND dataset_versions.approved_at IS NOT NULL", publishing.StatusApproved)
		if id != "" {
			q = q.Where("dataset_versions.dataset_id = ?", id)
		}
		if err := q.Select("dataset_versions.id, dataset_versions.dataset_id, dataset_versions.number, dataset_versions.title, dataset_versions.approved_at").
			Order("dataset_versions.approved_at DESC, dataset_versions.id DESC").Limit(n).Scan(&vers).Error; err != nil {
			return nil, apperr.Internalf(err, "activity list")
		}
	}
	q := db.Model(&catalog.Dataset{}).Scopes(public)
	if id != "" {
		q = q.Where("datasets.id = ?", id)
	}
	if hasVersions {
		q = q.Where("NOT EXISTS (SELECT 1 FROM dataset_versions v WHERE v.dataset_id = datasets.id AND v.status = ?)", publishing.StatusApproved)
	}
	var created []catalog.Dataset
	if err := q.Order("COALESCE(datasets.published_at, datasets.created_at) DESC, datasets.id DESC").Limit(n).Find(&created).Error; err != nil {
		return nil, apperr.Internalf(err, "activity list")
	}
	// The entries the versions belong to.
	var dsIDs []string
	for _, v := range vers {
		dsIDs = append(dsIDs, v.DatasetID)
	}
	var owners []catalog.Dataset
	if len(dsIDs) > 0 {
		if err := db.Select("id, department_id").Where("id IN ?", dsIDs).Find(&owners).Error; err != nil {
			return nil, apperr.Internalf(err, "activity list")
		}
	}
	byID := map[string]*catalog.Dataset{}
	for i := range owners {
		byID[owners[i].ID] = &owners[i]
	}
	out := make([]Activity, 0, len(vers)+len(created))
	for _, v := range vers {
		if d := byID[v.DatasetID]; d != nil {
			out = append(out, activity(d, v.Number, v.Title, v.ApprovedAt, "version:"+v.DatasetID+":"+strconv.Itoa(v.Number)))
		}
	}
	for i := range created {
		d := &created[i]
		at := d.CreatedAt
		if d.PublishedAt != nil {
			at = *d.PublishedAt
		}
		out = append(out, activity(d, 1, d.Title, at, "published:"+d.ID))
	}
	slices.SortStableFunc(out, func(a, b Activity) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (h *Handler) packageActivityList(c echo.Context, p params) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	limit, offset, err := h.activityPage(p)
	if err != nil {
		return nil, err
	}
	if !devapi.ValidID(id) {
		return nil, notFound("package")
	}
	var d catalog.Dataset
	if err := h.DB.WithContext(c.Request().Context()).Select("id, status, open_type").Where("id = ?", id).Take(&d).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, notFound("package")
		}
		return nil, apperr.Internalf(err, "package_activity_list")
	}
	if !d.Public() {
		return nil, notFound("package")
	}
	list, err := h.activities(c, id, offset+limit)
	if err != nil {
		return nil, err
	}
	return pageOf(list, offset), nil
}

func (h *Handler) recentlyChangedPackages(c echo.Context, p params) (any, error) {
	limit, offset, err := h.activityPage(p)
	if err != nil {
		return nil, err
	}
	list, err := h.activities(c, "", offset+limit)
	if err != nil {
		return nil, err
	}
	return pageOf(list, offset), nil
}

func pageOf(list []Activity, offset int) []Activity {
	if offset >= len(list) {
		return []Activity{}
	}
	return list[offset:]
}
