package apidocs

import (
	"net/http"
	"strings"

	"github.com/hlj-opendata/portal/server/web"
)

// Security scheme names of the OpenAPI 3 document (components.securitySchemes).
const (
	SchemeBearer  = "BearerToken"
	SchemeSession = "SessionCookie"
	SchemeCSRF    = "CSRFToken"
)

// Security is what the OpenAPI 3 document declares for an operation with
// permission perm: public routes need nothing (an empty list, so the
// document-level default never applies); the rest accept an API token, or
// the browser session cookie, which a state-changing method must pair with
// the CSRF token. cmd/openapi3 writes it and TestSpecSecurityMatchesRouter
// checks the committed document against the live router with it.
func Security(perm web.Permission, method string) []map[string][]string {
	if perm == web.Public {
		return []map[string][]string{}
	}
	session := map[string][]string{SchemeSession: {}}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		session[SchemeCSRF] = []string{}
	}
	return []map[string][]string{{SchemeBearer: {}}, session}
}

// RouteFor finds the registered route serving an OpenAPI path ("{id}"
// parameters) for method: Echo's ":id" and "*" match any segment, and a
// parameter may cover a whole last segment such as "/dataset/:file"
// serving "/dataset/{id}.jsonld". Static routes win over parametric ones,
// as in Echo.
func RouteFor(routes []web.Route, method, specPath string) (web.Route, bool) {
	want := strings.Split(strings.Trim(specPath, "/"), "/")
	var best web.Route
	bestScore := -1
	for _, r := range routes {
		if r.Method != method {
			continue
		}
		got := strings.Split(strings.Trim(r.Path, "/"), "/")
		score, ok := match(got, want)
		if ok && score > bestScore {
			best, bestScore = r, score
		}
	}
	return best, bestScore >= 0
}

// match reports whether route segments got serve spec segments want, and
// how many matched literally (higher: more specific).
func match(got, want []string) (int, bool) {
	score := 0
	for i, g := range got {
		if g == "*" {
			return score, true
		}
		if i >= len(want) {
			return 0, false
		}
		switch {
		case strings.HasPrefix(g, ":"):
		case g == want[i]:
			score++
		default:
			return 0, false
		}
	}
	return score, len(got) == len(want)
}
