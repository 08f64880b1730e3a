// Rejoinder's embeddable thread (docs/api.md): one tag on another site's page,
// <script src="https://blog.example/static/rejoinder/embed.js" data-rejoinder-url="…" async>.
// Without data-rejoinder-url it shows the thread of the page it is on (made by the page's
// first comment; data-rejoinder-title, else document.title, names it on the blog).
// It fetches the thread and reply form as HTML from the blog (CORS: allow-listed origins)
// and posts replies as JSON to the blog's API. No cookies cross, no inline code or style.
"use strict";
(() => {
  const script = document.currentScript;
  const base = new URL(script.src).origin;
  const wanted = script.dataset.rejoinderPost
    ? ["post", script.dataset.rejoinderPost]
    : ["url", script.dataset.rejoinderUrl || window.location.href.split("#")[0]];
  const box = document.createElement("div");
  box.className = "rejoinder";
  script.after(box);
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("embed.css", script.src).href;
  document.head.append(style);

  const q = (selector, root = box) => root.querySelector(selector);

  async function load(page, notice) {
    const url = new URL("/comments/embed/", base);
    url.searchParams.set(...wanted);
    if (page) url.searchParams.set("page", page);
    let response;
    try {
      response = await fetch(url, { credentials: "omit" });
    } catch {
      response = null;
    }
    if (!response || !response.ok) {
      box.textContent = "The comments could not be loaded.";
      box.dataset.state = "failed";
      return;
    }
    // The blog's own HTML: every reader's value in it was escaped or sanitized there.
    box.innerHTML = await response.text();
    box.dataset.state = "loaded";
    if (notice) say(notice);
  }

  function say(text) {
    const status = q(".embed-status");
    status.textContent = text;
    status.hidden = false;
  }

  function showErrors(form, problem) {
    form.querySelectorAll(".field-error, .form-errors").forEach((node) => node.remove());
    const general = document.createElement("div");
    general.className = "form-errors";
    general.setAttribute("role", "alert");
    for (const error of problem.errors || []) {
      const field = error.field && q(`.field-${error.field}`, form);
      if (!field) continue;
      const message = document.createElement("span");
      message.className = "field-error";
      message.textContent = error.detail;
      field.append(message);
    }
    const paragraph = document.createElement("p");
    paragraph.textContent = problem.detail || "The comment could not be sent.";
    general.append(paragraph);
    q(".respond-title", form).after(general);
  }

  async function send(form) {
    const data = Object.fromEntries(new FormData(form));
    delete data.csrfmiddlewaretoken;
    for (const box of ["notify_replies", "notify_all"]) data[box] = box in data;
    data.parent = data.parent ? Number(data.parent) : null;
    const section = q(".rejoinder-embed");
    if (section.dataset.pageUrl) {
      // A page without comments yet: its first one starts its thread, under this title
      // (cut to the blog's 300 characters, counting characters rather than UTF-16 halves).
      const title = script.dataset.rejoinderTitle || document.title || "";
      data.page_url = section.dataset.pageUrl;
      data.page_title = Array.from(title.trim()).slice(0, 300).join("");
    }
    const button = q("button[type=submit]", form);
    button.disabled = true;
    try {
      const response = await fetch(section.dataset.api, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data),
      });
      const answer = await response.json();
      if (response.status === 201) {
        await load(null, answer.message);
        return;
      }
      if ((answer.errors || []).some((error) => error.field === "issued")) {
        // An old page: take a new stamp, so sending again works.
        const stamp = await (await fetch(section.dataset.stamp, { credentials: "omit" })).json();
        q("input[name=issued]", form).value = stamp.issued;
      }
      showErrors(form, answer);
    } catch {
      showErrors(form, { detail: "The comment could not be sent; try again." });
    } finally {
      button.disabled = false;
    }
  }

  function reply(link, form) {
    q("input[name=parent]", form).value = link.dataset.comment;
    link.closest("article.comment").querySelector(":scope > .comment-body").after(form);
    const name = link.getAttribute("aria-label").replace(/^Reply to /, "");
    q(".respond-title", form).textContent = `Reply to ${name}`;
    q(".cancel-reply", form).hidden = false;
    q("textarea", form).focus();
  }

  function cancel(form) {
    q("input[name=parent]", form).value = "";
    q(".respond-title", form).textContent = "Leave a comment";
    q(".cancel-reply", form).hidden = true;
    q(".rejoinder-embed").append(form);
  }

  box.addEventListener("click", (event) => {
    const target = event.target.closest("a.reply-link, a[data-embed-page], .cancel-reply");
    const form = q("form.comment-form");
    if (!target || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    if (target.matches("a[data-embed-page]")) {
      event.preventDefault();
      load(target.dataset.embedPage);
    } else if (form && target.matches("a.reply-link")) {
      event.preventDefault();
      reply(target, form);
    } else if (form && target.matches(".cancel-reply")) {
      cancel(form);
    }
  });
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    send(event.target);
  });
  load();
})();
