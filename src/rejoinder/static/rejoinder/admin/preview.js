// A "Preview" button under every Markdown field of the post and page forms. The server
// renders the preview with the same function that renders on save.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const config = document.getElementById("markdown-preview-config");
  if (!config) return;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  document.querySelectorAll("textarea.markdown-source").forEach((textarea) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Preview";
    const pane = document.createElement("div");
    pane.className = "markdown-preview";
    pane.hidden = true;
    pane.setAttribute("aria-live", "polite");
    textarea.after(button, pane);
    button.addEventListener("click", async () => {
      const body = new FormData();
      body.append("body", textarea.value);
      const response = await fetch(config.dataset.url, {
        method: "POST", body, headers: { "X-CSRFToken": csrf.value }, credentials: "same-origin",
      });
      // The server sanitized this HTML with the same allow-list used on save.
      pane.innerHTML = response.ok ? (await response.json()).html : "Preview failed.";
      pane.hidden = false;
    });
  });
});
