// A prepared download is built by a worker after the request that asked for it. While it waits or is being
// built, ask the server how far it has got (GET /downloads/<id>.json), show it, and once it is ready or has
// failed, reload the page, which then shows the download link or the reason. Without this script the page
// offers a "Check again" link instead.

const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 5000;

const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export class DownloadProgress {
  constructor(element) {
    this.element = element;
    this.statusUrl = element.dataset.statusUrl;
    this.text = element.querySelector("[data-progress-text]");
    if (this.statusUrl && this.text && !element.querySelector("a[download]")) this.watch();
  }

  async watch() {
    let delay = FIRST_DELAY_MS;
    let shown = null;
    for (;;) {
      await sleep(delay);
      try {
        const response = await fetch(this.statusUrl, { headers: { Accept: "application/json" } });
        if (response.ok) {
          const status = await response.json();
          if (status.state === "ready" || status.state === "failed") {
            window.location.reload();
            return;
          }
          if (status.state !== shown?.state || status.done !== shown?.done) this.show(status);
          shown = status;
        }
      } catch {
        // Offline for a moment, or signed out (an HTML sign-in page is not JSON): ask again later.
      }
      delay = Math.min(delay * 1.5, LONGEST_DELAY_MS);
    }
  }

  show(status) {
    const tag = this.element.querySelector(".govuk-tag");
    if (tag) tag.textContent = status.label;
    if (status.state === "building" && status.total) {
      this.text.textContent = `${status.done} of ${status.total} steps done (${status.percent}%).`;
    }
    const bar = this.element.querySelector("progress");
    if (bar && status.percent !== null) {
      bar.value = status.percent;
      bar.textContent = `${status.percent}%`;
    }
  }
}
