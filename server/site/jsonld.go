package site

import (
	"cmp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/locale"
)

// The dataset page's schema.org Dataset description, in the shape Google
// Dataset Search reads and ckanext-dcat's schemaorg profile writes
// (ckanext/dcat/profiles/schemaorg.py). The layout marshals it into
// <script type="application/ld+json">; html/template escapes <, > and & in
// it, so no title or description can close the script element.

// ldDataset is a schema.org Dataset.
type ldDataset struct {
	Context               string           `json:"@context"`
	Type                  string           `json:"@type"`
	Name                  string           `json:"name"`
	Description           string           `json:"description"`
	URL                   string           `json:"url"`
	Identifier            []string         `json:"identifier"`
	Keywords              []string         `json:"keywords"`
	Creator               ldOrganization   `json:"creator"`
	Publisher             ldOrganization   `json:"publisher"`
	License               string           `json:"license"`
	IsAccessibleForFree   bool             `json:"isAccessibleForFree"`
	ConditionsOfAccess    string           `json:"conditionsOfAccess,omitempty"`
	DatePublished         string           `json:"datePublished,omitempty"`
	DateModified          string           `json:"dateModified"`
	SpatialCoverage       *ldPlace         `json:"spatialCoverage,omitempty"`
	InLanguage            string           `json:"inLanguage"`
	Version               string           `json:"version"`
	VariableMeasured      []ldProperty     `json:"variableMeasured,omitempty"`
	IncludedInDataCatalog ldDataCatalog    `json:"includedInDataCatalog"`
	Distribution          []ldDataDownload `json:"distribution,omitempty"`
}

type ldOrganization struct {
	Type       string `json:"@type"`
	Name       string `json:"name"`
	URL        string `json:"url"`
	Identifier string `json:"identifier,omitempty"` // 统一社会信用代码
}

type ldPlace struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type ldProperty struct {
	Type        string `json:"@type"`
	Name        string `json:"name"`
	PropertyID  string `json:"propertyID"`
	Description string `json:"description,omitempty"`
}

type ldDataCatalog struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type ldDataDownload struct {
	Type           string `json:"@type"`
	Name           string `json:"name"`
	EncodingFormat string `json:"encodingFormat"`
	ContentURL     string `json:"contentUrl"`
	SHA256         string `json:"sha256,omitempty"`
	DateModified   string `json:"dateModified,omitempty"`
}

// Licences: the terms the portal states for each open type, the same IRIs
// as the DCAT-AP export's dct:license (server/dcat).
const (
	licenseUnconditional = "/developers#terms-unconditional"
	licenseConditional   = "/developers#terms-conditional"
)

func ldTime(t time.Time) string { return t.In(calendar.Zone).Format(time.RFC3339) }

// datasetJSONLD describes a public entry. Every dataset is free of charge
// (no rule lets the portal charge): conditional data is free too, but
// only on an approved application (000 Art 34), which conditionsOfAccess
// says, and it has no distribution a crawler could fetch.
func (h *Handler) datasetJSONLD(c echo.Context, lang string, d *catalog.Dataset) *ldDataset {
	base := h.base(c)
	page := base + "/datasets/" + url.PathEscape(d.ID)
	if lang == locale.EN {
		page += "?" + locale.Param + "=" + locale.EN
	}
	dept := ldOrganization{Type: "Organization", Name: d.Department.Name, URL: base + "/departments/" + url.PathEscape(d.DepartmentID), Identifier: d.Department.Code}
	ld := &ldDataset{
		Context: "https://schema.org/", Type: "Dataset",
		Name: d.Title, Description: d.Description, URL: page,
		Identifier: []string{d.ID}, Keywords: []string{},
		Creator: dept, Publisher: dept,
		License: base + licenseUnconditional, IsAccessibleForFree: true,
		DateModified: ldTime(d.UpdatedAt), InLanguage: locale.HTML(locale.ZH), Version: strconv.Itoa(d.Version),
		IncludedInDataCatalog: ldDataCatalog{Type: "DataCatalog", Name: h.R.T(lang, "site.name"), URL: base + "/"},
	}
	if ld.Description == "" {
		ld.Description = d.Title // required by Dataset Search
	}
	if d.ResourceCode != "" {
		ld.Identifier = append(ld.Identifier, d.ResourceCode)
	}
	seen := map[string]bool{}
	for _, k := range append(append([]string{}, d.Tags...), d.Topic.Name) {
		if k = strings.TrimSpace(k); k != "" && !seen[k] {
			seen[k] = true
			ld.Keywords = append(ld.Keywords, k)
		}
	}
	if d.PublishedAt != nil {
		ld.DatePublished = ldTime(*d.PublishedAt)
	}
	if region := cmp.Or(d.Region, d.Department.Region); region != "" {
		ld.SpatialCoverage = &ldPlace{Type: "Place", Name: region}
	}
	for _, it := range d.DataItems {
		ld.VariableMeasured = append(ld.VariableMeasured, ldProperty{Type: "PropertyValue", Name: cmp.Or(it.Label, it.Name), PropertyID: it.Name, Description: it.Description})
	}
	if d.OpenType == catalog.Conditional {
		ld.License = base + licenseConditional
		apply := base + "/apply?dataset=" + url.QueryEscape(d.ID)
		parts := []string{h.R.T(lang, "dataset.conditional.title")}
		if cond := strings.Join(strings.Fields(d.OpenConditions), " "); cond != "" {
			parts = append(parts, h.R.T(lang, "result.matchField", "field", h.R.T(lang, "dataset.field.open_conditions"))+cond)
		}
		parts = append(parts, h.R.T(lang, "result.matchField", "field", h.R.T(lang, "dataset.apply"))+apply)
		ld.ConditionsOfAccess = strings.Join(parts, " ")
		return ld
	}
	for _, r := range d.Resources {
		format, _, _ := strings.Cut(r.MediaType, ";")
		if format = strings.TrimSpace(format); format == "" || format == "application/octet-stream" {
			format = r.Format
		}
		ld.Distribution = append(ld.Distribution, ldDataDownload{
			Type: "DataDownload", Name: r.Name, EncodingFormat: format,
			ContentURL:   base + "/api/v1/resources/" + url.PathEscape(r.ID) + "/download",
			SHA256:       r.SHA256,
			DateModified: ldTime(r.UpdatedAt),
		})
	}
	return ld
}
