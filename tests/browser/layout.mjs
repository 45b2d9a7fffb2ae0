// Measures how built pages lay out in the system Chromium and prints one
// JSON document on stdout. Run by tests/browser_layout.rs:
//
//   node layout.mjs job.json
//
// job.json: { "chromium": "/usr/bin/chromium",
//             "probes": [{ "kind": "logo" | "dots" | "fonts", "url": "file:///...", "width": 320 },
//                        { "kind": "developer", "file": "/abs/502.html", "csp": "default-src 'none'" }] }
//
// Each probe answers with raw measurements; the Rust side judges them, so
// a wrong expectation shows up as a readable assertion there.

import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const userDataDir = mkdtempSync(join(tmpdir(), "errorsmith-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: job.chromium,
  headless: true,
  args: ARGS,
  viewport: { width: 1280, height: 800 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send("DOM.enable");
  await cdp.send("CSS.enable");
  const results = [];
  for (const probe of job.probes) {
    await page.setViewportSize({ width: probe.width ?? 1280, height: 800 });
    if (probe.kind === "developer") {
      results.push({ ...probe, ...(await developer(page, probe)) });
      continue;
    }
    await page.goto(probe.url, { waitUntil: "load" });
    const measure = { logo, dots, fonts }[probe.kind];
    results.push({ ...probe, ...(await measure(page, cdp)) });
  }
  console.log(JSON.stringify({ results }));
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

// The rendered size of the brand logo and its file's own size.
async function logo(page) {
  return page.evaluate(() => {
    // The scaffold puts the logo in a header, the default theme in `.logo`.
    const img = document.querySelector("header img, .logo img");
    if (!img) return { found: false };
    const rect = img.getBoundingClientRect();
    return { found: true, width: rect.width, height: rect.height, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight };
  });
}

// The terminal theme's window dots: a `.bar::before` box with two box
// shadows. Their boxes, from the pseudo-element's box model and its
// computed shadow offsets, next to the window (`main`) and bar boxes.
async function dots(page, cdp) {
  const { root } = await cdp.send("DOM.getDocument", { depth: -1, pierce: true });
  const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: ".bar" });
  if (!nodeId) return { found: false };
  const { node } = await cdp.send("DOM.describeNode", { nodeId, depth: 1 });
  const before = (node.pseudoElements ?? []).find((p) => p.pseudoType === "before");
  if (!before) return { found: false };
  const { model } = await cdp.send("DOM.getBoxModel", { backendNodeId: before.backendNodeId });
  const [x1, y1, , , x3, y3] = model.border;
  const first = { left: x1, top: y1, right: x3, bottom: y3 };
  const { shadow, window, bar, direction } = await page.evaluate(() => {
    const bar = document.querySelector(".bar");
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    return {
      shadow: getComputedStyle(bar, "::before").boxShadow,
      window: box(bar.closest("main") ?? bar.parentElement),
      bar: box(bar),
      direction: getComputedStyle(bar).direction,
    };
  });
  // "rgb(1, 2, 3) 17.6px 0px 0px 0px, ..." -> the x and y offsets.
  const offsets = [...shadow.matchAll(/\)\s+(-?[\d.]+)px\s+(-?[\d.]+)px/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const all = [first, ...offsets.map(([dx, dy]) => ({ left: first.left + dx, top: first.top + dy, right: first.right + dx, bottom: first.bottom + dy }))];
  return { found: true, direction, dots: all, window, bar };
}

// The fonts Chromium drew the main heading and the summary with, and how
// many glyphs each font gave; a character no installed font has is drawn
// as a missing-glyph box by the first font, so the CJK characters must
// all come from a font that covers them.
async function fonts(page, cdp) {
  const { root } = await cdp.send("DOM.getDocument", { depth: -1, pierce: true });
  const out = {};
  for (const selector of ["h1", ".summary"]) {
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    if (!nodeId) continue;
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    const text = await page.evaluate((s) => document.querySelector(s).textContent, selector);
    out[selector] = { text, fonts };
  }
  return { found: Object.keys(out).length > 0, nodes: out };
}

// Whether the developer part shows, without and with `#developer`, when
// the page is served with `probe.csp` as its Content-Security-Policy
// (none when empty). Served through a route, so no server is needed.
async function developer(page, probe) {
  const body = readFileSync(probe.file);
  const origin = "http://errorsmith.test";
  await page.route(`${origin}/**`, (route) =>
    route.fulfill({
      status: 200,
      body,
      headers: {
        "content-type": "text/html; charset=utf-8",
        ...(probe.csp ? { "content-security-policy": probe.csp } : {}),
      },
    }),
  );
  const seen = {};
  for (const [name, suffix] of [["plain", ""], ["target", "#developer"]]) {
    await page.goto(`${origin}/page.html${suffix}`, { waitUntil: "load" });
    seen[name] = await page.locator("#developer").isVisible();
  }
  await page.unroute(`${origin}/**`);
  return seen;
}
