/**
 * The runtime floor of the stack DESIGN.md prescribes: a minimal Hono app on @hono/node-server, and
 * nothing else. bench/startup.ts starts it with plain `node`, asks it once, and reads its idle RSS,
 * so Lattice's own start-up cost can be told apart from the cost of Node, undici and Hono. Plain
 * JavaScript, so that no TypeScript loader adds to what is measured.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));

serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
