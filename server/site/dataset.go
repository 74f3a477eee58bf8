package site

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/web"
)

func (h *Handler) datasetRoutes(r *web.Router) {
	r.GET("/datasets/:id", web.Public, h.dataset)
}

// What the dataset page's build reports instead of a page to keep.
var (
	errDatasetNotPublic = errors.New("site: dataset not public")
	errDatasetGone      = errors.New("site: dataset withdrawn")
)

// DescriptionRunes is how much of a description the meta description
// carries (search result snippets show about this much).
const DescriptionRunes = 150

// dataset serves /datasets/{id}: the whole catalog entry in the first
// response (the script then refreshes the live parts and mounts the
// preview, chart, map, formats, API calls and quality panels), the HTML
// 404 for what the API answers 404, and the 410 page with the
// announcement for withdrawn data (000 Art 35).
func (h *Handler) dataset(c echo.Context) error {
	id := c.Param("id")
	key := KeyDataset + id
	var gone *frontend.View
	err := h.cachedUntil(c, key, "dataset", func() (int, *frontend.View, time.Time, error) {
		ctx := c.Request().Context()
		d, err := h.Catalog.PublicDataset(ctx, id) // the one rule of what is public
		var ge *catalog.GoneError
		switch {
		case errors.As(err, &ge):
			if gone, err = h.goneView(c, ge.Tombstone); err != nil {
				return 0, nil, time.Time{}, err
			}
			return 0, nil, time.Time{}, errDatasetGone
		case apperr.Is(err, apperr.NotFound):
			return 0, nil, time.Time{}, errDatasetNotPublic
		case err != nil:
			return 0, nil, time.Time{}, err
		}
		// An approved revocation takes effect at a set time, with no
		// outbox event then: the kept page must not outlive it.
		var until time.Time
		if h.Revocations != nil {
			at, found, err := h.Revocations.NextEffective(ctx, id)
			if err != nil {
				return 0, nil, time.Time{}, err
			}
			if found {
				until = at
			}
		}
		v, err := h.datasetView(c, d)
		return http.StatusOK, v, until, err
	})
	switch {
	case errors.Is(err, errDatasetNotPublic):
		return h.NotFound(c) // not cached: unknown ids must not fill the cache
	case errors.Is(err, errDatasetGone):
		// Kept under the dataset's own key: the next request for this page
		// is answered from the cache with this 410 (a hit does not look at
		// the page name), and the outbox drops it like the page.
		return h.cached(c, key, "gone", func() (int, *frontend.View, error) { return http.StatusGone, gone, nil })
	}
	return err
}

// datasetPage is the dataset page's .Data: the entry as the API shows it,
// plus what the template would otherwise compute.
type datasetPage struct {
	catalog.DatasetJSON
	Conditional  bool
	TopicName    string // in the reader's language when the topic has one
	TopicLang    string // lang attribute of TopicName
	TopicHref    string
	DeptHref     string
	Files        []resourceCard
	ApplyHref    string
	ReportHref   string
	Schedule     string // "on", "late" or "irregular" (catalog.FreshnessAt)
	QualityGrade string // good, fair, poor (the script's grade())
	DCAT         []catalog.AlternateJSON
	// The public history of correction reports (the script's line, in the
	// first response so that filling it moves nothing on the page).
	Corr       *corrections.Summary // nil: not known
	CorrDays   int                  // the answer deadline, working days
	CorrMedian float64              // when Corr.MedianAnswerDays is set
}

// resourceCard is one file of the entry.
type resourceCard struct {
	catalog.ResourceJSON
	Download string // its download URL; "" for conditional data (apply instead)
}

