// A worker turns uploaded files into pages after the upload has finished. While any file of the sample
// is still waiting for it, ask the server now and then, and show the pages as soon as they exist.

const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 10000;

const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// Resolves with the sample's status (GET /samples/<id>/status.json) once no file is waiting. It asks
// often at first, since a photo takes a second or two, then less often, so a long queue costs little.
export async function whenProcessed(statusUrl) {
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        if (!status.files.some((file) => file.status === "pending")) return status;
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
    if (!typed) {
      window.location.reload();
      return;
    }
    for (const file of status.files) this.#show(file);
    const note = document.createElement("p");
    note.className = "govuk-body";
    note.setAttribute("role", "status");
    note.textContent = "Every file has been processed. ";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    button.textContent = "Show the pages";
    button.addEventListener("click", () => window.location.reload());
    note.append(button);
    this.table.after(note);
  }

  #show(file) {
    const cell = this.table.querySelector(`[data-file-status="${file.id}"]`);
    if (!cell || cell.dataset.state === file.status) return;
    cell.dataset.state = file.status;
    if (file.status === "ready") cell.replaceChildren(tag("Ready", "green"));
    else cell.replaceChildren(tag("Failed", "red"), ` ${file.failure ?? ""}`);
  }
}
