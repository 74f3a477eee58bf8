package dcat_test

import (
	"bytes"
	"crypto/md5"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/dcat"
)

// Namespaces of the checks.
const (
	nsRDF   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsRDFS  = "http://www.w3.org/2000/01/rdf-schema#"
	nsXSD   = "http://www.w3.org/2001/XMLSchema#"
	nsDCAT  = "http://www.w3.org/ns/dcat#"
	nsDCT   = "http://purl.org/dc/terms/"
	nsFOAF  = "http://xmlns.com/foaf/0.1/"
	nsVCARD = "http://www.w3.org/2006/vcard/ns#"
	nsSKOS  = "http://www.w3.org/2004/02/skos/core#"
	nsSPDX  = "http://spdx.org/rdf/terms#"
	nsHydra = "http://www.w3.org/ns/hydra/core#"
	nsAP    = "http://data.europa.eu/r5r/"
)

// node is a term of a parsed graph: IRI, blank ("_:id") or literal.
type node struct {
	kind            rdf.TermType
	value, dt, lang string
}

func (n node) key() string {
	if n.kind == rdf.TermBlank {
		return "_:" + n.value
	}
	return n.value
}

// graph indexes a parsed document by subject and predicate, keeping
// blank node identity (contact points and checksums are blank nodes).
type graph map[string]map[string][]node

func parseGraph(t *testing.T, format rdf.Format, body []byte) graph {
	t.Helper()
	all, err := rdf.NewTripleDecoder(bytes.NewReader(body), format).DecodeAll()
	if err != nil {
		t.Fatalf("parse: %v\n%.600s", err, body)
	}
	g := graph{}
	for _, tr := range all {
		s := tr.Subj.String()
		if tr.Subj.Type() == rdf.TermBlank {
			s = "_:" + s
		}
		o := node{kind: tr.Obj.Type(), value: tr.Obj.String()}
		if l, ok := tr.Obj.(rdf.Literal); ok {
			o.dt, o.lang = l.DataType.String(), l.Lang()
		}
		if g[s] == nil {
			g[s] = map[string][]node{}
		}
		g[s][tr.Pred.String()] = append(g[s][tr.Pred.String()], o)
	}
	return g
}

func (g graph) objects(s, p string) []node { return g[s][p] }

