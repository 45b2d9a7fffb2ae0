// errorsmith's Cloudflare Worker. It sits in front of the origin and
// passes every response through untouched, except the statuses listed in
// data.js ("replace") and an origin that cannot be reached (502, or 504
// when it does not answer in time): those get errorsmith's page for the
// status, in the language and format the visitor asked for, chosen by the
// same rules as errorsmith's nginx maps.
//
// Set ORIGIN (e.g. "https://origin.example.com") to send requests to
// another host than the one visitors asked for, and ORIGIN_TIMEOUT_MS to
// change how long the origin has to send its response headers.
import data from "./data.js";

const TYPES = {
  html: "text/html; charset=utf-8",
  json: "application/problem+json",
  txt: "text/plain; charset=utf-8",
};
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export default {
  async fetch(request, env) {
    const timeout = Number(env && env.ORIGIN_TIMEOUT_MS) || data.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    let origin;
    try {
      origin = await fetch(toOrigin(request, env), { signal: controller.signal });
    } catch {
      const status = controller.signal.aborted ? 504 : 502;
      return errorPage(request, status, null, "") || new Response(null, { status });
    } finally {
      clearTimeout(timer);
    }
    if (!data.replace.includes(origin.status)) return origin;
    const page = errorPage(request, origin.status, origin.headers.get("retry-after"), String(origin.status));
    if (!page) return origin;
    // The origin's body is not sent on; let it go instead of buffering it.
    if (origin.body) origin.body.cancel().catch(() => {});
    return page;
  },
};

function toOrigin(request, env) {
  const url = new URL(request.url);
  if (env && env.ORIGIN) {
    const origin = new URL(env.ORIGIN);
    url.protocol = origin.protocol;
    url.host = origin.host;
  }
  // Redirects are the visitor's to follow, as without the Worker.
  return new Request(url, new Request(request, { redirect: "manual" }));
}

function errorPage(request, status, originRetryAfter, upstream) {
  const locale = negotiateLocale(request.headers.get("accept-language"));
  const page = (data.pages[locale] || {})[status];
  if (!page) return null;
  const format = negotiateFormat(request.headers.get("accept"));
  let body = page[format];
  if (format === "html") {
    const slots = requestSlots(request, upstream);
    // The developer part only ever reaches an HTML page for a trusted client.
    const trusted = page.developer && isTrusted(request.headers.get("cf-connecting-ip"));
    slots.developer = trusted ? fill(page.developer, slots) : "";
    body = fill(page.html, slots);
  }
  const headers = new Headers({
    "content-type": TYPES[format],
    "cache-control": "no-store",
    vary: "Accept, Accept-Language",
    "x-content-type-options": "nosniff",
  });
  const retryAfter = originRetryAfter !== null ? originRetryAfter : data.retryAfter[status];
  if (retryAfter !== undefined && retryAfter !== null) headers.set("retry-after", String(retryAfter));
  return new Response(request.method === "HEAD" ? null : body, { status, headers });
}

// Request details for the page's slots, each escaped as HTML text. The
// request headers come from anyone: the reference keeps only what a
// Cloudflare ray id is made of.
function requestSlots(request, upstream) {
  const url = new URL(request.url);
  const ray = request.headers.get("cf-ray") || "";
  return {
    request_id: html(/^[A-Za-z0-9-]{1,64}$/.test(ray) ? ray : ""),
    time: html(new Date().toISOString()),
    host: html(url.host),
    uri: html(url.pathname + url.search),
    upstream: html(upstream),
  };
}

function html(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

// A page is a list of text parts and {slot} markers this Worker fills.
function fill(parts, slots) {
  return parts.map((part) => (typeof part === "string" ? part : slots[part.slot] || "")).join("");
}

// Accept-Language -> a built locale, as errorsmith's nginx maps choose:
// the first built locale listed in the best q-value bucket (1, 0.9, ...,
// 0.1, 0.0x); a regional tag (de-CH) counts as its language; q=0, `*` and
// malformed items never match; no match gives the default locale.
function negotiateLocale(header) {
  const best = new Array(11).fill(null);
  for (const item of (header || "").split(",")) {
    const match = /^\s*([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)(?:\s*;\s*q\s*=\s*([0-9.]+))?\s*$/.exec(item);
    if (!match) continue;
    const bucket = qBucket(match[2]);
    if (bucket === null || best[bucket] !== null) continue;
    const tag = match[1].toLowerCase();
    const locale = data.locales.find((l) => tag === l.toLowerCase() || tag.startsWith(l.toLowerCase() + "-"));
    if (locale) best[bucket] = locale;
  }
  for (let bucket = 10; bucket >= 0; bucket--) if (best[bucket]) return best[bucket];
  return data.defaultLocale;
}

function qBucket(q) {
  if (q === undefined || /^1(?:\.0{0,3})?$/.test(q)) return 10;
  const match = /^0?\.([0-9])([0-9]{0,2})$/.exec(q);
  if (!match) return null;
  if (match[1] !== "0") return Number(match[1]);
  return /^(?:[1-9][0-9]?|0[1-9])$/.test(match[2]) ? 0 : null;
}

// Accept -> html, json or txt: JSON when a JSON type comes before any
// text/html, text only when text/plain is all that is asked for.
function negotiateFormat(accept) {
  const header = accept || "";
  if (/^(?:(?!text\/html).)*application\/(?:problem\+)?json/i.test(header)) return "json";
  if (/^\s*text\/plain\s*(?:;[^,]*)?$/i.test(header)) return "txt";
  return "html";
}

// CF-Connecting-IP inside one of trusted_networks, each [family, address
// as hex, prefix length]. Anything that is not a plain address is not
// trusted.
function isTrusted(ip) {
  if (!ip) return false;
  const v4 = parseIPv4(ip);
  const v6 = v4 === null ? parseIPv6(ip) : null;
  for (const [family, hex, prefix] of data.trusted) {
    const address = family === 4 ? v4 : v6;
    if (address === null) continue;
    const shift = BigInt((family === 4 ? 32 : 128) - prefix);
    if (address >> shift === BigInt("0x" + hex) >> shift) return true;
  }
  return false;
}

function parseIPv4(text) {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIPv6(text) {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  let address = text;
  if (address.includes(".")) {
    const cut = address.lastIndexOf(":");
    const v4 = parseIPv4(address.slice(cut + 1));
    if (v4 === null) return null;
    address = address.slice(0, cut + 1) + (v4 >> 16n).toString(16) + ":" + (v4 & 0xffffn).toString(16);
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  if (halves.length === 2 && head.length + tail.length > 7) return null;
  const groups = halves.length === 2 ? [...head, ...new Array(8 - head.length - tail.length).fill("0"), ...tail] : head;
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt("0x" + group);
  }
  return value;
}
