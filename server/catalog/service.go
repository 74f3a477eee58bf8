package catalog

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/blob"
)

// Service holds the catalog's rules: what the public may see, how the
// list is searched and faceted, and how the index is kept in step.
type Service struct {
	Store *Store
	Index search.Index
	Blobs blob.Store
	Log   *slog.Logger
	Now   func() time.Time
	// Tombstones answers for withdrawn entries (optional; 000 Art 35).
	Tombstones Tombstones

	labelsMu  sync.Mutex
	labels    *labelCache
	labelsAge time.Time
	totals    browseTotals
}

// ListFacets are the facets the public list returns, in display order.
var ListFacets = []string{search.FieldTopic, search.FieldDepartment, search.FieldOpenType, search.FieldFormat, search.FieldUpdateFrequency, search.FieldGrade}

// MaxPageSize caps page_size on the public list.
const MaxPageSize = 100

// ListParams is a validated public list request.
type ListParams struct {
	Query   string
	Filters map[string][]string
	Sort    string
	// MinQuality keeps entries scoring at least this (0–100; 0: all).
	MinQuality int
	Page       int
	PageSize   int
	// Cursor continues after the previous page (its ListResult.Next)
	// instead of Page: deep paging without offsets.
	Cursor string
}

// Validate checks every parameter and reports all problems at once.
func (p *ListParams) Validate() error {
	var v apperr.Validation
	v.Check(utf8.RuneCountInString(p.Query) <= search.MaxQueryRunes, "q", "query is longer than %d characters", search.MaxQueryRunes)
	v.Check(p.Page >= 1, "page", "page must be 1 or more")
	v.Check(p.PageSize >= 1 && p.PageSize <= MaxPageSize, "page_size", "page_size must be from 1 to %d", MaxPageSize)
	if p.Cursor != "" {
		c, err := search.DecodeCursor(p.Cursor)
		sort, _ := search.EffectiveSort(search.Query{Text: p.Query, Sort: p.Sort})
		switch {
		case err != nil:
			v.Add("cursor", "cursor is not one this list gave out; start again from the first page")
		case c.Sort != sort:
			v.Add("cursor", "cursor belongs to another sort or to a search by relevance; start again from the first page")
		}
		v.Check(p.Page == 1, "cursor", "cursor and page cannot be given together")
	}
	if p.Page >= 1 && p.PageSize >= 1 && p.Page*p.PageSize > search.MaxWindow {
		v.Add("page", "results beyond the first %d cannot be paged to; narrow the query or filters", search.MaxWindow)
	}
	switch p.Sort {
	case "", search.SortRelevance, search.SortUpdated, search.SortDownloads, search.SortName, search.SortPublished, search.SortQuality:
	default:
		v.Add("sort", "sort must be relevance, updated, downloads, name, published or quality")
	}
	v.Check(p.MinQuality >= 0 && p.MinQuality <= 100, "min_quality", "min_quality must be a whole number from 0 to 100")
	for field, values := range p.Filters {
		v.Check(len(values) <= 50, field, "at most 50 values per filter")
		for _, val := range values {
			v.Check(val != "" && len(val) <= 100, field, "filter values must be 1 to 100 bytes")
			switch field {
			case search.FieldOpenType:
				v.Check(val == string(Unconditional) || val == string(Conditional), field, "open_type must be unconditional or conditional")
			case search.FieldUpdateFrequency:
				v.Check(slices.Contains(UpdateFrequencies, val), field, "update_frequency must be one of %s", strings.Join(UpdateFrequencies, ", "))
			case search.FieldGrade:
				v.Check(slices.Contains(Grades, val), field, "grade must be one of %s", strings.Join(Grades, ", "))
			}
		}
	}
	return v.Err()
}

// ListResult is one page of the public catalog.
type ListResult struct {
	Total    int
	Page     int
	PageSize int
	Items    []ListItem
	Facets   map[string][]FacetValue
	// Next continues after this page (ListParams.Cursor); "" on the last
	// page and for searches by relevance.
	Next string
	// Degraded: the index was unavailable and the database answered this
	// browse: no facet counts and no highlights.
	Degraded bool
}

