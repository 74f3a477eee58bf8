package apidocs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/hlj-opendata/portal/openapi"
	"github.com/hlj-opendata/portal/server/apidocs"
	"github.com/hlj-opendata/portal/server/apptest"
)

func loadSpec(t *testing.T, body []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("load OpenAPI 3 document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI 3 document is invalid: %v", err)
	}
	return doc
}

// The served document is the embedded OpenAPI 3 one, valid, with the
// routes outside /api/v1 the generator adds.
func TestOpenAPIServed(t *testing.T) {
	p := apptest.New(t, apptest.Options{})
	res := p.Get(t, apidocs.OpenAPIPath)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s", apidocs.OpenAPIPath, res.Status, res.Header.Get("Content-Type"))
	}
	if string(res.Body) != string(openapi.V3JSON) {
		t.Fatal("served document differs from openapi/openapi.json")
	}
	doc := loadSpec(t, res.Body)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	for _, path := range []string{"/api/v1/datasets", "/api/3/action/package_search", "/api/3/action/datastore_search",
		"/api/3/action/group_package_show", "/catalog.ttl", "/dataset/{id}.jsonld", "/healthz", "/readyz"} {
		if doc.Paths.Find(path) == nil {
			t.Errorf("%s is not documented", path)
		}
	}
	if y := p.Get(t, "/api/docs/openapi.yaml"); y.Status != http.StatusOK || !strings.Contains(string(y.Body), "openapi: 3.0") {
		t.Errorf("GET /api/docs/openapi.yaml: %d", y.Status)
	}
}

// Every operation has an operationId, and no two share one.
func TestSpecOperationIDsUnique(t *testing.T) {
	doc := loadSpec(t, openapi.V3JSON)
	seen := map[string]string{}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
				continue
			}
			if prev, dup := seen[op.OperationID]; dup {
				t.Errorf("operationId %s on %s and %s", op.OperationID, where, prev)
			}
			seen[op.OperationID] = where
		}
	}
	if n < 100 {
		t.Fatalf("only %d operations documented", n)
	}
}

// Each operation's declared security is what the live router's permission
// for its route implies, and every documented operation has a route.
func TestSpecSecurityMatchesRouter(t *testing.T) {
	p := apptest.New(t, apptest.Options{})
	routes := p.Router.Routes()
	doc := loadSpec(t, openapi.V3JSON)
	public, private := 0, 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			r, ok := apidocs.RouteFor(routes, method, path)
			if !ok {
				t.Errorf("%s %s is documented but not routed", method, path)
				continue
			}
			if op.Security == nil {
				t.Errorf("%s %s declares no security", method, path)
				continue
			}
			got := []map[string][]string{}
			for _, req := range *op.Security {
				m := map[string][]string{}
				for k, v := range req {
					m[k] = v
				}
				got = append(got, m)
			}
			if want := apidocs.Security(r.Permission, method); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s (permission %s): security %v, want %v", method, path, r.Permission, got, want)
			}
			if len(got) == 0 {
				public++
			} else {
				private++
			}
		}
	}
	if public == 0 || private == 0 {
		t.Fatalf("public %d, authenticated %d operations: expected both", public, private)
	}
	for name := range doc.Components.SecuritySchemes {
		if name != apidocs.SchemeBearer && name != apidocs.SchemeSession && name != apidocs.SchemeCSRF {
			t.Errorf("unexpected security scheme %s", name)
		}
	}
}

// clientTS calls three endpoints through the client openapi-typescript and
// openapi-fetch generate from the document; tsc checks it against the types
// (a field the spec lacks fails the compile).
const clientTS = `import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// Node's globals, declared here: no @types/node needed.
declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const client = createClient<paths>({ baseUrl: process.env.PORTAL_URL });

async function main() {
  const list = await client.GET("/api/v1/datasets", { params: { query: { page_size: 2 } } });
  if (!list.data) throw new Error("list: " + list.response.status);
  const first = list.data.items?.[0];
  if (!first?.id) throw new Error("list: no items");
  const one = await client.GET("/api/v1/datasets/{id}", { params: { path: { id: first.id } } });
  if (!one.data) throw new Error("show: " + one.response.status);
  const ckan = await client.GET("/api/3/action/package_show", { params: { query: { id: first.id } } });
  if (!ckan.data) throw new Error("ckan: " + ckan.response.status);
  console.log(JSON.stringify({
    total: list.data.total, count: list.data.items?.length, id: first.id,
    title: one.data.title, ckanSuccess: ckan.data.success,
    ckanTitle: (ckan.data.result as { title?: string }).title,
  }));
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
`

// TestTypedClient generates a typed TypeScript client from the document
// (make openapi-client installs the pinned toolchain into .tools/client)
// and runs it against a running portal. Under CI a missing toolchain fails.
func TestTypedClient(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	modules := filepath.Join(root, ".tools", "client", "node_modules")
	node, nodeErr := exec.LookPath("node")
	if _, err := os.Stat(filepath.Join(modules, "openapi-fetch")); err != nil || nodeErr != nil {
		msg := "typed-client toolchain missing (node, or .tools/client: run `make openapi-client`)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	p := apptest.New(t, apptest.Options{Seed: "small"})

	dir := t.TempDir()
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "openapi.json")
	files := map[string]string{
		spec:                               string(openapi.V3JSON),
		filepath.Join(dir, "client.ts"):    clientTS,
		filepath.Join(dir, "package.json"): `{"type": "module"}`,
	}
	for name, body := range files {
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	bin := func(n string) string { return filepath.Join(modules, ".bin", n) }
	run(nil, node, bin("openapi-typescript"), spec, "-o", "schema.d.ts")
	run(nil, node, bin("tsc"), "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
		"--skipLibCheck", "--outDir", "out", "client.ts")
	out := run([]string{"PORTAL_URL=" + p.URL}, node, filepath.Join(dir, "out", "client.js"))

	var got struct {
		Total, Count int
		ID, Title    string
		CKANSuccess  bool   `json:"ckanSuccess"`
		CKANTitle    string `json:"ckanTitle"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
		t.Fatalf("client output %q: %v", out, err)
	}
	var list struct{ Total int }
	p.Get(t, "/api/v1/datasets?page_size=2").JSON(t, &list)
	if list.Total == 0 || got.Total != list.Total || got.Count != 2 {
		t.Errorf("list: total %d count %d, want %d and 2", got.Total, got.Count, list.Total)
	}
	var want struct{ Title string }
	p.Get(t, "/api/v1/datasets/"+got.ID).JSON(t, &want)
	if got.Title == "" || got.Title != want.Title || !got.CKANSuccess || got.CKANTitle != want.Title {
		t.Errorf("client answers %+v, want title %q from both APIs", got, want.Title)
	}
}
