/**
 * Orderings shared by the state resolution algorithms.
 */

/**
 * Compares two strings by Unicode code point, the order the spec's "x's event_id is less than y's"
 * has in the reference implementations (Python `str` comparison). JavaScript's `<` compares UTF-16
 * code units, which differs only when a supplementary-plane character meets one in U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800–0xDFFF) stands for a code point above 0xFFFF, so it must sort after
    // 0xE000–0xFFFF: shift the two ranges past each other (the fix-up ICU uses for code point order).
    if (x >= 0xd800 && y >= 0xd800) return fixUp(x) < fixUp(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function fixUp(unit: number): number {
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}
