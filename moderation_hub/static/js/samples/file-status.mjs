// A worker turns uploaded files into pages, and burns redactions into page images, after the request
// that asked for it has finished. While it is busy, ask the server now and then, and show the result as
// soon as it exists.

const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 10000;

const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const noFilePending = (status) => !status.files.some((file) => file.status === "pending");
const settled = (status) => noFilePending(status) && status.pages_outdated === 0;

// Resolves with the sample's status (GET /samples/<id>/status.json) once `done(status)` holds, by
// default once no file waits for the worker. It asks often at first, since a photo takes a second or
// two, then less often, so a long queue costs the server little. Each answer also updates every status
// of a file or a page shown in the document (see showProgress).
export async function whenProcessed(statusUrl, done = noFilePending) {
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        showProgress(status);
        if (done(status)) return status;
      }
    } catch {
      // Offline for a moment, or signed out (an HTML sign-in page is not JSON): ask again later.
    }
    await sleep(delay);
    delay = Math.min(delay * 1.5, LONGEST_DELAY_MS);
  }
}

// Someone who has typed in a form on the page would lose it to a reload, so then we only offer one.
let typed = false;
document.addEventListener("input", (event) => {
  if (event.target.type !== "file") typed = true;
});

// A message with a button that reloads the page, placed after `element` (replacing an earlier one).
export function offerReload(element, message, buttonText) {
  const offer = document.createElement("p");
  offer.className = "govuk-body mh-reload-offer";
  offer.setAttribute("role", "status");
  offer.textContent = `${message} `;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
  button.textContent = buttonText;
  button.addEventListener("click", () => window.location.reload());
  offer.append(button);
  const earlier = element.nextElementSibling;
  if (earlier?.classList.contains("mh-reload-offer")) earlier.replaceWith(offer);
  else element.after(offer);
}

export function reloadOrOffer(element, message, buttonText) {
  if (typed) offerReload(element, message, buttonText);
  else window.location.reload();
}

// A GOV.UK tag as templates/samples/_macros.html renders it; the server chooses its words and colour.
function tagElement({ text, colour }) {
  const element = document.createElement("strong");
  element.className = colour ? `govuk-tag govuk-tag--${colour}` : "govuk-tag";
  element.textContent = text;
  return element;
}

const words = (text) => text.replace(/\s+/g, " ").trim();

// Replaces what `element` shows only when the words change, so nothing flickers on every answer.
function replaceTags(element, tags, after = "") {
  if (words(element.textContent) === words(tags.map((tag) => tag.text).join(" ") + after)) return;
  const children = tags.flatMap((tag, index) => (index ? [" ", tagElement(tag)] : [tagElement(tag)]));
  element.replaceChildren(...children, ...(after ? [after] : []));
}

// Shows the statuses of one answer from status.json: in the "Uploaded files" table, the cell of each
// file; in a page strip, each page's tags, a failed file's reason and, once a page's redactions are
// burned in, its new thumbnail. A placeholder whose page now exists keeps its place until a reload.
export function showProgress(status) {
  for (const file of status.files) {
    for (const cell of document.querySelectorAll(`[data-file-status="${file.id}"]`)) {
      cell.dataset.state = file.status;
      replaceTags(cell, [file.tag], file.status === "failed" ? ` ${file.failure ?? ""}` : "");
    }
  }
  for (const entry of status.page_statuses) {
    for (const item of document.querySelectorAll(`[data-page-status="${entry.key}"]`)) showPage(item, entry);
  }
}

function showPage(item, entry) {
  item.toggleAttribute("data-in-progress", entry.in_progress);
  replaceTags(item.querySelector(".mh-page-strip__status"), entry.tags);
  const reason = item.querySelector(".mh-page-strip__reason");
  if (reason) {
    reason.textContent = entry.failure ?? "";
    reason.hidden = !entry.failure;
  }
  const thumbnail = item.querySelector(".mh-page-strip__thumbnail");
  if (thumbnail && entry.thumbnail && thumbnail.getAttribute("src") !== entry.thumbnail) {
    thumbnail.src = entry.thumbnail;
  }
}

const placeholdersFilled = (strip, status) => {
  const made = new Set(status.page_statuses.filter((entry) => entry.thumbnail).map((entry) => entry.key));
  return [...strip.querySelectorAll("[data-placeholder]")].some((item) => made.has(item.dataset.pageStatus));
};

// The "Uploaded files" table on the sample page, which also watches the page strip below it: while the
// worker has files to process or redactions to burn in, it keeps the statuses up to date. Once every
// file is processed, the page reloads to show the new pages; new redactions only need new thumbnails.
export class FileStatusTable {
  constructor(table) {
    this.table = table;
    const filesPending = table.querySelector('[data-state="pending"]') !== null;
    if (filesPending) this.#wait(noFilePending, true);
    else if (document.querySelector("[data-page-status][data-in-progress]")) this.#wait(settled, false);
  }

  async #wait(done, reload) {
    await whenProcessed(this.table.dataset.statusUrl, done);
    if (reload) reloadOrOffer(this.table, "Every file has been processed.", "Show the pages");
  }
}

// The page strip under the page viewer: keeps its statuses up to date while the worker is busy, and
// offers to show new pages once there are some (it never reloads by itself: the teacher may be drawing
// a box). The page on view has a notice of its own when its redactions are waiting.
export class PageStrip {
  constructor(strip) {
    this.strip = strip;
    if (strip.querySelector("[data-in-progress]")) this.#wait();
  }

  async #wait() {
    const status = await whenProcessed(this.strip.dataset.statusUrl, settled);
    if (placeholdersFilled(this.strip, status)) {
      offerReload(this.strip.closest("nav") ?? this.strip, "New pages are ready.", "Show them");
    }
  }
}

// The notice on a page whose new redactions the worker has not burned into its images yet. The worker
// may also give up on them; the page then says why.
export class OutdatedImageNotice {
  constructor(notice) {
    whenProcessed(notice.dataset.statusUrl, (status) => status.pages_outdated === 0).then((status) => {
      const page = status.page_statuses.find((entry) => entry.key === notice.dataset.pageKey);
      if (page?.failure) reloadOrOffer(notice, "The redactions could not be applied.", "Show why");
      else reloadOrOffer(notice, "The redactions have been applied.", "Show the updated page");
    });
  }
}
