package dcat

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Term is an RDF term: an IRI, a blank node ("_:" + id) or a literal.
type Term struct {
	IRI      string
	Blank    string
	Value    string
	Lang     string
	Datatype string
}

// IRI, Blank and literal constructors.
func IRI(s string) Term                { return Term{IRI: s} }
func Blank(id string) Term             { return Term{Blank: id} }
func Lit(v string) Term                { return Term{Value: v} }
func LangLit(v, lang string) Term      { return Term{Value: v, Lang: lang} }
func TypedLit(v, datatype string) Term { return Term{Value: v, Datatype: datatype} }

func (t Term) isLiteral() bool { return t.IRI == "" && t.Blank == "" }

// Triple is one statement.
type Triple struct {
	S, P, O Term
}

// Graph is an ordered list of triples (subjects keep first-use order).
type Graph struct {
	Triples []Triple
	blanks  int
}

// Add appends a triple; empty literals are skipped.
func (g *Graph) Add(s Term, p string, o Term) {
	if o.isLiteral() && o.Value == "" {
		return
	}
	if !o.isLiteral() && o.IRI == "" && o.Blank == "" {
		return
	}
	g.Triples = append(g.Triples, Triple{s, IRI(p), o})
}

// NewBlank returns a fresh blank node.
func (g *Graph) NewBlank() Term {
	g.blanks++
	return Blank(fmt.Sprintf("b%d", g.blanks))
}

