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
// extension vocabulary (prefix hlj, namespace <PORTAL_BASE_URL>/ns/portal#,
// or the fixed FallbackVocab when no base URL is configured — never the
// request's host, so every client sees one vocabulary), described in
// Turtle at /ns/portal.
//
// ckanext-dcat's URLs are served too: /catalog.xml and /catalog.n3 (and
// /dataset/{id}.xml|.n3), and the dataset page /datasets/{id} answers RDF
// when the Accept header prefers it (Negotiate).
package dcat

import (
	"bytes"
	"fmt"
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
	// ckanext-dcat's names: .xml is RDF/XML, .n3 is served as Turtle
	// (Turtle is a subset of N3).
	"xml": "application/rdf+xml",
	"n3":  "text/n3; charset=utf-8",
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
	euDataTheme  = "http://publications.europa.eu/resource/authority/data-theme/"
	admsPubType  = "http://purl.org/adms/publishertype/"
	admsLicType  = "http://purl.org/adms/licencetype/"
	euAvailable  = "http://publications.europa.eu/resource/authority/planned-availability/"
	checksumSHA2 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
)

// Frequencies maps update frequencies to the EU frequency vocabulary.
var Frequencies = map[string]string{
	"realtime": "UPDATE_CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
	"quarterly": "QUARTERLY", "yearly": "ANNUAL", "irregular": "IRREG",
}

// FallbackVocab is the extension vocabulary's namespace when no
// PORTAL_BASE_URL is configured: fixed, not derived from the request.
const FallbackVocab = "https://github.com/hlj-opendata/portal/ns/portal#"

// DataThemes maps the portal's topics to the EU data-theme vocabulary
// (DCAT-AP 3 §4.3 recommends it for dcat:theme); the portal's own topic
// stays as a second theme. Topics not listed get only their own theme.
var DataThemes = map[string][]string{
	"economy": {"ECON"}, "transport": {"TRAN"}, "education": {"EDUC", "TECH"}, "health": {"HEAL"},
	"environment": {"ENVI"}, "resources": {"ENER", "ENVI"}, "social-security": {"SOCI"},
	"employment": {"SOCI", "ECON"}, "public-safety": {"JUST"}, "agriculture": {"AGRI"},
	"culture": {"EDUC"}, "housing": {"REGI"}, "credit": {"ECON"}, "finance": {"ECON", "GOVE"},
	"organisations": {"GOVE"}, "geography": {"REGI"},
}

// publisherTypes maps a department's region level to the ADMS publisher
// type (DCAT-AP 3 §4.2 Agent: dct:type).
var publisherTypes = map[string]string{"province": "RegionalAuthority", "city": "LocalAuthority", "county": "LocalAuthority"}

// AccessRights maps open types to the EU access-right vocabulary.
var AccessRights = map[catalog.OpenType]string{catalog.Unconditional: "PUBLIC", catalog.Conditional: "RESTRICTED"}

func (h *Handler) vocab() string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/") + "/ns/portal#"
	}
	return FallbackVocab
}

func (h *Handler) newBuilder(c echo.Context) *builder {
	return &builder{base: h.base(c), vocab: h.vocab(), seen: map[string]bool{}}
}

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
	g      Graph
	base   string
	vocab  string
	seen   map[string]bool
	issued time.Time // the catalog's dct:issued, when known
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
	topics := IRI(b.base + "/topics")
	g.Add(cat, DCAT+"themeTaxonomy", topics)
	g.Add(topics, RDF+"type", IRI(SKOS+"ConceptScheme"))
	g.Add(topics, DCT+"title", LangLit("黑龙江省公共数据开放平台主题分类", "zh"))
	g.Add(cat, DCAT+"themeTaxonomy", IRI(strings.TrimSuffix(euDataTheme, "/")))
	g.Add(cat, DCT+"conformsTo", IRI(dcatAP3))
	g.Add(cat, DCT+"license", b.licence(catalog.Unconditional))
	g.Add(cat, DCT+"spatial", b.location("黑龙江省"))
	// First published: when the earliest public entry was.
	if !b.issued.IsZero() {
		g.Add(cat, DCT+"issued", dt(b.issued))
	}
	if !modified.IsZero() {
		g.Add(cat, DCT+"modified", dt(modified))
	}
	return cat
}

