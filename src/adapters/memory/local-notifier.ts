import type { Notifier, StreamChange } from "../../ports/notifier.js";

/** Notifier for one process. Scale-out replaces it with PostgreSQL LISTEN/NOTIFY. */
export class LocalNotifier implements Notifier {
  private readonly listeners = new Set<(change: StreamChange) => void>();

  notify(change: StreamChange): void {
    for (const listener of this.listeners) listener(change);
  }

  subscribe(listener: (change: StreamChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