// datasetView builds the page of a public entry.
func (h *Handler) datasetView(c echo.Context, d *catalog.Dataset) (*frontend.View, error) {
	v := h.view(c)
	out := catalog.DatasetDetailJSON(d)
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	out.Freshness = catalog.FreshnessAt(d, now())
	// The dispute flag as the API computes it (catalog markDisputes); the
	// script refreshes it, since the page is kept for a while.
	var corr *corrections.Summary
	if h.Corrections != nil {
		var err error
		if corr, err = h.Corrections.Summarise(c.Request().Context(), d.ID); err != nil {
			return nil, err
		}
		open, err := h.Corrections.Disputes(c.Request().Context(), []string{d.ID})
		if err != nil {
			return nil, err
		}
		items, ok := open[d.ID]
		out.UnderDispute = ok
		for i := range out.DataItems {
			for _, name := range items {
				if out.DataItems[i].Name == name {
					out.DataItems[i].UnderDispute = true
				}
			}
		}
	}
	p := &datasetPage{
		DatasetJSON: out,
		Conditional: d.OpenType == catalog.Conditional,
		TopicName:   d.Topic.Name,
		TopicLang:   locale.HTML(locale.ZH),
		TopicHref:   "/topics/" + url.PathEscape(d.TopicID),
		DeptHref:    "/departments/" + url.PathEscape(d.DepartmentID),
		ApplyHref:   "/apply?dataset=" + url.QueryEscape(d.ID),
		ReportHref:  "/corrections/new?dataset=" + url.QueryEscape(d.ID),
		DCAT:        out.Alternates,
		Corr:        corr,
	}
	if corr != nil {
		p.CorrDays = h.Corrections.Profile.CorrectionAnswer
		if corr.MedianAnswerDays != nil {
			p.CorrMedian = *corr.MedianAnswerDays
		}
	}
	if v.Lang == locale.EN && d.Topic.NameEN != "" {
		p.TopicName, p.TopicLang = d.Topic.NameEN, locale.HTML(locale.EN)
	}
	switch {
	case out.Freshness.NextUpdateDue == nil:
		p.Schedule = "irregular"
	case out.Freshness.OnSchedule:
		p.Schedule = "on"
	default:
		p.Schedule = "late"
	}
	switch {
	case d.QualityScore >= 80:
		p.QualityGrade = "good"
	case d.QualityScore >= 60:
		p.QualityGrade = "fair"
	default:
		p.QualityGrade = "poor"
	}
	for _, r := range out.Resources {
		card := resourceCard{ResourceJSON: r}
		if r.DownloadURL != nil {
			card.Download = *r.DownloadURL
		}
		p.Files = append(p.Files, card)
	}

	v.Title = d.Title
	v.Description = metaDescription(d)
	v.OGType = "article"
	v.Alternates = make([]frontend.Alternate, len(out.Alternates))
	for i, a := range out.Alternates {
		v.Alternates[i] = frontend.Alternate{Type: a.Type, Href: a.Href, Title: a.Title}
	}
	v.JSONLD = h.datasetJSONLD(c, v.Lang, d)
	v.Data = p
	return v, nil
}

// metaDescription is the start of the description on one line, or a
// sentence naming the department when there is none.
func metaDescription(d *catalog.Dataset) string {
	s := strings.Join(strings.Fields(d.Description), " ")
	if s == "" {
		s = strings.TrimSpace(d.Title + " " + d.Department.Name)
	}
	return truncate(s, DescriptionRunes)
}

// gonePage is the 410 page's .Data: the tombstone and the announcement
// that made the withdrawal public.
type gonePage struct {
	Tomb         *catalog.Tombstone
	Announcement *revocations.Announcement // nil for a revoked row without a record
	SearchHref   string                    // the catalog searched for the old title
	DeptHref     string
}

// goneView builds the 410 page of a withdrawn entry.
func (h *Handler) goneView(c echo.Context, t *catalog.Tombstone) (*frontend.View, error) {
	v := h.view(c)
	p := &gonePage{Tomb: t, SearchHref: "/datasets?q=" + url.QueryEscape(truncate(t.Title, 50))}
	if t.Department.ID != "" {
		p.DeptHref = "/departments/" + url.PathEscape(t.Department.ID)
	}
	if t.AnnouncementID != "" && h.Revocations != nil {
		a, err := h.Revocations.Announcement(c.Request().Context(), t.AnnouncementID)
		switch {
		case err == nil:
			p.Announcement = &a.Announcement
		case !apperr.Is(err, apperr.NotFound):
			return nil, err
		}
	}
	v.Title = h.R.T(v.Lang, "dataset.revoked.docTitle", "title", t.Title)
	v.Description = h.R.T(v.Lang, "dataset.revoked.body")
	v.Path = "" // gone: no canonical URL
	v.NoIndex = true
	v.Data = p
	return v, nil
}