// licence is the typed licence document of an open type (DCAT-AP 3 §4.2
// Distribution dct:license, range dct:LicenseDocument). Its IRI is the
// terms section of the developer page, stable and the same the dataset
// page's JSON-LD uses (server/site/jsonld.go).
func (b *builder) licence(t catalog.OpenType) Term {
	// Licence types (ADMS): unconditional data may be reused citing the
	// source; conditional data only as the approval says.
	kind, zh, en, typ := "unconditional", "无条件开放数据使用条款", "Terms of use of unconditionally open data", "Attribution"
	if t == catalog.Conditional {
		kind, zh, en, typ = "conditional", "有条件开放数据使用条款", "Terms of use of conditionally open data", "OtherRestrictiveClauses"
	}
	n := IRI(b.base + "/developers#terms-" + kind)
	if !b.seen[n.IRI] {
		b.seen[n.IRI] = true
		b.g.Add(n, RDF+"type", IRI(DCT+"LicenseDocument"))
		b.g.Add(n, DCT+"type", IRI(admsLicType+typ))
		b.g.Add(n, DCT+"title", LangLit(zh, "zh"))
		b.g.Add(n, DCT+"title", LangLit(en, "en"))
		b.g.Add(n, RDFS+"label", LangLit(zh, "zh"))
	}
	return n
}

// rights is the dct:RightsStatement of an open type (DCAT-AP 3 §4.2
// Distribution dct:rights: a resource, not a literal).
func (b *builder) rights(t catalog.OpenType) Term {
	kind, zh := "unconditional", "无条件开放：可自由下载和使用，使用时注明数据来源。"
	if t == catalog.Conditional {
		kind, zh = "conditional", "有条件开放：经申请批准后按批准的数据项、期限和用途使用。"
	}
	n := IRI(b.base + "/developers#rights-" + kind)
	if !b.seen[n.IRI] {
		b.seen[n.IRI] = true
		b.g.Add(n, RDF+"type", IRI(DCT+"RightsStatement"))
		b.g.Add(n, RDFS+"label", LangLit(zh, "zh"))
	}
	return n
}

// location is a dct:Location named by its Chinese name.
func (b *builder) location(name string) Term {
	// A hash IRI of the catalog: the portal has no page per region.
	n := IRI(b.base + "/catalog#location-" + url.PathEscape(name))
	if !b.seen[n.IRI] {
		b.seen[n.IRI] = true
		b.g.Add(n, RDF+"type", IRI(DCT+"Location"))
		b.g.Add(n, SKOS+"prefLabel", LangLit(name, "zh"))
	}
	return n
}

func (b *builder) publisherNode() Term {
	pub := IRI(b.base + "/#publisher")
	if !b.seen[pub.IRI] {
		b.seen[pub.IRI] = true
		b.g.Add(pub, RDF+"type", IRI(FOAF+"Organization"))
		b.g.Add(pub, FOAF+"name", LangLit("黑龙江省政务数据主管部门", "zh"))
		b.g.Add(pub, DCT+"type", IRI(admsPubType+"RegionalAuthority"))
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
		if pt, ok := publisherTypes[d.RegionLevel]; ok {
			b.g.Add(n, DCT+"type", IRI(admsPubType+pt))
		}
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
	for _, code := range DataThemes[d.TopicID] {
		g.Add(ds, DCAT+"theme", IRI(euDataTheme+code))
	}
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
	// Coverage: the entry's region, else its department's.
	if region := d.Region; region != "" {
		g.Add(ds, DCT+"spatial", b.location(region))
	} else if d.Department.Region != "" {
		g.Add(ds, DCT+"spatial", b.location(d.Department.Region))
	}
	// DCAT-AP 3 uses dcat:version (owl:versionInfo was DCAT-AP 2's).
	g.Add(ds, DCAT+"version", Lit(strconv.Itoa(d.Version)))
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
	} else {
		// Conditional data: access through an application (000 Art 34).
		g.Add(n, DCAT+"accessURL", IRI(b.base+"/apply?dataset="+url.QueryEscape(d.ID)))
	}
	g.Add(n, DCT+"license", b.licence(d.OpenType))
	// Published files stay until a revocation announcement (000 Art 35).
	g.Add(n, dcatAP3+"availability", IRI(euAvailable+"STABLE"))
	g.Add(n, DCT+"rights", b.rights(d.OpenType))
	g.Add(n, DCT+"description", LangLit(fmt.Sprintf("%s（%s，%s）", r.Name, strings.ToUpper(r.Format), d.Title), "zh"))
	g.Add(n, DCT+"accessRights", IRI(euAccess+AccessRights[d.OpenType]))
	format := strings.ToUpper(r.Format)
	g.Add(n, DCT+"format", IRI(euFileType+format))
	if mt, _, _ := strings.Cut(r.MediaType, ";"); mt != "" {
		g.Add(n, DCAT+"mediaType", IRI(ianaMedia+strings.TrimSpace(mt)))
	}
	g.Add(n, DCAT+"byteSize", TypedLit(strconv.FormatInt(r.Size, 10), XSD+"nonNegativeInteger"))
	if !r.CreatedAt.IsZero() {
		g.Add(n, DCT+"issued", dt(r.CreatedAt))
	}
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
	case "ttl", "n3":
		err = b.g.WriteTurtle(&buf, b.vocab)
	case "rdf", "xml":
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
		b := h.newBuilder(c)
		var first []time.Time
		if err := h.DB.WithContext(ctx).Model(&catalog.Dataset{}).Scopes(public).Where("datasets.published_at IS NOT NULL").
			Order("datasets.published_at").Limit(1).Pluck("datasets.published_at", &first).Error; err != nil {
			return apperr.Internalf(err, "catalog issued")
		}
		if len(first) > 0 {
			b.issued = first[0]
		}
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
	// The current Hydra design too (hydra:next is what ckanext-dcat's
	// harvester tries first, before the deprecated hydra:nextPage).
	g.Add(n, RDF+"type", IRI(HYDRA+"PartialCollectionView"))
	g.Add(n, HYDRA+"first", IRI(pageURL(1)))
	g.Add(n, HYDRA+"last", IRI(pageURL(lastPage)))
	if page < lastPage {
		g.Add(n, HYDRA+"next", IRI(pageURL(page+1)))
	}
	if page > 1 {
		g.Add(n, HYDRA+"previous", IRI(pageURL(page-1)))
	}
}

