package ckan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A parsed q/fq expression in the subset of Solr syntax CKAN clients send:
// field:value, field:"quoted value", field:[a TO b] / {a TO b} (with *),
// AND, OR, NOT, -term, +term, parentheses, bare words (full text), *:*.
type node interface{ sql(b *sqlBuilder) error }

type (
	andNode  []node
	orNode   []node
	notNode  struct{ n node }
	termNode struct {
		field, value string
		quoted       bool
	}
	rangeNode struct {
		field          string
		lo, hi         string
		loIncl, hiIncl bool
	}
	allNode struct{}
)

type token struct {
	kind string // word, quoted, (, ), range, -, +
	text string
	// range tokens
	lo, hi         string
	loIncl, hiIncl bool
}

// lex splits a query into tokens. "field:" stays glued to its value.
func lex(s string) ([]token, error) {
	var out []token
	r := []rune(s)
	i := 0
	for i < len(r) {
		c := r[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			out = append(out, token{kind: string(c)})
			i++
		case (c == '-' || c == '+') && (i+1 < len(r) && !unicode.IsSpace(r[i+1])) && (i == 0 || unicode.IsSpace(r[i-1]) || r[i-1] == '('):
			out = append(out, token{kind: string(c)})
			i++
		default:
			// a word, possibly field:"quoted" or field:[a TO b]
			start := i
			for i < len(r) && !unicode.IsSpace(r[i]) && r[i] != '(' && r[i] != ')' && r[i] != '"' && r[i] != '[' && r[i] != '{' {
				if r[i] == '\\' && i+1 < len(r) {
					i++
				}
				i++
			}
			word := string(r[start:i])
			if i < len(r) && r[i] == '"' {
				j := i + 1
				var b strings.Builder
				for j < len(r) && r[j] != '"' {
					if r[j] == '\\' && j+1 < len(r) {
						j++
					}
					b.WriteRune(r[j])
					j++
				}
				if j >= len(r) {
					return nil, fmt.Errorf("unclosed quote")
				}
				out = append(out, token{kind: "quoted", text: word + b.String(), lo: word})
				i = j + 1
				continue
			}
			if i < len(r) && (r[i] == '[' || r[i] == '{') {
				open := r[i]
				j := i + 1
				for j < len(r) && r[j] != ']' && r[j] != '}' {
					j++
				}
				if j >= len(r) {
					return nil, fmt.Errorf("unclosed range")
				}
				parts := strings.Fields(string(r[i+1 : j]))
				if len(parts) != 3 || !strings.EqualFold(parts[1], "TO") {
					return nil, fmt.Errorf("range must be [from TO to]")
				}
				out = append(out, token{kind: "range", text: word, lo: parts[0], hi: parts[2], loIncl: open == '[', hiIncl: r[j] == ']'})
				i = j + 1
				continue
			}
			if word != "" {
				out = append(out, token{kind: "word", text: unescape(word)})
			} else if i < len(r) {
				i++
			}
		}
	}
	return out, nil
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

type parser struct {
	toks  []token
	pos   int
	depth int // nesting of groups and NOTs
}

// Limits of one q or fq: the parser recurses per group or NOT, and every
// term becomes LIKE conditions with bound values, so length, terms and
// nesting are bounded (SQLite refuses expressions deeper than 1000).
const (
	maxQueryBytes = 2000
	maxQueryTerms = 200
	maxQueryDepth = 32
)

// parseQuery parses q or fq; an empty or *:* query matches everything.
func parseQuery(s string) (node, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "*:*" || s == "*" {
		return allNode{}, nil
	}
	if len(s) > maxQueryBytes {
		return nil, fmt.Errorf("query longer than %d bytes", maxQueryBytes)
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	terms := 0
	for _, t := range toks {
		if t.kind == "word" || t.kind == "quoted" || t.kind == "range" {
			terms++
		}
	}
	if terms > maxQueryTerms {
		return nil, fmt.Errorf("more than %d terms", maxQueryTerms)
	}
	p := &parser{toks: toks}
	n, err := p.or("")
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].kind)
	}
	return n, nil
}

func (p *parser) peek() *token {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t != nil && t.kind == "word" && t.text == w
}

