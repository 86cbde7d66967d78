/** URL previews: off by default; fetched through the outbound client that refuses blocked
 * addresses (loopback here), also after a redirect; Open Graph read and the image stored as media. */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

const PREVIEW = "/_matrix/client/v1/media/preview_url";

describe("URL previews", () => {
  let dir: string;
  let site: Server;
  let siteUrl: string;
  let png: Buffer;
  const servers: TestServer[] = [];
  let fetches = 0;

  const start = async (args: string[]): Promise<{ server: TestServer; user: TestUser }> => {
    const server = await startTestServer([
      "--no-rate-limits",
      "--open-registration",
      "--media-path",
      dir,
      ...args,
    ]);
    servers.push(server);
    return { server, user: await registerUser(server.http, "alice") };
  };
  const preview = (server: TestServer, user: TestUser, url: string) =>
    server.http.get(`${PREVIEW}?url=${encodeURIComponent(url)}`, user.accessToken);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lattice-preview-"));
    png = await sharp({ create: { width: 20, height: 10, channels: 3, background: "#00ff00" } })
      .png()
      .toBuffer();
    site = createServer((req, res) => {
      fetches++;
      if (req.url === "/page") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<html><head><title>Fallback</title>
          <meta property="og:title" content="A &amp; B" />
          <meta property="og:description" content='Tea "time"'>
          <meta property="og:image" content="/cat.png"></head><body>hi</body></html>`);
      } else if (req.url === "/cat.png") {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(png);
      } else if (req.url === "/redirect") {
        const port = (site.address() as AddressInfo).port;
        res.writeHead(302, { location: `http://127.0.0.2:${port}/page` });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await new Promise((resolve) => site.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("is off by default", async () => {
    const { server, user } = await start([]);
    const response = await preview(server, user, `${siteUrl}/page`);
    expect(response.status).toBe(404);
    expect(response.body.errcode).toBe("M_UNRECOGNIZED");
  });

  it("refuses loopback addresses under the default blocklist (403 M_FORBIDDEN) without connecting", async () => {
    const { server, user } = await start(["--url-preview-enabled", "true"]);
    const before = fetches;
    for (const url of [
      `${siteUrl}/page`,
      "http://127.0.0.1/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://169.254.169.254/latest/meta-data",
    ]) {
      const response = await preview(server, user, url);
      expect(response.status, url).toBe(403);
      expect(response.body.errcode).toBe("M_FORBIDDEN");
    }
    expect(fetches).toBe(before);
  });

  it("reads Open Graph and stores the image when the address is allowlisted; refuses a redirect to a blocked one", async () => {
    const { server, user } = await start([
      "--url-preview-enabled",
      "true",
      "--ip-range-allowlist",
      "127.0.0.1/32",
    ]);
    const response = await preview(server, user, `${siteUrl}/page`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      "og:title": "A & B",
      "og:description": 'Tea "time"',
      "og:image:type": "image/png",
      "matrix:image:size": png.length,
    });
    expect(response.body["og:image"]).toMatch(/^mxc:\/\/localhost\//);
    const image = await fetch(
      `${server.url}/_matrix/client/v1/media/download/${response.body["og:image"].slice(6)}`,
      { headers: { authorization: `Bearer ${user.accessToken}` } },
    );
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);

    const before = fetches;
    expect((await preview(server, user, `${siteUrl}/page`)).body["og:title"]).toBe("A & B");
    expect(fetches).toBe(before);

    const redirected = await preview(server, user, `${siteUrl}/redirect`);
    expect(redirected.status).toBe(403);
    expect(redirected.body.errcode).toBe("M_FORBIDDEN");
  });
});