// ListItem is a dataset on a list page with its search highlights.
type ListItem struct {
	*Dataset
	Highlights map[string]string
}

// FacetValue is one facet value with its label and count.
type FacetValue struct {
	Value string
	Label string
	Count int
}

// List searches the public catalog.
func (s *Service) List(ctx context.Context, p ListParams) (ListResult, error) {
	if err := p.Validate(); err != nil {
		return ListResult{}, err
	}
	res, err := s.Index.Search(ctx, search.Query{
		Text: p.Query, Filters: p.Filters, Facets: ListFacets, Sort: p.Sort, MinQuality: p.MinQuality,
		Offset: (p.Page - 1) * p.PageSize, Limit: p.PageSize, After: p.Cursor,
	})
	if errors.Is(err, search.ErrUnavailable) {
		return s.browseDegraded(ctx, p, err)
	}
	switch {
	case errors.Is(err, search.ErrQueryTooLong):
		return ListResult{}, apperr.New(apperr.Invalid, "query is longer than %d characters", search.MaxQueryRunes)
	case errors.Is(err, search.ErrTooDeep), errors.Is(err, search.ErrBadQuery):
		return ListResult{}, apperr.Wrap(apperr.Invalid, err, "bad search parameters")
	case errors.Is(err, search.ErrUnavailable):
		return ListResult{}, apperr.Wrap(apperr.Unavailable, err, "search unavailable")
	case err != nil:
		return ListResult{}, apperr.Internalf(err, "search")
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	byID, err := s.Store.DatasetsByID(ctx, ids)
	if err != nil {
		return ListResult{}, err
	}
	if err := s.dropWithdrawn(ctx, byID, &res.Total); err != nil {
		return ListResult{}, err
	}
	out := ListResult{Total: res.Total, Page: p.resultPage(), PageSize: p.PageSize, Items: []ListItem{}, Next: res.Next}
	for _, h := range res.Hits {
		// An id the index still holds but the database no longer shows
		// (revoked a moment ago) is skipped rather than leaked.
		if d := byID[h.ID]; d != nil {
			out.Items = append(out.Items, ListItem{Dataset: d, Highlights: h.Highlights})
		}
	}
	labels, err := s.facetLabels(ctx)
	if err != nil {
		return ListResult{}, err
	}
	out.Facets = map[string][]FacetValue{}
	for _, f := range ListFacets {
		vals := []FacetValue{}
		for _, fc := range res.Facets[f] {
			vals = append(vals, FacetValue{Value: fc.Value, Label: labels.label(f, fc.Value), Count: fc.Count})
		}
		out.Facets[f] = vals
	}
	return out, nil
}

// PublicDataset returns an entry the public may see. Entries that are not
// open, drafts and unknown ids all answer not found (000 Art 33).
func (s *Service) PublicDataset(ctx context.Context, id string) (*Dataset, error) {
	if !validID(id) {
		return nil, apperr.New(apperr.NotFound, "dataset not found")
	}
	d, err := s.Store.Dataset(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.CheckWithdrawn(ctx, d, ""); err != nil {
		return nil, err // 410 with the tombstone (000 Art 35)
	}
	if !d.Public() {
		return nil, apperr.New(apperr.NotFound, "dataset not found")
	}
	return d, nil
}

// validID rejects ids no entry can have before touching the database.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return false
		}
	}
	return true
}

// Document builds the search document of a public entry.
func Document(d *Dataset) search.Document {
	items := make([]string, 0, 2*len(d.DataItems))
	for _, it := range d.DataItems {
		items = append(items, it.Label, it.Name)
	}
	doc := search.Document{
		ID: d.ID, Title: d.Title, Description: d.Description,
		Department: d.DepartmentID, DepartmentName: d.Department.Name,
		Topic: d.TopicID, TopicName: d.Topic.Name,
		OpenType: string(d.OpenType), Formats: d.Formats(), UpdateFrequency: d.UpdateFrequency,
		Grade: d.Grade, Tags: append([]string{}, d.Tags...), Region: d.Region, DataItems: items,
		UpdatedAt: d.UpdatedAt, Downloads: d.Downloads, Quality: d.QualityScore,
	}
	if d.PublishedAt != nil {
		doc.PublishedAt = *d.PublishedAt
	}
	return doc
}

