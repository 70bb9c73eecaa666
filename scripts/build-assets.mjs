// Builds moderation_hub/static/dist/ (git-ignored) from assets/ and node_modules/:
//   app.css                      assets/scss/app.scss compiled with GOV.UK Frontend, compressed
//   govuk-frontend.min.js(.map)  GOV.UK Frontend's JavaScript, imported by static/js/app.mjs
//
// GOV.UK Frontend's assets/ folder is deliberately not copied: its fonts are GDS Transport and its
// images are GOV.UK's crest, crown favicons and icons, none of which this service may use. Our
// favicon is static/favicon.svg.
//
// Usage: node scripts/build-assets.mjs   (npm run build)

import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nodeModules = path.join(root, "node_modules");
const govukDist = path.join(nodeModules, "govuk-frontend", "dist", "govuk");
const source = path.join(root, "assets", "scss", "app.scss");
const output = path.join(root, "moderation_hub", "static", "dist");

async function buildStylesheet() {
  const result = sass.compile(source, {
    loadPaths: [nodeModules],
    style: "compressed",
    // GOV.UK Frontend's own deprecation notices are for its maintainers, not for us.
    quietDeps: true,
  });
  if (/@font-face[^}]*GDS Transport/.test(result.css)) {
    throw new Error("app.css declares the GDS Transport font; check the settings at the top of app.scss");
  }
  await writeFile(path.join(output, "app.css"), result.css + "\n");
  return result.css.length;
}

async function copyJavaScript() {
  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    await copyFile(path.join(govukDist, name), path.join(output, name));
  }
}

async function main() {
  await rm(output, { recursive: true, force: true });
  await mkdir(output, { recursive: true });
  const cssBytes = await buildStylesheet();
  await copyJavaScript();
  console.log(`Built ${path.relative(root, output)}/: app.css (${cssBytes} bytes), govuk-frontend.min.js`);
}

main().catch((error) => {
  console.error(`Asset build failed: ${error.message}`);
  process.exit(1);
});
