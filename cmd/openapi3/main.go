// Command openapi3 converts swag's Swagger 2.0 description of /api/v1
// (openapi/swagger.json) into the OpenAPI 3 document openapi/openapi.json
// and .yaml: full paths (server "/"), the CKAN, DCAT and health routes
// (extra.go), a unique operationId on every operation, and the security of
// every operation taken from the permission the live router gives its route.
// `make openapi` runs it after swag; `make openapi-check` diffs its output.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"

	"github.com/hlj-opendata/portal/server/apidocs"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/web"
)

func main() {
	in := flag.String("in", "openapi/swagger.json", "swag's Swagger 2.0 file")
	out := flag.String("out", "openapi", "folder for openapi.json and openapi.yaml")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	routes, err := liveRoutes()
	if err != nil {
		return err
	}
	doc, err := Convert(raw, routes)
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return err
	}
	ym, err := yaml.JSONToYAML(js)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "openapi.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "openapi.yaml"), ym, 0o644)
}

// liveRoutes opens an empty portal in a temporary folder to read the
// router's table: the one source of truth for each route's permission.
func liveRoutes() ([]web.Route, error) {
	dir, err := os.MkdirTemp("", "openapi3-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	env := map[string]string{"PORTAL_DATA_DIR": dir, "PORTAL_SEED": "none", "PORTAL_LOG_LEVEL": "error"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	a.Handler()
	return a.Router.Routes(), nil
}

// Convert turns swag's Swagger 2.0 JSON into the portal's OpenAPI 3 document.
func Convert(swagger []byte, routes []web.Route) (*openapi3.T, error) {
	var v2 openapi2.T
	if err := json.Unmarshal(swagger, &v2); err != nil {
		return nil, fmt.Errorf("read swagger: %w", err)
	}
	base := strings.TrimSuffix(v2.BasePath, "/")
	v2.BasePath = ""
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}
	// Full paths under one server, so CKAN and DCAT sit beside /api/v1.
	paths := openapi3.NewPaths()
	for p, item := range doc.Paths.Map() {
		paths.Set(base+p, item)
	}
	doc.Paths = paths
	doc.Servers = openapi3.Servers{{URL: "/", Description: "This portal"}}
	addExtra(doc)

	doc.Components.SecuritySchemes = openapi3.SecuritySchemes{
		apidocs.SchemeBearer: {Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer").
			WithDescription("API token (POST /api/v1/me/tokens): \"Authorization: Bearer <token>\".")},
		apidocs.SchemeSession: {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("cookie").WithName("portal_session").
			WithDescription("HttpOnly session cookie set by POST /api/v1/auth/login.")},
		apidocs.SchemeCSRF: {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("header").WithName("X-CSRF-Token").
			WithDescription("CSRF token of the session (POST /api/v1/auth/login or GET /api/v1/auth/csrf); required with the cookie on state-changing requests.")},
	}
	if doc.Info.License != nil && doc.Info.License.URL == "" {
		doc.Info.License.URL = "/terms"
	}

	seen := map[string]string{}
	keys := make([]string, 0, doc.Paths.Len())
	for p := range doc.Paths.Map() {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		for method, op := range doc.Paths.Value(p).Operations() {
			r, ok := apidocs.RouteFor(routes, method, p)
			if !ok {
				return nil, fmt.Errorf("%s %s is documented but no route serves it", method, p)
			}
			sec := openapi3.SecurityRequirements{}
			for _, req := range apidocs.Security(r.Permission, method) {
				sr := openapi3.NewSecurityRequirement()
				for name, scopes := range req {
					sr[name] = scopes
				}
				sec = append(sec, sr)
			}
			op.Security = &sec
			if r.Permission != web.Public {
				guardResponses(op)
			}
			if op.OperationID == "" {
				op.OperationID = OperationID(method, strings.TrimPrefix(p, base))
			}
			if prev, dup := seen[op.OperationID]; dup {
				return nil, fmt.Errorf("operationId %s of %s %s is already used by %s", op.OperationID, method, p, prev)
			}
			seen[op.OperationID] = method + " " + p
		}
	}
	return doc, nil
}

// guardResponses documents what the access guard (server/authz) answers
// before any handler runs, where the annotations leave it out.
func guardResponses(op *openapi3.Operation) {
	for code, desc := range map[int]string{401: "Sign in required.", 403: "Not allowed."} {
		if op.Responses.Status(code) != nil {
			continue
		}
		r := openapi3.NewResponse().WithDescription(desc)
		r.Content = openapi3.NewContentWithJSONSchemaRef(openapi3.NewSchemaRef("#/components/schemas/web.ErrorBody", nil))
		op.AddResponse(code, r)
	}
}

// OperationID derives a readable id from method and path:
// GET /datasets/{id}/resources → getDatasetsByIdResources.
func OperationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(path, "/") {
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, "{") {
			b.WriteString("By")
			seg = strings.Trim(seg, "{}")
		}
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			rs := []rune(w)
			rs[0] = unicode.ToUpper(rs[0])
			b.WriteString(string(rs))
		}
	}
	return b.String()
}