func (g graph) subjectsOfType(class string) []string {
	var out []string
	for s, props := range g {
		for _, o := range props[nsRDF+"type"] {
			if o.value == class {
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (g graph) hasType(s string, classes ...string) bool {
	for _, o := range g[s][nsRDF+"type"] {
		for _, c := range classes {
			if o.value == c {
				return true
			}
		}
	}
	return false
}

// prop is one property constraint of the DCAT-AP 3.0.0 shapes
// (https://semiceu.github.io/DCAT-AP/releases/3.0.0/ §5 "Main entities"
// and §6 "Supportive entities"; mandatory from shapes.ttl, recommended
// from shapes_recommended.ttl).
type prop struct {
	path        string
	min, max    int      // max 0: unbounded
	literal     bool     // a literal (rdfs:Literal range)
	iri         bool     // an IRI or blank node
	datatypes   []string // allowed literal datatypes
	class       []string // the object must be typed with one of these (in this graph)
	recommended bool     // a sh:Warning shape: reported, not an error, for bare entries
}

var dateTypes = []string{nsXSD + "date", nsXSD + "dateTime"}

// The shapes checked, per class.
var (
	// §5.1 Catalogue: title, description, publisher mandatory; dataset,
	// homepage, language, licence, issued, modified, themeTaxonomy,
	// spatial recommended.
	catalogueShape = []prop{
		{path: nsDCT + "title", min: 1, literal: true},
		{path: nsDCT + "description", min: 1, literal: true},
		{path: nsDCT + "publisher", min: 1, max: 1, iri: true, class: []string{nsFOAF + "Agent", nsFOAF + "Organization"}},
		{path: nsDCAT + "dataset", min: 1, iri: true, recommended: true},
		{path: nsFOAF + "homepage", min: 1, max: 1, iri: true, recommended: true},
		{path: nsDCT + "language", min: 1, iri: true, recommended: true},
		{path: nsDCT + "license", min: 1, max: 1, iri: true, class: []string{nsDCT + "LicenseDocument"}, recommended: true},
		{path: nsDCT + "issued", min: 1, max: 1, literal: true, datatypes: dateTypes, recommended: true},
		{path: nsDCT + "modified", min: 1, max: 1, literal: true, datatypes: dateTypes, recommended: true},
		{path: nsDCAT + "themeTaxonomy", min: 1, iri: true, recommended: true},
		{path: nsDCT + "spatial", min: 1, iri: true, class: []string{nsDCT + "Location"}, recommended: true},
	}
	// §5.3 Dataset: title, description mandatory; contact point,
	// distribution, keyword, publisher, spatial, temporal, theme
	// recommended; the optional ones the portal sets, with their ranges.
	// dct:temporal is left out: the catalog keeps no temporal coverage, and
	// an invented period would be wrong.
	datasetShape = []prop{
		{path: nsDCT + "title", min: 1, literal: true},
		{path: nsDCT + "description", min: 1, literal: true},
		{path: nsDCAT + "contactPoint", min: 1, iri: true, class: []string{nsVCARD + "Kind", nsVCARD + "Organization", nsVCARD + "Individual"}, recommended: true},
		{path: nsDCAT + "distribution", min: 1, iri: true, class: []string{nsDCAT + "Distribution"}, recommended: true},
		{path: nsDCAT + "keyword", min: 1, literal: true, recommended: true},
		{path: nsDCT + "publisher", min: 1, max: 1, iri: true, class: []string{nsFOAF + "Agent", nsFOAF + "Organization"}, recommended: true},
		{path: nsDCT + "spatial", min: 1, iri: true, class: []string{nsDCT + "Location"}, recommended: true},
		{path: nsDCAT + "theme", min: 1, iri: true, recommended: true},
		{path: nsDCT + "accessRights", min: 1, max: 1, iri: true},
		{path: nsDCT + "accrualPeriodicity", max: 1, iri: true},
		{path: nsDCT + "identifier", min: 1, literal: true},
		{path: nsDCT + "issued", max: 1, literal: true, datatypes: dateTypes},
		{path: nsDCT + "modified", min: 1, max: 1, literal: true, datatypes: dateTypes},
		{path: nsDCAT + "version", min: 1, max: 1, literal: true},
		{path: nsDCAT + "landingPage", iri: true},
		{path: nsDCT + "language", iri: true},
	}
	// §5.4 Distribution: access URL mandatory; description, availability,
	// format, licence recommended; optional ones with their ranges.
	distributionShape = []prop{
		{path: nsDCAT + "accessURL", min: 1, iri: true},
		{path: nsDCT + "description", min: 1, literal: true, recommended: true},
		{path: nsAP + "availability", min: 1, max: 1, iri: true, recommended: true},
		{path: nsDCT + "format", min: 1, max: 1, iri: true, recommended: true},
		{path: nsDCT + "license", min: 1, max: 1, iri: true, class: []string{nsDCT + "LicenseDocument"}, recommended: true},
		{path: nsDCT + "rights", max: 1, iri: true, class: []string{nsDCT + "RightsStatement"}},
		{path: nsDCAT + "byteSize", max: 1, literal: true, datatypes: []string{nsXSD + "nonNegativeInteger"}},
		{path: nsDCAT + "mediaType", max: 1, iri: true},
		{path: nsDCAT + "downloadURL", iri: true},
		{path: nsDCT + "issued", max: 1, literal: true, datatypes: dateTypes},
		{path: nsDCT + "modified", max: 1, literal: true, datatypes: dateTypes},
		{path: nsSPDX + "checksum", max: 1, iri: true, class: []string{nsSPDX + "Checksum"}},
	}
	// §6 Supportive entities.
	agentShape = []prop{ // §6.1 Agent
		{path: nsFOAF + "name", min: 1, literal: true},
		{path: nsDCT + "type", min: 1, max: 1, iri: true, recommended: true},
	}
	checksumShape = []prop{ // §6.3 Checksum
		{path: nsSPDX + "algorithm", min: 1, max: 1, iri: true},
		{path: nsSPDX + "checksumValue", min: 1, max: 1, literal: true, datatypes: []string{nsXSD + "hexBinary"}},
	}
	kindShape = []prop{ // §6.9 Kind (vCard): a name to show
		{path: nsVCARD + "fn", min: 1, literal: true},
	}
	licenceShape = []prop{ // §6.10 Licence Document
		{path: nsDCT + "type", min: 1, iri: true, recommended: true},
	}
	locationShape = []prop{ // §6.11 Location (named; no bbox/centroid kept)
		{path: nsSKOS + "prefLabel", min: 1, literal: true},
	}
	rightsShape = []prop{ // §6.16 Rights Statement: a resource with a label
		{path: nsRDFS + "label", min: 1, literal: true},
	}
)

// check returns the violations of shape on s: errors (mandatory and range)
// and warnings (recommended properties missing).
func (g graph) check(s string, shape []prop) (errs, warns []string) {
	for _, p := range shape {
		objs := g.objects(s, p.path)
		if len(objs) < p.min {
			msg := s + ": " + p.path + " missing"
			if p.recommended {
				warns = append(warns, msg)
			} else {
				errs = append(errs, msg)
			}
		}
		if p.max > 0 && len(objs) > p.max {
			errs = append(errs, s+": "+p.path+" more than once")
		}
		for _, o := range objs {
			switch {
			case p.literal && o.kind != rdf.TermLiteral:
				errs = append(errs, s+": "+p.path+" is not a literal")
			case p.iri && o.kind == rdf.TermLiteral:
				errs = append(errs, s+": "+p.path+" is a literal ("+o.value+"), want a resource")
			case len(p.datatypes) > 0 && !contains(p.datatypes, o.dt):
				errs = append(errs, s+": "+p.path+" datatype "+o.dt)
			case len(p.class) > 0 && !g.hasType(o.key(), p.class...):
				errs = append(errs, s+": "+p.path+" "+o.key()+" is not a "+strings.Join(p.class, " | "))
			}
		}
	}
	return errs, warns
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Every class of the whole catalog export conforms to the DCAT-AP 3.0.0
// shapes (mandatory and recommended), in Turtle and RDF/XML, for every
// kind of entry: unconditional and conditional, with and without a
// region, tags and resources (a bare entry is added for the last kind).
func TestDCATAP3Conformance(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})
			var some catalog.Dataset
			if err := p.DB.Where("status = ? AND open_type = ?", catalog.StatusPublished, catalog.Unconditional).Order("id").First(&some).Error; err != nil {
				t.Fatal(err)
			}
			now := p.Now().UTC().Truncate(time.Second)
			bare := catalog.Dataset{ID: "bare-entry", Title: "无资源目录", Description: "只有目录，没有资源、标签和地区。", DepartmentID: some.DepartmentID,
				TopicID: some.TopicID, OpenType: catalog.Conditional, OpenConditions: "经申请", UsageScope: "研究", UpdateFrequency: "irregular",
				Grade: "L2", Status: catalog.StatusPublished, Version: 1, PublishedAt: &now, UpdatedAt: now, CreatedAt: now}
			if err := p.DB.Omit("Department", "Topic", "DataItems", "Resources").Create(&bare).Error; err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				ext    string
				format rdf.Format
			}{{"ttl", rdf.Turtle}, {"rdf", rdf.RDFXML}, {"xml", rdf.RDFXML}, {"n3", rdf.Turtle}} {
				t.Run(f.ext, func(t *testing.T) {
					r := p.Get(t, "/catalog."+f.ext+"?page_size=1000")
					if r.Status != 200 {
						t.Fatalf("%d %s", r.Status, r.Body)
					}
					g := parseGraph(t, f.format, r.Body)
					var errs []string
					warns := map[string][]string{}
					run := func(class string, shape []prop, subjects []string) int {
						for _, s := range subjects {
							e, w := g.check(s, shape)
							errs = append(errs, e...)
							warns[s] = append(warns[s], w...)
						}
						return len(subjects)
					}
					cats := g.subjectsOfType(nsDCAT + "Catalog")
					if len(cats) != 1 {
						t.Fatalf("%d catalogs", len(cats))
					}
					run("Catalog", catalogueShape, cats)
					datasets := g.subjectsOfType(nsDCAT + "Dataset")
					run("Dataset", datasetShape, datasets)
					run("Distribution", distributionShape, g.subjectsOfType(nsDCAT+"Distribution"))
					agents := append(g.subjectsOfType(nsFOAF+"Organization"), g.subjectsOfType(nsFOAF+"Agent")...)
					run("Agent", agentShape, agents)
					if run("Checksum", checksumShape, g.subjectsOfType(nsSPDX+"Checksum")) == 0 {
						t.Error("no spdx:Checksum")
					}
					run("Kind", kindShape, g.subjectsOfType(nsVCARD+"Organization"))
					if run("LicenseDocument", licenceShape, g.subjectsOfType(nsDCT+"LicenseDocument")) != 2 {
						t.Error("want the two licence documents")
					}
					run("Location", locationShape, g.subjectsOfType(nsDCT+"Location"))
					if run("RightsStatement", rightsShape, g.subjectsOfType(nsDCT+"RightsStatement")) != 2 {
						t.Error("want the two rights statements")
					}
					for _, e := range errs {
						t.Error(e)
					}
					// Recommended properties: everything present, except on the
					// bare entry, which has no keyword and no distribution.
					bareIRI := p.URL + "/datasets/bare-entry"
					for s, w := range warns {
						want := 0
						if s == bareIRI {
							want = 2
						}
						if len(w) != want {
							t.Errorf("%s: recommended missing %v", s, w)
						}
					}
					if len(warns[bareIRI]) != 2 {
						t.Errorf("bare entry: %v", warns[bareIRI])
					}
					// No DCAT-AP 2 leftovers, and the rest of what §5.3/§5.4 ask.
					kinds := map[string]int{}
					for _, ds := range datasets {
						if len(g.objects(ds, "http://www.w3.org/2002/07/owl#versionInfo")) > 0 {
							t.Errorf("%s: owl:versionInfo (DCAT-AP 3 uses dcat:version)", ds)
						}
						eu := 0
						for _, th := range g.objects(ds, nsDCAT+"theme") {
							if strings.HasPrefix(th.value, "http://publications.europa.eu/resource/authority/data-theme/") {
								eu++
							}
						}
						if eu == 0 {
							t.Errorf("%s: no EU data theme", ds)
						}
						ar := g.objects(ds, nsDCT+"accessRights")
						dists := g.objects(ds, nsDCAT+"distribution")
						if len(ar) == 1 {
							kinds[ar[0].value[strings.LastIndex(ar[0].value, "/")+1:]+map[bool]string{true: "+dist", false: "-dist"}[len(dists) > 0]]++
						}
						for _, d := range dists {
							for _, mt := range g.objects(d.key(), nsDCAT+"mediaType") {
								if !strings.HasPrefix(mt.value, "https://www.iana.org/assignments/media-types/") {
									t.Errorf("%s: media type %s is not an IANA IRI", d.key(), mt.value)
								}
							}
							for _, cs := range g.objects(d.key(), nsSPDX+"checksum") {
								if a := g.objects(cs.key(), nsSPDX+"algorithm"); len(a) != 1 || a[0].value != "http://spdx.org/rdf/terms#checksumAlgorithm_sha256" {
									t.Errorf("%s: checksum algorithm %v", d.key(), a)
								}
							}
						}
					}
					for _, k := range []string{"PUBLIC+dist", "RESTRICTED+dist", "RESTRICTED-dist"} {
						if kinds[k] == 0 {
							t.Errorf("no dataset of kind %s checked (%v)", k, kinds)
						}
					}
				})
			}
		})
	}
}

