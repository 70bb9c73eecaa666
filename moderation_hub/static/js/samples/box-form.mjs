// "Draw a box" for the annotation and redaction forms: a drag on the page image fills the form's corner
// fields (fractions of the page with 4 decimals, what the server expects) and shows the box. The corner
// fields stay visible and editable: they are how a keyboard user places a box, and what they type is
// shown on the page too.

import { placeBox } from "./viewer.mjs";

const CORNERS = ["x0", "y0", "x1", "y1"];

export class BoxForm {
  constructor(form, viewer) {
    this.viewer = viewer;
    this.inputs = Object.fromEntries(CORNERS.map((name) => [name, form.querySelector(`[data-corner="${name}"]`)]));
    this.draft = viewer.addBox(`mh-box--draft mh-box--draft-${form.dataset.kind}`);

    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "govuk-button govuk-button--secondary mh-box-fields__draw";
    this.button.setAttribute("aria-pressed", "false");
    this.button.textContent = "Draw the box on the page";
    this.button.addEventListener("click", () => this.#toggle());
    this.status = document.createElement("p");
    this.status.className = "govuk-body-s mh-box-fields__status";
    this.status.setAttribute("role", "status");
    const hint = form.querySelector(".mh-box-fields .govuk-hint");
    hint.after(this.button, this.status);

    for (const input of Object.values(this.inputs)) input.addEventListener("input", () => this.#showTyped());
    this.#showTyped(); // the fields may come back filled, after the server refused the form
  }

  #toggle() {
    if (this.viewer.drawer === this) {
      this.viewer.stopDrawing();
      return;
    }
    this.viewer.startDrawing(this);
    this.button.setAttribute("aria-pressed", "true");
    this.status.textContent = "Drag across the page to draw the box, or press Escape to stop.";
    // The forms are below the image: bring the viewer, its zoom buttons included, into view.
    this.viewer.element.scrollIntoView({ block: "nearest" });
  }

  // Called by the viewer when drawing ends, drawn or not.
  stopped() {
    this.button.setAttribute("aria-pressed", "false");
    if (this.status.textContent.startsWith("Drag")) this.status.textContent = "";
  }

  // Called by the viewer with the drawn box, in fractions of the page.
  drawn(box) {
    for (const name of CORNERS) this.inputs[name].value = box[name].toFixed(4);
    placeBox(this.draft, box);
    this.draft.hidden = false;
    this.status.textContent = "Box drawn: its corners are filled in below.";
    // The drag took focus off the button (a press on the page moves focus to the body); put it back,
    // so Tab carries on through this form, but without scrolling away from the box just drawn.
    if (!this.button.contains(document.activeElement)) this.button.focus({ preventScroll: true });
  }

  #showTyped() {
    const [x0, y0, x1, y1] = CORNERS.map((name) => Number.parseFloat(this.inputs[name].value));
    const valid = [x0, y0, x1, y1].every((value) => value >= 0 && value <= 1) && x0 < x1 && y0 < y1;
    if (valid) placeBox(this.draft, { x0, y0, x1, y1 });
    this.draft.hidden = !valid;
  }
}
