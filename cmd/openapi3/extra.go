package main

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// The routes outside /api/v1 (swag's base path) are described here, in one
// table, rather than by swag annotations: swag would put them under
// /api/v1. Every path must match a registered route (main checks it).

// param is one query parameter of a CKAN action.
type param struct {
	name, typ, desc string
	required        bool
}

// ckanAction is one CKAN action, served by GET /api/3/action/{name}
// (POST with a JSON body takes the same fields).
type ckanAction struct {
	name, summary string
	params        []param
}

var (
	pLimit  = param{name: "limit", typ: "integer", desc: "Page size."}
	pOffset = param{name: "offset", typ: "integer", desc: "Entries to skip."}
	pID     = param{name: "id", typ: "string", desc: "Id or name.", required: true}
	pQ      = param{name: "q", typ: "string", desc: "Text to look for.", required: true}
	pAll    = param{name: "all_fields", typ: "boolean", desc: "Whole objects instead of names."}
	pSort   = param{name: "sort", typ: "string", desc: "Sort order, e.g. \"name asc\"."}
	pInclDS = param{name: "include_datasets", typ: "boolean", desc: "Include the datasets."}
)

var ckanActions = []ckanAction{
	{"package_search", "Search datasets (CKAN)", []param{
		{name: "q", typ: "string", desc: "Solr-style query."},
		{name: "fq", typ: "string", desc: "Filter query: organization:, groups:, tags:, res_format:, license_id:, open_type:, metadata_modified:[from TO to]; AND/OR/NOT."},
		pSort,
		{name: "rows", typ: "integer", desc: "Page size (at most 1000)."},
		{name: "start", typ: "integer", desc: "Results to skip."},
		{name: "facet", typ: "boolean", desc: "Return facets."},
		{name: "facet.field", typ: "string", desc: "JSON list of facet fields."},
		{name: "facet.limit", typ: "integer", desc: "Values per facet."},
		{name: "facet.mincount", typ: "integer", desc: "Smallest count shown."},
	}},
	{"package_show", "One dataset (CKAN)", []param{pID}},
	{"package_list", "Names of every public dataset (CKAN)", []param{pLimit, pOffset}},
	{"current_package_list_with_resources", "Datasets with resources, newest first (CKAN)", []param{pLimit, pOffset, {name: "page", typ: "integer", desc: "Page number."}}},
	{"organization_list", "Departments (CKAN)", []param{pAll, pSort, pLimit, pOffset}},
	{"organization_show", "One department (CKAN)", []param{pID, pInclDS}},
	{"organization_autocomplete", "Departments whose name contains q (CKAN)", []param{pQ, pLimit}},
	{"group_list", "Topics (CKAN)", []param{pAll, pSort, pLimit, pOffset}},
	{"group_show", "One topic (CKAN)", []param{pID, pInclDS}},
	{"group_package_show", "A topic's datasets, newest first (CKAN)", []param{pID, pLimit}},
	{"tag_list", "Tags of public datasets (CKAN)", []param{{name: "query", typ: "string", desc: "Text the tag contains."}, pAll}},
	{"tag_show", "One tag (CKAN)", []param{{name: "id", typ: "string", desc: "The tag.", required: true}, pInclDS}},
	{"license_list", "Usage terms by open type (CKAN)", nil},
	{"resource_show", "One resource (CKAN)", []param{{name: "id", typ: "string", desc: "Resource UUID or portal_id.", required: true}}},
	{"resource_search", "Search resources (CKAN)", []param{
		{name: "query", typ: "string", desc: "\"field:term\" (name, format, mimetype).", required: true},
		{name: "order_by", typ: "string", desc: "Field to sort by."}, pOffset, pLimit}},
	{"package_autocomplete", "Datasets whose title or name contains q (CKAN)", []param{pQ, pLimit}},
	{"format_autocomplete", "Resource formats containing q (CKAN)", []param{pQ, pLimit}},
	{"package_activity_list", "A dataset's history (CKAN)", []param{pID, pLimit, pOffset}},
	{"recently_changed_packages_activity_list", "Newest activities over all datasets (CKAN)", []param{pLimit, pOffset}},
	{"datastore_search", "Rows of a tabular resource (CKAN DataStore)", []param{
		{name: "resource_id", typ: "string", desc: "Resource UUID.", required: true},
		{name: "filters", typ: "string", desc: "JSON object of column: value."},
		{name: "q", typ: "string", desc: "Full-text query."},
		{name: "fields", typ: "string", desc: "Comma-separated columns."},
		pSort, pLimit, pOffset}},
	{"status_show", "Site and API version (CKAN)", nil},
	{"help_show", "Help text of an action (CKAN)", []param{{name: "name", typ: "string", desc: "Action name.", required: true}}},
}

