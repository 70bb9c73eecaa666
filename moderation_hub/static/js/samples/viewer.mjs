// The page viewer: the display image of one page with its annotation and redaction boxes, zoomed and
// panned with a CSS transform on the image and its boxes together. No image library: the browser scales
// the one JPEG it already has, on the GPU, which stays smooth on a school laptop.
//
// Boxes are stored as fractions of the page (0..1 from the top left), so they are placed in percentages
// of the canvas, and the zoom carries them along. They are positioned here, from their data-box
// attribute, because the Content-Security-Policy forbids style attributes in the markup.

const ZOOM_STEP = 1.5;
const MAX_ZOOM = 4; // the display image is 1,600 px on its long side: past 4x a school laptop shows blur
const PAN_STEP = 0.1; // an arrow key moves a zoomed page by a tenth of the visible area
const PAN_KEYS = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };

const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

function parseBox(text) {
  const [x0, y0, x1, y1] = text.split(",").map(Number);
  return { x0, y0, x1, y1 };
}

export function placeBox(element, box) {
  element.style.left = `${box.x0 * 100}%`;
  element.style.top = `${box.y0 * 100}%`;
  element.style.width = `${(box.x1 - box.x0) * 100}%`;
  element.style.height = `${(box.y1 - box.y0) * 100}%`;
}

// Keys pressed in a text field, a list or a radio group belong to it, not to the viewer.
function belongsToField(target) {
  return Boolean(
    target.closest?.(
      'textarea, select, [contenteditable=""], [contenteditable="true"], input:not([type="checkbox"], [type="button"], [type="submit"])',
    ),
  );
}

