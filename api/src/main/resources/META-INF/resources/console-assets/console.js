// Refreshes the parts of a page marked data-refresh from the server's own HTML fragment, so a
// figure updates without a full reload. The fragment is rendered (and escaped) by the server.
document.addEventListener("DOMContentLoaded", () => {
  for (const part of document.querySelectorAll("[data-refresh]")) {
    const every = Number(part.dataset.every || 5000);
    setInterval(async () => {
      try {
        const answer = await fetch(part.dataset.refresh, { credentials: "same-origin" });
        if (answer.ok && answer.headers.get("content-type")?.startsWith("text/html")) {
          part.innerHTML = await answer.text();
          part.dataset.refreshedAt = new Date().toISOString();
        }
      } catch (e) {
        // The next round tries again; the figures on screen keep their own "at" time.
      }
    }, every);
  }
});
