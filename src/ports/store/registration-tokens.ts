export interface RegistrationTokenRecord {
  token: string;
  usesAllowed: number | null;
  pending: number;
  completed: number;
  expiryTs: number | null;
  createdTs: number;
}

export interface RegistrationTokenRepository {
  create(token: RegistrationTokenRecord): Promise<boolean>;
  get(token: string): Promise<RegistrationTokenRecord | undefined>;
  list(): Promise<RegistrationTokenRecord[]>;
  delete(token: string): Promise<boolean>;
  /** Atomically counts one completed use if the token is still valid at `nowTs` (uses left and not
   * expired); false otherwise. */
  consume(token: string, nowTs: number): Promise<boolean>;
}
