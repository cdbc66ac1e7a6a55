import { randomUUID } from 'node:crypto';

export interface TestUser {
  readonly id: string;
  readonly aadObjectId: string;
  readonly name: string;
}

/** The Agents Playground's default user, listed as ALNCo of the demo schools. */
export const ALEX: TestUser = { id: '29:alex', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
export const STRANGER: TestUser = { id: '29:stranger', aadObjectId: '11111111-2222-3333-4444-555555555555', name: 'Sam Stranger' };
export const ADMIN: TestUser = { id: '29:admin', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000adm1', name: 'Ada Admin' };
export const TENANT = '72f988bf-0000-0000-0000-000000000001';

interface Options {
  readonly user?: TestUser;
  readonly conversationId?: string;
  readonly conversationType?: 'personal' | 'channel' | 'groupChat';
  readonly locale?: string;
  readonly serviceUrl: string;
  readonly tenant?: string;
}

function base(o: Options) {
  const user = o.user ?? ALEX;
  const conversationId = o.conversationId ?? `a:personal-${user.aadObjectId}`;
  const tenant = o.tenant ?? TENANT;
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: o.serviceUrl,
    timestamp: new Date().toISOString(),
    locale: o.locale ?? 'en-GB',
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: '28:bot', name: 'Inclusion bot' },
    conversation: { id: conversationId, conversationType: o.conversationType ?? 'personal', tenantId: tenant },
    channelData: { tenant: { id: tenant } },
  };
}

/** What Teams sends when a user types in chat. */
export function message(text: string, o: Options & { attachments?: unknown[] }) {
  // In channels Teams includes the @mention of the bot as an entity, as the bot hears only messages that mention it.
  const mention = /<at>[^<]*<\/at>/.exec(text)?.[0];
  const entities = mention ? [{ type: 'mention', text: mention, mentioned: { id: '28:bot', name: 'Inclusion bot' } }] : undefined;
  return { ...base(o), type: 'message', text, ...(entities ? { entities } : {}), ...(o.attachments ? { attachments: o.attachments } : {}) };
}

/** What Teams sends for an Adaptive Card Action.Execute (Universal Actions). */
export function execute(verb: string, data: unknown, o: Options & { replyToId?: string }) {
  return {
    ...base(o),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: o.replyToId ?? 'act-card',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export function installed(o: Options) {
  const b = base(o);
  return { ...b, type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }, { id: b.from.id, aadObjectId: b.from.aadObjectId }] };
}

export function fileAttachment(name: string, downloadUrl: string, fileType: string) {
  return { contentType: 'application/vnd.microsoft.teams.file.download.info', name, content: { downloadUrl, uniqueId: randomUUID(), fileType } };
}

/** A complete, valid referral form as the card submits it (strings, as Teams sends inputs). */
export function validForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    routeId: 'school-aln-decision',
    schoolId: 'w-6784021',
    learnerRef: 'ADM-4471',
    initials: 'JD',
    yearGroup: 'year-4',
    dateOfBirth: '2018-03-14',
    language: 'english',
    upn: '',
    lookedAfter: 'false',
    areasOfNeed: 'slc,cognition-learning',
    stage: 'level-3',
    tried: 'Small-group phonics three times a week since September; speech and language screening.',
    ask: 'A decision on whether the learner has ALN and an IDP.',
    urgency: 'routine',
    consentGivenBy: 'parent',
    consentDate: '2026-11-02',
    consentAgencies: 'education,health',
    parentView: 'Parent agrees and would like SALT involvement.',
    ...overrides,
  };
}
