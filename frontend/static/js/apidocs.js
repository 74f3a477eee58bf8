// Starts Swagger UI on the API docs page. Kept out of the HTML so the page
// runs under the portal's CSP (no inline script).
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("swagger-ui");
    if (!el || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.ui = window.SwaggerUIBundle({
      url: el.dataset.specUrl,
      domNode: el,
      deepLinking: true,
      validatorUrl: null, // no calls to outside validators
      tryItOutEnabled: false,
      withCredentials: true, // same-origin session cookie for "Try it out"
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      requestInterceptor: function (req) {
        // A signed-in browser's state-changing calls need the session's
        // CSRF token; API-token calls (Authorize → BearerToken) need none.
        var method = (req.method || "GET").toUpperCase();
        if (method === "GET" || method === "HEAD" || req.headers["X-CSRF-Token"] || req.headers.Authorization) {
          return req;
        }
        return fetch("/api/v1/auth/csrf", { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (res) { return res.ok ? res.json() : null; })
          .then(function (body) {
            if (body && body.csrf_token) {
              req.headers["X-CSRF-Token"] = body.csrf_token;
            }
            return req;
          })
          .catch(function () { return req; });
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