// The extension vocabulary's namespace comes from PORTAL_BASE_URL, or a
// fixed one, never from the request's Host.
func TestVocabularyDoesNotFollowHost(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	for _, host := range []string{"", "evil.example"} {
		h := map[string]string{}
		if host != "" {
			h["Host"] = host
		}
		r := p.Do(t, "GET", "/catalog.ttl?page_size=2", nil, h)
		if r.Status != 200 || !strings.Contains(string(r.Body), dcat.FallbackVocab) || strings.Contains(string(r.Body), "evil.example/ns/portal") {
			t.Errorf("host %q: %d vocabulary not fixed", host, r.Status)
		}
	}
	q := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true, Env: map[string]string{"PORTAL_BASE_URL": "https://data.example.gov.cn"}})
	r := q.Do(t, "GET", "/ns/portal", nil, map[string]string{"Host": "evil.example"})
	g := parseGraph(t, rdf.Turtle, r.Body)
	if len(g["https://data.example.gov.cn/ns/portal#openType"]) == 0 {
		t.Errorf("vocabulary not under the base URL: %.300s", r.Body)
	}
}

// ckanext-dcat's URLs and content negotiation: /catalog.xml|.n3,
// /dataset/{id}.xml|.n3, /dataset/{id} and the dataset page /datasets/{id}
// with an RDF Accept header; browsers still get HTML.
func TestCKANDCATURLsAndNegotiation(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	var d catalog.Dataset
	if err := p.DB.Where("status = ? AND open_type = ?", catalog.StatusPublished, catalog.Unconditional).Order("id").First(&d).Error; err != nil {
		t.Fatal(err)
	}
	iri := p.URL + "/datasets/" + url.PathEscape(d.ID)
	for path, want := range map[string]string{
		"/catalog.xml": "application/rdf+xml", "/catalog.n3": "text/n3",
		"/dataset/" + d.ID + ".xml": "application/rdf+xml", "/dataset/" + d.ID + ".n3": "text/n3",
	} {
		r := p.Get(t, path)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), want) {
			t.Errorf("%s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
			continue
		}
		format := rdf.Turtle
		if strings.Contains(want, "xml") {
			format = rdf.RDFXML
		}
		if g := parseGraph(t, format, r.Body); !strings.HasPrefix(path, "/catalog") && !g.hasType(iri, nsDCAT+"Dataset") {
			t.Errorf("%s: no dcat:Dataset %s", path, iri)
		}
	}
	for _, c := range []struct {
		path, accept, want string
		format             rdf.Format
	}{
		{"/datasets/" + d.ID, "text/turtle", "text/turtle", rdf.Turtle},
		{"/datasets/" + d.ID, "application/rdf+xml", "application/rdf+xml", rdf.RDFXML},
		{"/datasets/" + d.ID, "application/ld+json", "application/ld+json", 0},
		{"/datasets/" + d.ID, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html", 0},
		{"/datasets/" + d.ID, "application/rdf+xml;q=0.5, text/html", "text/html", 0},
		{"/datasets/" + d.ID, "text/turtle, text/html;q=0.5", "text/turtle", rdf.Turtle},
		{"/dataset/" + d.ID, "text/turtle", "text/turtle", rdf.Turtle},
	} {
		r := p.Do(t, "GET", c.path, nil, map[string]string{"Accept": c.accept})
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), c.want) || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept") {
			t.Errorf("%s Accept %q: %d %s Vary %v", c.path, c.accept, r.Status, r.Header.Get("Content-Type"), r.Header.Values("Vary"))
			continue
		}
		if c.format != 0 {
			if g := parseGraph(t, c.format, r.Body); !g.hasType(iri, nsDCAT+"Dataset") {
				t.Errorf("%s Accept %q: no dcat:Dataset", c.path, c.accept)
			}
		}
	}
	// /dataset/{id} for a browser: 303 to the page (the client follows it).
	if r := p.Do(t, "GET", "/dataset/"+d.ID, nil, map[string]string{"Accept": "text/html"}); r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("/dataset/{id} as a browser: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	var notOpen catalog.Dataset
	p.DB.Where("open_type = ?", catalog.NotOpen).First(&notOpen)
	for _, path := range []string{"/datasets/" + notOpen.ID, "/dataset/" + notOpen.ID, "/dataset/nope"} {
		if r := p.Do(t, "GET", path, nil, map[string]string{"Accept": "text/turtle"}); r.Status != 404 {
			t.Errorf("%s as turtle: %d", path, r.Status)
		}
	}
}

