package site

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/web"
)

func (h *Handler) homeRoutes(r *web.Router) {
	r.GET("/", web.Public, h.home)
}

// Section sizes of the home page (as home.js asks the API).
const (
	homeDepartments   = 12
	homeDatasets      = 6
	homeAnnouncements = 3
)

// homeData is the home page. A section whose data could not be read is
// marked failed: the page still answers, and home.js loads that section
// from the API.
type homeData struct {
	Stats           []homeStat
	Topics          []topicCard
	Departments     []deptCard
	Newest, Popular []card
	Announcements   []announcementCard
	Failed          map[string]bool
	// Degraded: the search index is starting up and the lists came from
	// the database.
	Degraded bool
}

type homeStat struct {
	Key, Href string
	N         int64
}

// topicCard is a topic with its icon and count (home, /topics).
type topicCard struct {
	label
	Icon  topicIconView
	Count int64
	Text  string // "12 个数据集"
}

// deptCard is a department with its count (home, /departments).
type deptCard struct {
	label
	Level string
	Count int64
	Text  string
}

// announcementCard is a revocation announcement in a list.
type announcementCard struct {
	ID, Number, Kind, Title, Department string
	PublishedAt, EffectiveAt            time.Time
	InEffect                            bool
}

// KeyHome keeps the rendered home page (per language and origin) for
// CacheTTL: it is the most visited page and needs two searches and five
// queries. Counts and lists may lag by that much; a page with a section
// missing is not kept.
const KeyHome = "home:"

func (h *Handler) home(c echo.Context) error {
	lang := locale.FromRequest(c.Request())
	key := KeyHome + "\x00" + lang + "\x00" + h.origin(c)
	if e := h.Cache.Get(key); e != nil {
		frontend.PageHeaders(c, lang)
		h.R.AllowStyle(c, "home")
		return frontend.ServeHTMLGz(c, e.Status, e.Body, e.Gz(), e.ETag)
	}
	v, d := h.homeView(c, lang)
	b, err := h.R.Render("home", v)
	if err != nil {
		return err
	}
	e := &Entry{Page: "home", Status: http.StatusOK, Body: b, ETag: frontend.ETag(b)}
	if len(d.Failed) == 0 && !d.Degraded { // the notice must go once the index is up
		h.Cache.Put(key, e)
	}
	frontend.PageHeaders(c, lang)
	h.R.AllowStyle(c, "home")
	return frontend.ServeHTMLGz(c, e.Status, e.Body, e.Gz(), e.ETag)
}

func (h *Handler) homeView(c echo.Context, lang string) (*frontend.View, *homeData) {
	ctx := c.Request().Context()
	v := h.view(c)
	d := &homeData{Failed: map[string]bool{}}
	fail := func(section string, err error) {
		d.Failed[section] = true
		if h.Log != nil {
			h.Log.Warn("home page section", "section", section, "err", err)
		}
	}

	if sum, err := h.Catalog.Store.Summary(ctx); err != nil {
		fail("stats", err)
	} else {
		d.Stats = []homeStat{
			{"datasets", "/datasets", sum.Datasets}, {"departments", "/departments", sum.Departments},
			{"topics", "/topics", sum.Topics}, {"downloads", "", sum.Downloads},
		}
		v.Description = h.cpT(lang, "cp.meta.home.desc", "datasets", sum.Datasets, "departments", sum.Departments, "topics", sum.Topics)
	}
	if topics, err := h.Catalog.Store.Topics(ctx); err != nil {
		fail("topics", err)
	} else {
		d.Topics = h.topicCards(lang, topics)
	}
	if deps, err := h.Catalog.Store.Departments(ctx); err != nil {
		fail("departments", err)
	} else {
		// The most open first (ties in the catalog's order).
		slices.SortStableFunc(deps, func(a, b catalog.DepartmentCount) int { return cmp.Compare(b.DatasetCount, a.DatasetCount) })
		d.Departments = h.deptCards(lang, deps[:min(len(deps), homeDepartments)])
	}
	for _, s := range []struct {
		name, sort string
		into       *[]card
	}{{"newest", search.SortPublished, &d.Newest}, {"popular", search.SortDownloads, &d.Popular}} {
		res, err := h.Catalog.List(ctx, catalog.ListParams{Sort: s.sort, Page: 1, PageSize: homeDatasets})
		if err != nil {
			fail(s.name, err)
			continue
		}
		*s.into = h.cards(ctx, lang, res.Items)
		d.Degraded = d.Degraded || res.Degraded
	}
	if h.Revocations != nil {
		if list, err := h.Revocations.Latest(ctx, homeAnnouncements); err != nil {
			fail("announcements", err)
		} else {
			now := h.now()
			for _, a := range list {
				d.Announcements = append(d.Announcements, announcementCard{
					ID: a.ID, Number: a.Number, Kind: a.Kind, Title: a.Title, Department: a.DepartmentName,
					PublishedAt: a.PublishedAt, EffectiveAt: a.EffectiveAt, InEffect: !now.Before(a.EffectiveAt),
				})
			}
		}
	}
	v.JSONLD = h.websiteLD(c)
	v.Data = d
	return v, d
}

// websiteLD describes the portal and its search to search engines
// (schema.org WebSite with a SearchAction).
func (h *Handler) websiteLD(c echo.Context) any {
	base := h.base(c)
	return map[string]any{
		"@context": "https://schema.org",
		"@type":    "WebSite",
		"name":     h.R.T(locale.ZH, "site.name"),
		"url":      base + "/",
		"potentialAction": map[string]any{
			"@type":       "SearchAction",
			"target":      base + "/datasets?q={search_term_string}",
			"query-input": "required name=search_term_string",
		},
	}
}

func (h *Handler) topicCards(lang string, topics []catalog.TopicCount) []topicCard {
	out := make([]topicCard, 0, len(topics))
	for _, t := range topics {
		out = append(out, topicCard{
			label: topicLabel(lang, t.Topic), Icon: topicIcon(lang, t.Topic),
			Count: t.DatasetCount, Text: h.cpTN(lang, "common.datasetCount", t.DatasetCount),
		})
	}
	return out
}

func (h *Handler) deptCards(lang string, deps []catalog.DepartmentCount) []deptCard {
	out := make([]deptCard, 0, len(deps))
	for _, d := range deps {
		out = append(out, deptCard{
			label: chineseLabel(lang, d.ID, d.Name), Level: d.RegionLevel,
			Count: d.DatasetCount, Text: h.cpTN(lang, "common.datasetCount", d.DatasetCount),
		})
	}
	return out
}