// dcatFormats are the DCAT serialisations (server/dcat) and their media types.
var dcatFormats = []struct{ ext, media string }{
	{"jsonld", "application/ld+json"},
	{"ttl", "text/turtle"},
	{"rdf", "application/rdf+xml"},
	{"xml", "application/rdf+xml"},
	{"n3", "text/n3"},
}

// addExtra adds the CKAN, DCAT and health paths to doc.
func addExtra(doc *openapi3.T) {
	doc.Tags = append(doc.Tags,
		&openapi3.Tag{Name: "ckan", Description: "CKAN API 3 compatible actions. Answers are {help, success, result} or {success: false, error}."},
		&openapi3.Tag{Name: "dcat", Description: "DCAT-AP catalogue exports."},
		&openapi3.Tag{Name: "health", Description: "Liveness and readiness for operators."})
	ckanSchema := openapi3.NewObjectSchema().
		WithProperty("help", openapi3.NewStringSchema()).
		WithProperty("success", openapi3.NewBoolSchema()).
		WithProperty("result", &openapi3.Schema{}).
		WithProperty("error", openapi3.NewObjectSchema())
	for _, a := range ckanActions {
		op := newOp("ckan_"+a.name, a.summary, "ckan")
		for _, p := range a.params {
			s := &openapi3.Schema{Type: &openapi3.Types{p.typ}}
			op.AddParameter(&openapi3.Parameter{In: "query", Name: p.name, Description: p.desc, Required: p.required,
				Schema: openapi3.NewSchemaRef("", s)})
		}
		op.AddResponse(200, jsonResponse("CKAN success envelope.", ckanSchema))
		op.AddResponse(400, jsonResponse("Validation Error (success: false).", ckanSchema))
		op.AddResponse(404, jsonResponse("Not Found Error (success: false).", ckanSchema))
		doc.AddOperation("/api/3/action/"+a.name, "GET", op)
	}
	op := newOp("ckan_api_version", "CKAN API version", "ckan")
	op.AddResponse(200, jsonResponse("{\"version\": 3}.", openapi3.NewObjectSchema().WithProperty("version", openapi3.NewIntegerSchema())))
	doc.AddOperation("/api/3", "GET", op)
	op = newOp("ckan_util_status", "CKAN site status", "ckan")
	op.AddResponse(200, jsonResponse("Site and API version.", openapi3.NewObjectSchema()))
	doc.AddOperation("/api/util/status", "GET", op)

	for _, f := range dcatFormats {
		op := newOp("dcat_catalog_"+f.ext, "The whole catalogue as DCAT ("+f.ext+")", "dcat")
		op.AddParameter(&openapi3.Parameter{In: "query", Name: "page", Description: "Page of the catalogue (hydra paging).",
			Schema: openapi3.NewSchemaRef("", openapi3.NewIntegerSchema())})
		op.AddResponse(200, mediaResponse("The catalogue page.", f.media))
		op.AddResponse(400, mediaResponse("Bad page number.", "application/json"))
		doc.AddOperation("/catalog."+f.ext, "GET", op)
	}
	for _, f := range dcatFormats {
		op := newOp("dcat_dataset_"+f.ext, "One dataset as DCAT ("+f.ext+")", "dcat")
		op.AddParameter(&openapi3.Parameter{In: "path", Name: "id", Description: "Dataset id or name.", Required: true,
			Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())})
		op.AddResponse(200, mediaResponse("The dataset.", f.media))
		op.AddResponse(404, mediaResponse("No such public dataset.", "application/json"))
		doc.AddOperation("/dataset/{id}."+f.ext, "GET", op)
	}

	op = newOp("healthz", "Liveness", "health")
	op.AddResponse(200, jsonResponse("{\"status\": \"ok\"}.", openapi3.NewObjectSchema().WithProperty("status", openapi3.NewStringSchema())))
	doc.AddOperation("/healthz", "GET", op)
	op = newOp("readyz", "Readiness: database and search engine answer", "health")
	op.AddResponse(200, jsonResponse("Ready.", openapi3.NewObjectSchema()))
	op.AddResponse(503, jsonResponse("Not ready: what is failing.", openapi3.NewObjectSchema()))
	doc.AddOperation("/readyz", "GET", op)
}

func newOp(id, summary, tag string) *openapi3.Operation {
	op := openapi3.NewOperation()
	op.OperationID, op.Summary, op.Tags = id, summary, []string{tag}
	return op
}

func jsonResponse(desc string, s *openapi3.Schema) *openapi3.Response {
	return openapi3.NewResponse().WithDescription(desc).WithJSONSchema(s)
}

func mediaResponse(desc, media string) *openapi3.Response {
	r := openapi3.NewResponse().WithDescription(desc)
	r.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{media})
	return r
}
