/**
 * Wakes waiters (long-polling /sync) when a stream moves. Nothing polls the database in a loop:
 * writers call `notify` after their unit of work committed.
 */
export interface StreamChange {
  stream: string;
  position: number;
  /** The room the change happened in, if any. */
  roomId?: string;
  /** Users directly concerned (e.g. account data, to-device), if any. */
  userIds?: string[];
}

export interface Notifier {
  notify(change: StreamChange): void;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (change: StreamChange) => void): () => void;
}
