/**
 * The SharePoint lists and library the product keeps on its site: one declaration each. Provisioning creates what is
 * missing from these; the stores read and write only these columns. Adding a list (panels, reminders) is one entry.
 *
 * Queried and ordered columns are indexed so lists past the 5,000-item view threshold keep answering. Times are
 * ISO-8601 UTC text (fixed width, so text order is time order, and milliseconds survive: SharePoint dateTime keeps
 * whole seconds only). Structured values are JSON in multi-line text, never indexed (SharePoint cannot).
 */

export type ColumnType = 'text' | 'note' | 'number' | 'boolean';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly indexed?: boolean;
  readonly unique?: boolean;
}

export interface ListSpec {
  /** Key used in code. */
  readonly key: string;
  readonly displayName: string;
  readonly description: string;
  readonly template: 'genericList' | 'documentLibrary';
  readonly columns: readonly ColumnSpec[];
  /** Holds personal data: must have unique permissions before the bot writes to it. */
  readonly personal: boolean;
}

const text = (name: string, o: Omit<ColumnSpec, 'name' | 'type'> = {}): ColumnSpec => ({ name, type: 'text', ...o });
const note = (name: string): ColumnSpec => ({ name, type: 'note' });
const num = (name: string, o: Omit<ColumnSpec, 'name' | 'type'> = {}): ColumnSpec => ({ name, type: 'number', ...o });

