package publishing

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
)

// ListQuery filters the console list.
type ListQuery struct {
	Status   string // "" | draft | submitted | returned | published | revoked
	Overdue  bool   // only entries behind their update schedule
	Page     int
	PageSize int
}

// EntryStatuses are the values of ListQuery.Status.
var EntryStatuses = []string{string(StatusDraft), string(StatusSubmitted), string(StatusReturned), EntryPublished, EntryRevoked}

// Summary is an entry on the console list.
type Summary struct {
	ID               string     `json:"id"`
	Title            string     `json:"title"`
	Department       RefJSON    `json:"department"`
	Status           string     `json:"status"`
	OpenType         string     `json:"open_type"`
	WorkingVersion   int        `json:"working_version"`   // 0: no pending change
	PublishedVersion int        `json:"published_version"` // 0: never published
	UpdatedAt        time.Time  `json:"updated_at"`
	SubmittedAt      *time.Time `json:"submitted_at"`
	ReviewDue        *time.Time `json:"review_due"`
	FixDue           *time.Time `json:"fix_due"`
	// DaysLeft is the working days left before the pending deadline (review
	// or fix); negative when overdue.
	DaysLeft  *int               `json:"days_left"`
	Freshness *catalog.Freshness `json:"freshness"` // published entries

	DueProvisional bool `json:"due_provisional"` // the review or fix due date was counted on a provisional calendar year (recompute.go)
}

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ListResult is one page of the console list.
type ListResult struct {
	Total    int       `json:"total"`
	Page     int       `json:"page"`
	PageSize int       `json:"page_size"`
	Items    []Summary `json:"items"`
}

