// Package highlight renders HTML-safe highlight snippets shared by the
// engines: text is escaped, and marked runes are wrapped in <mark>...</mark>.
// Engines only decide which runes matched; the markup lives here so both
// engines produce the same output.
package highlight

import (
	"html"
	"strings"
	"unicode/utf8"
)

// SnippetRunes is the window length for long fields such as description.
const SnippetRunes = 80

// ItemSeparator joins the matching labels of list fields (data items, tags).
const ItemSeparator = "、"

const (
	openTag  = "<mark>"
	closeTag = "</mark>"
	ellipsis = "…"
)

// Any reports whether any rune is marked.
func Any(marked []bool) bool {
	for _, m := range marked {
		if m {
			return true
		}
	}
	return false
}

// Render escapes text and wraps each run of marked runes in one <mark>.
func Render(text []rune, marked []bool) string {
	var b strings.Builder
	b.Grow(len(text)*3 + 16)
	in := false
	start := 0
	flush := func(end int) {
		if end > start {
			b.WriteString(html.EscapeString(string(text[start:end])))
		}
		start = end
	}
	for i := range text {
		m := i < len(marked) && marked[i]
		if m != in {
			flush(i)
			if m {
				b.WriteString(openTag)
			} else {
				b.WriteString(closeTag)
			}
			in = m
		}
	}
	flush(len(text))
	if in {
		b.WriteString(closeTag)
	}
	return b.String()
}

// Snippet renders a window of about size runes starting a little before the
// longest match (the first one among equals): a whole phrase beats scattered
// pieces of it. Cut ends get an ellipsis; a match running past the window
// end is kept whole.
func Snippet(text []rune, marked []bool, size int) string {
	if len(text) <= size {
		return Render(text, marked)
	}
	anchor := longestRun(marked)
	start := max(0, anchor-size/4)
	end := min(len(text), start+size)
	start = max(0, end-size)
	for end < len(text) && end > 0 && end < len(marked) && marked[end-1] && marked[end] {
		end++
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString(ellipsis)
	}
	b.WriteString(Render(text[start:end], marked[start:min(end, len(marked))]))
	if end < len(text) {
		b.WriteString(ellipsis)
	}
	return b.String()
}

// longestRun returns where the longest run of marked runes starts.
func longestRun(marked []bool) int {
	best, bestLen := 0, 0
	for i := 0; i < len(marked); {
		if !marked[i] {
			i++
			continue
		}
		j := i
		for j < len(marked) && marked[j] {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	return best
}

// ParseSentinels reads text whose matches an engine wrapped in the unique
// pre/post sentinel strings, returning the plain runes and which are marked.
// Sentinels must not be HTML-escaped yet: escaping happens in Render.
func ParseSentinels(s, pre, post string) ([]rune, []bool) {
	text := make([]rune, 0, len(s))
	marked := make([]bool, 0, len(s))
	in := false
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, pre):
			in = true
			s = s[len(pre):]
		case strings.HasPrefix(s, post):
			in = false
			s = s[len(post):]
		default:
			r, size := utf8.DecodeRuneInString(s)
			text = append(text, r)
			marked = append(marked, in)
			s = s[size:]
		}
	}
	return text, marked
}
