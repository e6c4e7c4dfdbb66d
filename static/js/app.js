// Confirmation before destructive actions: <form data-confirm="Bạn chắc chắn…?">
document.addEventListener("submit", function (event) {
  const form = event.target;
  const message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
