package site

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/web"
)

func (h *Handler) topicRoutes(r *web.Router) {
	r.GET("/topics", web.Public, h.topicsPage)
	r.GET("/topics/:id", web.Public, h.topicPage)
}

// ---- topic icons ----

// topicIconView is a topic's round icon: a line drawing for the known
// topics, else a letter (never a Chinese character on an English page).
type topicIconView struct {
	Path   string // 24×24 stroked SVG path
	Letter string
}

// topicIcons are the drawings of static/js/topicicon.js, read from the
// script itself so the server and the script draw the same icons.
var topicIcons = sync.OnceValue(func() map[string]string {
	src := string(frontend.Asset("/static/js/topicicon.js"))
	out := map[string]string{}
	start := strings.Index(src, "TOPIC_ICONS = {")
	if start < 0 {
		return out
	}
	body := src[start:]
	if end := strings.Index(body, "\n};"); end >= 0 {
		body = body[:end]
	}
	for _, m := range topicIconLine.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
})

var topicIconLine = regexp.MustCompile(`(?m)^\s*'?([A-Za-z0-9_-]+)'?\s*:\s*'([MmLlHhVvCcSsQqTtAaZz0-9 ,.\-]+)',?\s*$`)

// topicIcon mirrors topicIcon() of topicicon.js.
func topicIcon(lang string, t catalog.Topic) topicIconView {
	if p, ok := topicIcons()[t.ID]; ok {
		return topicIconView{Path: p}
	}
	if lang == locale.EN {
		for _, r := range t.NameEN {
			if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return topicIconView{Letter: strings.ToUpper(string(r))}
			}
		}
		return topicIconView{Letter: "•"}
	}
	for _, s := range []string{t.Name, t.NameEN} {
		if r, _ := utf8.DecodeRuneInString(s); s != "" && r != utf8.RuneError {
			return topicIconView{Letter: string(r)}
		}
	}
	return topicIconView{Letter: "•"}
}

// ---- /topics ----

type topicsData struct {
	Topics []topicCard
	Lead   string
}

func (h *Handler) topicsPage(c echo.Context) error {
	lang := locale.FromRequest(c.Request())
	topics, err := h.Catalog.Store.Topics(c.Request().Context())
	if err != nil {
		return err
	}
	v := h.view(c)
	v.Path = "/topics"
	v.Title = h.cpT(lang, "cp.topics.title")
	v.Description = h.cpT(lang, "cp.topics.desc", "n", len(topics))
	v.Data = &topicsData{Topics: h.topicCards(lang, topics), Lead: h.cpTN(lang, "cp.topics.lead", int64(len(topics)))}
	return h.page(c, http.StatusOK, "topics", v)
}

// ---- /topics/{id} ----

// listSize is how many datasets a department or topic page lists; the
// catalog has the rest.
const listSize = 20

type topicData struct {
	Topic          topicCard
	NameZH, NameEN string
	Total          int
	Items          []card
	More           string // the catalog filtered on this topic
	MoreText       string
	// Unavailable says why the list is missing (search is down).
	Unavailable string
}

func (h *Handler) topicPage(c echo.Context) error {
	id := c.Param("id")
	if !validKey(id) {
		return h.NotFound(c)
	}
	lang := locale.FromRequest(c.Request())
	err := h.cached(c, KeyTopic+id, "topic", func() (int, *frontend.View, error) {
		ctx := c.Request().Context()
		var t catalog.Topic
		err := h.DB.WithContext(ctx).Where("id = ?", id).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, nil, apperr.New(apperr.NotFound, "topic not found")
		}
		if err != nil {
			return 0, nil, apperr.Internalf(err, "load topic %s", id)
		}
		res, err := h.Catalog.List(ctx, catalog.ListParams{Filters: map[string][]string{search.FieldTopic: {t.ID}}, Sort: search.SortUpdated, Page: 1, PageSize: listSize})
		// While search is down the page still tells what it can (503, not kept).
		down := apperr.Is(err, apperr.Unavailable)
		if err != nil && !down {
			return 0, nil, err
		}
		if down {
			if res.Total, err = h.publicCount(ctx, "topic_id", t.ID); err != nil {
				return 0, nil, err
			}
		}
		tc := topicCard{label: topicLabel(lang, t), Icon: topicIcon(lang, t), Count: int64(res.Total), Text: h.cpTN(lang, "common.datasetCount", int64(res.Total))}
		d := &topicData{
			Topic: tc, NameZH: t.Name, NameEN: t.NameEN, Total: res.Total, Items: h.cards(ctx, lang, res.Items),
			More: "/datasets?" + search.FieldTopic + "=" + url.QueryEscape(t.ID), MoreText: h.cpTN(lang, "cp.topic.viewAll", int64(res.Total)),
		}
		v := h.view(c)
		v.Path = "/topics/" + t.ID // as stored (MariaDB finds ids whatever their case)
		v.Title = tc.Name
		v.Description = h.cpTN(lang, "cp.topic.desc", int64(res.Total), "name", tc.Name)
		v.Data = d
		if down {
			d.Unavailable = h.cpT(lang, "cp.error.unavailable")
			return http.StatusServiceUnavailable, v, nil
		}
		return http.StatusOK, v, nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return h.NotFound(c)
	}
	return err
}

// validKey rejects ids no department or topic can have before they reach
// the database or the cache.
func validKey(id string) bool {
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