// dataset serves /dataset/{id}.{ext}, and /dataset/{id} as ckanext-dcat
// does: RDF when Accept asks for it, else a 303 to the dataset page.
func (h *Handler) dataset(c echo.Context) error {
	file := c.Param("file")
	if dot := strings.LastIndex(file, "."); dot > 0 {
		if _, ok := mediaTypes[file[dot+1:]]; ok && validID(file[:dot]) {
			return h.serveDataset(c, file[:dot], file[dot+1:])
		}
	}
	if validID(file) {
		if ext := rdfFromAccept(c.Request().Header.Get(echo.HeaderAccept)); ext != "" {
			c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
			return h.serveDataset(c, file, ext)
		}
		var n int64
		if err := h.DB.WithContext(c.Request().Context()).Model(&catalog.Dataset{}).Scopes(public).Where("datasets.id = ?", file).Count(&n).Error; err != nil {
			return apperr.Internalf(err, "find dataset %s", file)
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "dataset not found")
		}
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
		return c.Redirect(http.StatusSeeOther, "/datasets/"+url.PathEscape(file))
	}
	return apperr.New(apperr.NotFound, "not found")
}

// Negotiate is a middleware (Echo.Use) that answers the dataset page
// /datasets/{id} with the entry's RDF when the Accept header prefers an
// RDF type (text/turtle, application/rdf+xml, application/ld+json,
// text/n3) over HTML; browsers keep getting the page. Both answers carry
// Vary: Accept so caches keep them apart.
func (h *Handler) Negotiate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Path() != "/datasets/:id" || (c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead) {
			return next(c)
		}
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
		ext := rdfFromAccept(c.Request().Header.Get(echo.HeaderAccept))
		if ext == "" || !validID(c.Param("id")) {
			return next(c)
		}
		return h.serveDataset(c, c.Param("id"), ext)
	}
}

// rdfTypes are the RDF media types Accept may ask for, by extension.
var rdfTypes = map[string]string{
	"text/turtle": "ttl", "application/x-turtle": "ttl", "text/n3": "n3",
	"application/rdf+xml": "rdf", "application/ld+json": "jsonld",
}

// rdfFromAccept returns the serialisation Accept prefers when an RDF type
// has a strictly higher quality than any HTML type or wildcard (ties go
// to HTML, so browsers' "text/html,...,*/*;q=0.8" gets the page), else "".
func rdfFromAccept(accept string) string {
	if accept == "" || len(accept) > 1024 {
		return ""
	}
	bestRDF, rdfQ, htmlQ := "", -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		if q == 0 {
			continue
		}
		if ext, ok := rdfTypes[mt]; ok {
			if q > rdfQ {
				bestRDF, rdfQ = ext, q
			}
			continue
		}
		switch mt {
		case "text/html", "application/xhtml+xml", "*/*", "text/*":
			if q > htmlQ {
				htmlQ = q
			}
		}
	}
	if bestRDF != "" && rdfQ > htmlQ {
		return bestRDF
	}
	return ""
}

// serveDataset writes one public entry in the ext serialisation.
func (h *Handler) serveDataset(c echo.Context, id, ext string) error {
	var d catalog.Dataset
	err := h.DB.WithContext(c.Request().Context()).Scopes(public, details).Where("datasets.id = ?", id).Take(&d).Error
	if err == gorm.ErrRecordNotFound {
		// not_open, drafts, revoked and unknown ids look the same.
		return apperr.New(apperr.NotFound, "dataset not found")
	}
	if err != nil {
		return apperr.Internalf(err, "load dataset %s", id)
	}
	b := h.newBuilder(c)
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
	b := h.newBuilder(c)
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
