// One number formatter for every chart, written as the tables write numbers («۱٬۸۵۱»: Persian digits, thousands
// grouped with ٬, decimals after ٫ on a Persian page): not left to the browser's number data, one of which grouped
// fa-IR with a Latin comma («۱,۲۰۰»). Loaded before a page's chart script, which calls tmNumber(value).
(function () {
  "use strict";
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  globalThis.tmNumber = function (n) {
    var fa = (document.documentElement.lang || "").indexOf("fa") === 0;
    var value = Math.round(Number(n) * 100) / 100;
    var parts = Math.abs(value).toString().split(".");
    var text = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, fa ? "\u066c" : ",");
    if (parts[1]) text += (fa ? "\u066b" : ".") + parts[1];
    if (fa) text = text.replace(/[0-9]/g, function (d) { return PERSIAN[d]; });
    return (value < 0 ? "\u2212" : "") + text;
  };
})();
