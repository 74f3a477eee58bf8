// Package apidocs serves the generated API descriptions (openapi/: Swagger
// 2.0 of /api/v1, OpenAPI 3 of the whole API) beside the API reference page /api/docs (frontend/pages/apidocs.html).
package apidocs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/openapi"
	"github.com/hlj-opendata/portal/server/web"
)

// SpecPath is where the Swagger 2.0 description is served.
const SpecPath = "/api/docs/swagger.json"

// OpenAPIPath is where the OpenAPI 3 document is served (the docs page and
// generated clients read it).
const OpenAPIPath = "/api/docs/openapi.json"

// Routes registers the description in JSON and YAML. Both are public: the
// API's shape is no secret, only its data is.
func Routes(r *web.Router) {
	r.GET(SpecPath, web.Public, serve(openapi.JSON, "application/json; charset=utf-8"))
	r.GET("/api/docs/swagger.yaml", web.Public, serve(openapi.YAML, "application/yaml; charset=utf-8"))
	r.GET(OpenAPIPath, web.Public, serve(openapi.V3JSON, "application/json; charset=utf-8"))
	r.GET("/api/docs/openapi.yaml", web.Public, serve(openapi.V3YAML, "application/yaml; charset=utf-8"))
}

func serve(body []byte, ctype string) echo.HandlerFunc {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Type", ctype)
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(body))
		return nil
	}
}
