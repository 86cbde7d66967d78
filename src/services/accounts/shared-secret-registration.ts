/**
 * Synapse's shared-secret registration (`/_synapse/admin/v1/register`), which deployment tools
 * (Ansible roles, `register_new_matrix_user`) use: a one-time nonce, then an HMAC-SHA1 over
 * nonce, username, password, admin flag and optional user type, each separated by NUL.
 */
import type { Clock } from "../../ports/clock.js";
import type { KeyValueRepository } from "../../ports/store/key-value.js";
import { forbidden, MatrixError } from "../errors.js";
import type { IssuedSession, SessionIssuer } from "./sessions.js";
import { randomToken } from "./tokens.js";
import type { UserAdmin } from "./user-admin.js";

const NONCE_TTL_MS = 60_000;
const NAMESPACE = "admin-register-nonce";

export interface SharedSecretRegisterRequest {
  nonce: string;
  username: string;
  password: string;
  admin: boolean;
  displayname?: string | undefined;
  user_type?: string | undefined;
  mac: string;
}

export class SharedSecretRegistration {
  constructor(
    private readonly secret: string | null,
    private readonly keyValue: KeyValueRepository,
    private readonly clock: Clock,
    private readonly userAdmin: UserAdmin,
    private readonly sessions: SessionIssuer,
  ) {}

  async nonce(): Promise<string> {
    this.assertEnabled();
    const nonce = randomToken("n", 24);
    await this.keyValue.put(NAMESPACE, nonce, true, this.clock.now() + NONCE_TTL_MS);
    return nonce;
  }

  async register(request: SharedSecretRegisterRequest): Promise<IssuedSession> {
    const secret = this.assertEnabled();
    const now = this.clock.now();
    if ((await this.keyValue.get(NAMESPACE, request.nonce, now)) !== true) {
      throw new MatrixError(400, "M_UNKNOWN", "Unrecognised nonce");
    }
    // The nonce is spent whether or not the MAC is right: each nonce gets one try.
    await this.keyValue.delete(NAMESPACE, request.nonce);
    const parts = [request.nonce, request.username, request.password, request.admin ? "admin" : "notadmin"];
    if (request.user_type) parts.push(request.user_type);
    const expected = await hmacSha1Hex(secret, parts.join("\0"));
    if (!timingSafeEqual(expected, request.mac.toLowerCase())) throw forbidden("HMAC incorrect");
    const user = await this.userAdmin.create({
      localpart: request.username,
      password: request.password,
      admin: request.admin,
      displayname: request.displayname,
    });
    return this.sessions.issue({ userId: user.userId });
  }

  private assertEnabled(): string {
    if (!this.secret) throw new MatrixError(400, "M_UNKNOWN", "Shared secret registration is not enabled");
    return this.secret;
  }
}

async function hmacSha1Hex(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
