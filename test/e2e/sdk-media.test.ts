/**
 * matrix-js-sdk as the judge of authenticated media (MSC3916): one user uploads a PNG with
 * `uploadContent`, another downloads the exact bytes and a thumbnail of the size asked for through
 * the URLs the SDK builds; without an access token the server refuses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "matrix-js-sdk";
import type { Logger } from "matrix-js-sdk/lib/logger.js";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, getChild: () => quiet };

describe("media through matrix-js-sdk", () => {
  let server: TestServer;
  let mediaDir: string;
  let alice: TestUser;
  let bob: TestUser;
  let png: Buffer;
  let mxc: string;

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), "lattice-media-e2e-"));
    server = await startTestServer(["--no-rate-limits", "--open-registration", "--media-path", mediaDir]);
    alice = await registerUser(server.http, "alice");
    bob = await registerUser(server.http, "bob");
    png = await sharp({
      create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 30, b: 90 } },
    })
      .png()
      .toBuffer();
  });
  afterAll(async () => {
    await server.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const client = (user: TestUser) =>
    sdk.createClient({
      baseUrl: server.url,
      accessToken: user.accessToken,
      userId: user.userId,
      deviceId: user.deviceId,
      logger: quiet,
    });

  const authedGet = (url: string, user?: TestUser) =>
    fetch(url, { headers: user ? { authorization: `Bearer ${user.accessToken}` } : {} });

  it("uploads a PNG with uploadContent", async () => {
    const response = await client(alice).uploadContent(new Uint8Array(png), {
      name: "pink.png",
      type: "image/png",
    });
    mxc = response.content_uri;
    expect(mxc).toMatch(/^mxc:\/\/localhost\/[A-Za-z0-9_-]+$/);
  });

  it("lets another user download the exact bytes through authenticated media", async () => {
    const url = client(bob).mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
    expect(url).toContain("/_matrix/client/v1/media/download/");
    const response = await authedGet(url!, bob);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toMatch(/^inline; filename="pink.png"/);
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it("gives thumbnails of the requested size, by crop and by scale", async () => {
    for (const [width, height, method] of [
      [96, 96, "crop"],
      [320, 240, "scale"],
    ] as const) {
      const url = client(bob).mxcUrlToHttp(mxc, width, height, method, false, true, true);
      expect(url).toContain("/_matrix/client/v1/media/thumbnail/");
      const response = await authedGet(url!, bob);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toMatch(/^inline/);
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([width, height]);
    }
  });

  it("refuses a download without an access token (401 M_MISSING_TOKEN)", async () => {
    const url = client(bob).mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
    const response = await authedGet(url!);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errcode: "M_MISSING_TOKEN" });
  });
});
