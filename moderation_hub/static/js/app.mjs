import { initAll } from "../dist/govuk-frontend.min.js";

import { DownloadProgress } from "./downloads/progress.mjs";
import { Autosave } from "./rounds/autosave.mjs";
import { MeetingBoard } from "./rounds/board.mjs";
import { BoxForm } from "./samples/box-form.mjs";
import { FileStatusTable, OutdatedImageNotice, PageStrip } from "./samples/file-status.mjs";
import { UnsavedWarning } from "./samples/unsaved-warning.mjs";
import { Upload } from "./samples/upload.mjs";
import { centreCurrentPage, Viewer } from "./samples/viewer.mjs";

// GOV.UK Frontend first: it turns the upload form's file input into a drop zone that Upload then uses.
initAll();

// Our own components, found by data-module as GOV.UK Frontend finds its own. Each page has one viewer
// at most; the forms that draw boxes on it need it.
for (const form of document.querySelectorAll('[data-module="mh-upload"]')) new Upload(form);
for (const table of document.querySelectorAll('[data-module="mh-file-status"]')) new FileStatusTable(table);
for (const notice of document.querySelectorAll('[data-module="mh-outdated-image"]')) new OutdatedImageNotice(notice);
for (const strip of document.querySelectorAll('[data-module="mh-page-strip"]')) new PageStrip(strip);
const viewerElement = document.querySelector('[data-module="mh-viewer"]');
if (viewerElement) {
  const viewer = new Viewer(viewerElement);
  for (const form of document.querySelectorAll('[data-module="mh-box-form"]')) new BoxForm(form, viewer);
}
for (const strip of document.querySelectorAll(".mh-page-strip--scroll")) centreCurrentPage(strip);
for (const form of document.querySelectorAll('[data-module="mh-autosave"]')) new Autosave(form);
for (const board of document.querySelectorAll('[data-module="mh-board"]')) new MeetingBoard(board);
for (const form of document.querySelectorAll('[data-module="mh-unsaved-warning"]')) new UnsavedWarning(form);
for (const element of document.querySelectorAll('[data-module="mh-download-progress"]')) new DownloadProgress(element);
