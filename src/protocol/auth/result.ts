/** The verdict of the authorization rules: allowed, or rejected with the rule that refused it. */
export type AuthResult = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export const ALLOW: AuthResult = Object.freeze({ allowed: true });

export function reject(reason: string): AuthResult {
  return { allowed: false, reason };
}