export class Viewer {
  constructor(element) {
    this.element = element;
    this.stage = element.querySelector(".mh-viewer__stage");
    this.canvas = element.querySelector(".mh-viewer__canvas");
    this.image = element.querySelector(".mh-viewer__image");
    this.level = element.querySelector(".mh-viewer__zoom-level");
    this.scale = 1;
    this.x = 0; // the canvas's offset in the stage, in CSS pixels
    this.y = 0;
    this.gesture = null; // the pointer drag under way: panning or drawing
    this.drawer = null; // the form whose box the next drag draws

    for (const box of this.canvas.querySelectorAll(".mh-box[data-box]")) placeBox(box, parseBox(box.dataset.box));
    element.classList.add("mh-viewer--ready"); // shows the boxes, now that they are in place

    for (const button of element.querySelectorAll("[data-zoom]")) {
      button.addEventListener("click", () => this.#zoomButton(button.dataset.zoom));
    }
    for (const toggle of element.querySelectorAll("[data-toggle]")) {
      toggle.addEventListener("change", () => {
        for (const box of this.canvas.querySelectorAll(`.${toggle.dataset.toggle}`)) box.hidden = !toggle.checked;
      });
    }
    this.stage.addEventListener("pointerdown", (event) => this.#pointerDown(event));
    this.stage.addEventListener("pointermove", (event) => this.#pointerMove(event));
    this.stage.addEventListener("pointerup", (event) => this.#pointerUp(event));
    this.stage.addEventListener("pointercancel", () => this.#cancelGesture());
    document.addEventListener("keydown", (event) => this.#keyDown(event));
    window.addEventListener("resize", () => this.#apply());
  }

  zoomTo(scale, centreX = this.stage.clientWidth / 2, centreY = this.stage.clientHeight / 2) {
    const next = clamp(scale, 1, MAX_ZOOM);
    // Keep the point under the centre of the zoom where it is on the screen.
    this.x = centreX - ((centreX - this.x) * next) / this.scale;
    this.y = centreY - ((centreY - this.y) * next) / this.scale;
    this.scale = next;
    this.#apply();
  }

  panBy(dx, dy) {
    this.x += dx;
    this.y += dy;
    this.#apply();
  }

  // A box element in the canvas for a form to show the box being drawn or typed; hidden until placed.
  addBox(className) {
    const box = document.createElement("span");
    box.className = `mh-box ${className}`;
    box.setAttribute("aria-hidden", "true");
    box.hidden = true;
    this.canvas.append(box);
    return box;
  }

  // The next drag on the page draws a box for `drawer`, which gets drawer.drawn(box) and drawer.stopped().
  startDrawing(drawer) {
    this.stopDrawing();
    this.drawer = drawer;
    this.stage.classList.add("mh-viewer__stage--drawing");
  }

  stopDrawing() {
    if (!this.drawer) return;
    const drawer = this.drawer;
    this.drawer = null;
    this.#cancelGesture();
    this.stage.classList.remove("mh-viewer__stage--drawing");
    drawer.stopped();
  }

  #zoomButton(action) {
    if (action === "in") this.zoomTo(this.scale * ZOOM_STEP);
    else if (action === "out") this.zoomTo(this.scale / ZOOM_STEP);
    else this.zoomTo(1);
  }

  // Never let the page slide out of view: at any zoom the canvas covers the whole stage.
  #apply() {
    const width = this.stage.clientWidth;
    const height = this.stage.clientHeight;
    this.x = clamp(this.x, width - width * this.scale, 0);
    this.y = clamp(this.y, height - height * this.scale, 0);
    this.canvas.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.scale})`;
    this.canvas.style.setProperty("--mh-zoom", this.scale); // box borders stay thin at any zoom
    this.stage.classList.toggle("mh-viewer__stage--zoomed", this.scale > 1);
    const level = `${Math.round(this.scale * 100)}%`;
    if (this.level.textContent !== level) this.level.textContent = level; // a status: read on change only
  }

  // Where the pointer is on the page, as fractions of its width and height. The image's bounding box
  // includes the zoom and pan transform, so this holds at any zoom.
  #pointOnPage(event) {
    const rect = this.image.getBoundingClientRect();
    return {
      x: clamp((event.clientX - rect.left) / rect.width, 0, 1),
      y: clamp((event.clientY - rect.top) / rect.height, 0, 1),
    };
  }

  #pointerDown(event) {
    if (event.button !== 0 || this.gesture) return;
    if (this.drawer) {
      const start = this.#pointOnPage(event);
      this.gesture = { kind: "draw", start, box: { x0: start.x, y0: start.y, x1: start.x, y1: start.y } };
    } else if (this.scale > 1) {
      this.gesture = { kind: "pan", startX: event.clientX - this.x, startY: event.clientY - this.y };
      this.stage.classList.add("mh-viewer__stage--panning");
    } else {
      return; // not zoomed and not drawing: leave the page to scroll and select as usual
    }
    event.preventDefault();
    this.stage.setPointerCapture(event.pointerId);
  }

  #pointerMove(event) {
    if (this.gesture?.kind === "pan") {
      this.x = event.clientX - this.gesture.startX;
      this.y = event.clientY - this.gesture.startY;
      this.#apply();
    } else if (this.gesture?.kind === "draw") {
      const { start } = this.gesture;
      const point = this.#pointOnPage(event);
      this.gesture.box = {
        x0: Math.min(start.x, point.x),
        y0: Math.min(start.y, point.y),
        x1: Math.max(start.x, point.x),
        y1: Math.max(start.y, point.y),
      };
      placeBox(this.drawer.draft, this.gesture.box);
      this.drawer.draft.hidden = false;
    }
  }

  #pointerUp(event) {
    const gesture = this.gesture;
    if (!gesture) return;
    this.#pointerMove(event);
    this.#cancelGesture();
    const { box } = gesture;
    // A click, or a slip of the hand, is not a box: stay ready for the real drag.
    if (gesture.kind === "draw" && box.x1 - box.x0 > 0.005 && box.y1 - box.y0 > 0.005) {
      const drawer = this.drawer;
      this.stopDrawing();
      drawer.drawn(box);
    }
  }

  #cancelGesture() {
    this.gesture = null;
    this.stage.classList.remove("mh-viewer__stage--panning");
  }

  #keyDown(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (belongsToField(event.target)) return;
    const action = this.#actionFor(event.key);
    if (action) {
      event.preventDefault();
      action();
    }
  }

  #actionFor(key) {
    if (key === "+" || key === "=") return () => this.zoomTo(this.scale * ZOOM_STEP);
    if (key === "-" || key === "_") return () => this.zoomTo(this.scale / ZOOM_STEP);
    if (key === "0") return () => this.zoomTo(1);
    if (key === "Escape" && this.drawer) return () => this.stopDrawing();
    if (!(key in PAN_KEYS)) return null;
    if (this.scale > 1) {
      const [dx, dy] = PAN_KEYS[key];
      return () => this.panBy(dx * PAN_STEP * this.stage.clientWidth, dy * PAN_STEP * this.stage.clientHeight);
    }
    // Not zoomed: left and right turn the page, through the pager's own links; up and down scroll.
    const link = document.querySelector(`a[data-key="${key}"]`);
    return link ? () => link.click() : null;
  }
}

// Scroll the page strip sideways so the current page's thumbnail is in the middle, without scrolling
// the window (scrollIntoView would).
export function centreCurrentPage(strip) {
  const current = strip.querySelector('[aria-current="page"]')?.closest("li");
  if (current) strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
}
