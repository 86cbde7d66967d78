/** Password hashing, behind a port because Node has scrypt and Workers only PBKDF2. Each stored
 * hash records its algorithm, so a hash made by one runtime verifies on the other. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}
