// The meeting board (templates/rounds/board.html): while its tab is visible, it asks board.json every few
// seconds and shows the new numbers without a reload. It sends the ETag of what it shows, so an unchanged
// board is a bodiless 304. It builds the same markup as the template, from text only: nothing the server
// sends is ever parsed as HTML.

const INTERVAL_MS = 5000;

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

// A GOV.UK tag; the server chooses its words and colour.
function tagElement({ text, colour }) {
  return element("strong", colour ? `govuk-tag govuk-tag--${colour}` : "govuk-tag", text);
}

function moderatorItem({ name, allocated, submitted }) {
  const item = element("li", "mh-board__moderator");
  const bar = element("progress", "mh-board__bar");
  bar.max = Math.max(allocated, 1);
  bar.value = submitted;
  bar.setAttribute("aria-hidden", "true");
  item.append(
    element("span", "mh-board__name", name),
    " ",
    element("span", "mh-board__count", `${submitted} of ${allocated} submitted`),
    bar,
  );
  return item;
}

function sampleItem({ code, status, disagree, judgements }) {
  const item = element("li", disagree ? "mh-board__sample mh-board__sample--disagree" : "mh-board__sample");
  const heading = element("h3", "mh-board__code");
  heading.append(element("span", "govuk-visually-hidden", "Sample "), code);
  const statusLine = element("p", "mh-board__status");
  statusLine.append(tagElement(status));
  const list = element("ul", "mh-board__judgements");
  for (const { moderator, tag } of judgements) {
    const line = element("li", "mh-board__judgement");
    line.append(element("span", "mh-board__name", moderator), " ", tagElement(tag));
    list.append(line);
  }
  item.append(heading, statusLine, list);
  return item;
}

function emptyItem(className, text) {
  return element("li", className, text);
}

export class MeetingBoard {
  #timer = null;
  #asking = false;

  constructor(root) {
    this.root = root;
    this.url = root.dataset.boardUrl;
    this.etag = root.dataset.etag;
    this.submitted = Number(this.#part("submitted").textContent);
    this.#part("checked").textContent = "This board updates by itself.";
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) clearTimeout(this.#timer);
      else this.#ask();
    });
    this.#later();
  }

  #part(name) {
    return this.root.querySelector(`[data-board="${name}"]`);
  }

  #later() {
    clearTimeout(this.#timer);
    if (!document.hidden) this.#timer = setTimeout(() => this.#ask(), INTERVAL_MS);
  }

  async #ask() {
    if (this.#asking) return;
    this.#asking = true;
    clearTimeout(this.#timer);
    try {
      const headers = { Accept: "application/json" };
      if (this.etag) headers["If-None-Match"] = this.etag;
      const response = await fetch(this.url, { headers, cache: "no-store" });
      if (response.status === 200) {
        const board = await response.json();
        this.#show(board);
        this.etag = response.headers.get("ETag");
      }
      if (response.status === 200 || response.status === 304) this.#checked();
    } catch {
      // Offline for a moment, or signed out (the sign-in page is not JSON): ask again later.
    } finally {
      this.#asking = false;
      this.#later();
    }
  }

  #checked() {
    const time = new Date().toLocaleTimeString("en-GB");
    this.#part("checked").textContent = `This board updates by itself. Last checked at ${time}.`;
  }

  #show(board) {
    this.#part("submitted").textContent = board.submitted;
    this.#part("total").textContent = board.total;
    this.#part("left").textContent = board.left;
    this.#part("disagreeing-count").textContent = board.disagreeing.length;
    this.#part("disagreeing").textContent = board.disagreeing.length
      ? `Moderators disagree on: ${board.disagreeing.join(", ")}`
      : "";
    const moderators = board.moderators.map(moderatorItem);
    this.#part("moderators").replaceChildren(
      ...(moderators.length ? moderators : [emptyItem("mh-board__moderator", "No moderators yet.")]),
    );
    const samples = board.samples.map(sampleItem);
    this.#part("samples").replaceChildren(
      ...(samples.length ? samples : [emptyItem("mh-board__sample", "No samples have been entered yet.")]),
    );
    // Screen readers hear of progress, not of every poll.
    if (board.submitted !== this.submitted) {
      this.submitted = board.submitted;
      this.#part("announcement").textContent = board.announcement;
    }
  }
}
