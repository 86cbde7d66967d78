/**
 * Read receipts (spec: client-server-api "Receipts"): per room, user, receipt type and thread, the
 * event the user has read up to. Each write moves the `receipts` stream, which /sync follows.
 */

export interface Receipt {
  roomId: string;
  userId: string;
  /** `m.read` or `m.read.private`. */
  receiptType: string;
  /** The thread root's event ID or `main`; undefined for an unthreaded receipt. */
  threadId?: string;
  eventId: string;
  /** When the receipt was sent (ms since the epoch). */
  ts: number;
}

export interface StoredReceipt extends Receipt {
  /** Position on the receipts stream. */
  streamId: number;
}

export interface ReceiptRepository {
  /** Replaces the user's receipt of this type (and thread) in the room; returns the new stream position. */
  put(receipt: Receipt): Promise<number>;
  get(
    roomId: string,
    userId: string,
    receiptType: string,
    threadId?: string,
  ): Promise<StoredReceipt | undefined>;
  /** The current receipts of these rooms written after stream position `since` (all when 0). */
  changedSince(roomIds: string[], since: number): Promise<StoredReceipt[]>;
  /** The highest receipts stream position so far. */
  currentPosition(): Promise<number>;
}
