/**
 * The few S3 calls the media store needs, over fetch with SigV4 (no SDK, so it runs on Workers
 * too). Path-style addressing (`<endpoint>/<bucket>/<key>`), which AWS, R2, MinIO and others accept.
 */
import { type Credentials, EMPTY_SHA256, sha256Hex, signRequest, uriEncode } from "./sigv4.js";

export interface S3Options extends Credentials {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or `https://<account>.r2.cloudflarestorage.com`. */
  endpoint: string;
  bucket: string;
}

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    operation: string,
  ) {
    super(`S3 ${operation} failed with ${status}: ${body.slice(0, 300)}`);
    this.name = "S3Error";
  }
}

export class S3Client {
  constructor(private readonly options: S3Options) {}

  private url(key: string, query: Record<string, string> = {}): URL {
    const base = this.options.endpoint.replace(/\/$/, "");
    const url = new URL(`${base}/${uriEncode(this.options.bucket)}/${uriEncode(key, true)}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  private async send(
    operation: string,
    method: string,
    key: string,
    options: {
      query?: Record<string, string>;
      headers?: Record<string, string>;
      body?: Uint8Array | string;
      ok?: number[];
    } = {},
  ): Promise<Response> {
    const url = this.url(key, options.query);
    // Every payload sent is one this process holds (at most one multipart part), so it is signed
    // by its hash rather than sent UNSIGNED-PAYLOAD.
    const payloadHash = options.body === undefined ? EMPTY_SHA256 : await sha256Hex(options.body);
    const headers = await signRequest(
      method,
      url,
      options.headers ?? {},
      payloadHash,
      this.options,
      new Date(),
    );
    const response = await fetch(url, {
      method,
      headers,
      body: options.body as BodyInit | undefined,
    });
    if (!(options.ok ?? [200, 204, 206]).includes(response.status)) {
      throw new S3Error(response.status, await response.text(), operation);
    }
    return response;
  }

  async putObject(key: string, body: Uint8Array): Promise<void> {
    const response = await this.send("PutObject", "PUT", key, { body });
    await response.body?.cancel();
  }

  /** The object's bytes (or a range of them), or undefined when absent. */
  async getObject(key: string, range?: { start: number; end: number }): Promise<Response | undefined> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const response = await this.send("GetObject", "GET", key, { headers, ok: [200, 206, 404] });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return response;
  }

  async headObject(key: string): Promise<boolean> {
    const response = await this.send("HeadObject", "HEAD", key, { ok: [200, 404] });
    await response.body?.cancel();
    return response.status === 200;
  }

  async deleteObject(key: string): Promise<void> {
    const response = await this.send("DeleteObject", "DELETE", key, { ok: [200, 204, 404] });
    await response.body?.cancel();
  }

  /** Server-side copy (objects up to 5 GB). */
  async copyObject(from: string, to: string): Promise<void> {
    const source = `/${uriEncode(this.options.bucket)}/${uriEncode(from, true)}`;
    const response = await this.send("CopyObject", "PUT", to, { headers: { "x-amz-copy-source": source } });
    const text = await response.text();
    // S3 may answer 200 with an error document when the copy fails midway.
    if (text.includes("<Error>")) throw new S3Error(200, text, "CopyObject");
  }

  async createMultipartUpload(key: string): Promise<string> {
    const response = await this.send("CreateMultipartUpload", "POST", key, { query: { uploads: "" } });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await response.text())?.[1];
    if (!uploadId) throw new S3Error(response.status, "no UploadId in the response", "CreateMultipartUpload");
    return uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const response = await this.send("UploadPart", "PUT", key, {
      query: { partNumber: String(partNumber), uploadId },
      body,
    });
    await response.body?.cancel();
    const etag = response.headers.get("etag");
    if (!etag) throw new S3Error(response.status, "no ETag in the response", "UploadPart");
    return etag;
  }

  async completeMultipartUpload(key: string, uploadId: string, etags: string[]): Promise<void> {
    const parts = etags
      .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`)
      .join("");
    const body = `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`;
    const response = await this.send("CompleteMultipartUpload", "POST", key, { query: { uploadId }, body });
    const text = await response.text();
    if (text.includes("<Error>")) throw new S3Error(200, text, "CompleteMultipartUpload");
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    const response = await this.send("AbortMultipartUpload", "DELETE", key, {
      query: { uploadId },
      ok: [200, 204, 404],
    });
    await response.body?.cancel();
  }
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!,
  );
