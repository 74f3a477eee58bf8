package embedded

import (
	"strings"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/internal/highlight"
)

// highlighter marks the query's terms in document text: CJK bigrams (and
// single-rune runs), whole words, and words starting with a prefix.
type highlighter struct {
	bigrams  map[[2]rune]bool
	unigrams map[rune]bool
	words    map[string]bool
	prefixes []string
}

func newHighlighter(runs []queryRun) *highlighter {
	if len(runs) == 0 {
		return nil
	}
	h := &highlighter{bigrams: map[[2]rune]bool{}, unigrams: map[rune]bool{}, words: map[string]bool{}}
	for _, r := range runs {
		switch {
		case r.cjk && len(r.text) == 1:
			h.unigrams[r.text[0]] = true
		case r.cjk:
			for i := 1; i < len(r.text); i++ {
				h.bigrams[[2]rune{r.text[i-1], r.text[i]}] = true
			}
		case r.prefix:
			h.prefixes = append(h.prefixes, string(r.text))
		default:
			h.words[string(r.text)] = true
		}
	}
	return h
}

// mark returns text's runes and which of them belong to a match.
func (h *highlighter) mark(text string) ([]rune, []bool) {
	runes := []rune(text)
	folded := make([]rune, len(runes))
	for i, r := range runes {
		folded[i] = foldRune(r)
	}
	marked := make([]bool, len(runes))
	for i := 0; i < len(folded); i++ {
		switch classify(folded[i]) {
		case classCJK:
			if h.unigrams[folded[i]] {
				marked[i] = true
			}
			if i+1 < len(folded) && h.bigrams[[2]rune{folded[i], folded[i+1]}] {
				marked[i], marked[i+1] = true, true
			}
		case classWord:
			j := i
			for j < len(folded) && classify(folded[j]) == classWord {
				j++
			}
			if h.wordMatches(string(folded[i:j])) {
				for k := i; k < j; k++ {
					marked[k] = true
				}
			}
			i = j - 1
		}
	}
	return runes, marked
}

func (h *highlighter) wordMatches(w string) bool {
	if h.words[w] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// document returns the highlights of the fields of d that matched.
func (h *highlighter) document(d *search.Document) map[string]string {
	out := map[string]string{}
	whole := func(key, text string) {
		if runes, marked := h.mark(text); highlight.Any(marked) {
			out[key] = highlight.Render(runes, marked)
		}
	}
	list := func(key string, items []string) {
		var parts []string
		for _, it := range items {
			if runes, marked := h.mark(it); highlight.Any(marked) {
				parts = append(parts, highlight.Render(runes, marked))
			}
		}
		if len(parts) > 0 {
			out[key] = strings.Join(parts, highlight.ItemSeparator)
		}
	}
	whole("title", d.Title)
	if runes, marked := h.mark(d.Description); highlight.Any(marked) {
		out["description"] = highlight.Snippet(runes, marked, highlight.SnippetRunes)
	}
	whole("department_name", d.DepartmentName)
	whole("topic_name", d.TopicName)
	list("data_items", d.DataItems)
	list("tags", d.Tags)
	if len(out) == 0 {
		return nil
	}
	return out
}