// ApplyToIndex is the outbox handler for dataset events: it reads the
// current state of each entry and upserts or deletes it. Idempotent.
func (s *Service) ApplyToIndex(ctx context.Context, ids []string) error {
	var upserts []search.Document
	var deletes []string
	for _, id := range ids {
		d, err := s.Store.Dataset(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			deletes = append(deletes, id)
			continue
		}
		if err != nil {
			return err
		}
		if d.Public() {
			upserts = append(upserts, Document(d))
		} else {
			// not_open, drafts and revoked entries never stay indexed.
			deletes = append(deletes, id)
		}
	}
	if len(upserts) > 0 {
		if err := s.Index.Upsert(ctx, upserts...); err != nil {
			return err
		}
	}
	if len(deletes) > 0 {
		if err := s.Index.Delete(ctx, deletes...); err != nil {
			return err
		}
	}
	return nil
}

// Reindex rebuilds the whole index from the database.
func (s *Service) Reindex(ctx context.Context, progress func(n int)) error {
	return s.Index.Rebuild(ctx, func(emit func(search.Document) error) error {
		after := ""
		for {
			batch, err := s.Store.PublicDatasetsForIndex(ctx, after, 1000)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			for i := range batch {
				if err := emit(Document(&batch[i])); err != nil {
					return err
				}
			}
			after = batch[len(batch)-1].ID
		}
	}, progress)
}

// IndexInSync reports whether the index holds as many entries as the
// database shows the public; start-up rebuilds when it does not.
func (s *Service) IndexInSync(ctx context.Context) (bool, error) {
	n, err := s.Index.Count(ctx)
	if err != nil {
		return false, err
	}
	sum, err := s.Store.Summary(ctx)
	if err != nil {
		return false, err
	}
	return int64(n) == sum.Datasets, nil
}

// labelCache maps facet values to display labels.
type labelCache struct {
	departments map[string]string
	topics      map[string]string
}

// Chinese labels of enumerated facet values; the frontend translates them.
var enumLabels = map[string]map[string]string{
	search.FieldOpenType:        {"unconditional": "无条件开放", "conditional": "有条件开放"},
	search.FieldUpdateFrequency: {"realtime": "实时", "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度", "yearly": "每年", "irregular": "不定期"},
	search.FieldGrade:           {"L1": "一级", "L2": "二级", "L3": "三级", "L4": "四级"},
}

func (l *labelCache) label(field, value string) string {
	switch field {
	case search.FieldDepartment:
		if n, ok := l.departments[value]; ok {
			return n
		}
	case search.FieldTopic:
		if n, ok := l.topics[value]; ok {
			return n
		}
	default:
		if n, ok := enumLabels[field][value]; ok {
			return n
		}
	}
	return value
}

// facetLabels caches department and topic names for a few seconds: they
// change rarely and every list request needs them.
func (s *Service) facetLabels(ctx context.Context) (*labelCache, error) {
	s.labelsMu.Lock()
	defer s.labelsMu.Unlock()
	if s.labels != nil && time.Since(s.labelsAge) < 10*time.Second {
		return s.labels, nil
	}
	var deps []Department
	var topics []Topic
	if err := s.Store.DB.WithContext(ctx).Select("id, name").Find(&deps).Error; err != nil {
		return nil, apperr.Internalf(err, "load department names")
	}
	if err := s.Store.DB.WithContext(ctx).Select("id, name").Find(&topics).Error; err != nil {
		return nil, apperr.Internalf(err, "load topic names")
	}
	l := &labelCache{departments: map[string]string{}, topics: map[string]string{}}
	for _, d := range deps {
		l.departments[d.ID] = d.Name
	}
	for _, t := range topics {
		l.topics[t.ID] = t.Name
	}
	s.labels, s.labelsAge = l, time.Now()
	return l, nil
}
