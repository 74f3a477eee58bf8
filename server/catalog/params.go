package catalog

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// paramsEcho only builds contexts for ParseListParams; it serves nothing.
var paramsEcho = echo.New()

// ParseListParams reads a list request from query values with the very
// rules of GET /api/v1/datasets (the catalog page renders the same list on
// the server): the same defaults, limits and messages.
func ParseListParams(q url.Values) (ListParams, error) {
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/api/v1/datasets", RawQuery: q.Encode()}, Header: http.Header{}}
	return parseListParams(paramsEcho.NewContext(req, nil))
}
