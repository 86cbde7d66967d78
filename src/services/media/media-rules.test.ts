import { describe, expect, it } from "vitest";
import { DEFAULT_THUMBNAIL_SIZES } from "./media-config.js";
import { parseMxc } from "./media-ids.js";
import { parseOpenGraph } from "./open-graph.js";
import { parseRange } from "./range.js";
import { contentDisposition } from "./serving.js";
import { chooseSize } from "./thumbnails.js";

describe("media rules", () => {
  it("parses single byte ranges", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-5", 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange("bytes=50-500", 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-1,5-6", 100)).toBeUndefined();
    expect(parseRange(undefined, 100)).toBeUndefined();
  });

  it("meets a thumbnail request with the smallest configured size at least as large", () => {
    const pick = (width: number, height: number, method: "crop" | "scale") =>
      chooseSize(DEFAULT_THUMBNAIL_SIZES, { width, height, method, animated: false });
    expect(pick(96, 96, "crop")).toEqual({ width: 96, height: 96, method: "crop" });
    expect(pick(50, 50, "crop")).toEqual({ width: 96, height: 96, method: "crop" });
    expect(pick(300, 200, "scale")).toEqual({ width: 320, height: 240, method: "scale" });
    expect(pick(2000, 2000, "scale")).toEqual({ width: 800, height: 600, method: "scale" });
  });

  it("sanitises mxc URIs (no traversal through the server name or media ID)", () => {
    expect(parseMxc("mxc://example.org/abc_-1")).toEqual({ serverName: "example.org", mediaId: "abc_-1" });
    expect(parseMxc("mxc://127.0.0.1/../../etc/passwd")).toBeUndefined();
    expect(parseMxc("mxc://example.org/a%2e%2e")).toBeUndefined();
  });

  it("makes only safe types inline", () => {
    expect(contentDisposition("image/png", null)).toBe("inline");
    expect(contentDisposition("text/html; charset=utf-8", "a.html")).toMatch(/^attachment;/);
    expect(contentDisposition("image/svg+xml", null)).toBe("attachment");
  });

  it("reads Open Graph with title and description fallbacks and absolute image URLs", () => {
    const og = parseOpenGraph(
      `<title> Page &#8211; title </title><meta name="description" content="Desc">
       <meta content="/i.png" property="og:image">`,
      "https://example.org/a/b",
    );
    expect(og).toEqual({
      "og:title": "Page – title",
      "og:description": "Desc",
      "og:image": "https://example.org/i.png",
    });
  });
});
