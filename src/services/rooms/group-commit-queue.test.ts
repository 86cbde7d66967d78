import { describe, expect, it } from "vitest";
import { KeyedMutex } from "../../adapters/memory/keyed-mutex.js";
import { systemClock } from "../../ports/clock.js";
import { GroupCommitQueue } from "./group-commit-queue.js";

describe("GroupCommitQueue", () => {
  it("hands work that queued up behind the lock to one batch, in order, with per-item errors", async () => {
    const lock = new KeyedMutex();
    const batches: number[][] = [];
    const queue = new GroupCommitQueue<number, number>(lock, async (_room, items) => {
      batches.push(items);
      return items.map((n) => (n === 13 ? new Error("unlucky") : n * 2));
    });
    // Hold the room's lock so the submissions pile up behind it.
    let release!: () => void;
    const held = lock.run("!room", () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 5));
    const results = [1, 2, 13, 4].map((n) => queue.submit("!room", n).catch((e: Error) => e.message));
    await new Promise((r) => setTimeout(r, 5));
    release();
    await held;
    expect(await Promise.all(results)).toEqual([2, 4, "unlucky", 8]);
    expect(batches).toEqual([[1, 2, 13, 4]]);
  });

  it("splits a long queue into batches of at most maxBatch and keeps rooms apart", async () => {
    const lock = new KeyedMutex();
    const batches: Array<[string, number[]]> = [];
    const queue = new GroupCommitQueue<number, number>(
      lock,
      async (room, items) => {
        batches.push([room, items]);
        return items;
      },
      systemClock,
      3,
    );
    const results = await Promise.all([
      ...[1, 2, 3, 4, 5].map((n) => queue.submit("!a", n)),
      queue.submit("!b", 9),
    ]);
    expect(results).toEqual([1, 2, 3, 4, 5, 9]);
    expect(batches.filter(([room]) => room === "!a").map(([, items]) => items)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(batches.filter(([room]) => room === "!b").map(([, items]) => items)).toEqual([[9]]);
  });

  it("rejects every item of a batch whose processing throws", async () => {
    const queue = new GroupCommitQueue<number, number>(new KeyedMutex(), async () => {
      throw new Error("disk full");
    });
    await expect(Promise.all([queue.submit("!r", 1), queue.submit("!r", 2)])).rejects.toThrow("disk full");
  });

  it("sends a submit with no other send about straight to the lock, without a turn of the event loop", async () => {
    let now = 1_000;
    const order: string[] = [];
    const queue = new GroupCommitQueue<number, number>(
      new KeyedMutex(),
      async (_room, items) => {
        order.push(`batch ${items.join(",")}`);
        now += 50; // a batch takes a while to store
        return items;
      },
      { now: () => now },
    );
    setImmediate(() => order.push("next turn"));
    await queue.submit("!r", 1);
    // A send 5 ms after that batch was stored is not alone (its senders send again as soon as they
    // hear back): it waits a turn, and what was read meanwhile joins it.
    now += 5;
    setImmediate(() => void queue.submit("!r", 3));
    await queue.submit("!r", 2);
    expect(order).toEqual(["batch 1", "next turn", "batch 2,3"]);
  });
});
