package dcat_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/piprate/json-gold/ld"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/dcat"
)

const (
	rdfType      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	dcatDataset  = "http://www.w3.org/ns/dcat#Dataset"
	dcatDistrib  = "http://www.w3.org/ns/dcat#Distribution"
	dcatDist     = "http://www.w3.org/ns/dcat#distribution"
	accessRights = "http://purl.org/dc/terms/accessRights"
	periodicity  = "http://purl.org/dc/terms/accrualPeriodicity"
)

type triple struct{ s, p, o string }

// parse reads a serialisation with a real RDF parser: knakk/rdf for
// Turtle and RDF/XML, json-gold (JSON-LD 1.1 toRDF) for JSON-LD.
func parse(t *testing.T, ext string, body []byte) []triple {
	t.Helper()
	var out []triple
	if ext == "jsonld" {
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("json: %v", err)
		}
		proc := ld.NewJsonLdProcessor()
		opts := ld.NewJsonLdOptions("")
		opts.Format = "application/n-quads"
		nq, err := proc.ToRDF(doc, opts)
		if err != nil {
			t.Fatalf("json-ld toRDF: %v", err)
		}
		body = []byte(nq.(string))
		ext = "nt"
	}
	format := map[string]rdf.Format{"ttl": rdf.Turtle, "rdf": rdf.RDFXML, "nt": rdf.NTriples}[ext]
	dec := rdf.NewTripleDecoder(bytes.NewReader(body), format)
	all, err := dec.DecodeAll()
	if err != nil {
		t.Fatalf("%s: %v\n%.600s", ext, err, body)
	}
	for _, tr := range all {
		o := tr.Obj.String()
		if tr.Obj.Type() == rdf.TermBlank {
			o = "_:"
		}
		s := tr.Subj.String()
		if tr.Subj.Type() == rdf.TermBlank {
			s = "_:"
		}
		out = append(out, triple{s, tr.Pred.String(), o})
	}
	return out
}

func has(ts []triple, s, p, o string) bool {
	for _, t := range ts {
		if (s == "" || t.s == s) && t.p == p && (o == "" || t.o == o) {
			return true
		}
	}
	return false
}

