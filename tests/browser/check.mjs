// Drives the system Chromium over built error pages and prints one JSON
// document of findings on stdout. Run by tests/browser.rs:
//
//   node check.mjs job.json
//
// job.json: { "chromium": "/usr/bin/chromium", "baseUrl": "http://127.0.0.1:PORT",
//             "targets": [{ "theme": "default", "page": "502" }],
//             "widths": [320, 1280], "schemes": ["light", "dark"],
//             "screenshotDir": "/optional/dir" }
//
// Pages are fetched as `${baseUrl}/${theme}/${page}.html`. One browser and
// one tab are reused for every check, to stay fast on small machines.

import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

// Chromium's own background traffic (updates, sync, field trials, QUIC
// probes) would show up as requests the page did not make.
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

// The two screenshots per theme the README shows.
const SHOTS = [
  { page: "502", width: 1280, scheme: "light", name: (t) => `${t}-502-light.png` },
  { page: "502", width: 320, scheme: "dark", name: (t) => `${t}-502-dark-320.png` },
];

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const started = Date.now();
const userDataDir = mkdtempSync(join(tmpdir(), "errorsmith-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: job.chromium,
  headless: true,
  args: ARGS,
  viewport: { width: 1280, height: 800 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const seen = { requests: [], console: [] };
  page.on("request", (request) => seen.requests.push(request.url()));
  page.on("console", (message) => {
    // The browser's own /favicon.ico fetch; the icon check covers it.
    if (message.location().url.endsWith("/favicon.ico")) return;
    if (message.type() === "error") seen.console.push(message.text());
  });
  page.on("pageerror", (error) => seen.console.push(String(error)));

  const results = [];
  const screenshots = [];
  for (const { theme, page: code } of job.targets) {
    for (const width of job.widths) {
      for (const scheme of job.schemes) {
        const url = `${job.baseUrl}/${theme}/${code}.html`;
        const failures = await checkOne(page, seen, url, width, scheme);
        const shot = SHOTS.find((s) => s.page === code && s.width === width && s.scheme === scheme);
        if (job.screenshotDir && shot) {
          const path = join(job.screenshotDir, shot.name(theme));
          await page.goto(url);
          await page.screenshot({ path, fullPage: true });
          screenshots.push(path);
        }
        results.push({ theme, page: code, width, scheme, failures });
      }
    }
  }
  console.log(JSON.stringify({ results, screenshots, elapsedMs: Date.now() - started }));
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

// Every check of one page at one width and color scheme; returns the
// failures as readable strings.
async function checkOne(page, seen, url, width, scheme) {
  const failures = [];
  await page.setViewportSize({ width, height: 800 });
  await page.emulateMedia({ colorScheme: scheme });
  seen.requests.length = 0;
  seen.console.length = 0;

  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || response.status() !== 200) {
    failures.push(`HTTP status ${response ? response.status() : "none"} for ${url}`);
    return failures;
  }
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  if (scrollWidth > clientWidth) {
    failures.push(`horizontal scrolling: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
  }
  // Without an icon of its own, the browser fetches /favicon.ico from
  // the very site that is failing; Playwright does not report that fetch.
  if ((await page.locator('link[rel~="icon"][href^="data:"]').count()) === 0) {
    failures.push('no <link rel="icon" href="data:...">: the browser fetches /favicon.ico');
  }
  if (await page.locator("#developer").isVisible()) {
    failures.push("the developer part is visible without #developer");
  }
  failures.push(...(await axeViolations(page, "")));

  // Same document, so only :target changes; axe is already injected.
  await page.goto(`${url}#developer`);
  if ((await page.locator("#developer").count()) === 0) {
    failures.push("no element with id `developer`");
  } else if (!(await page.locator("#developer").isVisible())) {
    failures.push("the developer part stays invisible at #developer");
  } else {
    failures.push(...(await axeViolations(page, "at #developer: ")));
  }

  // Data URIs are part of the page, not the network.
  for (const request of seen.requests) {
    if (request !== url && request !== `${url}#developer` && !request.startsWith("data:")) {
      failures.push(`network request: ${request}`);
    }
  }
  for (const message of seen.console) failures.push(`console error: ${message}`);
  return failures;
}

// Injected from node_modules as an inline script: no request is made.
async function axeViolations(page, prefix) {
  const injected = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!injected) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
      summary: v.nodes[0]?.failureSummary?.split("\n").slice(0, 2).join(" ") ?? "",
    }));
  });
  return violations.map(
    (v) => `${prefix}axe ${v.id} (${v.impact}) at ${v.targets.join(", ")}: ${v.summary}`,
  );
}
