// Package dcat exports the public catalog as DCAT-AP 3 in JSON-LD, Turtle
// and RDF/XML: the whole catalog in pages (/catalog.jsonld|.ttl|.rdf,
// ?page=&page_size=&modified_since=) and one entry at a time
// (/dataset/{id}.jsonld|.ttl|.rdf).
//
// Mapping: open type → dct:accessRights (EU access-right vocabulary:
// unconditional PUBLIC, conditional RESTRICTED; not_open entries are never
// exported); update frequency → dct:accrualPeriodicity (EU frequency
// vocabulary); department → dct:publisher; topic → dcat:theme (a SKOS
// scheme of the portal's topics). What DCAT has no term for — grade,
// classification, open type, open conditions, usage scope, data items,
// download counts, resource code, share type, conditions and method,
// declared formats and the department's credit code — uses the portal's
// extension vocabulary (prefix hlj,
// namespace <base>/ns/portal#), described in Turtle at /ns/portal.
package dcat

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the DCAT export.
type Handler struct {
	DB       *gorm.DB
	BaseURL  string // PORTAL_BASE_URL; the request's host when empty
	SiteName string
}

// Serialisations by file extension.
var mediaTypes = map[string]string{
	"jsonld": "application/ld+json",
	"ttl":    "text/turtle; charset=utf-8",
	"rdf":    "application/rdf+xml",
}

// Routes registers the export routes (public).
func (h *Handler) Routes(r *web.Router, mw ...echo.MiddlewareFunc) {
	for ext := range mediaTypes {
		r.GET("/catalog."+ext, authz.Public, h.catalogPage(ext), mw...)
	}
	r.GET("/dataset/:file", authz.Public, h.dataset, mw...)
	r.GET("/ns/portal", authz.Public, h.vocabulary, mw...)
}

// Page sizes of the catalog export.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// EU vocabularies.
const (
	euFrequency  = "http://publications.europa.eu/resource/authority/frequency/"
	euAccess     = "http://publications.europa.eu/resource/authority/access-right/"
	euFileType   = "http://publications.europa.eu/resource/authority/file-type/"
	euLanguage   = "http://publications.europa.eu/resource/authority/language/"
	ianaMedia    = "https://www.iana.org/assignments/media-types/"
	dcatAP3      = "http://data.europa.eu/r5r/"
	checksumSHA2 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
)

// Frequencies maps update frequencies to the EU frequency vocabulary.
var Frequencies = map[string]string{
	"realtime": "UPDATE_CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
	"quarterly": "QUARTERLY", "yearly": "ANNUAL", "irregular": "IRREG",
}

// AccessRights maps open types to the EU access-right vocabulary.
var AccessRights = map[catalog.OpenType]string{catalog.Unconditional: "PUBLIC", catalog.Conditional: "RESTRICTED"}

