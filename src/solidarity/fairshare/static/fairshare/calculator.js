// Progressive enhancement of the fair-share calculator: the page works fully without this file
// (a plain GET form). With it, the fieldset of custom weights is shown only when "my own
// weights" is chosen. No inline script or style: the page's Content Security Policy refuses both.
(function () {
  "use strict";
  var key = document.getElementById("id_key");
  var weights = document.getElementById("custom-weights");
  if (!key || !weights) {
    return;
  }
  function update() {
    weights.hidden = key.value !== "custom";
  }
  key.addEventListener("change", update);
  update();
})();