export const LISTS = {
  referrals: {
    key: 'referrals',
    displayName: 'Inclusion Referrals',
    description: 'Referrals submitted through the Inclusion bot. Managed by the bot: do not edit by hand.',
    template: 'genericList',
    personal: true,
    columns: [
      text('IdempotencyKey', { indexed: true, unique: true }),
      text('Reference', { indexed: true, unique: true }),
      text('Prefix'),
      num('RefYear'),
      text('RouteId', { indexed: true }),
      text('SchoolId', { indexed: true }),
      text('Status', { indexed: true }),
      text('SubmitterId', { indexed: true }),
      text('SubmittedAt', { indexed: true }),
      text('UpdatedAt'),
      num('Version'),
      text('UpnHash', { indexed: true }),
      note('Body'),
      note('Pending'),
    ],
  },
  audit: {
    key: 'audit',
    displayName: 'Inclusion Audit',
    description: 'Append-only audit trail of the Inclusion bot. No personal data beyond user object ids.',
    template: 'genericList',
    personal: true,
    columns: [
      text('EntryKey', { indexed: true, unique: true }),
      text('At', { indexed: true }),
      text('Actor', { indexed: true }),
      text('Action', { indexed: true }),
      text('RecordType'),
      text('RecordId', { indexed: true }),
      text('Scope', { indexed: true }),
      note('RecordIds'),
      text('CorrelationId'),
      note('Detail'),
    ],
  },
  outbox: {
    key: 'outbox',
    displayName: 'Inclusion Outbox',
    description: 'Messages the Inclusion bot will send. Managed by the bot.',
    template: 'genericList',
    personal: true,
    columns: [
      text('Key', { indexed: true, unique: true }),
      note('Target'),
      note('Payload'),
      text('State', { indexed: true }),
      num('Attempts'),
      text('NextAttemptAt', { indexed: true }),
      note('LastError'),
      text('CreatedAt'),
      text('SentAt'),
      text('ActivityId'),
    ],
  },
  conversations: {
    key: 'conversations',
    displayName: 'Inclusion Conversations',
    description: 'Bot Framework conversation references, for proactive messages.',
    template: 'genericList',
    personal: false,
    columns: [text('Key', { indexed: true, unique: true }), note('Ref'), text('UpdatedAt')],
  },
  preferences: {
    key: 'preferences',
    displayName: 'Inclusion Preferences',
    description: 'Per-user preferences of the Inclusion bot (language, document target).',
    template: 'genericList',
    personal: false,
    columns: [text('AadObjectId', { indexed: true, unique: true }), text('Language'), text('DocumentTarget'), text('DocumentTargetUntil'), text('Digest', { indexed: true })],
  },
  panels: {
    key: 'panels',
    displayName: 'Inclusion Panels',
    description: 'Panels (MAMS, TALC, Early Help Panel, LA Panel...) and their next meeting date. Seeded from the panels file.',
    template: 'genericList',
    personal: false,
    columns: [text('PanelId', { indexed: true, unique: true }), note('Body'), text('MeetingDate'), text('UpdatedAt')],
  },
  panelMembers: {
    key: 'panelMembers',
    displayName: 'Inclusion Panel Members',
    description: 'Members of each panel and their role. Removed members are kept inactive so past recommendations keep their author.',
    template: 'genericList',
    personal: false,
    columns: [
      text('MemberKey', { indexed: true, unique: true }),
      text('PanelId', { indexed: true }),
      text('AadObjectId', { indexed: true }),
      text('MemberName'),
      text('Role'),
      text('Agency'),
      text('Active', { indexed: true }),
    ],
  },
  agenda: {
    key: 'agenda',
    displayName: 'Inclusion Agenda',
    description: 'Referrals on a panel agenda: one item per referral and meeting cycle. The item id is the agenda item id.',
    template: 'genericList',
    personal: true,
    columns: [
      text('ItemKey', { indexed: true, unique: true }),
      text('PanelId', { indexed: true }),
      text('Reference', { indexed: true }),
      text('Initials'),
      text('RouteId'),
      num('Position'),
      text('Status', { indexed: true }),
      text('DeferredUntil'),
      text('ConversationId'),
      text('ActivityId'),
      text('ClosedAt'),
    ],
  },
  recommendations: {
    key: 'recommendations',
    displayName: 'Inclusion Recommendations',
    description: "Panel members' recommendations: one item per agenda item and member, so members never contend.",
    template: 'genericList',
    personal: true,
    columns: [
      text('RecKey', { indexed: true, unique: true }),
      num('ItemId', { indexed: true }),
      text('Member', { indexed: true }),
      text('Value'),
      text('OtherRoute'),
      note('Comment'),
      text('Conflict'),
      text('At'),
    ],
  },
  decisions: {
    key: 'decisions',
    displayName: 'Inclusion Decisions',
    description: "The chair's decision on an agenda item, with reasons and next steps; written once per item.",
    template: 'genericList',
    personal: true,
    columns: [
      text('DecisionKey', { indexed: true, unique: true }),
      num('ItemId', { indexed: true }),
      text('Reference', { indexed: true }),
      text('PanelId', { indexed: true }),
      text('DecidedDate', { indexed: true }),
      text('DecidedAt'),
      text('State', { indexed: true }),
      note('Body'),
      note('Pending'),
    ],
  },
  nextSteps: {
    key: 'nextSteps',
    displayName: 'Inclusion Next Steps',
    description: 'Next steps agreed at panel, with an owner and a due date.',
    template: 'genericList',
    personal: true,
    columns: [
      text('StepKey', { indexed: true, unique: true }),
      text('Reference', { indexed: true }),
      num('ItemId'),
      text('OwnerAadId', { indexed: true }),
      note('StepText'),
      text('DueDate'),
      text('State', { indexed: true }),
      text('DoneAt'),
    ],
  },
  learners: {
    key: 'learners',
    displayName: 'Inclusion Learners',
    description: 'Learners with an IDP, as schools keep them (school + local reference), for review and transition reminders.',
    template: 'genericList',
    personal: true,
    columns: [
      text('LearnerKey', { indexed: true, unique: true }),
      text('SchoolId', { indexed: true }),
      text('LocalRef'),
      text('Initials'),
      text('UpnHash', { indexed: true }),
      text('DateOfBirth'),
      text('YearGroup'),
      num('YearGroupAcademicYear'),
      text('IdpIssuedOn'),
      text('IdpMaintainedBy'),
      text('AlncoAadId', { indexed: true }),
      text('UpdatedAt'),
    ],
  },
  reminderStates: {
    key: 'reminderStates',
    displayName: 'Inclusion Reminder States',
    description: 'Reminders marked done or snoozed, per subject and due date.',
    template: 'genericList',
    personal: true,
    columns: [
      text('StateKey', { indexed: true, unique: true }),
      text('Subject', { indexed: true }),
      text('Due'),
      text('DoneAt'),
      text('DoneBy'),
      text('SnoozedUntil'),
      note('SnoozeReason'),
    ],
  },
  epLinks: {
    key: 'epLinks',
    displayName: 'Inclusion EP Links',
    description: "Educational Psychologists' own choice of link schools (replaces the EPs file's list for that EP).",
    template: 'genericList',
    personal: false,
    columns: [text('EpAadId', { indexed: true, unique: true }), note('Schools'), text('UpdatedAt')],
  },
  epAnswers: {
    key: 'epAnswers',
    displayName: 'Inclusion EP Answers',
    description: 'Whether an EP knows the learner of an Early Help Panel referral.',
    template: 'genericList',
    personal: true,
    columns: [
      text('AnswerKey', { indexed: true, unique: true }),
      text('Reference', { indexed: true }),
      text('EpAadId', { indexed: true }),
      text('Answer', { indexed: true }),
      text('SchoolId'),
      text('LocalRef'),
      text('LearnerKey', { indexed: true }),
      text('UpnHash', { indexed: true }),
      text('At'),
    ],
  },
  schedule: {
    key: 'schedule',
    displayName: 'Inclusion Schedule',
    description: 'Scheduled jobs (next run) and the sending lease shared by the bot instances.',
    template: 'genericList',
    personal: false,
    columns: [
      text('Name', { indexed: true, unique: true }),
      text('Kind', { indexed: true }),
      text('Holder'),
      num('ExpiresAt'),
      text('NextRunAt'),
      text('LastRunAt'),
    ],
  },
  documents: {
    key: 'documents',
    displayName: 'Inclusion Documents',
    description: 'Documents attached to referrals: one folder per referral.',
    template: 'documentLibrary',
    personal: true,
    columns: [
      text('DocumentReference', { indexed: true }),
      text('DocumentType'),
      num('DocumentSize'),
      text('StoredAt'),
      text('StoredBy'),
    ],
  },
} as const satisfies Record<string, ListSpec>;

export type ListKey = keyof typeof LISTS;
export const ALL_LISTS: readonly ListSpec[] = Object.values(LISTS);

/** Graph's column definition body for a spec. */
export function columnDefinition(c: ColumnSpec): Record<string, unknown> {
  const facet =
    c.type === 'text' ? { text: { allowMultipleLines: false, maxLength: 255 } }
    : c.type === 'note' ? { text: { allowMultipleLines: true } }
    : c.type === 'number' ? { number: {} }
    : { boolean: {} };
  return { name: c.name, displayName: c.name, indexed: c.indexed === true || c.unique === true, enforceUniqueValues: c.unique === true, ...facet };
}
