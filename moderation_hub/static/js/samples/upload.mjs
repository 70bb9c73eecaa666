// Uploading pupils' work from the sample page: each chosen or dropped file goes in a request of its own,
// so each gets its own progress bar and its own answer (the server refuses a whole request when one
// file in it is bad). Without JavaScript the form posts every file at once and the server redirects back.

import { offerReload, reloadOrOffer, whenProcessed } from "./file-status.mjs";

const MEGABYTE = 1024 * 1024;

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

    // Choosing files starts their upload: the stylesheet hides the form's own button, which would only
    // send them a second time, and shows a hint saying so instead.
    this.input.addEventListener("change", () => this.add(this.input.files));
    form.addEventListener("submit", (event) => event.preventDefault()); // Enter in a field: nothing to send
  }

  add(fileList) {
    const files = [...fileList];
    if (files.length === 0) return;
    this.list.hidden = false;
    this.waiting.push(...files.map((file) => new FileRow(file, this.list)));
    // Empty the input, so choosing the same file again (after fixing it) is a change. No change event:
    // GOV.UK Frontend would announce "No file chosen" just as the files start on their way.
    this.input.value = "";
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
    // The server would refuse it too, but only once every byte had crossed the school's connection.
    const maxMegabytes = Number(this.form.dataset.maxFileMb);
    if (row.file.size > maxMegabytes * MEGABYTE) {
      const size = Number((row.file.size / MEGABYTE).toPrecision(3)); // 1.5, as the server words it
      row.failed(`"${row.file.name}" is ${size} MB, more than the ${maxMegabytes} MB we accept for one file`);
      this.results.refused += 1;
      return;
    }
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

  // Once every file is in, wait for the worker to make their pages, then reload the page to show them.
  // A reload would also wipe the reasons given for refused files, so then it is only offered.
  async #finish() {
    if (this.results.uploaded === 0) return;
    const note = document.createElement("li");
    note.className = "mh-upload-progress__note";
    note.textContent = "Making the pages of the uploaded files…";
    this.list.append(note);
    await whenProcessed(this.form.dataset.statusUrl);
    note.remove();
    if (this.sending) return; // more files were chosen meanwhile: the end of their upload will show all
    const show = this.results.refused === 0 ? reloadOrOffer : offerReload;
    show(this.list, "The uploaded files are ready.", "Show them in the list");
  }
}
