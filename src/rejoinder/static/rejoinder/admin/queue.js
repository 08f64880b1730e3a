// Keyboard shortcuts of the moderation queue, listed in its "Keyboard shortcuts" legend:
// j/k choose a comment, a/s/t press its Approve/Spam/Trash button, r goes to its removal
// reason, x ticks it for a bulk action, ? shows the legend. Keys only press the page's own
// buttons, so the queue works the same without this file. After a decision the page
// reloads; the comment now in the decided one's place is chosen, ready for the next key.
"use strict";
(() => {
  const items = Array.from(document.querySelectorAll(".queue-item"));
  const legend = document.getElementById("queue-keys");
  const KEY = "rejoinder:queue-position";
  let current = -1;

  function choose(index, focus = true) {
    if (!items.length) return;
    current = Math.max(0, Math.min(index, items.length - 1));
    items.forEach((item, i) => {
      if (i === current) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
    if (focus) {
      items[current].focus();
      items[current].scrollIntoView({ block: "nearest" });
    }
  }

  function typing(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable || target.closest("textarea, select")) return true;
    const input = target.closest("input");
    return input !== null && !["checkbox", "radio", "button", "submit", "reset"].includes(input.type);
  }

  function press(key) {
    const item = items[current];
    const button = item && item.querySelector(`button[data-key="${key}"]`);
    if (!button) return false;
    sessionStorage.setItem(KEY, JSON.stringify({ path: location.pathname, index: current }));
    button.click();
    return true;
  }

  items.forEach((item, i) => item.addEventListener("focusin", () => choose(i, false)));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target)) return;
    const item = items[current];
    switch (event.key) {
      case "j":
        choose(current + 1);
        break;
      case "k":
        choose(current < 0 ? 0 : current - 1);
        break;
      case "a":
      case "s":
      case "t":
        if (!press(event.key)) return;
        break;
      case "r":
        if (!item) return;
        item.querySelector('[data-key="r"]').focus();
        break;
      case "x": {
        if (!item) return;
        const box = item.querySelector('input[type="checkbox"]');
        box.checked = !box.checked;
        break;
      }
      case "?":
        if (legend) legend.open = !legend.open;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // The legend shows only once the keys it lists work.
  if (legend) legend.hidden = false;

  const selectAll = document.getElementById("queue-select-all");
  if (selectAll) {
    selectAll.closest("label").hidden = false;
    selectAll.addEventListener("change", () => {
      items.forEach((item) => {
        item.querySelector('input[type="checkbox"]').checked = selectAll.checked;
      });
    });
  }

  // Back from a decision taken with a key: choose the comment now in that place.
  const saved = sessionStorage.getItem(KEY);
  if (saved) {
    sessionStorage.removeItem(KEY);
    try {
      const { path, index } = JSON.parse(saved);
      if (path === location.pathname) choose(index);
    } catch (error) {
      // A value from elsewhere: nothing to restore.
    }
  }
})();
