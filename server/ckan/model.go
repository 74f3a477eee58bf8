package ckan

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hlj-opendata/portal/server/catalog"
)

// license is a licence CKAN clients can list. The portal's terms follow
// the open type: unconditional data is used directly (000 Art 34 ¶2),
// conditional data only as an application approved (000 Art 34).
type license struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	Open     bool   `json:"od_conformance_open"`
	Status   string `json:"status"`
	openType string
}

var licenses = []license{
	{ID: "hlj-unconditional", Title: "无条件开放数据使用规则（可直接使用）", URL: "/developers#terms", Open: true, Status: "active", openType: "unconditional"},
	{ID: "hlj-conditional", Title: "有条件开放数据：经申请批准后按批准范围使用", URL: "/developers#terms", Open: false, Status: "active", openType: "conditional"},
}

func licenseOf(t catalog.OpenType) license {
	for _, l := range licenses {
		if l.openType == string(t) {
			return l
		}
	}
	return licenses[0]
}

// ckanTime is CKAN's timestamp format (UTC, no zone).
func ckanTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

// Organization is a department as CKAN shows organizations.
type Organization struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Title           string `json:"title"`
	DisplayName     string `json:"display_name"`
	Description     string `json:"description"`
	ImageURL        string `json:"image_url"`
	ImageDisplayURL string `json:"image_display_url"`
	Created         string `json:"created"`
	// uData's CKAN schema requires both (udata_ckan/schemas/ckan.py:46,50);
	// CKAN 2.9 dropped revisions, so they name the department's record.
	RevisionID        string  `json:"revision_id"`
	RevisionTimestamp string  `json:"revision_timestamp"`
	IsOrganization    bool    `json:"is_organization"`
	ApprovalStatus    string  `json:"approval_status"`
	State             string  `json:"state"`
	Type              string  `json:"type"`
	PackageCount      *int64  `json:"package_count,omitempty"`
	Extras            []Extra `json:"extras,omitempty"`
	Packages          []any   `json:"packages,omitempty"`
}

func orgDict(d catalog.Department, count *int64) Organization {
	created := d.CreatedAt
	if created.IsZero() {
		created = time.Unix(0, 0) // uData parses it as a date: never ""
	}
	return Organization{
		ID: d.ID, Name: d.ID, Title: d.Name, DisplayName: d.Name, Description: d.Region + " · " + d.RegionLevel,
		Created: ckanTime(created), RevisionID: stableUUID("department", d.ID).String(), RevisionTimestamp: ckanTime(created), IsOrganization: true, ApprovalStatus: "approved", State: "active", Type: "organization",
		PackageCount: count, Extras: []Extra{{"region", d.Region}, {"region_level", d.RegionLevel}, {"code", d.Code}},
	}
}

// Group is a topic (领域) as CKAN shows groups.
type Group struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Title           string `json:"title"`
	DisplayName     string `json:"display_name"`
	Description     string `json:"description"`
	ImageDisplayURL string `json:"image_display_url"`
	IsOrganization  bool   `json:"is_organization"`
	ApprovalStatus  string `json:"approval_status,omitempty"`
	State           string `json:"state,omitempty"`
	Type            string `json:"type,omitempty"`
	PackageCount    *int64 `json:"package_count,omitempty"`
	Packages        []any  `json:"packages,omitempty"`
}

func groupDict(t catalog.Topic, count *int64) Group {
	return Group{ID: t.ID, Name: t.ID, Title: t.Name, DisplayName: t.Name, Description: t.NameEN,
		ApprovalStatus: "approved", State: "active", Type: "group", PackageCount: count}
}

// Extra is a CKAN key/value extra.
type Extra struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Tag is a CKAN tag.
type Tag struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	DisplayName  string  `json:"display_name"`
	State        string  `json:"state"`
	VocabularyID *string `json:"vocabulary_id"`
}

