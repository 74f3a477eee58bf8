package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
)

// The database answers a browse (no query text) while the search index is
// unavailable: it is opening after a start or has failed. It pages by
// keyset on (sort key, id) in the same order the engines use, and its
// cursors are search.Cursor tokens, so a client keeps walking whichever of
// the two answers the next page (except for name, where the database's
// collation may order titles differently from the engines' code points).

// browseColumns are the filters that map to one column each. Formats and
// tags live in JSON text columns, so the database cannot filter on them
// cheaply; such a browse waits for the index.
var browseColumns = map[string]string{
	search.FieldDepartment:      "datasets.department_id",
	search.FieldTopic:           "datasets.topic_id",
	search.FieldOpenType:        "datasets.open_type",
	search.FieldGrade:           "datasets.grade",
	search.FieldUpdateFrequency: "datasets.update_frequency",
	search.FieldRegion:          "datasets.region",
}

// BrowseQuery is one page of the public catalog read from the database.
type BrowseQuery struct {
	Filters    map[string][]string // only browseColumns fields
	MinQuality int
	Sort       string // an effective sort without text (never relevance)
	After      *search.Cursor
	Offset     int
	Limit      int
}

// browseBase is the public entries matching q's filters.
func (s *Store) browseBase(ctx context.Context, q BrowseQuery) (*gorm.DB, error) {
	base := s.DB.WithContext(ctx).Model(&Dataset{}).Scopes(publicScope)
	for field, vals := range q.Filters {
		col, ok := browseColumns[field]
		if !ok {
			return nil, apperr.Internalf(fmt.Errorf("filter %s has no column", field), "browse datasets")
		}
		base = base.Where(col+" IN ?", vals)
	}
	if q.MinQuality > 0 {
		base = base.Where("datasets.quality_score >= ?", q.MinQuality)
	}
	return base, nil
}

// CountBrowse counts the public entries matching q's filters.
func (s *Store) CountBrowse(ctx context.Context, q BrowseQuery) (int64, error) {
	base, err := s.browseBase(ctx, q)
	if err != nil {
		return 0, err
	}
	var total int64
	if err := base.Count(&total).Error; err != nil {
		return 0, apperr.Internalf(err, "count datasets to browse")
	}
	return total, nil
}