// Namespaces used in the output, with their prefixes.
var prefixes = []struct{ Prefix, NS string }{
	{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
	{"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
	{"dcat", "http://www.w3.org/ns/dcat#"},
	{"dct", "http://purl.org/dc/terms/"},
	{"foaf", "http://xmlns.com/foaf/0.1/"},
	{"vcard", "http://www.w3.org/2006/vcard/ns#"},
	{"skos", "http://www.w3.org/2004/02/skos/core#"},
	{"spdx", "http://spdx.org/rdf/terms#"},
	{"hydra", "http://www.w3.org/ns/hydra/core#"},
	{"adms", "http://www.w3.org/ns/adms#"},
	{"owl", "http://www.w3.org/2002/07/owl#"},
	{"dcatap", "http://data.europa.eu/r5r/"},
}

// Namespace shortcuts.
const (
	RDF   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	RDFS  = "http://www.w3.org/2000/01/rdf-schema#"
	XSD   = "http://www.w3.org/2001/XMLSchema#"
	DCAT  = "http://www.w3.org/ns/dcat#"
	DCT   = "http://purl.org/dc/terms/"
	FOAF  = "http://xmlns.com/foaf/0.1/"
	VCARD = "http://www.w3.org/2006/vcard/ns#"
	SKOS  = "http://www.w3.org/2004/02/skos/core#"
	SPDX  = "http://spdx.org/rdf/terms#"
	HYDRA = "http://www.w3.org/ns/hydra/core#"
	OWL   = "http://www.w3.org/2002/07/owl#"
)

var localName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// allPrefixes adds the portal vocabulary (deployment-relative) to the list.
func allPrefixes(vocab string) []struct{ Prefix, NS string } {
	return append(append([]struct{ Prefix, NS string }{}, prefixes...), struct{ Prefix, NS string }{"hlj", vocab})
}

func qname(iri string, pfx []struct{ Prefix, NS string }) (string, string, bool) {
	for _, p := range pfx {
		if strings.HasPrefix(iri, p.NS) && localName.MatchString(iri[len(p.NS):]) {
			return p.Prefix, iri[len(p.NS):], true
		}
	}
	return "", "", false
}

// subjects groups triples by subject in first-appearance order.
func (g *Graph) subjects() ([]Term, map[Term][]Triple) {
	var order []Term
	by := map[Term][]Triple{}
	for _, t := range g.Triples {
		if _, ok := by[t.S]; !ok {
			order = append(order, t.S)
		}
		by[t.S] = append(by[t.S], t)
	}
	return order, by
}

// ---- Turtle

func turtleString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func turtleIRI(iri string) string {
	r := strings.NewReplacer(">", "%3E", "<", "%3C", `"`, "%22", " ", "%20", "{", "%7B", "}", "%7D", "|", "%7C", "^", "%5E", "`", "%60", `\`, "%5C")
	return "<" + r.Replace(iri) + ">"
}

func (t Term) turtle(pfx []struct{ Prefix, NS string }) string {
	switch {
	case t.Blank != "":
		return "_:" + t.Blank
	case t.IRI != "":
		if p, l, ok := qname(t.IRI, pfx); ok {
			return p + ":" + l
		}
		return turtleIRI(t.IRI)
	}
	s := turtleString(t.Value)
	if t.Lang != "" {
		return s + "@" + t.Lang
	}
	if t.Datatype != "" {
		return s + "^^" + Term{IRI: t.Datatype}.turtle(pfx)
	}
	return s
}

// WriteTurtle writes the graph as Turtle.
func (g *Graph) WriteTurtle(w io.Writer, vocab string) error {
	bw := bufio.NewWriter(w)
	pfx := allPrefixes(vocab)
	for _, p := range pfx {
		fmt.Fprintf(bw, "@prefix %s: <%s> .\n", p.Prefix, p.NS)
	}
	order, by := g.subjects()
	for _, s := range order {
		bw.WriteString("\n" + s.turtle(pfx))
		ts := by[s]
		for i := 0; i < len(ts); {
			p := ts[i].P
			pred := p.turtle(pfx)
			if p.IRI == RDF+"type" {
				pred = "a"
			}
			if i > 0 {
				bw.WriteString(" ;")
			}
			bw.WriteString("\n    " + pred + " ")
			first := true
			for ; i < len(ts) && ts[i].P == p; i++ {
				if !first {
					bw.WriteString(", ")
				}
				first = false
				bw.WriteString(ts[i].O.turtle(pfx))
			}
		}
		bw.WriteString(" .\n")
	}
	return bw.Flush()
}

// ---- RDF/XML

// WriteRDFXML writes the graph as RDF/XML, one rdf:Description per subject.
func (g *Graph) WriteRDFXML(w io.Writer, vocab string) error {
	bw := bufio.NewWriter(w)
	pfx := allPrefixes(vocab)
	bw.WriteString(xml.Header + "<rdf:RDF")
	for _, p := range pfx {
		fmt.Fprintf(bw, "\n    xmlns:%s=\"%s\"", p.Prefix, attr(p.NS))
	}
	bw.WriteString(">\n")
	order, by := g.subjects()
	for _, s := range order {
		if s.Blank != "" {
			fmt.Fprintf(bw, "  <rdf:Description rdf:nodeID=\"%s\">\n", s.Blank)
		} else {
			fmt.Fprintf(bw, "  <rdf:Description rdf:about=\"%s\">\n", attr(s.IRI))
		}
		for _, t := range by[s] {
			p, l, ok := qname(t.P.IRI, pfx)
			if !ok {
				return fmt.Errorf("predicate %s has no prefix", t.P.IRI)
			}
			name := p + ":" + l
			switch {
			case t.O.Blank != "":
				fmt.Fprintf(bw, "    <%s rdf:nodeID=\"%s\"/>\n", name, t.O.Blank)
			case t.O.IRI != "":
				fmt.Fprintf(bw, "    <%s rdf:resource=\"%s\"/>\n", name, attr(t.O.IRI))
			default:
				extra := ""
				if t.O.Lang != "" {
					extra = ` xml:lang="` + attr(t.O.Lang) + `"`
				} else if t.O.Datatype != "" {
					extra = ` rdf:datatype="` + attr(t.O.Datatype) + `"`
				}
				fmt.Fprintf(bw, "    <%s%s>%s</%s>\n", name, extra, text(t.O.Value), name)
			}
		}
		bw.WriteString("  </rdf:Description>\n")
	}
	bw.WriteString("</rdf:RDF>\n")
	return bw.Flush()
}

func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&quot;")
}

func text(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// ---- JSON-LD (compact IRIs through an @context of prefixes, @graph)

// WriteJSONLD writes the graph as JSON-LD.
func (g *Graph) WriteJSONLD(w io.Writer, vocab string) error {
	pfx := allPrefixes(vocab)
	ctx := map[string]string{}
	for _, p := range pfx {
		ctx[p.Prefix] = p.NS
	}
	compact := func(iri string) string {
		if p, l, ok := qname(iri, pfx); ok {
			return p + ":" + l
		}
		return iri
	}
	order, by := g.subjects()
	nodes := make([]map[string]any, 0, len(order))
	for _, s := range order {
		n := map[string]any{}
		if s.Blank != "" {
			n["@id"] = "_:" + s.Blank
		} else {
			n["@id"] = s.IRI
		}
		for _, t := range by[s] {
			if t.P.IRI == RDF+"type" {
				list, _ := n["@type"].([]string)
				n["@type"] = append(list, compact(t.O.IRI))
				continue
			}
			key := compact(t.P.IRI)
			var v map[string]any
			switch {
			case t.O.Blank != "":
				v = map[string]any{"@id": "_:" + t.O.Blank}
			case t.O.IRI != "":
				v = map[string]any{"@id": t.O.IRI}
			default:
				v = map[string]any{"@value": t.O.Value}
				if t.O.Lang != "" {
					v["@language"] = t.O.Lang
				} else if t.O.Datatype != "" {
					v["@type"] = compact(t.O.Datatype)
				}
			}
			list, _ := n[key].([]any)
			n[key] = append(list, v)
		}
		nodes = append(nodes, n)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{"@context": ctx, "@graph": nodes})
}
