// Comment thread behaviour that JavaScript adds; everything works without it.
// - "Reply" opens the comment form under the comment instead of on its own page, and
//   moves focus into it; "Cancel reply" (or Escape) puts it back and focus on that "Reply".
// - "Load more comments" fetches the next page of threads in place.
// - Selecting text in the post or a comment offers "Quote": a reply that quotes it and
//   records (hidden field "quoted") which paragraph or comment it quotes.
// Collapsing a branch is a <details> element and needs no script.
"use strict";
(() => {
  const form = document.getElementById("respond");
  let opener = null; // The "Reply" link that opened the form, for focus to return to.

  function openReply(link) {
    opener = link;
    const article = link.closest("article.comment");
    const parent = form.querySelector("input[name=parent]");
    parent.value = link.dataset.comment;
    article.querySelector(":scope > .comment-body").after(form);
    const name = link.getAttribute("aria-label").replace(/^Reply to /, "");
    form.querySelector(".respond-title").textContent = `Reply to ${name}`;
    form.querySelector(".cancel-reply").hidden = false;
    form.querySelector("textarea").focus();
  }

  function cancelReply(returnFocus) {
    const link = opener;
    opener = null;
    form.querySelector("input[name=parent]").value = "";
    form.querySelector("input[name=quoted]").value = "";
    form.querySelector(".respond-title").textContent = "Leave a comment";
    form.querySelector(".cancel-reply").hidden = true;
    document.getElementById("comments").append(form);
    if (returnFocus && link && link.isConnected) link.focus();
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
    const added = [...page.querySelectorAll("[data-thread] > article")];
    added.forEach((article) => thread.append(article));
    const next = page.querySelector("[data-load-more]");
    if (next) {
      link.href = next.href;
      link.removeAttribute("aria-busy");
      link.parentElement.querySelector(".comment-page-count").textContent =
        next.parentElement.querySelector(".comment-page-count").textContent;
    } else {
      link.parentElement.remove();
    }
    // Keyboard and screen reader users go on reading at the first new comment.
    if (added.length) {
      added[0].tabIndex = -1;
      added[0].focus();
    }
  }

  // The selection a "Quote" click would quote: its text, the anchor of the paragraph or
  // comment it starts in, and that comment's Reply link (if it takes replies).
  let selected = null;
  const quoteButton = document.createElement("button");
  quoteButton.type = "button";
  quoteButton.className = "quote-button";
  quoteButton.textContent = "Quote";
  quoteButton.hidden = true;

  function findSelection() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const text = selection.toString().trim();
    const range = selection.getRangeAt(0);
    const element = (node) => (node.nodeType === 1 ? node : node.parentElement);
    const content = element(range.commonAncestorContainer)?.closest(".e-content");
    if (!text || !content) return null;
    const comment = content.closest("article.comment");
    if (comment) {
      const link = comment.querySelector(":scope > .comment-body a.reply-link");
      return { text, content, anchor: comment.id, link };
    }
    if (!content.closest("article.h-entry")) return null;
    // The paragraph (or quotation) the selection starts in: publishing gave each an id.
    const block = element(range.startContainer).closest("[id^='p-'], [id^='quotation-']");
    const anchor = block && content.contains(block) && /^\w+-\d+$/.test(block.id) ? block.id : "";
    return { text, content, anchor, link: null };
  }

  function showQuoteButton() {
    selected = findSelection();
    if (selected) {
      // Right after the text it quotes, so Tab reaches it from the selection.
      if (quoteButton.previousElementSibling !== selected.content) {
        selected.content.after(quoteButton);
      }
      quoteButton.hidden = false;
    } else if (document.activeElement !== quoteButton) {
      quoteButton.hidden = true;
    }
  }

  function quote() {
    if (!selected) return;
    const { text, anchor, link } = selected;
    if (link) openReply(link);
    else cancelReply();
    form.querySelector("input[name=quoted]").value = anchor;
    const lines = text.replace(/\n{3,}/g, "\n\n").split("\n");
    const quoted = lines.map((line) => `> ${line.trim()}`.trimEnd()).join("\n");
    const textarea = form.querySelector("textarea");
    const before = textarea.value.trim() ? `${textarea.value.trimEnd()}\n\n` : "";
    textarea.value = `${before}${quoted}\n\n`;
    quoteButton.hidden = true;
    selected = null;
    window.getSelection().removeAllRanges();
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  if (form && form.querySelector("input[name=quoted]")) {
    document.addEventListener("selectionchange", showQuoteButton);
    // Keep the selection when the button is pressed with a mouse.
    quoteButton.addEventListener("mousedown", (event) => event.preventDefault());
    quoteButton.addEventListener("click", quote);
    quoteButton.addEventListener("blur", showQuoteButton);
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
      cancelReply(true);
    }
  });

  form?.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !form.querySelector(".cancel-reply").hidden) {
      event.preventDefault();
      cancelReply(true);
    }
  });
})();
