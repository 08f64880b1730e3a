// A "Preview" button under every Markdown field of the post and page forms, including
// update notes added with "Add another". The server renders the preview with the same
// function that renders on save.
"use strict";
(() => {
  function attach(textarea, config) {
    if (textarea.dataset.previewAttached || textarea.closest(".empty-form")) return;
    textarea.dataset.previewAttached = "yes";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button markdown-preview-button";
    button.textContent = "Preview";
    const pane = document.createElement("div");
    pane.className = "markdown-preview";
    pane.hidden = true;
    pane.setAttribute("aria-live", "polite");
    textarea.after(button, pane);
    button.addEventListener("click", async () => {
      const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
      const body = new FormData();
      body.append("body", textarea.value);
      const response = await fetch(config.dataset.url, {
        method: "POST", body, headers: { "X-CSRFToken": csrf.value }, credentials: "same-origin",
      });
      // The server sanitized this HTML with the same allow-list used on save.
      pane.innerHTML = response.ok ? (await response.json()).html : "Preview failed.";
      pane.hidden = false;
    });
  }

  function attachAll(root, config) {
    root.querySelectorAll("textarea.markdown-source").forEach((t) => attach(t, config));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const config = document.getElementById("markdown-preview-config");
    if (!config) return;
    attachAll(document, config);
    // Django's admin announces a new inline row with this event on the row itself.
    document.addEventListener("formset:added", (event) => attachAll(event.target, config));
  });
})();
