// A worker turns uploaded files into pages, and burns redactions into page images, after the request
// that asked for it has finished. While it is busy, ask the server now and then, and show the result as
// soon as it exists.

const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 10000;

const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const noFilePending = (status) => !status.files.some((file) => file.status === "pending");

// Resolves with the sample's status (GET /samples/<id>/status.json) once `done(status)` holds, by
// default once no file waits for the worker. It asks often at first, since a photo takes a second or
// two, then less often, so a long queue costs the server little.
export async function whenProcessed(statusUrl, done = noFilePending) {
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
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

function tag(text, colour) {
  const element = document.createElement("strong");
  element.className = `govuk-tag govuk-tag--${colour}`;
  element.textContent = text;
  return element;
}

// The "Uploaded files" table: its status cells carry data-state="pending" while the worker has not
// finished with their file.
export class FileStatusTable {
  constructor(table) {
    this.table = table;
    if (table.querySelector('[data-state="pending"]')) this.#wait();
  }

  async #wait() {
    const status = await whenProcessed(this.table.dataset.statusUrl);
    for (const file of status.files) this.#show(file);
    reloadOrOffer(this.table, "Every file has been processed.", "Show the pages");
  }

  #show(file) {
    const cell = this.table.querySelector(`[data-file-status="${file.id}"]`);
    if (!cell || cell.dataset.state === file.status) return;
    cell.dataset.state = file.status;
    if (file.status === "ready") cell.replaceChildren(tag("Ready", "green"));
    else cell.replaceChildren(tag("Failed", "red"), ` ${file.failure ?? ""}`);
  }
}

// The notice on a page whose new redactions the worker has not burned into its images yet.
export class OutdatedImageNotice {
  constructor(notice) {
    whenProcessed(notice.dataset.statusUrl, (status) => status.pages_outdated === 0).then(() =>
      reloadOrOffer(notice, "The redactions have been applied.", "Show the updated page"),
    );
  }
}
