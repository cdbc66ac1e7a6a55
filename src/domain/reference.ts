/** Readable case references: authority prefix + year + six-digit sequence, e.g. MON-2026-000042. */
const REFERENCE = /^([A-Z]{2,6})-(\d{4})-(\d{6,})$/;

export function formatReference(prefix: string, year: number, sequence: number): string {
  if (!/^[A-Z]{2,6}$/.test(prefix)) throw new Error(`bad authority prefix: ${prefix}`);
  if (!Number.isInteger(sequence) || sequence < 1) throw new Error(`bad sequence: ${sequence}`);
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

export function parseReference(s: string): { prefix: string; year: number; sequence: number } | undefined {
  const m = REFERENCE.exec(s.trim().toUpperCase());
  if (!m) return undefined;
  return { prefix: m[1]!, year: Number(m[2]), sequence: Number(m[3]) };
}

export function isReference(s: string): boolean {
  return parseReference(s) !== undefined;
}
