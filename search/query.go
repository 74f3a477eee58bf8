package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidateQuery applies the limits every engine enforces, in the same order,
// so both engines reject the same requests with the same errors.
func ValidateQuery(q Query) error {
	if utf8.RuneCountInString(q.Text) > MaxQueryRunes {
		return ErrQueryTooLong
	}
	if q.Offset < 0 || q.Limit < 0 {
		return fmt.Errorf("%w: negative offset or limit", ErrBadQuery)
	}
	if q.Limit > MaxLimit {
		return fmt.Errorf("%w: limit %d above %d", ErrBadQuery, q.Limit, MaxLimit)
	}
	if q.After == "" && q.Offset+q.Limit > MaxWindow {
		return ErrTooDeep
	}
	for field := range q.Filters {
		if !IsFacetField(field) {
			return fmt.Errorf("%w: unknown filter field %q", ErrBadQuery, field)
		}
	}
	for _, field := range q.Facets {
		if !IsFacetField(field) {
			return fmt.Errorf("%w: unknown facet field %q", ErrBadQuery, field)
		}
	}
	if q.MinQuality < 0 || q.MinQuality > MaxQuality {
		return fmt.Errorf("%w: min quality %d outside 0-%d", ErrBadQuery, q.MinQuality, MaxQuality)
	}
	sort, err := EffectiveSort(q)
	if err != nil {
		return err
	}
	if q.After != "" {
		c, err := DecodeCursor(q.After)
		if err != nil {
			return err
		}
		if q.Offset != 0 || c.Sort != sort {
			return fmt.Errorf("%w: cursor does not fit this query", ErrBadQuery)
		}
	}
	return nil
}

// MaxQuality is the best quality score; Document.Quality runs from 0 to it.
const MaxQuality = 100

// ClampQuality brings a score into 0..MaxQuality, so every engine stores
// and compares the same value whatever the caller sent.
func ClampQuality(q int) int { return min(max(q, 0), MaxQuality) }

// IsFacetField reports whether name is one of FacetFields.
func IsFacetField(name string) bool {
	for _, f := range FacetFields {
		if f == name {
			return true
		}
	}
	return false
}

// HasSearchText reports whether text holds anything to search for: a
// letter or digit. Text of only spaces and punctuation is an empty query.
func HasSearchText(text string) bool {
	return strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// EffectiveSort resolves q.Sort: empty means relevance, and relevance without
// query text means updated, because there is nothing to be relevant to.
func EffectiveSort(q Query) (string, error) {
	switch q.Sort {
	case "", SortRelevance:
		if !HasSearchText(q.Text) {
			return SortUpdated, nil
		}
		return SortRelevance, nil
	case SortUpdated, SortDownloads, SortName, SortPublished, SortQuality:
		return q.Sort, nil
	}
	return "", fmt.Errorf("%w: unknown sort %q", ErrBadQuery, q.Sort)
}

// FacetValues returns the values d holds for a facet field (nil for an
// unknown field). Multi-valued fields return their slices as they are.
func FacetValues(d *Document, field string) []string {
	one := func(v string) []string {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	switch field {
	case FieldTopic:
		return one(d.Topic)
	case FieldDepartment:
		return one(d.Department)
	case FieldOpenType:
		return one(d.OpenType)
	case FieldFormat:
		return d.Formats
	case FieldUpdateFrequency:
		return one(d.UpdateFrequency)
	case FieldGrade:
		return one(d.Grade)
	case FieldTag:
		return d.Tags
	case FieldRegion:
		return one(d.Region)
	}
	return nil
}
