// Confirmation before destructive actions: <form data-confirm="Bạn chắc chắn…?">
document.addEventListener("submit", function (event) {
  const form = event.target;
  const message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
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
  area.focus();
  area.setSelectionRange(start, start + lines[index].length);
  const lineHeight = parseFloat(window.getComputedStyle(area).lineHeight) || 20;
  area.scrollTop = Math.max(0, index * lineHeight - area.clientHeight / 3);
});

// A table that scrolls sideways (on a phone) must be reachable with the keyboard to scroll it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
    box.setAttribute("tabindex", "0");
  });
});
