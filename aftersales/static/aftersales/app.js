/* aftersales — live deadline countdowns, "select all" and confirmations. No framework, and no inline
   script anywhere: the Content-Security-Policy allows only these files. */
(function () {
  "use strict";

  var t = document.body ? document.body.dataset : {};

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    if (d > 0) return d + t.tDays + " " + h + t.tHours + " " + m + t.tMinutes;
    if (h > 0) return h + t.tHours + " " + m + t.tMinutes + " " + sec + t.tSeconds;
    return m + t.tMinutes + " " + sec + t.tSeconds;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var due = Date.parse(el.dataset.deadline);
      if (isNaN(due)) return;
      var left = due - now;
      el.classList.remove("due-overdue", "due-soon", "due-later");
      if (el.dataset.waiting === "buyer") {
        // The buyer's move: their clock, never the shop's red overdue (the platform closes it by itself).
        el.textContent = left <= 0 ? t.tBuyerLate + " " + span(left) : t.tBuyerLeft + " " + span(left);
        return;
      }
      if (el.dataset.waiting === "platform") {
        // The platform arbitrates or has still to confirm what the shop sent: not the shop's lateness.
        el.textContent = left <= 0 ? t.tPlatformLate + " " + span(left) : t.tPlatformLeft + " " + span(left);
        return;
      }
      if (left <= 0) {
        el.textContent = t.tOverdue + " " + span(left);
        el.classList.add("due-overdue");
      } else {
        el.textContent = span(left) + " " + (t.tLeft || "");
        el.classList.add(left <= 4 * 3600 * 1000 ? "due-soon" : "due-later");
      }
      var row = el.closest("tr");
      if (row) {
        row.classList.toggle("row-overdue", left <= 0);
        row.classList.toggle("row-soon", left > 0 && left <= 4 * 3600 * 1000);
      }
    });
  }

  document.addEventListener("change", function (ev) {
    var box = ev.target;
    if (box.matches && box.matches("[data-select-all]")) {
      document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (b) {
        b.checked = box.checked;
      });
    }
    // The shop switcher submits as soon as a shop is picked (no inline handler: the CSP forbids them) —
    // with the mouse; a keyboard user walks the shops with the arrow keys and switches with Enter.
    if (box.matches && box.matches("[data-submit-on-change]") && box.form) {
      if (box === walkedByKeys) return;
      box.form.submit();
    }
  });

  var walkedByKeys = null;
  var WALKING_KEYS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"];
  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (!el.matches) return;
    if (el.matches("[data-submit-on-change]") && el.form) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        el.form.submit();
      } else if (!ev.altKey && (WALKING_KEYS.indexOf(ev.key) >= 0 || ev.key.length === 1)) {
        walkedByKeys = el;  // the change this key makes only picks; Enter switches
      }
      return;
    }
    // Ctrl+Enter (⌘+Enter) sends what is written in a text area: a reply, a note, a reason.
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && el.matches("textarea") && el.form) {
      ev.preventDefault();
      el.form.requestSubmit();
    }
  });
  document.addEventListener("mousedown", function () { walkedByKeys = null; });

  function confirmText(form, button) {
    return (button && button.dataset && button.dataset.confirm) || (form && form.dataset.confirm) || "";
  }

  // Plain forms: ask before submitting. A form htmx posts has already been taken over (default
  // prevented) by the time the event reaches the document; it asks in htmx:confirm below instead.
  document.addEventListener("submit", function (ev) {
    if (ev.defaultPrevented) return;
    var text = confirmText(ev.target, ev.submitter);
    if (text && !window.confirm(text)) ev.preventDefault();
  });

  document.addEventListener("htmx:confirm", function (ev) {
    // A self-refreshing table ([data-refresh]) waits while the tab is hidden or a row is ticked.
    var elt = ev.detail.elt;
    if (elt.hasAttribute && elt.hasAttribute("data-refresh") && (document.visibilityState !== "visible" ||
        document.querySelector(elt.getAttribute("hx-target") + " input:checked"))) {
      ev.preventDefault();
      return;
    }
    var trigger = ev.detail.triggeringEvent;
    var text = confirmText(ev.detail.elt, trigger && trigger.submitter);
    if (!text) return;
    ev.preventDefault();
    if (window.confirm(text)) ev.detail.issueRequest(true);
  });

  document.addEventListener("click", function (ev) {
    var pick = ev.target.closest && ev.target.closest("[data-fill-target]");
    if (!pick) return;
    var target = document.getElementById(pick.dataset.fillTarget);
    if (target) {
      target.value = pick.dataset.fillText;
      var id = document.getElementById(pick.dataset.fillTarget + "-template");
      if (id) id.value = pick.dataset.templateId || "";
      target.focus();
    }
    ev.preventDefault();
  });

  // [data-copy]: put the text on the clipboard (the return address, for the courier's app) and say so on
  // the button for a moment. Without the Clipboard API (a plain-HTTP page) a selected textarea is copied.
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-copy]");
    if (!button) return;
    var text = button.dataset.copy, label = button.textContent;
    function done() {
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } finally { area.remove(); button.focus(); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });

  document.addEventListener("click", function (ev) {
    var close = ev.target.closest && ev.target.closest("[data-dismiss-flash]");
    if (!close) return;
    var item = close.closest("li"), list = close.closest(".flash");
    if (item) item.remove();
    if (list && !list.querySelector("li")) list.remove();
  });

  // Success and info messages leave after a few seconds; errors and warnings stay until the next page.
  function fadeFlash() {
    document.querySelectorAll("#flash .flash").forEach(function (list) {
      if (list.querySelector(".flash-error, .flash-warning")) return;
      setTimeout(function () {
        list.classList.add("fading");
        setTimeout(function () { list.remove(); }, 700);
      }, 6000);
    });
  }

  // A field that only matters for one answer of another ([data-shown-if="id_kind=exchange"]) is shown
  // only with that answer; without JavaScript it simply stays visible.
  function showDependents() {
    document.querySelectorAll("[data-shown-if]").forEach(function (el) {
      var rule = el.dataset.shownIf.split("="), source = document.getElementById(rule[0]);
      if (source) el.hidden = source.value !== rule[1];
    });
  }
  document.addEventListener("change", showDependents);

  // On a phone the status tabs scroll sideways: bring the chosen one into view (sideways only).
  function showActiveTab() {
    document.querySelectorAll(".tabs").forEach(function (tabs) {
      var active = tabs.querySelector("a.active");
      if (active && tabs.scrollWidth > tabs.clientWidth) tabs.scrollLeft = active.offsetLeft - tabs.offsetLeft - 12;
    });
  }

  // The inbox's filters fold behind one button on a phone (CSS), unless one of them is in use.
  function foldFilters() {
    document.querySelectorAll("form.filters[data-collapsible]").forEach(function (form) {
      var used = Array.prototype.some.call(form.elements, function (el) {
        if (el.name === "q" || el.type === "hidden" || !el.name) return false;
        if (el.type === "checkbox") return el.checked;
        if (el.tagName === "SELECT") return el.selectedIndex > 0;
        return el.value !== "";
      });
      form.classList.toggle("folded", !used);
      var button = form.querySelector("[data-toggle-filters]");
      if (button) button.setAttribute("aria-expanded", used ? "true" : "false");
    });
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-toggle-filters]");
    if (!button) return;
    var folded = button.form.classList.toggle("folded");
    button.setAttribute("aria-expanded", folded ? "false" : "true");
  });

  function start() {
    foldFilters();
    showActiveTab();
    showDependents();
    tick();
    fadeFlash();
    setInterval(tick, 1000);
  }
  // An action on the case page draws the page anew; htmx puts the focus back only on an element with an
  // id, so after a button (同意申请, 标记为每日跟进) it fell back to the top of the document: a keyboard user
  // carries on from the first field to correct, else from the card they acted in.
  var actedIn = null;
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var elt = ev.detail.elt;
    if (!elt.closest || !elt.closest("#case-page") || elt.hasAttribute("data-refresh")) { actedIn = null; return; }
    var card = elt.closest("section[id]");
    actedIn = card ? card.id : "case-page";
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!actedIn) return;
    var page = document.getElementById("case-page"), card = document.getElementById(actedIn);
    actedIn = null;
    if (!page) return;
    var listed = page.querySelector(".errorlist");
    var wrong = page.querySelector("[aria-invalid='true']") ||
      (listed && listed.closest("form") && listed.closest("form").querySelector("input:not([type=hidden]), select, textarea"));
    var active = document.activeElement;
    if (!wrong && active && active !== document.body) return;  // htmx put it back where it was (by its id)
    var heading = (card || document.getElementById("actions") || page).querySelector("h1, h2");
    var target = wrong || heading;
    if (!target) return;
    if (!target.matches("input, select, textarea, button, a[href]")) target.setAttribute("tabindex", "-1");
    target.focus();
  });

  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("htmx:oobAfterSwap", fadeFlash);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
