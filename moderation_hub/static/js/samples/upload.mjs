// Uploading pupils' work from the sample page: each chosen or dropped file goes in a request of its own,
// so each gets its own progress bar and its own answer (the server refuses a whole request when one
// file in it is bad). Without JavaScript the form posts every file at once and the server redirects back.

import { whenProcessed } from "./file-status.mjs";

// XMLHttpRequest rather than fetch(): only XHR reports upload progress.
function post(url, body, headers, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.responseType = "json"; // an HTML error page (a proxy's, say) arrives as null, not as an exception
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => resolve({ status: request.status, body: request.response }));
    request.addEventListener("error", () => resolve({ status: 0, body: null }));
    request.send(body);
  });
}

// What to tell the teacher when the server (or the network) gave no message of its own.
function problemFor(status) {
  if (status === 0) return "The connection failed. Check you are online, then choose the file again.";
  if (status === 413) return "The file is too large to upload.";
  if (status === 409) return "The sample has changed or is locked. Refresh the page to see why.";
  if (status === 400) return "The page has expired. Refresh it, then choose the file again.";
  return `Something went wrong on our side (error ${status}). Try again in a few minutes.`;
}

// One line of the progress list: the file's name, a <progress> bar with a percentage, and a state tag.
// The list is a polite live region, so a screen reader hears each file's name and each change of state;
// the percentage is hidden from it, or every tick would be read out.
class FileRow {
  static count = 0;

  constructor(file, list) {
    this.file = file;
    const id = `upload-${++FileRow.count}`;
    this.element = document.createElement("li");
    this.element.className = "mh-upload-progress__item";
    this.name = this.#add("span", "mh-upload-progress__name", file.name);
    this.name.id = id;
    this.tag = this.#add("strong", "govuk-tag govuk-tag--grey mh-upload-progress__state", "Waiting");
    this.bar = this.#add("progress", "mh-upload-progress__bar");
    this.bar.max = 100;
    this.bar.value = 0;
    this.bar.setAttribute("aria-labelledby", id);
    this.percent = this.#add("span", "mh-upload-progress__percent", "0%");
    this.percent.setAttribute("aria-hidden", "true");
    list.append(this.element);
  }

  #add(tagName, className, text = "") {
    const child = document.createElement(tagName);
    child.className = className;
    child.textContent = text;
    this.element.append(child);
    return child;
  }

  #state(text, colour) {
    this.tag.textContent = text;
    this.tag.className = `govuk-tag govuk-tag--${colour} mh-upload-progress__state`;
  }

  started() {
    this.#state("Uploading", "blue");
  }

  progressed(fraction) {
    const percent = Math.round(fraction * 100);
    this.bar.value = percent;
    this.percent.textContent = `${percent}%`;
  }

  succeeded() {
    this.progressed(1);
    this.#state("Uploaded", "green");
  }

  failed(message) {
    this.#state("Not uploaded", "red");
    this.element.classList.add("mh-upload-progress__item--failed");
    this.#add("span", "mh-upload-progress__message", message);
  }
}

export class Upload {
  constructor(form) {
    this.form = form;
    this.input = form.querySelector('input[type="file"]');
    this.list = form.querySelector(".mh-upload-progress");
    this.token = form.querySelector('input[name="csrf_token"]').value;
    this.waiting = [];
    this.sending = false;
    this.results = { uploaded: 0, refused: 0 };

    // Choosing files starts their upload, so the form's own button would only send them a second time.
    form.querySelector('[type="submit"]').hidden = true;
    form.querySelector(".mh-upload-hint").hidden = false;
    this.input.addEventListener("change", () => this.add(this.input.files));
    form.addEventListener("submit", (event) => event.preventDefault());
  }

  add(fileList) {
    const files = [...fileList];
    if (files.length === 0) return;
    this.list.hidden = false;
    this.waiting.push(...files.map((file) => new FileRow(file, this.list)));
    // Empty the input, so choosing the same file again (after fixing it) is a change, and GOV.UK
    // Frontend's "2 files chosen" does not describe files that are already on their way.
    this.input.value = "";
    this.input.dispatchEvent(new Event("change"));
    if (!this.sending) this.#sendAll();
  }

  // One file at a time: a school's connection is shared by a class, and the server checks each file
  // in a sandbox while the teacher waits, so parallel requests would not finish sooner.
  async #sendAll() {
    this.sending = true;
    while (this.waiting.length > 0) await this.#send(this.waiting.shift());
    this.sending = false;
    await this.#finish();
  }

  async #send(row) {
    const body = new FormData();
    body.append("files", row.file, row.file.name);
    const headers = { Accept: "application/json", "X-CSRFToken": this.token };
    row.started();
    const { status, body: answer } = await post(this.form.action, body, headers, (f) => row.progressed(f));
    if (status === 200) {
      row.succeeded();
      this.results.uploaded += 1;
    } else {
      row.failed(answer?.errors?.join(" ") || problemFor(status));
      this.results.refused += 1;
    }
  }

  // Once every file is in, wait for the worker to make their pages, then show them. A page reload is
  // the simplest way to show them, but it would also wipe the messages of refused files, so then the
  // teacher gets a button instead.
  async #finish() {
    if (this.results.uploaded === 0) return;
    const note = this.#note("Making the pages of the uploaded files…");
    await whenProcessed(this.form.dataset.statusUrl);
    if (this.sending) return; // more files were chosen meanwhile: their own finish will show them all
    if (this.results.refused === 0) {
      window.location.reload();
      return;
    }
    note.textContent = "The uploaded files are ready. ";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    button.textContent = "Show them in the list";
    button.addEventListener("click", () => window.location.reload());
    note.append(button);
  }

  #note(text) {
    let note = this.list.querySelector(".mh-upload-progress__note");
    if (!note) {
      note = document.createElement("li");
      note.className = "mh-upload-progress__note";
      this.list.append(note);
    }
    note.textContent = text;
    return note;
  }
}
