// The judging form saves itself: a change is posted as a draft after a short pause, and before the
// moderator follows a link away (turning the page of the sample, say) or posts another form on the page
// (a comment on a page), so nothing typed is lost to the page reloading. The server answers with the
// judgement's new version, which the form carries into the next save; if the judgement changed
// elsewhere (another tab), the server refuses and the moderator is told to reload rather than
// overwriting it. A field the server refuses (a note too long, say) is named beside that field, and
// saving carries on once it is put right.

const PAUSE_MS = 1500;

export class Autosave {
  constructor(form) {
    this.form = form;
    // Not form.action: the form's submit buttons are named "action", and that name hides the property.
    this.url = form.getAttribute("action");
    this.status = form.querySelector("[data-autosave-status]");
    this.version = form.querySelector('input[name="version"]');
    this.timer = null;
    this.dirty = false;
    this.saving = null;
    this.stopped = false;
    // A refused post's page shows its error by the field: the next save's answer clears or replaces it.
    const shown = form.querySelector(".govuk-error-message");
    this.fieldError = shown && { group: shown.closest(".govuk-form-group"), message: shown };
    form.addEventListener("input", () => this.changed());
    form.addEventListener("change", () => this.changed());
    form.addEventListener("submit", (event) => {
      clearTimeout(this.timer);
      if (this.saving) {
        // A draft is on its way, and the version it brings back is the one this post must carry.
        event.preventDefault();
        this.saving.then(() => form.requestSubmit(event.submitter));
        return;
      }
      this.stopped = true; // the button's own post takes over
    });
    for (const link of document.querySelectorAll("a[href]")) {
      const follow = () => window.location.assign(link.href);
      link.addEventListener("click", (event) => this.saveBeforeLeaving(event, follow));
    }
    for (const other of document.querySelectorAll("form")) {
      if (other === form) continue;
      other.addEventListener("submit", (event) => this.saveBeforeLeaving(event, () => other.submit()));
    }
  }

  changed() {
    if (this.stopped) return;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), PAUSE_MS);
  }

  async saveBeforeLeaving(event, leave) {
    if (!this.dirty || this.stopped || event.defaultPrevented || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    clearTimeout(this.timer);
    if (await this.save()) leave();
  }

  async save() {
    if (this.saving) await this.saving;
    if (!this.dirty || this.stopped) return true;
    this.dirty = false;
    const body = new FormData(this.form);
    body.set("action", "save");
    this.say("Saving your draft…");
    this.saving = fetch(this.url, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        this.showFieldError(response.ok ? null : answer);
        if (answer.field) {
          // A field the server refused: nothing was saved, and the next change the moderator makes tries again.
          this.say(`Your draft is not saved: ${answer.error}`);
          return false;
        }
        if (!response.ok) {
          this.stopped = true;
          this.say(answer.error || "Your draft could not be saved. Reload the page and try again.");
          return false;
        }
        this.version.value = answer.version;
        // "14:35", UK style, whatever the browser's own locale: an American one wrote "02:35 PM".
        const time = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
        this.say(`Draft saved at ${time}.`);
        return true;
      })
      .catch(() => {
        this.dirty = true;
        this.say("You seem to be offline: your draft is not saved yet. It will be saved when you next change it.");
        return false;
      });
    const result = await this.saving;
    this.saving = null;
    return result;
  }

  // The server's refusal of one field, shown by that field as GOV.UK shows a form's errors; null clears it.
  showFieldError(answer) {
    this.fieldError?.group.classList.remove("govuk-form-group--error");
    this.fieldError?.message.remove();
    this.fieldError = null;
    const input = answer?.field && this.form.querySelector(`[name="${CSS.escape(answer.field)}"]`);
    const group = input?.closest(".govuk-form-group");
    if (!group) return;
    const message = document.createElement("p");
    message.className = "govuk-error-message";
    message.id = `${answer.field}-error`;
    const prefix = document.createElement("span");
    prefix.className = "govuk-visually-hidden";
    prefix.textContent = "Error:";
    message.append(prefix, ` ${answer.error}`);
    // Radios keep their message above the group; a text input or textarea just above itself.
    (input.type === "radio" ? input.closest(".govuk-radios") : input).before(message);
    group.classList.add("govuk-form-group--error");
    this.fieldError = { group, message };
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }
}
