/**
 * Glob matching for push rules (spec: appendices "Glob-style matching": `*` matches zero or more
 * characters, `?` exactly one), case-insensitive, optionally "at word boundaries" as `content.body`
 * patterns are (client-server-api "Push Rules", `event_match`).
 *
 * Patterns come from users and bodies from anyone, so this is no regular expression (a backtracking
 * engine can take exponential time on `*a*a*a*b`): the pattern is run as a non-deterministic
 * automaton over the text, O(text × pattern) at worst.
 */

export interface GlobOptions {
  /** Match any substring that starts and ends at a word boundary instead of the whole value. */
  wordBoundary?: boolean;
  /** Treat `*` and `?` as ordinary characters (the display name of `contains_display_name`). */
  literal?: boolean;
}

type Token = { kind: "star" } | { kind: "any" } | { kind: "char"; char: string };

/** A word boundary is the start or end of the value or any character outside `[A-Za-z0-9_]`. */
const WORD_CHAR = /^[A-Za-z0-9_]$/;

function tokens(pattern: string, literal: boolean): Token[] {
  const out: Token[] = [];
  for (const char of Array.from(pattern.toLowerCase())) {
    if (!literal && char === "*") {
      // Runs of stars mean the same as one star.
      if (out.at(-1)?.kind !== "star") out.push({ kind: "star" });
    } else if (!literal && char === "?") out.push({ kind: "any" });
    else out.push({ kind: "char", char });
  }
  return out;
}

/** Whether the glob `pattern` matches `value` (case-insensitively). */
export function globMatches(pattern: string, value: string, options: GlobOptions = {}): boolean {
  // Most patterns (every default rule's `type` and `msgtype`) have no wildcard: a plain
  // comparison gives the same answer without building the automaton.
  if (options.wordBoundary !== true && (options.literal === true || !/[*?]/.test(pattern))) {
    return pattern.toLowerCase() === value.toLowerCase();
  }
  const literal = options.literal === true || !/[*?]/.test(pattern);
  // Without wildcards a match is the pattern itself somewhere in the value: when it is not there
  // at all (the usual case for a user's name or `@room` in a message), no need for the automaton.
  if (literal && !value.toLowerCase().includes(pattern.toLowerCase())) return false;
  const pat = tokens(pattern, options.literal === true);
  const text = Array.from(value.toLowerCase());
  const boundary = options.wordBoundary === true;
  const isWord = (i: number) => i >= 0 && i < text.length && WORD_CHAR.test(text[i] as string);
  // active[j]: the first j pattern tokens have matched the text read so far (from some start).
  let active = new Uint8Array(pat.length + 1);
  const close = (set: Uint8Array) => {
    // A star may match nothing: being before a star also means being after it.
    for (let j = 0; j < pat.length; j++) if (set[j] && pat[j]?.kind === "star") set[j + 1] = 1;
  };
  const accepts = (i: number) => active[pat.length] === 1 && (boundary ? !isWord(i) : i === text.length);
  for (let i = 0; ; i++) {
    // A match may start here: anywhere at a word boundary, or only at the start.
    if (i === 0 || (boundary && !isWord(i - 1))) active[0] = 1;
    close(active);
    if (accepts(i)) return true;
    if (i === text.length) return false;
    const char = text[i] as string;
    const next = new Uint8Array(pat.length + 1);
    let any = false;
    for (let j = 0; j < pat.length; j++) {
      if (!active[j]) continue;
      const token = pat[j] as Token;
      if (token.kind === "star") {
        next[j] = 1;
        any = true;
      } else if (token.kind === "any" || token.char === char) {
        next[j + 1] = 1;
        any = true;
      }
    }
    active = next;
    if (!any && !boundary) return false;
  }
}
