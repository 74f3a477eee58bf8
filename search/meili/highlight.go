package meili

import (
	"strings"

	"github.com/hlj-opendata/portal/search/internal/highlight"
)

// formatted is the part of a hit's _formatted object we highlight from.
type formatted struct {
	Title          string   `json:"title"`
	Description    string   `json:"description"`
	DepartmentName string   `json:"department_name"`
	TopicName      string   `json:"topic_name"`
	DataItems      []string `json:"data_items"`
	Tags           []string `json:"tags"`
}

// highlights renders the fields Meilisearch marked, in the same form as
// the embedded engine: escaped text, <mark> around matches, a window
// around the best match of the description, matching labels only for lists.
func (f *formatted) highlights() map[string]string {
	out := map[string]string{}
	whole := func(key, text string) {
		if strings.Contains(text, preTag) {
			out[key] = highlight.Render(highlight.ParseSentinels(text, preTag, postTag))
		}
	}
	list := func(key string, items []string) {
		var parts []string
		for _, it := range items {
			if strings.Contains(it, preTag) {
				parts = append(parts, highlight.Render(highlight.ParseSentinels(it, preTag, postTag)))
			}
		}
		if len(parts) > 0 {
			out[key] = strings.Join(parts, highlight.ItemSeparator)
		}
	}
	whole("title", f.Title)
	if strings.Contains(f.Description, preTag) {
		text, marked := highlight.ParseSentinels(f.Description, preTag, postTag)
		out["description"] = highlight.Snippet(text, marked, highlight.SnippetRunes)
	}
	whole("department_name", f.DepartmentName)
	whole("topic_name", f.TopicName)
	list("data_items", f.DataItems)
	list("tags", f.Tags)
	if len(out) == 0 {
		return nil
	}
	return out
}
