// Leadgate workspace: live inbox over server-sent events, countdowns, the title badge.
"use strict";
(function () {
  const baseTitle = document.title;
  let unseen = 0;

  function pad(n) { return String(n).padStart(2, "0"); }

  function tick() {
    const now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      const left = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - now) / 1000));
      const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
      el.classList.toggle("late", left < 60);
    });
  }

  function badge() {
    const lists = document.querySelector(".lists");
    const offers = lists ? Number(lists.dataset.offers || 0) : 0;
    const count = offers + unseen;
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }

  let pending = null;
  function refresh() {
    const live = document.getElementById("live");
    if (!live || pending) { return; }
    pending = setTimeout(function () {
      fetch(live.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) {
          if (r.redirected || r.status === 401) { location.assign("/app/login"); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          pending = null;
          if (html === null) { return; }
          live.innerHTML = html;
          tick(); badge();
        })
        .catch(function () { pending = null; });
    }, 150);
  }

  function listen() {
    if (!window.EventSource) { return; }
    const stream = new EventSource("/app/events");
    stream.addEventListener("open", function () { document.body.dataset.live = "on"; });
    stream.addEventListener("error", function () { document.body.dataset.live = "off"; });
    stream.addEventListener("change", function (ev) {
      let data = {};
      try { data = JSON.parse(ev.data); } catch (e) { /* a keepalive or garbage: refresh anyway */ }
      if (document.getElementById("live")) {
        if (document.hidden && data.event === "lead.assigned") { unseen += 1; }
        refresh();
      } else {
        const head = document.querySelector("[data-lead]");
        if (head && String(data.lead_id) === head.dataset.lead) {
          document.body.classList.add("stale");
          const note = document.getElementById("stale");
          if (note) { note.hidden = false; }
        }
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; badge(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    tick(); badge();
    setInterval(tick, 1000);
    if (document.body.dataset.page === "inbox" || document.body.dataset.page === "card") { listen(); }
  });
})();