// Resource is a CKAN resource. id is a UUID (uData's harvester drops
// resources whose id uuid.UUID() cannot parse: udata_ckan/harvesters.py:252);
// portal_id is the portal's own id, which the other APIs use.
type Resource struct {
	ID               string  `json:"id"`
	PortalID         string  `json:"portal_id"`
	PackageID        string  `json:"package_id"`
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	Format           string  `json:"format"`
	Mimetype         *string `json:"mimetype"` // no parameters (no "; charset=")
	MimetypeInner    *string `json:"mimetype_inner"`
	Size             int64   `json:"size"`
	Hash             string  `json:"hash"`
	URL              string  `json:"url"`
	URLType          *string `json:"url_type"`
	ResourceType     string  `json:"resource_type"`
	CacheURL         *string `json:"cache_url"`
	CacheLastUpdated *string `json:"cache_last_updated"`
	Created          string  `json:"created"`
	LastModified     *string `json:"last_modified"` // null, never "": uData parses it as a date
	MetadataModified string  `json:"metadata_modified"`
	Position         int     `json:"position"`
	State            string  `json:"state"`
	DatastoreActive  bool    `json:"datastore_active"`
	Rows             int64   `json:"rows"`
	Access           string  `json:"access"`
}

// Package is a catalog entry as CKAN shows packages (datasets).
type Package struct {
	ID                     string       `json:"id"`
	Name                   string       `json:"name"`
	Title                  string       `json:"title"`
	Notes                  string       `json:"notes"`
	URL                    string       `json:"url"`
	Version                string       `json:"version"`
	State                  string       `json:"state"`
	Private                bool         `json:"private"`
	Type                   string       `json:"type"`
	LicenseID              string       `json:"license_id"`
	LicenseTitle           string       `json:"license_title"`
	LicenseURL             string       `json:"license_url"`
	IsOpen                 bool         `json:"isopen"`
	Author                 string       `json:"author"`
	AuthorEmail            string       `json:"author_email"`
	Maintainer             string       `json:"maintainer"`
	MaintainerEmail        string       `json:"maintainer_email"`
	MetadataCreated        string       `json:"metadata_created"`
	MetadataModified       string       `json:"metadata_modified"`
	OwnerOrg               string       `json:"owner_org"`
	CreatorUserID          string       `json:"creator_user_id"`
	Organization           Organization `json:"organization"`
	Groups                 []Group      `json:"groups"`
	Tags                   []Tag        `json:"tags"`
	NumTags                int          `json:"num_tags"`
	Resources              []Resource   `json:"resources"`
	NumResources           int          `json:"num_resources"`
	Extras                 []Extra      `json:"extras"`
	RelationshipsAsObject  []any        `json:"relationships_as_object"`
	RelationshipsAsSubject []any        `json:"relationships_as_subject"`
	OpenType               string       `json:"open_type"`
	OpenConditions         string       `json:"open_conditions,omitempty"`
	UsageScope             string       `json:"usage_scope,omitempty"`
	UpdateFrequency        string       `json:"update_frequency"`
	Grade                  string       `json:"grade"`
	Classification         string       `json:"classification"`
	Region                 string       `json:"region"`
	DataItems              []DataItem   `json:"data_items"`
	Downloads              int64        `json:"downloads"`
	APICalls               int64        `json:"api_calls"`
}

