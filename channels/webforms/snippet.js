/* Leadgate form snippet: turns a plain HTML form into a Leadgate form.
   <form data-leadgate-form="__FORM_KEY__"> … </form>
   <script src="__ENDPOINT__.js" async></script>
   Posting FormData (multipart) avoids a CORS preflight; UTM tags and the page are added. */
(function () {
  "use strict";
  var endpoint = "__ENDPOINT__";
  var formKey = "__FORM_KEY__";
  var thankYou = __THANK_YOU__;
  var stamp = __STAMP__;
  function attach(form) {
    if (form.__leadgate) { return; }
    form.__leadgate = true;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var params = new URLSearchParams(window.location.search);
      ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"].forEach(function (k) {
        if (params.get(k) && !data.get(k)) { data.append(k, params.get(k)); }
      });
      data.append("page_url", window.location.href);
      data.append("_lg_stamp", stamp);
      if (document.referrer) { data.append("referrer", document.referrer); }
      var button = form.querySelector("[type=submit]");
      if (button) { button.disabled = true; }
      fetch(endpoint, { method: "POST", body: data, headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (result.ok) {
            form.dispatchEvent(new CustomEvent("leadgate:sent", { detail: result.body }));
            if (thankYou) { window.location.href = thankYou; } else { form.reset(); }
          } else {
            form.dispatchEvent(new CustomEvent("leadgate:error", { detail: result.body }));
          }
        })
        .catch(function (error) {
          form.dispatchEvent(new CustomEvent("leadgate:error", { detail: { error: String(error) } }));
        })
        .finally(function () { if (button) { button.disabled = false; } });
    });
  }
  function scan() {
    var forms = document.querySelectorAll('form[data-leadgate-form="' + formKey + '"]');
    Array.prototype.forEach.call(forms, attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
