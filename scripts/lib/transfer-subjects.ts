/**
 * Reminder subjects carry record ids (src/domain/reminders/subjects.ts, src/app/reminder-items.ts): `idp:<learnerId>`,
 * `ms:<learnerId>:<milestone>:<academicYear>`, `step:<nextStepId>`, and `ref:<reference>` (no id). Ids differ between
 * the embedded store (autoincrement) and SharePoint (list item ids), so moving reminder states, and reminder messages
 * in the outbox, rewrites the ids inside them.
 */

export interface IdMaps {
  /** Learner id in the source store → learner id in the target store. */
  readonly learners: ReadonlyMap<number, number>;
  /** Next step id in the source store → next step id in the target store. */
  readonly steps: ReadonlyMap<string, string>;
}

/** The subject with the target store's ids; undefined when it names an id not moved, or is of a form not known here. */
export function remapSubject(subject: string, maps: IdMaps): string | undefined {
  if (/^ref:.+$/.test(subject)) return subject;
  const learner = /^(idp):(\d+)$/.exec(subject) ?? /^(ms):(\d+)(:.+)$/.exec(subject);
  if (learner) {
    const to = maps.learners.get(Number(learner[2]));
    return to === undefined ? undefined : `${learner[1]}:${to}${learner[3] ?? ''}`;
  }
  const step = /^step:(\d+)$/.exec(subject);
  if (step) {
    const to = maps.steps.get(step[1]!);
    return to === undefined ? undefined : `step:${to}`;
  }
  return undefined;
}

/** `reminder:<subject>:<due>:<lead>` (sweep-reminders.ts): the key that makes each reminder send once. */
const REMINDER_KEY = /^reminder:(.+):(\d{4}-\d{2}-\d{2}):([a-z0-9-]+)$/;

type Data = Record<string, unknown>;

function remapItem(item: unknown, maps: IdMaps): unknown {
  if (!item || typeof item !== 'object') return item;
  const d = item as Data;
  const subject = typeof d['subject'] === 'string' ? remapSubject(d['subject'], maps) : undefined;
  if (subject === undefined) return item;
  const learnerId = typeof d['learnerId'] === 'number' ? maps.learners.get(d['learnerId']) : undefined;
  return { ...d, subject, ...(learnerId !== undefined ? { learnerId } : {}) };
}

/**
 * A reminder message with the target store's ids in its key and card data, so the sweep there finds it already queued
 * (and does not send that reminder again) and its Done/Snooze buttons name the moved records. Other messages, and
 * subjects that cannot be mapped, are kept as they are.
 */
export function remapOutboxMessage<P>(key: string, payload: P, maps: IdMaps): { key: string; payload: P } {
  const k = REMINDER_KEY.exec(key);
  const subject = k ? remapSubject(k[1]!, maps) : undefined;
  const newKey = k && subject !== undefined ? `reminder:${subject}:${k[2]}:${k[3]}` : key;
  const p = payload as { template?: unknown; data?: Data } | undefined;
  if (!p || typeof p !== 'object' || !p.data || typeof p.data !== 'object') return { key: newKey, payload };
  if (p.template === 'reminder') return { key: newKey, payload: { ...p, data: remapItem(p.data, maps) } as P };
  if (p.template === 'reminder-digest' && Array.isArray(p.data['items'])) {
    return { key: newKey, payload: { ...p, data: { ...p.data, items: (p.data['items'] as unknown[]).map((i) => remapItem(i, maps)) } } as P };
  }
  return { key: newKey, payload };
}
