/**
 * URL previews (`GET /_matrix/client/v1/media/preview_url`): fetches the page through the outbound
 * HttpClient (which refuses blocked IP ranges at every hop), reads its Open Graph data, stores its
 * image as media, and caches the result. Off unless `url_preview.enabled`.
 */
import type { Clock } from "../../ports/clock.js";
import { type HttpClient, OutboundError, type OutboundResponse } from "../../ports/http-client.js";
import type { KeyValueRepository } from "../../ports/store/key-value.js";
import type { JsonValue } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { MatrixError } from "../errors.js";
import type { MediaConfig } from "./media-config.js";
import type { MediaService } from "./media-service.js";
import { decodeHtml, parseOpenGraph } from "./open-graph.js";
import { baseType } from "./serving.js";

const CACHE_NAMESPACE = "url_preview";
const USER_AGENT = "Lattice URL preview (Matrix homeserver)";

export class UrlPreviews {
  constructor(
    private readonly http: HttpClient,
    private readonly cache: KeyValueRepository,
    private readonly mediaService: MediaService,
    private readonly clock: Clock,
    private readonly config: { media: MediaConfig },
  ) {}

  async preview(requester: Requester, url: string): Promise<Record<string, JsonValue>> {
    const settings = this.config.media.urlPreview;
    if (!settings.enabled) {
      // As when the endpoint does not exist (Synapse with url_preview_enabled: false).
      throw new MatrixError(404, "M_UNRECOGNIZED", "URL previews are disabled on this server");
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MatrixError(400, "M_INVALID_PARAM", "url is not a valid URL");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new MatrixError(400, "M_INVALID_PARAM", "Only http and https URLs can be previewed");
    }
    parsed.hash = "";
    const key = parsed.toString();
    const now = this.clock.now();
    const cached = await this.cache.get(CACHE_NAMESPACE, key, now);
    if (cached && typeof cached === "object" && !Array.isArray(cached))
      return cached as Record<string, JsonValue>;

    const page = await this.fetch(key, "text/html,application/xhtml+xml;q=0.9,image/*;q=0.8,*/*;q=0.5");
    const type = baseType(page.headers.get("content-type") ?? "");
    let og: Record<string, JsonValue> = {};
    if (type === "text/html" || type === "application/xhtml+xml") {
      const fields = parseOpenGraph(decodeHtml(page.body, page.headers.get("content-type")), page.url);
      og = { ...fields };
      const image = fields["og:image"];
      delete og["og:image"];
      if (image) Object.assign(og, await this.storeImage(requester, image).catch(() => ({})));
    } else if (type.startsWith("image/")) {
      Object.assign(og, await this.keepImage(requester, page));
    }
    await this.cache.put(CACHE_NAMESPACE, key, og, now + settings.cacheMs);
    return og;
  }

  private async fetch(url: string, accept: string): Promise<OutboundResponse> {
    const { maxBytes, timeoutMs } = this.config.media.urlPreview;
    let response: OutboundResponse;
    try {
      response = await this.http.request(url, {
        headers: { accept, "user-agent": USER_AGENT },
        maxBytes,
        timeoutMs,
        maxRedirects: 5,
      });
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      if (error.reason === "blocked")
        throw new MatrixError(403, "M_FORBIDDEN", "The URL's address is blocked");
      if (error.reason === "too_large")
        throw new MatrixError(502, "M_TOO_LARGE", "The page is too large to preview");
      if (error.reason === "bad_url") throw new MatrixError(400, "M_INVALID_PARAM", error.message);
      throw new MatrixError(502, "M_UNKNOWN", `Could not fetch the URL: ${error.reason}`);
    }
    if (response.status < 200 || response.status >= 300) {
      throw new MatrixError(502, "M_UNKNOWN", `The URL answered ${response.status}`);
    }
    return response;
  }

  private async storeImage(requester: Requester, url: string): Promise<Record<string, JsonValue>> {
    const response = await this.fetch(url, "image/*");
    if (!baseType(response.headers.get("content-type") ?? "").startsWith("image/")) return {};
    return this.keepImage(requester, response);
  }

  private async keepImage(
    requester: Requester,
    response: OutboundResponse,
  ): Promise<Record<string, JsonValue>> {
    const contentType = baseType(response.headers.get("content-type") ?? "");
    const uri = await this.mediaService.storeFetched(requester.userId, response.body, contentType);
    return { "og:image": uri, "og:image:type": contentType, "matrix:image:size": response.body.byteLength };
  }
}