// DataItem is one field of the data (数据项).
type DataItem struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// packageDict maps a public catalog entry to a CKAN package. base is the
// portal's absolute URL. Conditional entries appear with their conditions
// and resources that point to the application page (000 Art 34).
func packageDict(d *catalog.Dataset, base string) Package {
	lic := licenseOf(d.OpenType)
	page := base + "/datasets/" + url.PathEscape(d.ID)
	p := Package{
		ID: d.ID, Name: d.ID, Title: d.Title, Notes: d.Description, URL: page, Version: strconv.Itoa(d.Version),
		State: "active", Type: "dataset", LicenseID: lic.ID, LicenseTitle: lic.Title, LicenseURL: base + lic.URL, IsOpen: lic.Open,
		Author: d.Department.Name, Maintainer: d.Department.Name,
		MetadataModified: ckanTime(d.UpdatedAt), OwnerOrg: d.DepartmentID, CreatorUserID: publisherID(d.DepartmentID), Organization: orgDict(d.Department, nil),
		Groups: []Group{groupDict(d.Topic, nil)}, Tags: []Tag{}, Resources: []Resource{}, Extras: []Extra{},
		RelationshipsAsObject: []any{}, RelationshipsAsSubject: []any{},
		OpenType: string(d.OpenType), UpdateFrequency: d.UpdateFrequency, Grade: d.Grade, Classification: d.Classification,
		Region: d.Region, DataItems: []DataItem{}, Downloads: d.Downloads, APICalls: d.APICalls,
	}
	p.MetadataCreated = ckanTime(d.CreatedAt)
	if d.PublishedAt != nil {
		p.MetadataCreated = ckanTime(*d.PublishedAt)
	}
	for _, t := range d.Tags {
		p.Tags = append(p.Tags, Tag{ID: t, Name: t, DisplayName: t, State: "active"})
	}
	p.NumTags = len(p.Tags)
	items := make([]string, 0, len(d.DataItems))
	for _, it := range d.DataItems {
		p.DataItems = append(p.DataItems, DataItem{it.Name, it.Label, it.Type, it.Description})
		items = append(items, it.Name)
	}
	p.Extras = append(p.Extras, Extra{"open_type", string(d.OpenType)})
	if d.OpenType == catalog.Conditional {
		p.OpenConditions, p.UsageScope = d.OpenConditions, d.UsageScope
		p.Extras = append(p.Extras, Extra{"open_conditions", d.OpenConditions}, Extra{"usage_scope", d.UsageScope},
			Extra{"application_url", applyURL(base, d.ID)})
	}
	p.Extras = append(p.Extras, Extra{"update_frequency", d.UpdateFrequency}, Extra{"grade", d.Grade},
		Extra{"classification", d.Classification}, Extra{"region", d.Region}, Extra{"data_items", strings.Join(items, ",")},
		Extra{"downloads", strconv.FormatInt(d.Downloads, 10)})
	// The catalog record of 001 Art 13 and the national guide; provider_code
	// is the department's 统一社会信用代码.
	p.Extras = append(p.Extras, Extra{"resource_code", d.ResourceCode}, Extra{"share_type", string(d.ShareType)},
		Extra{"share_conditions", d.ShareConditions}, Extra{"share_method", d.ShareMethod},
		Extra{"formats", strings.Join(d.Formats(), ",")}, Extra{"provider_code", d.Department.Code})
	for _, r := range d.Resources {
		p.Resources = append(p.Resources, resourceDict(d, &r, base))
	}
	p.NumResources = len(p.Resources)
	return p
}

func applyURL(base, datasetID string) string {
	return base + "/apply?dataset=" + url.QueryEscape(datasetID)
}

func resourceDict(d *catalog.Dataset, r *catalog.Resource, base string) Resource {
	created := r.CreatedAt
	if created.IsZero() {
		created = d.CreatedAt
	}
	out := Resource{
		ID: resourceUUID(r.ID), PortalID: r.ID, PackageID: d.ID, Name: r.Name, Format: r.Format, Mimetype: mimetype(r.MediaType),
		Size: r.Size, Hash: r.SHA256, Created: ckanTime(created), MetadataModified: ckanTime(r.UpdatedAt),
		Position: r.Position, State: "active", Rows: r.Rows, Access: string(d.OpenType), ResourceType: "file",
	}
	if !r.UpdatedAt.IsZero() {
		lm := ckanTime(r.UpdatedAt)
		out.LastModified = &lm
	}
	if d.OpenType == catalog.Unconditional {
		out.URL = base + "/api/v1/resources/" + url.PathEscape(r.ID) + "/download"
		out.DatastoreActive = strings.EqualFold(r.Format, "CSV")
		u := "upload"
		out.URLType = &u
	} else {
		// Conditional data: the resource points to the application page,
		// a page about the data rather than the file (CKAN's documentation).
		out.URL = applyURL(base, d.ID)
		out.ResourceType = "documentation"
		out.Description = "有条件开放：经申请批准后可按批准的数据项使用。" + d.OpenConditions
	}
	return out
}

// mimetype is a media type without its parameters, lower case, as CKAN
// stores it; nil when unknown.
func mimetype(mt string) *string {
	mt, _, _ = strings.Cut(mt, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" {
		return nil
	}
	return &mt
}

// uuidSpace is the namespace of the portal's name-based UUIDs (v5).
var uuidSpace = uuid.MustParse("6f0d5a52-4c1e-5b4e-9a55-686c6a2d6f64")

func stableUUID(kind, id string) uuid.UUID { return uuid.NewSHA1(uuidSpace, []byte(kind+":"+id)) }

// resourceUUID is the stable UUID a resource shows as its CKAN id; an id
// that already is a UUID stays as it is.
func resourceUUID(id string) string {
	if u, err := uuid.Parse(id); err == nil && len(id) == 36 {
		return u.String()
	}
	return stableUUID("resource", id).String()
}

// publisherID is the CKAN user id of a department's publishing account.
func publisherID(departmentID string) string { return stableUUID("publisher", departmentID).String() }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
