export interface SigningKeyRecord {
  keyId: string;
  /** The 32-byte Ed25519 seed, unpadded base64. */
  seed: string;
  createdTs: number;
}

export interface ServerKeyRepository {
  /** The current signing key of this server, if one was ever stored. */
  current(): Promise<SigningKeyRecord | undefined>;
  /** Stores the key unless one exists already; returns the key that won (safe for racing processes). */
  storeIfAbsent(key: SigningKeyRecord): Promise<SigningKeyRecord>;
}
