/**
 * How the Node runtime hands request bodies to the app (runtime/node/buffered-body.ts): a body that
 * came with its headers is passed on as one buffer, one still arriving goes through the stream, and
 * either way the endpoint reads exactly what the client sent, on a kept-alive connection too.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let user: TestUser;
let socket: Socket;
beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  user = await registerUser(server.http, "bodies");
  const { hostname, port } = new URL(server.url);
  socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once("connect", resolve));
});
afterAll(async () => {
  socket.destroy();
  await server.close();
});

/** Reads one HTTP/1.1 response with a Content-Length body from the kept-alive socket. */
function readResponse(): Promise<{ status: number; json: { filter_id: string; errcode?: string } }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
      if (buffered.length < end + 4 + length) return;
      socket.off("data", onData);
      const status = Number(head.split(" ")[1]);
      resolve({ status, json: JSON.parse(buffered.subarray(end + 4, end + 4 + length).toString("utf8")) });
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

/** Posts a filter in one write, or with the headers and the body's first bytes first and the rest
 * `delayMs` later. */
async function postFilter(filter: object, delayMs?: number) {
  const body = Buffer.from(JSON.stringify(filter));
  const head =
    `POST /_matrix/client/v3/user/${encodeURIComponent(user.userId)}/filter HTTP/1.1\r\n` +
    `Host: localhost\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const response = readResponse();
  if (delayMs === undefined) socket.write(Buffer.concat([Buffer.from(head), body]));
  else {
    // Split inside a multi-byte character: the body is decoded only once it is whole.
    socket.write(Buffer.concat([Buffer.from(head), body.subarray(0, 19)]));
    await new Promise((r) => setTimeout(r, delayMs));
    socket.write(body.subarray(19));
  }
  return response;
}

async function storedFilter(filterId: string) {
  const res = await server.http.get(
    `/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/filter/${filterId}`,
    user.accessToken,
  );
  expect(res.status).toBe(200);
  return res.body;
}

describe("request bodies on a kept-alive connection", () => {
  it("reads a body that arrived with its headers, then one that arrived in pieces, then a whole one again", async () => {
    // POST /user/{userId}/filter (spec: client-server-api "Filtering") answers the filter's ID; GET
    // gives back what was stored, so a body read wrongly shows up as a different filter.
    const filters = [
      { event_fields: ["type", "content.body"], room: { timeline: { limit: 7 } } },
      { event_fields: ["ünïcödé"], room: { timeline: { limit: 3 } } },
      { room: { rooms: ["!a:localhost"], timeline: { limit: 1 } } },
    ];
    const whole = await postFilter(filters[0] as object);
    const pieces = await postFilter(filters[1] as object, 30);
    const again = await postFilter(filters[2] as object);
    for (const res of [whole, pieces, again]) {
      expect(res.status).toBe(200);
      expect(typeof res.json.filter_id).toBe("string");
    }
    expect(await storedFilter(whole.json.filter_id)).toEqual(filters[0]);
    expect(await storedFilter(pieces.json.filter_id)).toEqual(filters[1]);
    expect(await storedFilter(again.json.filter_id)).toEqual(filters[2]);
  });

  it("keeps the connection once the request is long done", async () => {
    // @hono/node-server closes a connection whose request body never ended, half a second after
    // the response: a body handed over whole must still end.
    const first = await postFilter({ room: { timeline: { limit: 4 } } });
    await new Promise((r) => setTimeout(r, 1200));
    expect(socket.destroyed).toBe(false);
    const second = await postFilter({ room: { timeline: { limit: 5 } } });
    expect(await storedFilter(first.json.filter_id)).toEqual({ room: { timeline: { limit: 4 } } });
    expect(await storedFilter(second.json.filter_id)).toEqual({ room: { timeline: { limit: 5 } } });
  });

  it("answers a body that is not JSON with M_NOT_JSON and keeps serving the connection", async () => {
    const body = "{not json";
    const response = readResponse();
    socket.write(
      `POST /_matrix/client/v3/user/${encodeURIComponent(user.userId)}/filter HTTP/1.1\r\n` +
        `Host: localhost\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const res = await response;
    expect(res.status).toBe(400);
    expect(res.json.errcode).toBe("M_NOT_JSON");
    const next = await postFilter({ room: { timeline: { limit: 2 } } });
    expect(await storedFilter(next.json.filter_id)).toEqual({ room: { timeline: { limit: 2 } } });
  });
});
