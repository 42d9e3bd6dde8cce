// The run page's progress: poll the run's status (a small JSON document) until it has
// finished, then reload the page to show the report. Without JavaScript the page offers a
// refresh link instead, which this script hides.
(function () {
  "use strict";
  var section = document.getElementById("run-progress");
  if (!section) {
    return;
  }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("run-progress-bar");
  var step = document.getElementById("run-step");
  var status = document.getElementById("run-status");
  var refresh = document.getElementById("run-refresh");
  if (refresh) {
    refresh.hidden = true;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        bar.value = data.progress;
        bar.textContent = Math.round(data.progress * 100) + "%";
        status.textContent = data.status_label;
        step.textContent = step.textContent.replace(/:.*$/, ": " + (data.step || "…"));
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        if (refresh) {
          refresh.hidden = false;
        }
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 500);
})();
