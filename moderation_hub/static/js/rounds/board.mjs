// The meeting board (templates/rounds/board.html): while its tab is visible, it asks board.json every few
// seconds for the page it shows (the round's totals, one page of moderators and one of samples, so the
// answer stays small however large the round) and shows the new numbers without a reload. It sends the ETag
// of what it shows, so an unchanged board is a bodiless 304. It builds the same markup as the template, from
// text only: nothing the server sends is ever parsed as HTML.

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

function sampleItem({ code, status, disagree, judgements }, states) {
  const item = element("li", disagree ? "mh-board__sample mh-board__sample--disagree" : "mh-board__sample");
  const heading = element("h3", "mh-board__code");
  heading.append(element("span", "govuk-visually-hidden", "Sample "), code);
  const statusLine = element("p", "mh-board__status");
  statusLine.append(tagElement(status));
  const list = element("ul", "mh-board__judgements");
  for (const { moderator, state } of judgements) {
    const line = element("li", "mh-board__judgement");
    line.append(element("span", "mh-board__name", moderator), " ", tagElement(states[state]));
    list.append(line);
  }
  item.append(heading, statusLine, list);
  return item;
}

function emptyItem(className, text) {
  return element("li", className, text);
}

// This page's address with some of its query's values changed; a value of null leaves the name out.
function boardUrl(changes) {
  const url = new URL(window.location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return `${url.pathname}${url.search}`;
}

const SVG = "http://www.w3.org/2000/svg";
const ARROWS = {
  prev: "m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z",
  next: "m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z",
};

function arrow(direction) {
  const icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("class", `govuk-pagination__icon govuk-pagination__icon--${direction}`);
  for (const [name, value] of Object.entries({ height: "13", width: "15", viewBox: "0 0 15 13" })) {
    icon.setAttribute(name, value);
  }
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ARROWS[direction]);
  icon.append(path);
  return icon;
}

function pageLink(direction, href) {
  const box = element("div", `govuk-pagination__${direction}`);
  const link = element("a", "govuk-link govuk-pagination__link");
  link.href = href;
  link.rel = direction;
  const title = element("span", "govuk-pagination__link-title", direction === "prev" ? "Previous" : "Next");
  title.append(element("span", "govuk-visually-hidden", " page"));
  link.append(...(direction === "prev" ? [arrow("prev"), title] : [title, arrow("next")]));
  box.append(link);
  return box;
}

// GOV.UK pagination, as rounds/_macros.html's pagination renders it: nothing when there is one page.
function paginationNav({ page, pages, numbers }, label, urlOf) {
  if (pages <= 1) return [];
  const nav = element("nav", "govuk-pagination");
  nav.setAttribute("aria-label", label);
  if (page > 1) nav.append(pageLink("prev", urlOf(page - 1)));
  const list = element("ul", "govuk-pagination__list");
  for (const number of numbers) {
    if (number === null) {
      list.append(element("li", "govuk-pagination__item govuk-pagination__item--ellipsis", "\u22ef"));
      continue;
    }
    const item = element("li", "govuk-pagination__item");
    const link = element("a", "govuk-link govuk-pagination__link", String(number));
    link.href = urlOf(number);
    link.setAttribute("aria-label", `Page ${number}`);
    if (number === page) {
      item.classList.add("govuk-pagination__item--current");
      link.setAttribute("aria-current", "page");
    }
    item.append(link);
    list.append(item);
  }
  nav.append(list);
  if (page < pages) nav.append(pageLink("next", urlOf(page + 1)));
  return [nav];
}

function pageOf({ page, pages }) {
  return pages > 1 ? `Page ${page} of ${pages}` : "";
}

function showItem({ show, text, count, current }) {
  const item = element("li");
  const words = `${text} (${count})`;
  if (current) {
    const chosen = element("strong", "", words);
    chosen.setAttribute("aria-current", "true");
    item.append(chosen);
  } else {
    const link = element("a", "govuk-link", words);
    link.href = boardUrl({ show: show === "all" ? null : show, page: null });
    item.append(link);
  }
  return item;
}

export class MeetingBoard {
  #timer = null;
  #asking = false;
  #shownPages = {};

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
    this.#part("samples-complete").textContent = board.samples_complete;
    this.#part("samples-total").textContent = board.samples_total;
    this.#part("disagreeing-count").textContent = board.disagreeing_count;
    const more = board.disagreeing_count - board.disagreeing.length;
    this.#part("disagreeing").textContent = board.disagreeing.length
      ? `Moderators disagree on: ${board.disagreeing.join(", ")}${more > 0 ? ` and ${more} more` : ""}`
      : "";

    const moderators = board.moderators.items.map(moderatorItem);
    this.#part("moderators").replaceChildren(
      ...(moderators.length ? moderators : [emptyItem("mh-board__moderator", "No moderators yet.")]),
    );
    this.#part("moderators-page").textContent = pageOf(board.moderators);
    this.#pagination("moderators-pagination", board.moderators, (number) =>
      boardUrl({ moderators_page: number === 1 ? null : number }),
    );

    this.#part("shows").replaceChildren(...board.shows.map(showItem));
    const samples = board.samples.items.map((sample) => sampleItem(sample, board.states));
    this.#part("samples").replaceChildren(
      ...(samples.length ? samples : [emptyItem("mh-board__sample", board.samples.empty)]),
    );
    this.#part("samples-page").textContent = pageOf(board.samples);
    this.#pagination("samples-pagination", board.samples, (number) => boardUrl({ page: number === 1 ? null : number }));

    // Screen readers hear of progress, not of every poll.
    if (board.submitted !== this.submitted) {
      this.submitted = board.submitted;
      this.#part("announcement").textContent = board.announcement;
    }
  }

  // Rebuilt only when the list's pages change (it grew or shrank), so that a link with the focus stays.
  #pagination(name, list, urlOf) {
    const box = this.#part(name);
    const pages = `${list.page}/${list.pages}`;
    if ((this.#shownPages[name] ?? `${box.dataset.page}/${box.dataset.pages}`) === pages) return;
    this.#shownPages[name] = pages;
    box.replaceChildren(...paginationNav(list, box.dataset.label, urlOf));
  }
}
