/** The media repository over HTTP: uploads (plain and asynchronous), limits, safe serving, range
 * requests on a large streamed file, the legacy freeze, admin, retention. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedStream, mediaPath, sha256OfStream, upload } from "../support/media-helpers.js";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

const V1 = "/_matrix/client/v1/media";

function countBlobs(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /^[0-9a-f]{64}$/.test(entry.name)) n++;
  }
  return n;
}

describe("media repository", () => {
  let server: TestServer;
  let dir: string;
  let alice: TestUser;
  let bob: TestUser;
  const get = (path: string, user?: TestUser, headers: Record<string, string> = {}) =>
    fetch(server.url + path, {
      headers: { ...headers, ...(user ? { authorization: `Bearer ${user.accessToken}` } : {}) },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lattice-media-api-"));
    server = await startTestServer([
      "--no-rate-limits",
      "--open-registration",
      "--media-path",
      dir,
      "--media-max-upload-bytes",
      String(60 * 1024 * 1024),
      "--media-retention-local-media-lifetime",
      "30d",
    ]);
    alice = await registerUser(server.http, "alice");
    bob = await registerUser(server.http, "bob");
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("advertises the upload limit", async () => {
    const response = await get(`${V1}/config`, alice);
    expect(await response.json()).toEqual({ "m.upload.size": 60 * 1024 * 1024 });
  });

  it("refuses uploads without an access token", async () => {
    const result = await upload(server.url, undefined, "x");
    expect(result).toMatchObject({ status: 401, body: { errcode: "M_MISSING_TOKEN" } });
  });

  it("serves HTML as an attachment under the sandbox CSP, never inline", async () => {
    const html = "<html><script>alert(document.cookie)</script></html>";
    const { body } = await upload(server.url, alice.accessToken, html, {
      contentType: "text/html",
      fileName: "x.html",
    });
    const response = await get(`${V1}/download/${mediaPath(body.content_uri)}`, bob);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="x.html"/);
    expect(response.headers.get("content-security-policy")).toBe(
      "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await response.text()).toBe(html);
  });

  it("names the download after the file name in the path", async () => {
    const { body } = await upload(server.url, alice.accessToken, "plain", { contentType: "text/plain" });
    const response = await get(`${V1}/download/${mediaPath(body.content_uri)}/n%C3%A9e.txt`, bob);
    expect(response.headers.get("content-disposition")).toBe(
      `inline; filename="n_e.txt"; filename*=utf-8''n%C3%A9e.txt`,
    );
  });

  it("stores identical uploads once", async () => {
    const before = countBlobs(dir);
    const a = await upload(server.url, alice.accessToken, "same bytes, twice");
    const b = await upload(server.url, bob.accessToken, "same bytes, twice");
    expect(a.body.content_uri).not.toBe(b.body.content_uri);
    expect(countBlobs(dir)).toBe(before + 1);
  });

  it("keeps new media off the frozen unauthenticated endpoints (404 M_NOT_FOUND)", async () => {
    const { body } = await upload(server.url, alice.accessToken, "fresh");
    for (const path of [
      `/_matrix/media/v3/download/${mediaPath(body.content_uri)}`,
      `/_matrix/media/v3/thumbnail/${mediaPath(body.content_uri)}?width=32&height=32`,
    ]) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ errcode: "M_NOT_FOUND" });
    }
  });

  it("answers 404 M_NOT_FOUND for remote, unknown and malformed media", async () => {
    for (const path of [
      "/download/remote.example/abcdef",
      "/download/localhost/unknownid",
      "/download/localhost/bad.id",
    ]) {
      const response = await get(V1 + path, alice);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ errcode: "M_NOT_FOUND" });
    }
  });

  it("refuses to thumbnail what is not an image", async () => {
    const { body } = await upload(server.url, alice.accessToken, "not an image", {
      contentType: "image/png",
    });
    const response = await get(
      `${V1}/thumbnail/${mediaPath(body.content_uri)}?width=32&height=32&method=crop`,
      alice,
    );
    expect(response.status).toBe(400);
  });

  describe("asynchronous upload", () => {
    it("reserves an ID, waits for the bytes, takes them once", async () => {
      const created = await server.http.post("/_matrix/media/v1/create", {}, alice.accessToken);
      expect(created.status).toBe(200);
      expect(created.body.unused_expires_at).toBeGreaterThan(Date.now());
      const path = mediaPath(created.body.content_uri);

      const early = await get(`${V1}/download/${path}?timeout_ms=0`, bob);
      expect(early.status).toBe(504);
      expect(await early.json()).toMatchObject({ errcode: "M_NOT_YET_UPLOADED" });

      const waiting = get(`${V1}/download/${path}?timeout_ms=10000`, bob);
      const stranger = await upload(server.url, bob.accessToken, "mine", {
        path: `/_matrix/media/v3/upload/${path}`,
        method: "PUT",
      });
      expect(stranger).toMatchObject({ status: 403, body: { errcode: "M_FORBIDDEN" } });
      const put = await upload(server.url, alice.accessToken, "later bytes", {
        path: `/_matrix/media/v3/upload/${path}`,
        method: "PUT",
        contentType: "text/plain",
      });
      expect(put).toEqual({ status: 200, body: {} });
      const waited = await waiting;
      expect(waited.status).toBe(200);
      expect(await waited.text()).toBe("later bytes");

      const again = await upload(server.url, alice.accessToken, "other", {
        path: `/_matrix/media/v3/upload/${path}`,
        method: "PUT",
      });
      expect(again).toMatchObject({ status: 409, body: { errcode: "M_CANNOT_OVERWRITE_MEDIA" } });
    });

    it("limits open reservations per user", async () => {
      const carol = await registerUser(server.http, "carol");
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await server.http.post("/_matrix/media/v1/create", {}, carol.accessToken)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    });
  });

  describe("a 50 MB file", () => {
    const size = 50 * 1024 * 1024;
    let path: string;
    let expected: { sha256: string; size: number };

    it("streams in", async () => {
      expected = await sha256OfStream(generatedStream(size));
      const { status, body } = await upload(server.url, alice.accessToken, generatedStream(size), {
        fileName: "big.bin",
      });
      expect(status).toBe(200);
      path = mediaPath(body.content_uri);
    });

    it("streams out with the same hash", async () => {
      const response = await get(`${V1}/download/${path}`, bob);
      expect(response.headers.get("content-length")).toBe(String(size));
      expect(response.headers.get("accept-ranges")).toBe("bytes");
      expect(await sha256OfStream(response.body)).toEqual(expected);
    });

    it("serves byte ranges (206 with Content-Range) and refuses unsatisfiable ones (416)", async () => {
      const all = generatedStream(size);
      const reader = all.getReader();
      const whole: Uint8Array[] = [];
      // Only the first and last MB are compared: read the generator once, keep those parts.
      let offset = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (offset < 1024 * 1024 || offset >= size - 1024 * 1024) whole.push(value);
        offset += value.byteLength;
      }
      const head = Buffer.concat(whole.slice(0, 16));
      const tail = Buffer.concat(whole.slice(16));

      const middle = await get(`${V1}/download/${path}`, bob, { range: "bytes=1000-1999" });
      expect(middle.status).toBe(206);
      expect(middle.headers.get("content-range")).toBe(`bytes 1000-1999/${size}`);
      expect(Buffer.from(await middle.arrayBuffer()).equals(head.subarray(1000, 2000))).toBe(true);

      const suffix = await get(`${V1}/download/${path}`, bob, { range: "bytes=-500" });
      expect(suffix.status).toBe(206);
      expect(suffix.headers.get("content-range")).toBe(`bytes ${size - 500}-${size - 1}/${size}`);
      expect(Buffer.from(await suffix.arrayBuffer()).equals(tail.subarray(tail.length - 500))).toBe(true);

      const open = await get(`${V1}/download/${path}`, bob, { range: `bytes=${size - 10}-` });
      expect(open.status).toBe(206);
      expect((await open.arrayBuffer()).byteLength).toBe(10);

      const beyond = await get(`${V1}/download/${path}`, bob, { range: `bytes=${size}-` });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get("content-range")).toBe(`bytes */${size}`);
    });
  });

  describe("admin", () => {
    let admin: TestUser;
    let path: string;
    beforeAll(async () => {
      admin = await registerUser(server.http, "root-admin");
      await server.services.store.users.setAdmin(admin.userId, true);
      path = mediaPath(
        (await upload(server.url, bob.accessToken, "bob's file", { fileName: "b.txt" })).body.content_uri,
      );
    });

    it("refuses non-admins (403 M_FORBIDDEN)", async () => {
      for (const [method, p] of [
        ["POST", `/_synapse/admin/v1/media/quarantine/${path}`],
        ["DELETE", `/_synapse/admin/v1/media/${path}`],
        ["GET", `/_synapse/admin/v1/users/${encodeURIComponent(bob.userId)}/media`],
      ] as const) {
        const response = await server.http.request(method, p, { token: bob.accessToken });
        expect(response.status).toBe(403);
        expect(response.body.errcode).toBe("M_FORBIDDEN");
      }
    });

    it("lists a user's media", async () => {
      const response = await server.http.get(
        `/_synapse/admin/v1/users/${encodeURIComponent(bob.userId)}/media`,
        admin.accessToken,
      );
      expect(response.status).toBe(200);
      expect(response.body.media[0]).toMatchObject({
        media_id: path.split("/")[1],
        upload_name: "b.txt",
        media_length: 10,
      });
      expect(response.body.total).toBeGreaterThanOrEqual(1);
    });

    it("quarantines media (then 404) and releases it", async () => {
      expect(
        (await server.http.post(`/_synapse/admin/v1/media/quarantine/${path}`, {}, admin.accessToken)).status,
      ).toBe(200);
      expect((await get(`${V1}/download/${path}`, alice)).status).toBe(404);
      expect(
        (await server.http.post(`/_synapse/admin/v1/media/unquarantine/${path}`, {}, admin.accessToken))
          .status,
      ).toBe(200);
      expect((await get(`${V1}/download/${path}`, alice)).status).toBe(200);
    });

    it("deletes media and its bytes", async () => {
      const before = countBlobs(dir);
      const response = await server.http.delete(
        `/_synapse/admin/v1/media/${path}`,
        undefined,
        admin.accessToken,
      );
      expect(response.body).toEqual({ deleted_media: [path.split("/")[1]], total: 1 });
      expect((await get(`${V1}/download/${path}`, alice)).status).toBe(404);
      expect(countBlobs(dir)).toBe(before - 1);
    });
  });

  it("purges media not accessed within local_media_lifetime (the retention job's method)", async () => {
    const { body } = await upload(server.url, alice.accessToken, "short-lived bytes");
    const path = mediaPath(body.content_uri);
    const before = countBlobs(dir);
    expect(await server.services.media.admin.purgeExpired(Date.now())).toBe(0);
    const deleted = await server.services.media.admin.purgeExpired(Date.now() + 31 * 24 * 3600 * 1000);
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect((await get(`${V1}/download/${path}`, alice)).status).toBe(404);
    expect(countBlobs(dir)).toBeLessThan(before);
  });
});

describe("media limits", () => {
  let server: TestServer;
  let dir: string;
  let alice: TestUser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lattice-media-limits-"));
    server = await startTestServer([
      "--open-registration",
      "--media-path",
      dir,
      "--media-max-upload-bytes",
      "1000",
      "--media-upload-burst",
      "4",
      "--media-upload-per-second",
      "0.001",
      "--media-unauthenticated-media-cutoff-ts",
      "99999999999999",
    ]);
    alice = await registerUser(server.http, "alice");
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an upload over the limit by its Content-Length (413 M_TOO_LARGE)", async () => {
    const result = await upload(server.url, alice.accessToken, new Uint8Array(1001));
    expect(result).toMatchObject({ status: 413, body: { errcode: "M_TOO_LARGE" } });
  });

  it("refuses a streamed upload once it passes the limit, keeping nothing", async () => {
    const result = await upload(server.url, alice.accessToken, generatedStream(200_000));
    expect(result).toMatchObject({ status: 413, body: { errcode: "M_TOO_LARGE" } });
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("serves media from before the configured freeze on the legacy endpoints", async () => {
    const { body } = await upload(server.url, alice.accessToken, "old enough", { contentType: "text/plain" });
    const response = await fetch(`${server.url}/_matrix/media/v3/download/${mediaPath(body.content_uri)}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("old enough");
  });

  it("rate-limits uploads per user (429 M_LIMIT_EXCEEDED)", async () => {
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await upload(server.url, alice.accessToken, "x")).status);
    expect(results).toContain(429);
  });
});
