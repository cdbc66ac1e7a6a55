/** A schema change, applied once, in id order, inside its own transaction. Never edit one that has shipped: add another. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}