func (p *parser) or(field string) (node, error) {
	if p.depth++; p.depth > maxQueryDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxQueryDepth)
	}
	defer func() { p.depth-- }()
	var list orNode
	for {
		n, err := p.and(field)
		if err != nil {
			return nil, err
		}
		list = append(list, n)
		if !p.isWord("OR") && !p.isWord("||") {
			break
		}
		p.pos++
	}
	if len(list) == 1 {
		return list[0], nil
	}
	return list, nil
}

func (p *parser) and(field string) (node, error) {
	var list andNode
	for {
		t := p.peek()
		if t == nil || t.kind == ")" || p.isWord("OR") || p.isWord("||") {
			break
		}
		if p.isWord("AND") || p.isWord("&&") {
			p.pos++
			continue
		}
		n, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		list = append(list, n)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	if len(list) == 1 {
		return list[0], nil
	}
	return list, nil
}

func (p *parser) unary(field string) (node, error) {
	t := p.peek()
	if t.kind == "-" || p.isWord("NOT") || p.isWord("!") {
		p.pos++
		if p.peek() == nil {
			return nil, fmt.Errorf("NOT needs a term")
		}
		if p.depth++; p.depth > maxQueryDepth {
			return nil, fmt.Errorf("nested deeper than %d", maxQueryDepth)
		}
		defer func() { p.depth-- }()
		n, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	}
	if t.kind == "+" {
		p.pos++
		if p.peek() == nil {
			return nil, fmt.Errorf("+ needs a term")
		}
	}
	return p.primary(field)
}

func (p *parser) primary(field string) (node, error) {
	t := p.peek()
	p.pos++
	switch t.kind {
	case "(":
		n, err := p.or(field)
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c == nil || c.kind != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return n, nil
	case "range":
		f := strings.TrimSuffix(t.text, ":")
		if f == "" {
			f = field
		}
		return rangeNode{field: f, lo: t.lo, hi: t.hi, loIncl: t.loIncl, hiIncl: t.hiIncl}, nil
	case "quoted":
		f := strings.TrimSuffix(t.lo, ":")
		if f == "" {
			f = field
		}
		return termNode{field: f, value: strings.TrimPrefix(t.text, t.lo), quoted: true}, nil
	case "word":
		if t.text == "*:*" {
			return allNode{}, nil
		}
		if f, v, ok := strings.Cut(t.text, ":"); ok && f != "" {
			if v == "" {
				// field:(a OR b)
				if c := p.peek(); c != nil && c.kind == "(" {
					p.pos++
					n, err := p.or(f)
					if err != nil {
						return nil, err
					}
					if c := p.peek(); c == nil || c.kind != ")" {
						return nil, fmt.Errorf("missing )")
					}
					p.pos++
					return n, nil
				}
				return nil, fmt.Errorf("%s: needs a value", f)
			}
			return termNode{field: f, value: v}, nil
		}
		return termNode{field: field, value: t.text}, nil
	}
	return nil, fmt.Errorf("unexpected %q", t.kind)
}

// sqlBuilder turns a node into a WHERE fragment on the datasets table.
type sqlBuilder struct {
	b    strings.Builder
	args []any
	now  time.Time
}

func (a andNode) sql(b *sqlBuilder) error { return b.join(a, " AND ") }
func (o orNode) sql(b *sqlBuilder) error  { return b.join(o, " OR ") }
func (allNode) sql(b *sqlBuilder) error   { b.b.WriteString("1 = 1"); return nil }

func (b *sqlBuilder) join(list []node, op string) error {
	b.b.WriteString("(")
	for i, n := range list {
		if i > 0 {
			b.b.WriteString(op)
		}
		if err := n.sql(b); err != nil {
			return err
		}
	}
	b.b.WriteString(")")
	return nil
}

func (n notNode) sql(b *sqlBuilder) error {
	b.b.WriteString("NOT ")
	b.b.WriteString("(")
	if err := n.n.sql(b); err != nil {
		return err
	}
	b.b.WriteString(")")
	return nil
}

var likeEsc = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

func (b *sqlBuilder) add(sql string, args ...any) {
	b.b.WriteString(sql)
	b.args = append(b.args, args...)
}

// wildcard splits a trailing-wildcard value (企业*, ds-*) into its prefix;
// Solr's other wildcards (* or ? inside a word, a leading *) are refused
// rather than matched literally to nothing.
func wildcard(t termNode) (prefix string, ok bool, err error) {
	v := t.value
	if t.quoted || v == "*" {
		return v, false, nil
	}
	body, trailing := strings.CutSuffix(v, "*")
	if strings.ContainsAny(body, "*?") {
		return "", false, fmt.Errorf("only a trailing wildcard is supported (%q)", v)
	}
	return body, trailing, nil
}

func (t termNode) sql(b *sqlBuilder) error {
	v := t.value
	any := v == "*"
	prefix, wild, err := wildcard(t)
	if err != nil {
		return err
	}
	if wild {
		switch t.field {
		case "", "text", "title", "notes", "res_name":
			// Substring matches already match every completion of the prefix.
			v = prefix
		case "name", "id":
			b.add("datasets.id LIKE ? ESCAPE '!'", likeEsc.Replace(prefix)+"%")
			return nil
		case "organization", "owner_org":
			b.add("datasets.department_id LIKE ? ESCAPE '!'", likeEsc.Replace(prefix)+"%")
			return nil
		case "groups":
			b.add("datasets.topic_id LIKE ? ESCAPE '!'", likeEsc.Replace(prefix)+"%")
			return nil
		case "tags":
			enc, _ := json.Marshal(prefix)
			b.add("datasets.tags LIKE ? ESCAPE '!'", "%"+likeEsc.Replace(strings.TrimSuffix(string(enc), `"`))+"%")
			return nil
		case "res_format":
			b.add("EXISTS (SELECT 1 FROM resources r WHERE r.dataset_id = datasets.id AND UPPER(r.format) LIKE ? ESCAPE '!')", likeEsc.Replace(strings.ToUpper(prefix))+"%")
			return nil
		default:
			return fmt.Errorf("field %q does not take wildcards", t.field)
		}
	}
	switch t.field {
	case "title", "notes":
		col := map[string]string{"title": "datasets.title", "notes": "datasets.description"}[t.field]
		words := strings.Fields(v)
		if t.quoted {
			words = []string{v}
		}
		if len(words) == 0 || any {
			b.add("1 = 1")
			return nil
		}
		b.b.WriteString("(1 = 1")
		for _, w := range words {
			b.add(" AND "+col+" LIKE ? ESCAPE '!'", "%"+likeEsc.Replace(w)+"%")
		}
		b.b.WriteString(")")
		return nil
	}
	switch t.field {
	case "", "text":
		// Full text: every word must appear in the title, description,
		// tags, data items or department name.
		words := strings.Fields(v)
		if t.quoted {
			words = []string{v}
		}
		if len(words) == 0 || any {
			b.add("1 = 1")
			return nil
		}
		b.b.WriteString("(")
		for i, w := range words {
			if i > 0 {
				b.b.WriteString(" AND ")
			}
			p := "%" + likeEsc.Replace(w) + "%"
			b.add("(datasets.title LIKE ? ESCAPE '!' OR datasets.description LIKE ? ESCAPE '!' OR datasets.tags LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM data_items di WHERE di.dataset_id = datasets.id AND (di.label LIKE ? ESCAPE '!' OR di.name LIKE ? ESCAPE '!')))", p, p, p, p, p)
		}
		b.b.WriteString(")")
	case "organization", "owner_org":
		if any {
			b.add("1 = 1")
		} else {
			b.add("datasets.department_id = ?", v)
		}
	case "groups":
		if any {
			b.add("1 = 1")
		} else {
			b.add("datasets.topic_id = ?", v)
		}
	case "tags":
		if any {
			b.add("datasets.tags <> '[]'")
		} else {
			enc, _ := json.Marshal(v)
			b.add("datasets.tags LIKE ? ESCAPE '!'", "%"+likeEsc.Replace(string(enc))+"%")
		}
	case "res_format":
		if any {
			b.add("EXISTS (SELECT 1 FROM resources r WHERE r.dataset_id = datasets.id)")
		} else {
			b.add("EXISTS (SELECT 1 FROM resources r WHERE r.dataset_id = datasets.id AND UPPER(r.format) = ?)", strings.ToUpper(v))
		}
	case "name", "id":
		b.add("datasets.id = ?", v)
	case "license_id":
		ot := ""
		for _, l := range licenses {
			if l.ID == v {
				ot = l.openType
			}
		}
		b.add("datasets.open_type = ?", ot)
	case "open_type", "extras_open_type":
		b.add("datasets.open_type = ?", v)
	case "update_frequency", "extras_update_frequency":
		b.add("datasets.update_frequency = ?", v)
	case "grade", "extras_grade":
		b.add("datasets.grade = ?", v)
	case "res_name":
		b.add("EXISTS (SELECT 1 FROM resources r WHERE r.dataset_id = datasets.id AND r.name LIKE ? ESCAPE '!')", "%"+likeEsc.Replace(v)+"%")
	case "metadata_modified", "metadata_created":
		return rangeNode{field: t.field, lo: v, hi: v, loIncl: true, hiIncl: true}.sql(b)
	case "state":
		if v == "active" || any {
			b.add("1 = 1")
		} else {
			b.add("1 = 0")
		}
	case "private":
		if v == "false" || any {
			b.add("1 = 1")
		} else {
			b.add("1 = 0")
		}
	case "dataset_type", "type":
		if v == "dataset" || any {
			b.add("1 = 1")
		} else {
			b.add("1 = 0")
		}
	default:
		return fmt.Errorf("unknown field %q (try organization, groups, tags, res_format, title, notes, name, metadata_modified, license_id, open_type)", t.field)
	}
	return nil
}

func (r rangeNode) sql(b *sqlBuilder) error {
	col := map[string]string{"metadata_modified": "datasets.updated_at", "metadata_created": "datasets.published_at"}[r.field]
	if col == "" {
		return fmt.Errorf("ranges work on metadata_modified and metadata_created, not %q", r.field)
	}
	// bound adds one end of the range; "*" leaves it open.
	bound := func(v string, incl bool, op, opIncl string) error {
		if v == "*" {
			return nil
		}
		t, err := solrTime(v, b.now)
		if err != nil {
			return err
		}
		if incl {
			op = opIncl
		}
		b.add(" AND "+col+" "+op+" ?", t)
		return nil
	}
	b.b.WriteString("(1 = 1")
	if err := bound(r.lo, r.loIncl, ">", ">="); err != nil {
		return err
	}
	if err := bound(r.hi, r.hiIncl, "<", "<="); err != nil {
		return err
	}
	b.b.WriteString(")")
	return nil
}

// solrTime reads 2024-01-02T03:04:05Z (fractions and no zone allowed),
// 2024-01-02, and NOW followed by Solr date math: any sequence of
// rounding (/DAY, /MONTH, /YEAR, /HOUR, /MINUTE) and offsets (-7DAYS,
// +1MONTH, -1YEAR, -2HOURS), applied left to right as Solr does, so
// NOW/DAY-30DAYS is midnight (UTC) thirty days ago.
func solrTime(s string, now time.Time) (time.Time, error) {
	if strings.HasPrefix(strings.ToUpper(s), "NOW") {
		rest := strings.ToUpper(s[3:])
		t := now.UTC()
		bad := fmt.Errorf("bad date math %q", s)
		for rest != "" {
			op := rest[0]
			rest = rest[1:]
			n := 0
			if op == '-' || op == '+' {
				j := 0
				for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
					j++
				}
				v, err := strconv.Atoi(rest[:j])
				if err != nil || v > 100000 {
					return time.Time{}, bad
				}
				n, rest = v, rest[j:]
				if op == '-' {
					n = -n
				}
			} else if op != '/' {
				return time.Time{}, bad
			}
			k := 0
			for k < len(rest) && rest[k] >= 'A' && rest[k] <= 'Z' {
				k++
			}
			unit := strings.TrimSuffix(rest[:k], "S")
			rest = rest[k:]
			if op == '/' {
				y, m, d := t.Date()
				switch unit {
				case "YEAR":
					t = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
				case "MONTH":
					t = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
				case "DAY":
					t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
				case "HOUR":
					t = t.Truncate(time.Hour)
				case "MINUTE":
					t = t.Truncate(time.Minute)
				default:
					return time.Time{}, bad
				}
				continue
			}
			switch unit {
			case "YEAR":
				t = t.AddDate(n, 0, 0)
			case "MONTH":
				t = t.AddDate(0, n, 0)
			case "DAY":
				t = t.AddDate(0, 0, n)
			case "HOUR":
				t = t.Add(time.Duration(n) * time.Hour)
			case "MINUTE":
				t = t.Add(time.Duration(n) * time.Minute)
			default:
				return time.Time{}, bad
			}
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q: want 2024-01-31T00:00:00Z", s)
}
