import type { EpDirectory } from '../../ports/ep-directory';
import type { EpsFile } from '../sqlite/ep-directory';
import { learnerKey } from './learner-store';
import { lit, str, type Fields, type Item, type SharePointSite } from './site';

type Answer = 'known' | 'not-known';

/** An EP Links item's schools; undefined when the Schools column is not a JSON list (treated as not set). */
export function schoolsIn(item: Item): string[] | undefined {
  const raw = str(item.fields['Schools']);
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * EPs from the EPs file; their own choice of link schools on "Inclusion EP Links" (one item per EP, unique EpAadId,
 * the schools as JSON: once an EP has chosen, even nothing, the file's list no longer applies to them); their answers
 * ("I know this learner") on "Inclusion EP Answers", one item per referral and EP (unique AnswerKey
 * `reference|epAadId`), with the learner as LearnerKey (`school|localRef`) and UPN hash, both indexed.
 */
export class GraphEpDirectory implements EpDirectory {
  private readonly eps: Map<string, readonly string[]>;
  private readonly names: Map<string, string>;

  constructor(private readonly site: SharePointSite, file: EpsFile, private readonly now: () => Date = () => new Date()) {
    this.eps = new Map(file.eps.map((e) => [e.aadObjectId, e.schools]));
    this.names = new Map(file.eps.flatMap((e) => (e.name ? [[e.aadObjectId, e.name] as const] : [])));
  }

  isEp(aadObjectId: string): boolean {
    return this.eps.has(aadObjectId);
  }

  async schoolsOf(aadObjectId: string): Promise<readonly string[]> {
    const item = await this.site.one('epLinks', 'EpAadId', aadObjectId);
    return (item && schoolsIn(item)) ?? this.eps.get(aadObjectId) ?? [];
  }

  /** Every EP's own choice in one read (the list has an item per EP who chose), then the file for the others. */
  async epsForSchool(schoolId: string): Promise<readonly string[]> {
    if (this.eps.size === 0) return [];
    const own = new Map<string, string[]>();
    for (const item of await this.site.query('epLinks', '', { select: ['EpAadId', 'Schools'] })) {
      const schools = schoolsIn(item);
      if (schools) own.set(String(item.fields['EpAadId']), schools);
    }
    return [...this.eps.keys()].filter((ep) => (own.get(ep) ?? this.eps.get(ep) ?? []).includes(schoolId));
  }

  async setOwnSchools(aadObjectId: string, schoolIds: readonly string[]): Promise<void> {
    const fields: Fields = { Schools: JSON.stringify([...new Set(schoolIds)].sort()), UpdatedAt: this.now().toISOString() };
    const existing = await this.site.one('epLinks', 'EpAadId', aadObjectId);
    if (existing) {
      await this.site.update('epLinks', existing.id, () => fields, existing);
      return;
    }
    const { item, created } = await this.site.createKeyed('epLinks', 'EpAadId', { Title: aadObjectId.slice(0, 255), EpAadId: aadObjectId, ...fields });
    if (!created) await this.site.update('epLinks', item.id, () => fields, item);
  }

  async answers(reference: string): Promise<{ epAadId: string; name?: string; answer: Answer; at: string }[]> {
    const items = await this.site.query('epAnswers', `fields/Reference eq ${lit(reference)}`, { select: ['Reference', 'EpAadId', 'Answer', 'At'] });
    return items
      .filter((i) => i.fields['Reference'] === reference)
      .sort((a, b) => String(a.fields['At']).localeCompare(String(b.fields['At'])) || Number(a.id) - Number(b.id))
      .map((i) => {
        const ep = String(i.fields['EpAadId']);
        return { epAadId: ep, ...(this.names.has(ep) ? { name: this.names.get(ep)! } : {}), answer: i.fields['Answer'] as Answer, at: String(i.fields['At']) };
      });
  }

  /** Answered "known" for the same school + local reference, or for the same UPN hash anywhere: two indexed reads. */
  async epsInvolvedWith(l: { schoolId: string; localRef: string; upnHash?: string }): Promise<readonly string[]> {
    const key = learnerKey(l.schoolId, l.localRef);
    const select = ['EpAadId', 'Answer', 'LearnerKey', 'UpnHash'];
    const [byKey, byUpn] = await Promise.all([
      this.site.query('epAnswers', `fields/LearnerKey eq ${lit(key)} and fields/Answer eq 'known'`, { select }),
      l.upnHash ? this.site.query('epAnswers', `fields/UpnHash eq ${lit(l.upnHash)} and fields/Answer eq 'known'`, { select }) : Promise.resolve([]),
    ]);
    // SharePoint compares text case-insensitively; the port (like SQLite) matches exactly.
    const hits = [...byKey.filter((i) => i.fields['LearnerKey'] === key), ...byUpn.filter((i) => i.fields['UpnHash'] === l.upnHash)];
    const eps = new Set(hits.filter((i) => i.fields['Answer'] === 'known').map((i) => String(i.fields['EpAadId'])));
    return [...eps].filter((ep) => this.isEp(ep));
  }

  /** Upsert by (reference, EP): a later answer replaces the earlier one's answer and time. */
  async recordAnswer(a: { reference: string; epAadId: string; answer: Answer; schoolId: string; localRef: string; upnHash?: string; at: Date }): Promise<void> {
    const key = `${a.reference}|${a.epAadId}`;
    const change = { Answer: a.answer, At: a.at.toISOString() };
    const { item, created } = await this.site.createKeyed('epAnswers', 'AnswerKey', {
      Title: key.slice(0, 255), AnswerKey: key, Reference: a.reference, EpAadId: a.epAadId, ...change,
      SchoolId: a.schoolId, LocalRef: a.localRef, LearnerKey: learnerKey(a.schoolId, a.localRef), UpnHash: a.upnHash,
    });
    if (!created) await this.site.update('epAnswers', item.id, () => change, item);
  }
}
