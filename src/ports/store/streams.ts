/** The positions of the stream counters (events, account data, receipts, ...): what sync tokens are
 * made of. Each stream advances inside the unit of work that writes to it. */
export interface StreamRepository {
  current(stream: string): Promise<number>;
}