// BrowsePublic lists one page of public entries with their department,
// topic and resource formats, and the cursor of the page after it (nil on
// the last page).
func (s *Store) BrowsePublic(ctx context.Context, q BrowseQuery) ([]Dataset, *search.Cursor, error) {
	page, err := s.browseBase(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	if s.DB.Dialector.Name() == "sqlite" && broadFilters(q) {
		// Without statistics (sqlite_stat1) SQLite takes the status index
		// and sorts every public entry (about 390 ms for page 1 at 100k);
		// walking the sort's own index stops after one page. Narrow
		// filters (a department, a topic) keep the planner's choice: their
		// few rows sort quickly, and walking the whole order would not.
		page = page.Table("datasets INDEXED BY " + browseIndex[q.Sort])
	}
	page = page.Preload("Department").Preload("Topic").
		Preload("Resources", func(db *gorm.DB) *gorm.DB { return db.Select("id, dataset_id, format, position").Order("position") })
	page = page.Order(browseOrder[q.Sort])
	if q.After != nil {
		page = keysetAfter(page, *q.After)
	}
	var list []Dataset
	if err := page.Offset(q.Offset).Limit(q.Limit + 1).Find(&list).Error; err != nil {
		return nil, nil, apperr.Internalf(err, "browse datasets")
	}
	if len(list) <= q.Limit {
		return list, nil, nil
	}
	list = list[:q.Limit]
	c := BrowseCursor(&list[len(list)-1], q.Sort)
	return list, &c, nil
}

// browseOrder is each sort as SQL; NULL published_at sorts last with DESC
// on both SQLite and MariaDB, as a zero time does in the engines.
var browseOrder = map[string]string{
	search.SortUpdated:   "datasets.updated_at DESC, datasets.id",
	search.SortPublished: "datasets.published_at DESC, datasets.id",
	search.SortDownloads: "datasets.downloads DESC, datasets.id",
	search.SortQuality:   "datasets.quality_score DESC, datasets.updated_at DESC, datasets.id",
	search.SortName:      "datasets.title, datasets.id",
}

// browseIndex is each sort's index (migration 0084), in its order.
var browseIndex = map[string]string{
	search.SortUpdated:   "idx_datasets_browse_updated",
	search.SortPublished: "idx_datasets_browse_published",
	search.SortDownloads: "idx_datasets_browse_downloads",
	search.SortQuality:   "idx_datasets_browse_quality",
	search.SortName:      "idx_datasets_browse_name",
}

// broadFilters reports whether q keeps a large share of the catalog: no
// filter but open type (two values) and grade (four).
func broadFilters(q BrowseQuery) bool {
	for field := range q.Filters {
		if field != search.FieldOpenType && field != search.FieldGrade {
			return false
		}
	}
	return q.MinQuality == 0
}

// BrowseCursor is the cursor after d in the given sort, with the keys
// search.Cursor documents (the engines' own).
func BrowseCursor(d *Dataset, sort string) search.Cursor {
	c := search.Cursor{Sort: sort, ID: d.ID}
	switch sort {
	case search.SortPublished:
		var n int64 // a missing date is the engines' zero key
		if d.PublishedAt != nil && !d.PublishedAt.IsZero() {
			n = d.PublishedAt.UnixNano()
		}
		c.Ints = []int64{n}
	case search.SortDownloads:
		c.Ints = []int64{d.Downloads}
	case search.SortQuality:
		c.Ints = []int64{int64(d.QualityScore), d.UpdatedAt.UnixNano()}
	case search.SortName:
		c.Str = d.Title
	default:
		c.Ints = []int64{d.UpdatedAt.UnixNano()}
	}
	return c
}

// keysetAfter keeps the rows that sort strictly after c: a key further
// along, or the same key and a greater id.
func keysetAfter(db *gorm.DB, c search.Cursor) *gorm.DB {
	at := func(n int64) time.Time { return time.Unix(0, n).UTC() }
	switch c.Sort {
	case search.SortPublished:
		if c.Ints[0] == 0 {
			return db.Where("datasets.published_at IS NULL AND datasets.id > ?", c.ID)
		}
		t := at(c.Ints[0])
		return db.Where("(datasets.published_at < ? OR datasets.published_at IS NULL OR (datasets.published_at = ? AND datasets.id > ?))", t, t, c.ID)
	case search.SortDownloads:
		n := c.Ints[0]
		return db.Where("(datasets.downloads < ? OR (datasets.downloads = ? AND datasets.id > ?))", n, n, c.ID)
	case search.SortQuality:
		qs, t := c.Ints[0], at(c.Ints[1])
		return db.Where("(datasets.quality_score < ? OR (datasets.quality_score = ? AND (datasets.updated_at < ? OR (datasets.updated_at = ? AND datasets.id > ?))))", qs, qs, t, t, c.ID)
	case search.SortName:
		return db.Where("(datasets.title > ? OR (datasets.title = ? AND datasets.id > ?))", c.Str, c.Str, c.ID)
	default:
		t := at(c.Ints[0])
		return db.Where("(datasets.updated_at < ? OR (datasets.updated_at = ? AND datasets.id > ?))", t, t, c.ID)
	}
}

// browseIndexMigration adds one index per browse order, in that order
// (descending keys, ascending id: SQLite and MariaDB 10.8+ keep DESC), so
// the database walks a page from a keyset position instead of sorting
// every public entry.
func browseIndexMigration() *gormigrate.Migration {
	indexes := [][2]string{
		{browseIndex[search.SortUpdated], "updated_at DESC, id"},
		{browseIndex[search.SortPublished], "published_at DESC, id"},
		{browseIndex[search.SortDownloads], "downloads DESC, id"},
		{browseIndex[search.SortQuality], "quality_score DESC, updated_at DESC, id"},
		{browseIndex[search.SortName], "title, id"},
	}
	return &gormigrate.Migration{
		ID: "0084_catalog_browse_index",
		Migrate: func(tx *gorm.DB) error {
			for _, ix := range indexes {
				if err := tx.Exec("CREATE INDEX " + ix[0] + " ON datasets (" + ix[1] + ")").Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			for _, ix := range indexes {
				if err := tx.Migrator().DropIndex("datasets", ix[0]); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// resultPage is the page number a result reports: 0 when it was reached
// by cursor, whose position is not counted in pages.
func (p ListParams) resultPage() int {
	if p.Cursor != "" {
		return 0
	}
	return p.Page
}

// ErrBrowseOnly marks the 503 of a list the database cannot answer while
// the index is unavailable; its message tells the reader what still works.
var ErrBrowseOnly = errors.New("catalog: only browsing works while the index is unavailable")

// browseDegraded answers a list from the database while the index is
// unavailable. Query text and filters the database cannot apply still
// answer 503: a silently unfiltered or unsearched list would mislead.
func (s *Service) browseDegraded(ctx context.Context, p ListParams, cause error) (ListResult, error) {
	if search.HasSearchText(p.Query) {
		return ListResult{}, apperr.Wrap(apperr.Unavailable, fmt.Errorf("%w: %w", ErrBrowseOnly, cause), "search is starting up or unavailable; browsing without search words still works, try the search again in a moment")
	}
	q := BrowseQuery{Filters: map[string][]string{}, MinQuality: p.MinQuality, Offset: (p.Page - 1) * p.PageSize, Limit: p.PageSize}
	q.Sort, _ = search.EffectiveSort(search.Query{Sort: p.Sort}) // Validate checked it
	for field, vals := range p.Filters {
		if _, ok := browseColumns[field]; !ok {
			return ListResult{}, apperr.Wrap(apperr.Unavailable, fmt.Errorf("%w: %w", ErrBrowseOnly, cause), "filtering by format or tag is unavailable while search is starting up; try again in a moment")
		}
		q.Filters[field] = vals
	}
	if p.Cursor != "" {
		c, err := search.DecodeCursor(p.Cursor)
		if err != nil { // Validate checked it; kept for safety
			return ListResult{}, apperr.Wrap(apperr.Invalid, err, "bad search parameters")
		}
		q.After, q.Offset = &c, 0
	}
	total, err := s.browseTotal(ctx, q)
	if err != nil {
		return ListResult{}, err
	}
	list, next, err := s.Store.BrowsePublic(ctx, q)
	if err != nil {
		return ListResult{}, err
	}
	byID := make(map[string]*Dataset, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	n := int(total)
	if err := s.dropWithdrawn(ctx, byID, &n); err != nil {
		return ListResult{}, err
	}
	out := ListResult{Total: n, Page: p.resultPage(), PageSize: p.PageSize, Items: []ListItem{}, Facets: map[string][]FacetValue{}, Degraded: true}
	for i := range list {
		if d := byID[list[i].ID]; d != nil {
			out.Items = append(out.Items, ListItem{Dataset: d})
		}
	}
	for _, f := range ListFacets {
		out.Facets[f] = []FacetValue{}
	}
	if next != nil {
		out.Next = next.Encode()
	}
	if s.Log != nil {
		s.Log.Debug("catalog list served from the database: search index unavailable", "err", cause)
	}
	return out, nil
}

// browseTotals keeps the totals of degraded browses for a few seconds:
// counting is most of a browse's cost (about 90 ms of a 100 ms page 1 at
// 100k entries) and every page of one list needs the same number.
type browseTotals struct {
	mu sync.Mutex
	m  map[string]browseTotal
}

type browseTotal struct {
	n  int64
	at time.Time
}

const (
	browseTotalTTL  = 5 * time.Second
	browseTotalKeep = 256 // lists kept at most; the map starts again when full
)

func (s *Service) browseTotal(ctx context.Context, q BrowseQuery) (int64, error) {
	fields := make([]string, 0, len(q.Filters))
	for f := range q.Filters {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var key strings.Builder
	fmt.Fprintf(&key, "%d", q.MinQuality)
	for _, f := range fields {
		vals := slices.Clone(q.Filters[f])
		slices.Sort(vals)
		fmt.Fprintf(&key, "\x00%s=%q", f, vals)
	}
	t := &s.totals
	t.mu.Lock()
	if e, ok := t.m[key.String()]; ok && time.Since(e.at) < browseTotalTTL {
		t.mu.Unlock()
		return e.n, nil
	}
	t.mu.Unlock()
	n, err := s.Store.CountBrowse(ctx, q)
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	if t.m == nil || len(t.m) >= browseTotalKeep {
		t.m = map[string]browseTotal{}
	}
	t.m[key.String()] = browseTotal{n: n, at: time.Now()}
	t.mu.Unlock()
	return n, nil
}
