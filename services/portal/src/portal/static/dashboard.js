// Live figures: fetch the page's content again every few seconds and put it in place,
// keeping open data tables open. Pause stops it (WCAG 2.2.2). No library, no inline script.
// The words come from the page (data-msg-*), in the person's language.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) { return; }
  var every = parseInt(live.getAttribute("data-refresh-ms"), 10) || 5000;
  var status = document.getElementById("live-status");
  var pause = document.getElementById("pause");
  function msg(name) { return live.getAttribute("data-msg-" + name) || ""; }
  var paused = false;
  var timer = null;

  function say(text) { if (status) { status.textContent = text; } }

  function fragmentUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    url.hash = "";
    return url.toString();
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!paused) { timer = window.setTimeout(refresh, every); }
  }

  function refresh() {
    fetch(fragmentUrl(), { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.status === 401 || response.type === "opaqueredirect") {
          say(msg("ended"));
          paused = true;
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var open = Array.prototype.map.call(
          live.querySelectorAll("details[open][id]"), function (d) { return d.id; });
        live.innerHTML = html;
        open.forEach(function (id) {
          var d = document.getElementById(id);
          if (d) { d.open = true; }
        });
        say("");
        live.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { say(msg("interrupted")); })
      .then(schedule);
  }

  if (pause) {
    pause.hidden = false;
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", String(paused));
      pause.textContent = paused ? msg("resume") : msg("pause");
      if (!paused) { refresh(); } else { window.clearTimeout(timer); }
    });
  }
  schedule();
}());
