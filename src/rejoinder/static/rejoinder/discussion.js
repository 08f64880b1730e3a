// Comment thread behaviour that JavaScript adds; everything works without it.
// - "Reply" opens the comment form under the comment instead of on its own page.
// - "Load more comments" fetches the next page of threads in place.
// Collapsing a branch is a <details> element and needs no script.
"use strict";
(() => {
  const form = document.getElementById("respond");

  function openReply(link) {
    const article = link.closest("article.comment");
    const parent = form.querySelector("input[name=parent]");
    parent.value = link.dataset.comment;
    article.querySelector(":scope > .comment-body").after(form);
    const name = link.getAttribute("aria-label").replace(/^Reply to /, "");
    form.querySelector(".respond-title").textContent = `Reply to ${name}`;
    form.querySelector(".cancel-reply").hidden = false;
    form.querySelector("textarea").focus();
  }

  function cancelReply() {
    form.querySelector("input[name=parent]").value = "";
    form.querySelector(".respond-title").textContent = "Leave a comment";
    form.querySelector(".cancel-reply").hidden = true;
    document.getElementById("comments").append(form);
  }

  async function loadMore(link) {
    const url = new URL(link.href, window.location.href);
    url.hash = "";
    url.searchParams.set("fragment", "threads");
    link.setAttribute("aria-busy", "true");
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) {
      window.location.href = link.href;
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const thread = document.querySelector("#comments [data-thread]");
    page.querySelectorAll("[data-thread] > article").forEach((article) => thread.append(article));
    const next = page.querySelector("[data-load-more]");
    if (next) {
      link.href = next.href;
      link.removeAttribute("aria-busy");
      link.parentElement.querySelector(".comment-page-count").textContent =
        next.parentElement.querySelector(".comment-page-count").textContent;
    } else {
      link.parentElement.remove();
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.reply-link, a[data-load-more], button.cancel-reply");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (link.matches("a.reply-link") && form) {
      event.preventDefault();
      openReply(link);
    } else if (link.matches("a[data-load-more]")) {
      event.preventDefault();
      loadMore(link);
    } else if (link.matches("button.cancel-reply") && form) {
      event.preventDefault();
      cancelReply();
    }
  });
})();