// ckanext-dcat's RDF harvester (ckanext/dcat/harvesters/rdf.py,
// gather_stage, and processors.py RDFParser.next_page), replayed: start
// at the source URL /catalog.xml, parse each page as RDF/XML, take every
// dcat:Dataset, then follow hydra:next — else hydra:nextPage — of the
// hydra:PartialCollectionView / hydra:PagedCollection node until there is
// none; stop if a page repeats the first page's content (its md5 guard).
// The guid is the dataset URI (its _get_guid). It must collect every
// public entry exactly once, with identifier, title and distributions.
func TestCKANDCATHarvesterPaging(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})
			var want []catalog.Dataset
			if err := p.DB.Where("status = ? AND open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).
				Preload("Resources").Find(&want).Error; err != nil {
				t.Fatal(err)
			}
			type harvested struct {
				identifier, title string
				access, download  []string
			}
			got := map[string]*harvested{}
			seen := map[string]int{}
			next := p.URL + "/catalog.xml?page_size=7"
			var firstHash [16]byte
			pages := 0
			for next != "" {
				if pages++; pages > 100 {
					t.Fatal("paging does not end")
				}
				if !strings.HasPrefix(next, p.URL+"/catalog.xml?") {
					t.Fatalf("next page %q leaves the source", next)
				}
				r := p.Get(t, strings.TrimPrefix(next, p.URL))
				if r.Status != 200 {
					t.Fatalf("%s: %d", next, r.Status)
				}
				h := md5.Sum(r.Body)
				if pages == 1 {
					firstHash = h
				} else if h == firstHash {
					t.Fatalf("page %d repeats the first page (the harvester would stop here)", pages)
				}
				g := parseGraph(t, rdf.RDFXML, r.Body)
				for _, ds := range g.subjectsOfType(nsDCAT + "Dataset") {
					seen[ds]++
					hv := &harvested{}
					if v := g.objects(ds, nsDCT+"identifier"); len(v) > 0 {
						hv.identifier = v[0].value
					}
					if v := g.objects(ds, nsDCT+"title"); len(v) > 0 {
						hv.title = v[0].value
					}
					for _, dist := range g.objects(ds, nsDCAT+"distribution") {
						for _, a := range g.objects(dist.key(), nsDCAT+"accessURL") {
							hv.access = append(hv.access, a.value)
						}
						for _, a := range g.objects(dist.key(), nsDCAT+"downloadURL") {
							hv.download = append(hv.download, a.value)
						}
					}
					got[ds] = hv
				}
				next = ""
				for _, class := range []string{nsHydra + "PartialCollectionView", nsHydra + "PagedCollection"} {
					for _, n := range g.subjectsOfType(class) {
						if v := g.objects(n, nsHydra+"next"); len(v) > 0 && next == "" {
							next = v[0].value
						}
						if v := g.objects(n, nsHydra+"nextPage"); len(v) > 0 && next == "" {
							next = v[0].value
						}
					}
				}
			}
			if wantPages := (len(want) + 6) / 7; pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
			if len(got) != len(want) {
				t.Errorf("harvested %d datasets, want %d", len(got), len(want))
			}
			for s, n := range seen {
				if n != 1 {
					t.Errorf("%s harvested %d times", s, n)
				}
			}
			for _, d := range want {
				hv := got[p.URL+"/datasets/"+url.PathEscape(d.ID)]
				if hv == nil {
					t.Errorf("%s not harvested", d.ID)
					continue
				}
				if hv.identifier != d.ID || hv.title != d.Title || len(hv.access) != len(d.Resources) {
					t.Errorf("%s: harvested %+v", d.ID, hv)
				}
				if d.OpenType == catalog.Unconditional {
					for i, res := range d.Resources {
						dl := p.URL + "/api/v1/resources/" + url.PathEscape(res.ID) + "/download"
						if !contains(hv.download, dl) || !contains(hv.access, dl) {
							t.Errorf("%s resource %d: download %v", d.ID, i, hv.download)
						}
					}
				} else if len(hv.download) != 0 || (len(hv.access) > 0 && !strings.Contains(hv.access[0], "/apply?dataset=")) {
					t.Errorf("%s (conditional): access %v download %v", d.ID, hv.access, hv.download)
				}
			}
		})
	}
}
