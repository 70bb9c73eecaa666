// The sample form is saved only by its button (see docs/decisions.md, "Unsaved sample details"): until then,
// leaving the page (a refresh, a link, closing the tab) asks the browser to confirm, so typed commentary is not
// lost unnoticed. A refused post's page starts unsaved, since what it shows was typed but not stored.

export class UnsavedWarning {
  constructor(form) {
    this.unsaved = form.hasAttribute("data-unsaved");
    form.addEventListener("input", () => {
      this.unsaved = true;
    });
    form.addEventListener("submit", () => {
      this.unsaved = false;
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.unsaved) event.preventDefault();
    });
  }
}
