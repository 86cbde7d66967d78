/**
 * User-interactive authentication (spec: client-server-api "User-Interactive Authentication API").
 * A session lives in the shared key-value store, bound to the operation it was started for, so a
 * session completed for one request cannot authorise another.
 */
import type { Clock } from "../../ports/clock.js";
import type { KeyValueRepository } from "../../ports/store/key-value.js";
import type { JsonObject } from "../../protocol/json.js";
import { isJsonObject } from "../../protocol/json.js";
import { randomToken } from "../accounts/tokens.js";
import { MatrixError } from "../errors.js";

const SESSION_TTL_MS = 30 * 60 * 1000;
const NAMESPACE = "uia";

/** Checks one stage's auth dict; throws a MatrixError (e.g. 403 M_FORBIDDEN) when it fails. */
export type StageCheck = (auth: JsonObject) => Promise<void>;

export interface UiaOptions {
  /** The raw `auth` field of the request body (undefined on the first request). */
  auth: unknown;
  /** A name for the operation, including whom it is for (e.g. `delete_devices:@a:x`). */
  operation: string;
  flows: string[][];
  params?: JsonObject;
  checks: Record<string, StageCheck>;
}

/** The 401 response that tells the client which stages remain. */
export class UiaRequired extends MatrixError {
  constructor(
    readonly body: {
      flows: Array<{ stages: string[] }>;
      params: JsonObject;
      session: string;
      completed: string[];
    },
    failure?: MatrixError,
  ) {
    super(
      401,
      failure?.errcode ?? "M_UNAUTHORIZED",
      failure?.message ?? "Additional authentication required",
    );
    this.failure = failure;
  }
  private readonly failure?: MatrixError;

  override toJSON(): Record<string, unknown> {
    return this.failure
      ? { ...this.body, errcode: this.failure.errcode, error: this.failure.message }
      : this.body;
  }
}

interface SessionState {
  operation: string;
  completed: string[];
}

export class UserInteractiveAuth {
  constructor(
    private readonly keyValue: KeyValueRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Resolves with the session ID when the request has completed one of the flows; otherwise throws
   * `UiaRequired`. The session stays valid (so a request that fails afterwards can be retried) until
   * the caller calls `finish` after the operation succeeded, or it expires.
   */
  async authenticate(options: UiaOptions): Promise<string> {
    const now = this.clock.now();
    const auth = isJsonObject(options.auth) ? options.auth : undefined;
    const requested = typeof auth?.session === "string" ? auth.session : undefined;
    let session = requested;
    let state: SessionState = { operation: options.operation, completed: [] };
    if (requested) {
      const stored = (await this.keyValue.get(NAMESPACE, requested, now)) as SessionState | undefined;
      if (!stored)
        throw new MatrixError(400, "M_UNKNOWN", "Unknown or expired user-interactive auth session");
      if (stored.operation !== options.operation) {
        throw new MatrixError(403, "M_FORBIDDEN", "This auth session was started for another request");
      }
      state = stored;
    } else {
      session = randomToken("uia", 18);
    }
    const sessionId = session as string;
    const challenge = (failure?: MatrixError) =>
      new UiaRequired(
        {
          flows: options.flows.map((stages) => ({ stages })),
          params: options.params ?? {},
          session: sessionId,
          completed: state.completed,
        },
        failure,
      );

    const stage = typeof auth?.type === "string" ? auth.type : undefined;
    if (!auth || !stage) {
      if (this.flowComplete(options.flows, state.completed)) return sessionId;
      await this.keyValue.put(NAMESPACE, sessionId, { ...state }, now + SESSION_TTL_MS);
      throw challenge();
    }
    const allowed = options.flows.some((flow) => flow.includes(stage));
    const check = options.checks[stage];
    if (!allowed || !check) {
      await this.keyValue.put(NAMESPACE, sessionId, { ...state }, now + SESSION_TTL_MS);
      throw challenge(new MatrixError(400, "M_UNRECOGNIZED", `Stage ${stage} is not offered here`));
    }
    try {
      await check(auth);
    } catch (error) {
      await this.keyValue.put(NAMESPACE, sessionId, { ...state }, now + SESSION_TTL_MS);
      if (error instanceof MatrixError && error.status !== 429) throw challenge(error);
      throw error;
    }
    if (!state.completed.includes(stage)) state.completed = [...state.completed, stage];
    await this.keyValue.put(NAMESPACE, sessionId, { ...state }, now + SESSION_TTL_MS);
    if (this.flowComplete(options.flows, state.completed)) return sessionId;
    throw challenge();
  }

  private flowComplete(flows: string[][], completed: string[]): boolean {
    return flows.some((flow) => flow.every((stage) => completed.includes(stage)));
  }

  /** Ends a session once the operation it authorised has succeeded, so it cannot be replayed. */
  async finish(session: string): Promise<void> {
    await this.keyValue.delete(NAMESPACE, session);
  }
}
