// The dashboard's only script besides htmx: copy buttons. Loaded from a file, so the CSP
// needs no 'unsafe-inline'.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  navigator.clipboard.writeText(source.textContent ?? "").then(
    () => {
      button.textContent = "Copied";
    },
    () => {
      button.textContent = "Select and copy";
    },
  );
});
