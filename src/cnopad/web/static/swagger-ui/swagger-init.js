// Starts Swagger UI on /docs. A static file (not an inline script) so the page keeps cnopad's
// Content-Security-Policy (script-src 'self'); the OpenAPI URL comes from the page's data attribute.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: target.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
