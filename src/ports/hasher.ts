/** Keyed one-way hash for identifiers kept only for matching (the UPN): never reversible, never shown. */
export interface Hasher {
  hash(value: string): string;
}
