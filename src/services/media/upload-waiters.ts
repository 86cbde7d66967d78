/**
 * Downloads of media reserved with `POST /_matrix/media/v1/create` but not uploaded yet wait up to
 * `timeout_ms` (spec: 504 M_NOT_YET_UPLOADED after that). Uploads in this process wake the waiters;
 * a waiter re-reads the store when woken or timed out, so an upload through another process is
 * still seen at the timeout.
 * TODO(scale-out): wake across processes through the Notifier port once it carries media events.
 */
export class UploadWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves when `key` is uploaded here, or after `timeoutMs`. */
  wait(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiting.get(key) ?? new Set();
      this.waiting.set(key, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  wake(key: string): void {
    for (const done of [...(this.waiting.get(key) ?? [])]) done();
  }
}