func (h *Handler) base(c echo.Context) string {
	if h.BaseURL != "" {
		return h.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

func public(db *gorm.DB) *gorm.DB {
	return db.Where("datasets.status = ? AND datasets.open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional})
}

func details(db *gorm.DB) *gorm.DB {
	return db.Preload("Department").Preload("Topic").
		Preload("DataItems", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Resources", func(db *gorm.DB) *gorm.DB { return db.Order("position") })
}

type builder struct {
	g     Graph
	base  string
	vocab string
	seen  map[string]bool
}

func newBuilder(base string) *builder {
	return &builder{base: base, vocab: base + "/ns/portal#", seen: map[string]bool{}}
}

func (b *builder) datasetIRI(id string) string { return b.base + "/datasets/" + url.PathEscape(id) }

func dt(t time.Time) Term { return TypedLit(t.UTC().Format(time.RFC3339), XSD+"dateTime") }

func (b *builder) catalogNode(modified time.Time) Term {
	cat := IRI(b.base + "/catalog")
	g := &b.g
	g.Add(cat, RDF+"type", IRI(DCAT+"Catalog"))
	g.Add(cat, DCT+"title", LangLit("黑龙江省公共数据开放平台", "zh"))
	g.Add(cat, DCT+"title", LangLit("Heilongjiang Public Data Open Platform", "en"))
	g.Add(cat, DCT+"description", LangLit("黑龙江省政务数据开放目录（DCAT-AP 3）。无条件开放数据可直接下载；有条件开放数据经申请批准后使用。", "zh"))
	g.Add(cat, DCT+"publisher", b.publisherNode())
	g.Add(cat, FOAF+"homepage", IRI(b.base+"/"))
	g.Add(cat, DCT+"language", IRI(euLanguage+"ZHO"))
	g.Add(cat, DCAT+"themeTaxonomy", IRI(b.base+"/topics"))
	g.Add(cat, DCT+"conformsTo", IRI(dcatAP3))
	if !modified.IsZero() {
		g.Add(cat, DCT+"modified", dt(modified))
	}
	return cat
}

func (b *builder) publisherNode() Term {
	pub := IRI(b.base + "/#publisher")
	if !b.seen[pub.IRI] {
		b.seen[pub.IRI] = true
		b.g.Add(pub, RDF+"type", IRI(FOAF+"Organization"))
		b.g.Add(pub, FOAF+"name", LangLit("黑龙江省政务数据主管部门", "zh"))
	}
	return pub
}

func (b *builder) department(d catalog.Department) Term {
	n := IRI(b.base + "/datasets?department=" + url.QueryEscape(d.ID))
	if !b.seen[n.IRI] {
		b.seen[n.IRI] = true
		b.g.Add(n, RDF+"type", IRI(FOAF+"Organization"))
		b.g.Add(n, FOAF+"name", LangLit(d.Name, "zh"))
		b.g.Add(n, DCT+"identifier", Lit(d.ID))
		b.g.Add(n, b.vocab+"creditCode", Lit(d.Code))
	}
	return n
}

func (b *builder) topic(t catalog.Topic) Term {
	n := IRI(b.base + "/datasets?topic=" + url.QueryEscape(t.ID))
	if !b.seen[n.IRI] {
		b.seen[n.IRI] = true
		b.g.Add(n, RDF+"type", IRI(SKOS+"Concept"))
		b.g.Add(n, SKOS+"prefLabel", LangLit(t.Name, "zh"))
		if t.NameEN != "" {
			b.g.Add(n, SKOS+"prefLabel", LangLit(t.NameEN, "en"))
		}
		b.g.Add(n, SKOS+"inScheme", IRI(b.base+"/topics"))
	}
	return n
}

// dataset adds one public entry with its distributions.
func (b *builder) dataset(d *catalog.Dataset) Term {
	g := &b.g
	ds := IRI(b.datasetIRI(d.ID))
	g.Add(ds, RDF+"type", IRI(DCAT+"Dataset"))
	g.Add(ds, DCT+"identifier", Lit(d.ID))
	g.Add(ds, DCT+"title", LangLit(d.Title, "zh"))
	g.Add(ds, DCT+"description", LangLit(d.Description, "zh"))
	for _, t := range d.Tags {
		g.Add(ds, DCAT+"keyword", LangLit(t, "zh"))
	}
	g.Add(ds, DCAT+"theme", b.topic(d.Topic))
	g.Add(ds, DCT+"publisher", b.department(d.Department))
	cp := g.NewBlank()
	g.Add(ds, DCAT+"contactPoint", cp)
	g.Add(cp, RDF+"type", IRI(VCARD+"Organization"))
	g.Add(cp, VCARD+"fn", LangLit(d.Department.Name, "zh"))
	if d.PublishedAt != nil {
		g.Add(ds, DCT+"issued", dt(*d.PublishedAt))
	}
	g.Add(ds, DCT+"modified", dt(d.UpdatedAt))
	g.Add(ds, DCAT+"landingPage", IRI(b.datasetIRI(d.ID)))
	g.Add(ds, DCT+"accessRights", IRI(euAccess+AccessRights[d.OpenType]))
	if f, ok := Frequencies[d.UpdateFrequency]; ok {
		g.Add(ds, DCT+"accrualPeriodicity", IRI(euFrequency+f))
	}
	g.Add(ds, DCT+"language", IRI(euLanguage+"ZHO"))
	if d.Region != "" {
		loc := g.NewBlank()
		g.Add(ds, DCT+"spatial", loc)
		g.Add(loc, RDF+"type", IRI(DCT+"Location"))
		g.Add(loc, SKOS+"prefLabel", LangLit(d.Region, "zh"))
	}
	g.Add(ds, OWL+"versionInfo", Lit(strconv.Itoa(d.Version)))
	// Extension vocabulary (see /ns/portal).
	v := b.vocab
	g.Add(ds, v+"openType", Lit(string(d.OpenType)))
	g.Add(ds, v+"grade", Lit(d.Grade))
	g.Add(ds, v+"classification", LangLit(d.Classification, "zh"))
	if d.OpenType == catalog.Conditional {
		g.Add(ds, v+"openConditions", LangLit(d.OpenConditions, "zh"))
		g.Add(ds, v+"usageScope", LangLit(d.UsageScope, "zh"))
		g.Add(ds, v+"applicationPage", IRI(b.base+"/apply?dataset="+url.QueryEscape(d.ID)))
	}
	// The catalog record of 001 Art 13 and the national guide.
	g.Add(ds, v+"resourceCode", Lit(d.ResourceCode))
	g.Add(ds, v+"shareType", Lit(string(d.ShareType)))
	g.Add(ds, v+"shareConditions", LangLit(d.ShareConditions, "zh"))
	g.Add(ds, v+"shareMethod", Lit(d.ShareMethod))
	for _, f := range d.Formats() {
		g.Add(ds, v+"declaredFormat", IRI(euFileType+f))
	}
	g.Add(ds, v+"downloads", TypedLit(strconv.FormatInt(d.Downloads, 10), XSD+"integer"))
	for _, it := range d.DataItems {
		n := g.NewBlank()
		g.Add(ds, v+"dataItem", n)
		g.Add(n, RDF+"type", IRI(v+"DataItem"))
		g.Add(n, v+"name", Lit(it.Name))
		g.Add(n, RDFS+"label", LangLit(it.Label, "zh"))
		g.Add(n, v+"type", Lit(it.Type))
		g.Add(n, v+"position", TypedLit(strconv.Itoa(it.Position), XSD+"integer"))
	}
	for i := range d.Resources {
		g.Add(ds, DCAT+"distribution", b.distribution(d, &d.Resources[i]))
	}
	return ds
}

func (b *builder) distribution(d *catalog.Dataset, r *catalog.Resource) Term {
	g := &b.g
	n := IRI(b.datasetIRI(d.ID) + "#resource-" + url.PathEscape(r.ID))
	g.Add(n, RDF+"type", IRI(DCAT+"Distribution"))
	g.Add(n, DCT+"identifier", Lit(r.ID))
	g.Add(n, DCT+"title", LangLit(r.Name, "zh"))
	if d.OpenType == catalog.Unconditional {
		dl := b.base + "/api/v1/resources/" + url.PathEscape(r.ID) + "/download"
		g.Add(n, DCAT+"accessURL", IRI(dl))
		g.Add(n, DCAT+"downloadURL", IRI(dl))
		g.Add(n, DCT+"license", IRI(b.base+"/developers#terms-unconditional"))
	} else {
		// Conditional data: access through an application (000 Art 34).
		g.Add(n, DCAT+"accessURL", IRI(b.base+"/apply?dataset="+url.QueryEscape(d.ID)))
		g.Add(n, DCT+"license", IRI(b.base+"/developers#terms-conditional"))
		g.Add(n, DCT+"rights", LangLit("有条件开放：经申请批准后按批准的数据项、期限和用途使用。", "zh"))
	}
	g.Add(n, DCT+"accessRights", IRI(euAccess+AccessRights[d.OpenType]))
	format := strings.ToUpper(r.Format)
	g.Add(n, DCT+"format", IRI(euFileType+format))
	if mt, _, _ := strings.Cut(r.MediaType, ";"); mt != "" {
		g.Add(n, DCAT+"mediaType", IRI(ianaMedia+strings.TrimSpace(mt)))
	}
	g.Add(n, DCAT+"byteSize", TypedLit(strconv.FormatInt(r.Size, 10), XSD+"nonNegativeInteger"))
	g.Add(n, DCT+"modified", dt(r.UpdatedAt))
	if r.SHA256 != "" {
		cs := g.NewBlank()
		g.Add(n, SPDX+"checksum", cs)
		g.Add(cs, RDF+"type", IRI(SPDX+"Checksum"))
		g.Add(cs, SPDX+"algorithm", IRI(checksumSHA2))
		g.Add(cs, SPDX+"checksumValue", TypedLit(r.SHA256, XSD+"hexBinary"))
	}
	return n
}

func (b *builder) write(c echo.Context, ext string) error {
	var buf bytes.Buffer
	var err error
	switch ext {
	case "ttl":
		err = b.g.WriteTurtle(&buf, b.vocab)
	case "rdf":
		err = b.g.WriteRDFXML(&buf, b.vocab)
	default:
		err = b.g.WriteJSONLD(&buf, b.vocab)
	}
	if err != nil {
		return apperr.Internalf(err, "write %s", ext)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, mediaTypes[ext], buf.Bytes())
}

func (h *Handler) catalogPage(ext string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		var v apperr.Validation
		for name := range c.QueryParams() {
			if name != "page" && name != "page_size" && name != "modified_since" {
				v.Add(name, "unknown parameter %q", name)
			}
		}
		page, err := web.QueryInt(c, "page", 1, 1, 1_000_000)
		if err != nil {
			v.Add("page", "page must be a whole number from 1")
		}
		size, err := web.QueryInt(c, "page_size", DefaultPageSize, 1, MaxPageSize)
		if err != nil {
			v.Add("page_size", "page_size must be from 1 to %d", MaxPageSize)
		}
		var since time.Time
		if s := c.QueryParam("modified_since"); s != "" {
			for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
				if t, err := time.Parse(layout, s); err == nil {
					since = t.UTC()
					break
				}
			}
			if since.IsZero() {
				v.Add("modified_since", "modified_since must be a date (2024-01-31) or date-time (2024-01-31T08:00:00Z)")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		q := func() *gorm.DB {
			db := h.DB.WithContext(ctx).Model(&catalog.Dataset{}).Scopes(public)
			if !since.IsZero() {
				db = db.Where("datasets.updated_at >= ?", since)
			}
			return db
		}
		var total int64
		if err := q().Count(&total).Error; err != nil {
			return apperr.Internalf(err, "count catalog")
		}
		var last []time.Time
		if err := q().Order("datasets.updated_at DESC").Limit(1).Pluck("datasets.updated_at", &last).Error; err != nil {
			return apperr.Internalf(err, "catalog modified")
		}
		var list []catalog.Dataset
		if err := q().Scopes(details).Order("datasets.updated_at DESC, datasets.id").Limit(size).Offset((page - 1) * size).Find(&list).Error; err != nil {
			return apperr.Internalf(err, "load catalog page")
		}
		b := newBuilder(h.base(c))
		var modified time.Time
		if len(last) > 0 {
			modified = last[0]
		}
		cat := b.catalogNode(modified)
		for i := range list {
			b.g.Add(cat, DCAT+"dataset", IRI(b.datasetIRI(list[i].ID)))
		}
		for i := range list {
			b.dataset(&list[i])
		}
		b.paging(c, ext, page, size, total, since)
		return b.write(c, ext)
	}
}

// paging describes the page as a hydra:PagedCollection (as ckanext-dcat does).
func (b *builder) paging(c echo.Context, ext string, page, size int, total int64, since time.Time) {
	pageURL := func(n int) string {
		q := url.Values{}
		q.Set("page", strconv.Itoa(n))
		if size != DefaultPageSize {
			q.Set("page_size", strconv.Itoa(size))
		}
		if !since.IsZero() {
			q.Set("modified_since", since.Format(time.RFC3339))
		}
		return b.base + "/catalog." + ext + "?" + q.Encode()
	}
	lastPage := int((total + int64(size) - 1) / int64(size))
	if lastPage < 1 {
		lastPage = 1
	}
	n := IRI(pageURL(page))
	g := &b.g
	g.Add(n, RDF+"type", IRI(HYDRA+"PagedCollection"))
	g.Add(n, HYDRA+"totalItems", TypedLit(strconv.FormatInt(total, 10), XSD+"integer"))
	g.Add(n, HYDRA+"itemsPerPage", TypedLit(strconv.Itoa(size), XSD+"integer"))
	g.Add(n, HYDRA+"firstPage", Lit(pageURL(1)))
	g.Add(n, HYDRA+"lastPage", Lit(pageURL(lastPage)))
	if page < lastPage {
		g.Add(n, HYDRA+"nextPage", Lit(pageURL(page+1)))
	}
	if page > 1 {
		g.Add(n, HYDRA+"previousPage", Lit(pageURL(page-1)))
	}
}

func (h *Handler) dataset(c echo.Context) error {
	file := c.Param("file")
	dot := strings.LastIndex(file, ".")
	if dot <= 0 {
		return apperr.New(apperr.NotFound, "not found")
	}
	id, ext := file[:dot], file[dot+1:]
	if _, ok := mediaTypes[ext]; !ok || !validID(id) {
		return apperr.New(apperr.NotFound, "not found")
	}
	var d catalog.Dataset
	err := h.DB.WithContext(c.Request().Context()).Scopes(public, details).Where("datasets.id = ?", id).Take(&d).Error
	if err == gorm.ErrRecordNotFound {
		// not_open, drafts, revoked and unknown ids look the same.
		return apperr.New(apperr.NotFound, "dataset not found")
	}
	if err != nil {
		return apperr.Internalf(err, "load dataset %s", id)
	}
	b := newBuilder(h.base(c))
	cat := IRI(b.base + "/catalog")
	b.g.Add(cat, RDF+"type", IRI(DCAT+"Catalog"))
	b.g.Add(cat, DCAT+"dataset", IRI(b.datasetIRI(d.ID)))
	b.dataset(&d)
	return b.write(c, ext)
}

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

// vocabulary serves the extension vocabulary as Turtle.
func (h *Handler) vocabulary(c echo.Context) error {
	b := newBuilder(h.base(c))
	v := b.vocab
	g := &b.g
	prop := func(name, label, comment string) {
		n := IRI(v + name)
		g.Add(n, RDF+"type", IRI(RDF+"Property"))
		g.Add(n, RDFS+"label", LangLit(label, "zh"))
		g.Add(n, RDFS+"comment", LangLit(comment, "en"))
		g.Add(n, RDFS+"isDefinedBy", IRI(b.base+"/ns/portal"))
	}
	cls := IRI(v + "DataItem")
	g.Add(cls, RDF+"type", IRI(RDFS+"Class"))
	g.Add(cls, RDFS+"label", LangLit("数据项", "zh"))
	g.Add(cls, RDFS+"comment", LangLit("One field of a catalog entry's data (Heilongjiang Interim Measures for Government Data Management, Art. 13).", "en"))
	prop("openType", "开放类型", "unconditional | conditional (Heilongjiang Interim Measures for Government Data Management, Art. 33); also expressed as dct:accessRights PUBLIC | RESTRICTED.")
	prop("grade", "分级", "Classification grade L1–L4, lowest risk first.")
	prop("classification", "分类", "Classification (基础数据, 主题数据, 部门数据 …).")
	prop("openConditions", "开放条件", "Conditions of a conditionally open entry (Heilongjiang Interim Measures for Government Data Management, Art. 33).")
	prop("usageScope", "使用范围", "Scope and use allowed for a conditionally open entry.")
	prop("applicationPage", "申请页面", "Where to apply for a conditionally open entry (Heilongjiang Interim Measures for Government Data Management, Art. 34).")
	prop("resourceCode", "信息资源代码", "Resource code after the national catalog guide: class (1 digit), item (2), subitem (3), optional detail (3), '/', sequence number (6).")
	prop("shareType", "共享类型", "unconditional | conditional | not_shared: sharing with other government departments (Regulations on Government Data Sharing, Art 14), distinct from the open type.")
	prop("shareConditions", "共享条件", "Conditions of a conditionally shared entry, or the reason and legal basis of one not shared (Regulations on Government Data Sharing, Art 15).")
	prop("shareMethod", "共享方式", "api | file | database: how departments receive shared data.")
	prop("declaredFormat", "数据格式", "A data format the entry declares (EU file-type IRI); every resource has a declared format.")
	prop("creditCode", "统一社会信用代码", "The department's unified social credit code (GB 32100): the provider code of its entries.")
	prop("downloads", "下载次数", "Number of downloads counted by the portal (no personal data kept).")
	prop("dataItem", "数据项", "A data item (field) of the entry: a hlj:DataItem.")
	prop("name", "字段名", "Machine name of a data item (the CSV header).")
	prop("type", "字段类型", "string | integer | number | date | datetime | boolean.")
	prop("position", "位置", "Position of the data item, from 0.")
	return b.write(c, "ttl")
}
