// Build ONE self-contained page: the bundled script and the style inlined into index.html,
// with a Content-Security-Policy that allows exactly that script (by its SHA-256) and nothing
// from the network. Output: dist/desk.html, checked in; bot/desk_web/desk.html links to it so
// the Python package ships it.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const result = await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome109", "firefox115", "safari15"],
  charset: "utf8",
  legalComments: "none",
  write: false,
  logLevel: "warning",
});
// An inline script must never contain "</script"; escaping the slash keeps the code the same.
const script = result.outputFiles[0].text.replace(/<\/(script)/gi, "<\\/$1");
const style = readFileSync(join(here, "src", "style.css"), "utf8");
const digest = createHash("sha256").update(script, "utf8").digest("base64");
const csp = [
  "default-src 'none'",
  `script-src 'sha256-${digest}'`,
  "style-src 'unsafe-inline'",
  "img-src blob:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
const template = readFileSync(join(here, "src", "index.html"), "utf8");
const page = template
  .replace("{{CSP}}", csp)
  .replace("{{STYLE}}", () => style)
  .replace("{{SCRIPT}}", () => script);
// DESK_OUT builds elsewhere (the tests compare a fresh build with the checked-in page).
const out = process.env.DESK_OUT || join(here, "dist", "desk.html");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, page);
console.log(`desk.html: ${page.length} characters, script sha256-${digest}`);
