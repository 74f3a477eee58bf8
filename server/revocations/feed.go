package revocations

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// FeedEntries is how many announcements the feed carries.
const FeedEntries = 50

// The Atom 1.0 document (RFC 4287), built with encoding/xml so every text
// is escaped by the encoder.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  *atomText   `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator,omitempty"`
	Entries   []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// baseURL is the configured public URL, or the request's origin.
func (h *Handler) baseURL(c echo.Context) string {
	if h.BaseURL != "" {
		return h.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// BuildFeed renders the newest announcements as an Atom 1.0 document.
// Entry ids are the announcements' permanent URLs: announcements are never
// edited, so an entry's updated time is its publication time.
func BuildFeed(base, siteName string, list []Announcement) ([]byte, error) {
	updated := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC) // 000 took effect; an empty feed still validates
	if len(list) > 0 {
		updated = list[0].PublishedAt
	}
	f := atomFeed{
		Lang:      "zh-CN",
		ID:        base + "/announcements",
		Title:     atomText{Type: "text", Body: siteName + " · 撤销开放公告"},
		Subtitle:  &atomText{Type: "text", Body: "经政务数据主管部门批准撤销开放的公共数据公告（《黑龙江省政务数据管理暂行办法》第三十五条）"},
		Updated:   atomTime(updated),
		Links:     []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/announcements.atom"}, {Rel: "alternate", Type: "text/html", Href: base + "/announcements"}},
		Author:    atomPerson{Name: siteName},
		Generator: siteName,
		Entries:   make([]atomEntry, 0, len(list)),
	}
	for i := range list {
		a := &list[i]
		url := base + "/announcements/" + a.ID
		e := atomEntry{
			ID:        url,
			Title:     atomText{Type: "text", Body: a.Number + " " + a.Title},
			Updated:   atomTime(a.PublishedAt),
			Published: atomTime(a.PublishedAt),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: url}},
			Author:    atomPerson{Name: a.Region + "政务数据主管部门"},
			Categories: []atomCategory{
				{Term: a.Kind, Label: map[string]string{KindRevocation: "撤销开放", KindCorrection: "更正"}[a.Kind]},
				{Term: a.DepartmentID, Label: a.DepartmentName},
			},
			Summary: atomText{Type: "text", Body: trimTo(a.DepartmentName+"《"+a.DatasetTitle+"》自"+chineseDate(a.EffectiveAt)+"起撤销开放。撤销原因："+a.Reason, 200)},
			Content: atomText{Type: "text", Body: a.Number + "\n" + a.Title + "\n\n" + a.Body},
		}
		f.Entries = append(f.Entries, e)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// feed godoc (not under /api/v1: a feed reader's URL)
// GET /announcements.atom: the newest announcements as Atom 1.0.
func (h *Handler) feed(c echo.Context) error {
	list, err := h.Service.Latest(c.Request().Context(), FeedEntries)
	if err != nil {
		return err
	}
	b, err := BuildFeed(h.baseURL(c), h.SiteName, list)
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set("Cache-Control", "public, max-age=300")
	if len(list) > 0 {
		hdr.Set("Last-Modified", list[0].PublishedAt.UTC().Format(http.TimeFormat))
	}
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", b)
}
