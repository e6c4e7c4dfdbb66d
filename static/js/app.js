// No inline script anywhere (the content security policy forbids it): behaviour is declared
// with data- attributes and wired here.

// Confirmation before destructive actions: <form data-confirm="Bạn chắc chắn…?">
document.addEventListener("submit", function (event) {
  const form = event.target;
  const message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  // <form data-year-nav="/khoi/3/">: go to /khoi/3/<year>/ for the chosen year.
  const base = form.getAttribute && form.getAttribute("data-year-nav");
  if (base && form.year) {
    event.preventDefault();
    window.location = base + encodeURIComponent(form.year.value) + "/";
  }
});

// A unit search box (blocs/unit_search.py) belongs to <form data-unit-search="<box id>">, which
// without JavaScript reloads the page with ?q=. With htmx, Enter and its button fetch the matches
// into the page instead, so what was typed in the page's form stays.
document.addEventListener("submit", function (event) {
  const box = event.target.getAttribute && event.target.getAttribute("data-unit-search");
  if (box && window.htmx && document.getElementById(box)) {
    event.preventDefault();
    window.htmx.trigger(document.getElementById(box), "search");
  }
});

// The unit chosen in a search's list is remembered on the list's container, so that matches
// arriving after the choice (a search sent just before it) do not undo it.
document.addEventListener("change", function (event) {
  const el = event.target;
  const list = el.type === "radio" && el.closest && el.closest(".unit-search [aria-live]");
  if (list) {
    list.dataset.chosen = el.value;
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  const list = event.target;
  if (!list.matches || !list.matches(".unit-search [aria-live]") || list.dataset.chosen === undefined) {
    return;
  }
  list.querySelectorAll("input[type=radio]").forEach(function (radio) {
    if (radio.value === list.dataset.chosen) {
      radio.checked = true;
    }
  });
});

// <select data-autosubmit>: choosing a value submits its form.
document.addEventListener("change", function (event) {
  const el = event.target;
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit();
  }
});

// A link "…/noi-dung/?dong=12" (from the plan page's list of places to check) opens the body
// editor with line 12 of the outline selected and scrolled into view.
document.addEventListener("DOMContentLoaded", function () {
  const line = parseInt(new URLSearchParams(window.location.search).get("dong"), 10);
  const area = document.getElementById("id_outline");
  if (!area || !line) {
    return;
  }
  const lines = area.value.split("\n");
  const index = Math.min(line, lines.length) - 1;
  let start = 0;
  for (let i = 0; i < index; i += 1) {
    start += lines[i].length + 1;
  }
  const end = start + lines[index].length;
  // Scroll so that the line sits in the middle: measure where its end falls with the text cut
  // there (wrapped lines make any line-height arithmetic wrong).
  const full = area.value;
  area.value = full.slice(0, end);
  area.scrollTop = area.scrollHeight;
  const bottom = area.scrollTop;
  area.value = full;
  area.focus();
  area.setSelectionRange(start, end);
  area.scrollTop = bottom + area.clientHeight / 2;
});

// A print job's progress (templates/reports/_render_job_status.html): when the polled block says
// the file is ready, its download starts by itself (the page stays, showing the link).
document.addEventListener("htmx:afterSettle", function () {
  const link = document.querySelector("[data-auto-download]");
  if (link) {
    link.removeAttribute("data-auto-download");
    window.location.assign(link.href);
  }
});
