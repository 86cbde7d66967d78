/**
 * The one error type of the server. Thrown from anywhere (services, validation, auth) and rendered
 * once, in the API layer's error handler, as the spec's `{"errcode", "error"}` body
 * (spec: client-server-api "Standard error response").
 */
export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    /** Extra top-level fields of the error body, e.g. `retry_after_ms`, `soft_logout`. */
    readonly extra: Record<string, unknown> = {},
    /** Response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "MatrixError";
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const forbidden = (message: string) => new MatrixError(403, "M_FORBIDDEN", message);
export const notFound = (message: string) => new MatrixError(404, "M_NOT_FOUND", message);
export const badJson = (message: string) => new MatrixError(400, "M_BAD_JSON", message);
export const invalidParam = (message: string) => new MatrixError(400, "M_INVALID_PARAM", message);
export const missingParam = (message: string) => new MatrixError(400, "M_MISSING_PARAM", message);
export const unknownToken = (message = "Unrecognised access token", softLogout = false) =>
  new MatrixError(401, "M_UNKNOWN_TOKEN", message, { soft_logout: softLogout });
