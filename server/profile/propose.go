package profile

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"

	"github.com/hlj-opendata/portal/server/catalog"
)

// domainShare is the share of non-empty cells a domain must accept to be
// proposed from the data alone.
const domainShare = 0.95

// Propose proposes data items for a file profiled without any (every
// column undeclared): the header as label, an ASCII name (pinyin
// initials for Chinese), the inferred type, a value domain guessed from
// the name and label or else one that at least 95 % of the non-empty
// cells satisfy, and required when no cell is empty. The cell counts
// behind the domain guess are kept only in a Result fresh from Finish.
func Propose(r *Result) []Proposal {
	out := make([]Proposal, 0, len(r.Columns))
	used := map[string]bool{}
	for i, c := range r.Columns {
		label := c.ID
		if c.Label != "" {
			label = c.Label
		}
		name := uniqueName(identifier(label, i+1), used)
		typ := c.InferredType
		if typ == "" {
			typ = "string"
		}
		domain := catalog.GuessDomain(name, label, typ)
		if domain == "" {
			nonEmpty := r.Rows - c.Empty
			for j, d := range proposeDomains {
				if nonEmpty > 0 && float64(c.domainHits[j]) >= domainShare*float64(nonEmpty) {
					domain = d
					break
				}
			}
		}
		if domain != "" {
			// Codes and phone numbers identify, they do not measure:
			// as integers they would lose leading zeros and invite sums.
			typ = "string"
		}
		out = append(out, Proposal{Name: name, Label: label, Type: typ, Domain: domain, Required: r.Rows > 0 && c.Empty == 0})
	}
	return out
}

var firstLetters = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.FirstLetter
	return a
}()

// identifier turns a header into ^[A-Za-z_][A-Za-z0-9_]{0,63}$: ASCII
// letters and digits kept (lower-cased), each run of Chinese characters
// as its pinyin initials, anything else separating words with "_".
func identifier(header string, col int) string {
	var words []string
	var w strings.Builder
	han := false // the current word is pinyin
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range header {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			if han {
				flush()
			}
			han = false
			w.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Han, r):
			if !han {
				flush()
			}
			han = true
			if py := pinyin.SinglePinyin(r, firstLetters); len(py) > 0 && py[0] != "" {
				w.WriteString(py[0])
			}
		default:
			flush()
		}
	}
	flush()
	name := strings.Join(words, "_")
	if name == "" {
		return fmt.Sprintf("column_%d", col)
	}
	if name[0] >= '0' && name[0] <= '9' {
		name = "c" + name
	}
	return name[:min(len(name), 64)]
}

// uniqueName adds _2, _3… to a name already used.
func uniqueName(name string, used map[string]bool) string {
	candidate := name
	for n := 2; used[candidate]; n++ {
		suffix := fmt.Sprintf("_%d", n)
		candidate = name[:min(len(name), 64-len(suffix))] + suffix
	}
	used[candidate] = true
	return candidate
}
