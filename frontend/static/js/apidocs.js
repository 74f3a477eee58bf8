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
        // State-changing calls from a signed-in browser need the CSRF token.
        var token = window.sessionStorage && window.sessionStorage.getItem("csrf");
        if (token && req.method && req.method.toUpperCase() !== "GET" && !req.headers["X-CSRF-Token"]) {
          req.headers["X-CSRF-Token"] = token;
        }
        return req;
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
