// Runs errorsmith's Cloudflare Worker in miniflare (Cloudflare's workerd,
// locally and offline) for tests/edge_cloudflare.rs:
//     node run-worker.mjs <folder with worker.js and data.js> <origin URL> <timeout ms>
// Prints the Worker's URL on one line, then serves until stdin closes.
import { Miniflare } from "miniflare";
import path from "node:path";

const [dir, origin, timeout] = process.argv.slice(2);
const mf = new Miniflare({
  modules: [
    { type: "ESModule", path: path.join(dir, "worker.js") },
    { type: "ESModule", path: path.join(dir, "data.js") },
  ],
  modulesRoot: dir,
  compatibilityDate: "2025-01-01",
  bindings: { ORIGIN: origin, ORIGIN_TIMEOUT_MS: timeout },
  host: "127.0.0.1",
  port: 0,
});
const url = await mf.ready;
console.log(url.href);
process.stdin.resume();
process.stdin.on("end", async () => {
  await mf.dispose();
  process.exit(0);
});
