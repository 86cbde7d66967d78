/**
 * Open Graph (https://ogp.me) from an HTML page, for URL previews: `og:*` meta tags, with the
 * `<title>` and `<meta name="description">` as fallbacks. A tolerant scan of the tags, not a DOM:
 * previews need a handful of fields, and pages are often not well-formed.
 */

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/** The page's Open Graph fields; `og:image` (and `og:url`) made absolute against `pageUrl`. */
export function parseOpenGraph(html: string, pageUrl: string): Record<string, string> {
  const og: Record<string, string> = {};
  let description: string | undefined;
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = attributes(m[0]);
    const key = attrs.property ?? attrs.name;
    if (!key || attrs.content === undefined) continue;
    if (key.startsWith("og:") && !(key in og)) og[key] = attrs.content.trim();
    if (key.toLowerCase() === "description") description ??= attrs.content.trim();
  }
  if (!og["og:title"]) {
    const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
    if (title?.trim()) og["og:title"] = decodeEntities(title.trim()).replace(/\s+/g, " ");
  }
  if (!og["og:description"] && description) og["og:description"] = description;
  for (const key of ["og:image", "og:url"]) {
    const value = og[key];
    if (!value) continue;
    try {
      og[key] = new URL(value, pageUrl).toString();
    } catch {
      delete og[key];
    }
  }
  return og;
}

/** The charset of an HTML response: from Content-Type, else a `<meta charset>`, else UTF-8. */
export function decodeHtml(bytes: Uint8Array, contentType: string | null): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1];
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 2048));
  const fromMeta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
  try {
    return new TextDecoder(fromHeader ?? fromMeta ?? "utf-8").decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}
