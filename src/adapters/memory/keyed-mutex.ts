import type { Lock } from "../../ports/lock.js";

/** An in-process keyed mutex: work for one key runs one at a time, in arrival order; different keys
 * run concurrently. */
export class KeyedMutex implements Lock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
