/**
 * Group commit per room: work submitted for one room while that room's lock is busy waits in a
 * queue, and the next holder of the lock takes the whole queue (up to `maxBatch`) as one batch —
 * one lock acquisition, one set of reads, one database transaction for many events. Under load a
 * busy room's throughput then grows with the batch instead of being capped by one commit per event.
 */
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Lock } from "../../ports/lock.js";

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Processes a batch under the room's lock; returns, per item in order, a result or an Error. */
export type BatchProcessor<T, R> = (roomId: string, items: T[]) => Promise<Array<R | Error>>;

/** A macrotask turn (setImmediate on Node; a zero timeout elsewhere), so pending I/O runs first. */
export const yieldToIo = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * A submit that comes QUIET_MS or more after the last submit or stored batch (in any room) skips the
 * yields: with no other send about, there is nothing to batch it with, and the first turn of the
 * event loop it would wait for also runs what the HTTP layer left to do for the request (about
 * 70 µs, measured on the long-poll wake-up path), all of it before the event is stored. A stored
 * batch counts as activity too: a big batch can take longer than QUIET_MS to store, and its senders
 * send again as soon as they hear back, so the first of those sends is not alone either.
 */
const QUIET_MS = 10;

export class GroupCommitQueue<T, R> {
  private readonly queues = new Map<string, Array<Waiting<T, R>>>();
  private lastActivity = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly lock: Lock,
    private readonly process: BatchProcessor<T, R>,
    private readonly clock: Clock = systemClock,
    private readonly maxBatch = 64,
  ) {}

  submit(roomId: string, item: T): Promise<R> {
    const now = this.clock.now();
    const alone = now - this.lastActivity >= QUIET_MS;
    this.lastActivity = now;
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(roomId);
      if (queue) {
        queue.push({ item, resolve, reject });
        return;
      }
      this.queues.set(roomId, [{ item, resolve, reject }]);
      void this.drain(roomId, alone);
    });
  }

  /** Exactly one drain is pending per queued list: the submit that created the list schedules it,
   * and a drain that leaves items behind schedules the next. */
  private async drain(roomId: string, alone = false): Promise<void> {
    // Let the requests already read from the sockets reach `submit` first: the work under the lock
    // is mostly synchronous (SQLite), so without this yield the queue never holds more than one.
    if (!alone) await yieldToIo();
    let more = false;
    await this.lock.run(roomId, async () => {
      // Once more now that the lock is ours: the previous holder's replies have just gone out, and
      // the requests that came in meanwhile join this batch.
      if (!alone) await yieldToIo();
      const queue = this.queues.get(roomId) ?? [];
      const batch = queue.splice(0, this.maxBatch);
      if (queue.length === 0) this.queues.delete(roomId);
      else more = true;
      if (batch.length === 0) return;
      let results: Array<R | Error>;
      try {
        results = await this.process(
          roomId,
          batch.map((w) => w.item),
        );
      } catch (error) {
        for (const w of batch) w.reject(error);
        return;
      } finally {
        this.lastActivity = this.clock.now();
      }
      batch.forEach((w, i) => {
        const result = results[i];
        if (result instanceof Error) w.reject(result);
        else w.resolve(result as R);
      });
    });
    // What did not fit in this batch goes next (after any other holder of the lock).
    if (more) void this.drain(roomId);
  }
}
