import { z } from 'zod';
import { REFERRAL_FORM_FIELDS } from '../../domain/referral';

/** Bound for any single value a card sends; longer values are cut before they are echoed back. */
export const MAX_ECHO = 2000;

const key = z.string().trim().min(8).max(64).regex(/^[A-Za-z0-9-]+$/);

/** Data of the referral card's submit: our idempotency key plus the form's inputs. Other keys are refused. */
export function parseReferralSubmit(data: unknown):
  | { ok: true; idempotencyKey: string; form: Record<string, unknown>; values: Record<string, unknown> }
  | { ok: false; reason: 'unreadable' | 'unknown-fields'; fields?: string[]; idempotencyKey?: string; values: Record<string, unknown> } {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { ok: false, reason: 'unreadable', values: {} };
  const record = data as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const f of REFERRAL_FORM_FIELDS) {
    const v = record[f];
    if (typeof v === 'string') values[f] = v.slice(0, MAX_ECHO);
    else if (typeof v === 'boolean') values[f] = String(v);
  }
  const k = key.safeParse(record.idempotencyKey);
  if (!k.success) return { ok: false, reason: 'unreadable', values };
  const allowed = new Set<string>([...REFERRAL_FORM_FIELDS, 'idempotencyKey']);
  const unknown = Object.keys(record).filter((f) => !allowed.has(f));
  if (unknown.length > 0) return { ok: false, reason: 'unknown-fields', fields: unknown.slice(0, 5).map((f) => f.slice(0, 40)), idempotencyKey: k.data, values };
  const form: Record<string, unknown> = {};
  for (const f of REFERRAL_FORM_FIELDS) if (f in record) form[f] = record[f];
  return { ok: true, idempotencyKey: k.data, form, values };
}

export const referenceSchema = z.string().trim().max(32).regex(/^[A-Za-z]{2,6}-\d{4}-\d{6,}$/).transform((s) => s.toUpperCase());

/** A Teams file attachment as the bot receives it in personal chat. */
export const teamsFileSchema = z.object({
  contentType: z.literal('application/vnd.microsoft.teams.file.download.info'),
  name: z.string().min(1).max(255),
  content: z.object({
    downloadUrl: z.string().url().max(4000),
    uniqueId: z.string().max(200).optional(),
    fileType: z.string().max(20).default(''),
  }),
});
export type TeamsFile = z.infer<typeof teamsFileSchema>;

export const chooseDocumentsSchema = z.strictObject({
  reference: referenceSchema,
  file: z
    .strictObject({ name: z.string().min(1).max(255), fileType: z.string().max(20), downloadUrl: z.string().url().max(4000) })
    .optional(),
});

export const myPageSchema = z.strictObject({ page: z.coerce.number().int().min(1).max(100_000) });
