/**
 * Serialises writes per key (a room ID): one writer per room, readers never lock.
 * Node: an in-process keyed mutex (adapters/memory/keyed-mutex.ts); scale-out: a PostgreSQL advisory
 * lock; Workers: the room's Durable Object.
 *
 * Lock order: a holder of a room lock must not take another room's lock (room upgrades create the
 * new room first, then write the tombstone into the old one, one lock at a time).
 */
export interface Lock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}