// List shows a provider its department's entries, and the authority its
// region's entries (drafts never submitted excepted). With status
// "submitted" it is the authority's review queue, oldest deadline first.
func (s *Service) List(ctx context.Context, p *authz.Principal, q ListQuery) (*ListResult, error) {
	v, err := s.viewerOf(p)
	if err != nil {
		return nil, err
	}
	if q.Status != "" && !slices.Contains(EntryStatuses, q.Status) {
		e := apperr.New(apperr.Invalid, "status must be one of %s", strings.Join(EntryStatuses, ", "))
		e.Fields = map[string]string{"status": e.Message}
		return nil, e
	}
	db := s.DB.WithContext(ctx)
	var deps []catalog.Department
	dq := db.Model(&catalog.Department{})
	if v.department != "" && v.region != "" {
		dq = dq.Where("id = ? OR region = ?", v.department, v.region)
	} else if v.department != "" {
		dq = dq.Where("id = ?", v.department)
	} else {
		dq = dq.Where("region = ?", v.region)
	}
	if err := dq.Find(&deps).Error; err != nil {
		return nil, apperr.Internalf(err, "list departments")
	}
	byDept := map[string]catalog.Department{}
	ids := []string{}
	for _, d := range deps {
		byDept[d.ID] = d
		ids = append(ids, d.ID)
	}
	var working []Version
	if err := db.Select("id, dataset_id, number, department_id, status, title, updated_at, submitted_at, review_due, fix_due").
		Where("department_id IN ? AND status IN ?", ids, []Status{StatusDraft, StatusSubmitted, StatusReturned}).
		Order("number").Find(&working).Error; err != nil {
		return nil, apperr.Internalf(err, "list working versions")
	}
	var published []catalog.Dataset
	if err := db.Select("id, title, department_id, open_type, update_frequency, updated_at, version, status").
		Where("department_id IN ? AND status IN ?", ids, []catalog.Status{catalog.StatusPublished, catalog.StatusRevoked}).
		Find(&published).Error; err != nil {
		return nil, apperr.Internalf(err, "list published entries")
	}
	now := s.Now()
	items := map[string]*Summary{}
	for i := range published {
		ds := &published[i]
		fr := catalog.FreshnessAt(ds, now)
		items[ds.ID] = &Summary{ID: ds.ID, Title: ds.Title, Department: RefJSON{ds.DepartmentID, byDept[ds.DepartmentID].Name},
			Status: string(ds.Status), OpenType: string(ds.OpenType), PublishedVersion: ds.Version, UpdatedAt: ds.UpdatedAt, Freshness: &fr}
	}
	for i := range working {
		w := &working[i]
		owner := v.department == w.DepartmentID
		if !owner && w.Status == StatusDraft {
			continue // the authority sees what was submitted to it
		}
		it := items[w.DatasetID]
		if it == nil {
			it = &Summary{ID: w.DatasetID, Department: RefJSON{w.DepartmentID, byDept[w.DepartmentID].Name}}
			items[w.DatasetID] = it
		}
		it.Title, it.Status, it.WorkingVersion, it.UpdatedAt = w.Title, string(w.Status), w.Number, w.UpdatedAt
		it.SubmittedAt, it.ReviewDue, it.FixDue = w.SubmittedAt, w.ReviewDue, w.FixDue
		due := w.ReviewDue
		if w.Status == StatusReturned {
			due = w.FixDue
		}
		if due != nil && w.Status != StatusDraft {
			left := s.Calendar.WorkingDaysLeft(now, *due)
			it.DaysLeft = &left
			it.DueProvisional = s.dueProvisional(w)
		}
	}
	if len(working) > 0 {
		// Open types of entries never published come from their drafts.
		for i := range working {
			if it := items[working[i].DatasetID]; it != nil && it.OpenType == "" {
				var full Version
				if err := db.Select("snapshot").Where("id = ?", working[i].ID).Take(&full).Error; err == nil {
					if d, err := full.Draft(); err == nil {
						it.OpenType = string(d.OpenType)
					}
				}
			}
		}
	}
	list := make([]Summary, 0, len(items))
	for _, it := range items {
		if q.Status != "" && it.Status != q.Status {
			continue
		}
		if q.Overdue && (it.Freshness == nil || it.Freshness.OnSchedule) {
			continue
		}
		list = append(list, *it)
	}
	slices.SortFunc(list, func(a, b Summary) int {
		if q.Status == string(StatusSubmitted) && a.ReviewDue != nil && b.ReviewDue != nil && !a.ReviewDue.Equal(*b.ReviewDue) {
			return a.ReviewDue.Compare(*b.ReviewDue)
		}
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	res := &ListResult{Total: len(list), Page: q.Page, PageSize: q.PageSize, Items: []Summary{}}
	start := (q.Page - 1) * q.PageSize
	if start < len(list) {
		res.Items = list[start:min(start+q.PageSize, len(list))]
	}
	return res, nil
}

// ResourceJSON is a resource in the console.
type ResourceJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Format      string    `json:"format"`
	MediaType   string    `json:"media_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Rows        int64     `json:"rows"`
	Columns     []string  `json:"columns"`
	Encoding    string    `json:"encoding,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	DownloadURL string    `json:"download_url"`
}

func resourceJSON(r VersionResource) ResourceJSON {
	cols := r.ColumnNames()
	if cols == nil {
		cols = []string{}
	}
	return ResourceJSON{ID: r.ResourceID, Name: r.Name, Format: r.Format, MediaType: r.MediaType, Size: r.Size, SHA256: r.SHA256,
		Rows: r.Rows, Columns: cols, Encoding: r.Encoding, UpdatedAt: r.UpdatedAt, DownloadURL: "/api/v1/manage/resources/" + r.ResourceID + "/download"}
}

// VersionJSON is a version with its draft and resources.
type VersionJSON struct {
	Version     int            `json:"version"`
	Status      Status         `json:"status"`
	Draft       Draft          `json:"draft"`
	Resources   []ResourceJSON `json:"resources"`
	Note        string         `json:"note"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	SubmittedAt *time.Time     `json:"submitted_at"`
	ReviewDue   *time.Time     `json:"review_due"`
	ReturnedAt  *time.Time     `json:"returned_at"`
	FixDue      *time.Time     `json:"fix_due"`
	DaysLeft    *int           `json:"days_left"`

	DueProvisional bool `json:"due_provisional"` // the review or fix due date was counted on a provisional calendar year (recompute.go)
}

// ReviewJSON is one decision.
type ReviewJSON struct {
	Version  int       `json:"version"`
	Decision string    `json:"decision"`
	Comment  string    `json:"comment"`
	At       time.Time `json:"at"`
}

// HistoryJSON is one approved version as the public sees it.
type HistoryJSON struct {
	Version     int       `json:"version"`
	PublishedAt time.Time `json:"published_at"`
	Note        string    `json:"note"`
	Changes     []string  `json:"changes"`
}

// DetailJSON is an entry in the console.
type DetailJSON struct {
	ID               string             `json:"id"`
	Title            string             `json:"title"`
	Department       RefJSON            `json:"department"`
	Status           string             `json:"status"`
	PublishedVersion int                `json:"published_version"`
	PublicURL        string             `json:"public_url,omitempty"`
	CanEdit          bool               `json:"can_edit"`
	CanReview        bool               `json:"can_review"`
	Working          *VersionJSON       `json:"working"`
	Published        *VersionJSON       `json:"published"`
	Freshness        *catalog.Freshness `json:"freshness"`
	Reviews          []ReviewJSON       `json:"reviews"`
	History          []HistoryJSON      `json:"history"`
}

// Get shows an entry to its department or its authority.
func (s *Service) Get(ctx context.Context, p *authz.Principal, id string) (*DetailJSON, error) {
	v, err := s.viewerOf(p)
	if err != nil {
		return nil, err
	}
	e, err := s.loadFor(ctx, v, id)
	if err != nil {
		return nil, err
	}
	out := &DetailJSON{ID: id, Title: e.title(), Department: RefJSON{e.DepartmentID, e.Department.Name}, Reviews: []ReviewJSON{}}
	now := s.Now()
	if ds := e.Published; ds != nil {
		out.Status, out.PublishedVersion = string(ds.Status), ds.Version
		if ds.Public() {
			out.PublicURL = "/datasets/" + id
		}
		fr := catalog.FreshnessAt(ds, now)
		out.Freshness = &fr
		at := ds.UpdatedAt
		pv := &VersionJSON{Version: ds.Version, Status: StatusApproved, Draft: DraftFromDataset(ds), Resources: []ResourceJSON{}, CreatedAt: at, UpdatedAt: at}
		for _, r := range resourcesOf(0, ds.Resources) {
			pv.Resources = append(pv.Resources, resourceJSON(r))
		}
		out.Published = pv
	}
	if w := e.Working; w != nil {
		d, err := w.Draft()
		if err != nil {
			return nil, apperr.Internalf(err, "decode draft of %s", id)
		}
		wj := &VersionJSON{Version: w.Number, Status: w.Status, Draft: d, Resources: []ResourceJSON{}, Note: w.Note,
			CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, SubmittedAt: w.SubmittedAt, ReviewDue: w.ReviewDue, ReturnedAt: w.ReturnedAt, FixDue: w.FixDue}
		for _, r := range w.Resources {
			wj.Resources = append(wj.Resources, resourceJSON(r))
		}
		due := w.ReviewDue
		if w.Status == StatusReturned {
			due = w.FixDue
		}
		if due != nil && w.Status != StatusDraft {
			left := s.Calendar.WorkingDaysLeft(now, *due)
			wj.DaysLeft = &left
			wj.DueProvisional = s.dueProvisional(w)
		}
		out.Working, out.Status = wj, string(w.Status)
		out.CanEdit = v.owns(e) && w.Status.Editable()
		out.CanReview = v.region != "" && v.region == e.Department.Region && w.Status == StatusSubmitted
	} else {
		out.CanEdit = v.owns(e) && e.Published.Status == catalog.StatusPublished
	}
	var reviews []Review
	if err := s.DB.WithContext(ctx).Where("dataset_id = ?", id).Order("id DESC").Find(&reviews).Error; err != nil {
		return nil, apperr.Internalf(err, "load reviews")
	}
	numbers := map[uint64]int{}
	var vs []Version
	s.DB.WithContext(ctx).Select("id, number").Where("dataset_id = ?", id).Find(&vs)
	for _, x := range vs {
		numbers[x.ID] = x.Number
	}
	for _, r := range reviews {
		out.Reviews = append(out.Reviews, ReviewJSON{Version: numbers[r.VersionID], Decision: r.Decision, Comment: r.Comment, At: r.At})
	}
	if out.History, err = s.history(ctx, e.Published, id); err != nil {
		return nil, err
	}
	return out, nil
}

// History lists the published versions of a public entry, newest first.
func (s *Service) History(ctx context.Context, id string) ([]HistoryJSON, error) {
	if !validID(id) {
		return nil, apperr.New(apperr.NotFound, "dataset not found")
	}
	ds, err := s.Catalog.Dataset(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ds.Public() {
		return nil, apperr.New(apperr.NotFound, "dataset not found")
	}
	return s.history(ctx, ds, id)
}

func (s *Service) history(ctx context.Context, ds *catalog.Dataset, id string) ([]HistoryJSON, error) {
	out := []HistoryJSON{}
	if ds == nil {
		return out, nil
	}
	var vs []Version
	err := s.DB.WithContext(ctx).Select("number, approved_at, note, changes").
		Where("dataset_id = ? AND status = ?", id, StatusApproved).Order("number DESC").Find(&vs).Error
	if err != nil {
		return nil, apperr.Internalf(err, "load history")
	}
	for _, v := range vs {
		h := HistoryJSON{Version: v.Number, Note: v.Note, Changes: []string{}}
		if v.ApprovedAt != nil {
			h.PublishedAt = *v.ApprovedAt
		}
		if v.Changes != "" {
			_ = json.Unmarshal([]byte(v.Changes), &h.Changes)
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		// Loaded straight into the catalog (seed, migration): one version.
		at := ds.UpdatedAt
		if ds.PublishedAt != nil {
			at = *ds.PublishedAt
		}
		out = append(out, HistoryJSON{Version: ds.Version, PublishedAt: at, Changes: []string{"created"}})
	}
	return out, nil
}