func TestDCATParsesInEverySerialisation(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var public, notOpen, cond catalog.Dataset
	p.DB.Where("open_type = ? AND status = ?", catalog.Unconditional, catalog.StatusPublished).Order("id").First(&public)
	p.DB.Where("open_type = ?", catalog.NotOpen).First(&notOpen)
	p.DB.Where("open_type = ?", catalog.Conditional).Order("id").First(&cond)
	var n int64
	p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ?", catalog.StatusPublished, []string{"unconditional", "conditional"}).Count(&n)
	counts := map[string]int{}
	for _, ext := range []string{"ttl", "rdf", "jsonld"} {
		t.Run(ext, func(t *testing.T) {
			r := p.Get(t, "/catalog."+ext+"?page_size=1000")
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			ts := parse(t, ext, r.Body)
			counts[ext] = len(ts)
			datasets, dists := 0, 0
			for _, tr := range ts {
				if tr.p == rdfType && tr.o == dcatDataset {
					datasets++
				}
				if tr.p == rdfType && tr.o == dcatDistrib {
					dists++
				}
			}
			if int64(datasets) != n || dists < datasets {
				t.Errorf("%d dcat:Dataset (want %d), %d dcat:Distribution", datasets, n, dists)
			}
			iri := func(id string) string { return p.URL + "/datasets/" + url.PathEscape(id) }
			if !has(ts, iri(public.ID), dcatDist, "") ||
				!has(ts, iri(public.ID), accessRights, "http://publications.europa.eu/resource/authority/access-right/PUBLIC") ||
				!has(ts, iri(cond.ID), accessRights, "http://publications.europa.eu/resource/authority/access-right/RESTRICTED") ||
				!has(ts, iri(public.ID), periodicity, "") {
				t.Error("missing dataset triples (distribution, access rights, periodicity)")
			}
			if has(ts, iri(notOpen.ID), rdfType, "") {
				t.Error("a not_open entry was exported")
			}
			if !has(ts, iri(cond.ID), dcat.FallbackVocab+"openConditions", "") || !has(ts, iri(public.ID), dcat.FallbackVocab+"grade", "") {
				t.Error("extension vocabulary missing")
			}
		})
	}
	if counts["ttl"] != counts["rdf"] || counts["ttl"] != counts["jsonld"] {
		t.Errorf("triple counts differ between serialisations: %v", counts)
	}
	// Paging, modified_since and one entry.
	r := p.Get(t, "/catalog.ttl?page_size=5&page=2")
	ts := parse(t, "ttl", r.Body)
	if !has(ts, "", "http://www.w3.org/ns/hydra/core#nextPage", "") || !has(ts, "", "http://www.w3.org/ns/hydra/core#previousPage", "") {
		t.Error("paging links missing")
	}
	r = p.Get(t, "/catalog.jsonld?modified_since=2999-01-01")
	if ts := parse(t, "jsonld", r.Body); has(ts, "", rdfType, dcatDataset) {
		t.Error("modified_since in the future still lists datasets")
	}
	for _, ext := range []string{"ttl", "rdf", "jsonld"} {
		r := p.Get(t, "/dataset/"+cond.ID+"."+ext)
		if r.Status != 200 {
			t.Fatalf("dataset %s: %d", ext, r.Status)
		}
		ts := parse(t, ext, r.Body)
		if !has(ts, p.URL+"/datasets/"+cond.ID, rdfType, dcatDataset) || !has(ts, "", rdfType, dcatDistrib) {
			t.Errorf("%s: no dataset/distribution", ext)
		}
		// Conditional: access through the application page, no download URL.
		if has(ts, "", "http://www.w3.org/ns/dcat#downloadURL", "") {
			t.Errorf("%s: conditional distribution with a downloadURL", ext)
		}
	}
	for _, path := range []string{"/dataset/" + notOpen.ID + ".ttl", "/dataset/nope.ttl", "/dataset/" + public.ID + ".pdf", "/catalog.ttl?page=0", "/catalog.ttl?modified_since=x"} {
		if r := p.Get(t, path); r.Status != 404 && r.Status != 400 {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
	if r := p.Get(t, "/ns/portal"); r.Status != 200 || !strings.Contains(string(r.Body), "openConditions") {
		t.Errorf("vocabulary: %d", r.Status)
	}
	if len(parse(t, "ttl", p.Get(t, "/ns/portal").Body)) < 20 {
		t.Error("vocabulary has too few triples")
	}
}

// The public dataset JSON names the entry's DCAT files (the dataset page
// turns them into <link rel="alternate">), and each one is served with its
// media type and describes that entry.
func TestDatasetJSONListsDCATAlternates(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	for _, openType := range []catalog.OpenType{catalog.Unconditional, catalog.Conditional} {
		var d catalog.Dataset
		if err := p.DB.Where("open_type = ? AND status = ?", openType, catalog.StatusPublished).Order("id").First(&d).Error; err != nil {
			t.Fatal(err)
		}
		var body struct {
			Alternates []struct{ Type, Href, Title string } `json:"alternates"`
		}
		p.Get(t, "/api/v1/datasets/"+d.ID).JSON(t, &body)
		want := map[string]string{"application/ld+json": "jsonld", "text/turtle": "ttl", "application/rdf+xml": "rdf"}
		if len(body.Alternates) != len(want) {
			t.Fatalf("%s: alternates %+v", d.ID, body.Alternates)
		}
		for _, a := range body.Alternates {
			ext, ok := want[a.Type]
			if !ok || a.Href != "/dataset/"+url.PathEscape(d.ID)+"."+ext || a.Title == "" {
				t.Errorf("%s: alternate %+v", d.ID, a)
				continue
			}
			r := p.Get(t, a.Href)
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), a.Type) {
				t.Fatalf("%s: %d %s", a.Href, r.Status, r.Header.Get("Content-Type"))
			}
			if ts := parse(t, ext, r.Body); !has(ts, "", rdfType, dcatDataset) || !has(ts, "", "http://purl.org/dc/terms/identifier", d.ID) {
				t.Errorf("%s: no dcat:Dataset with identifier %s", a.Href, d.ID)
			}
		}
	}
}
