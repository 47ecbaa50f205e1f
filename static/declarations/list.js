// Declaration list: keep shareable URLs short by dropping empty filters (and the default sort)
// from the htmx request and the URL it pushes. Plain form submits still work without this file.
(function () {
  "use strict";
  document.body.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      if (value === "" || (key === "sort" && value === "-declared_at")) {
        delete params[key];
      }
    });
  });
})();
