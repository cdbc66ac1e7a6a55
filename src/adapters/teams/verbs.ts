/** Card action verbs: one typed key space, so a typo is a compile error. */
export const VERBS = {
  submitReferral: 'referral.submit',
  chooseDocuments: 'documents.choose',
  myPage: 'my.page',
  panelAgenda: 'panel.agenda',
  panelRecommend: 'panel.recommend',
  panelRefresh: 'panel.refresh',
  panelDecideForm: 'panel.decideForm',
  panelDecide: 'panel.decide',
  panelDetails: 'panel.details',
  deadlineForm: 'deadline.form',
  deadlineCompute: 'deadline.compute',
  idpRecord: 'idp.record',
  reminderOpen: 'reminder.open',
  reminderDone: 'reminder.done',
  reminderSnooze: 'reminder.snooze',
  epAnswer: 'ep.answer',
} as const;
export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** Commands with their English and Welsh names (a leading slash is optional). */
export const COMMANDS = {
  refer: ['refer', 'atgyfeirio'],
  my: ['my', 'fy'],
  help: ['help', 'cymorth'],
  language: ['iaith', 'language'],
  deadline: ['deadline', 'terfyn'],
  reviews: ['reviews', 'adolygiadau'],
  idp: ['idp', 'cdu'],
  ep: ['ep', 'sa'],
  panel: ['panel'],
  admin: ['admin', 'gweinyddu'],
} as const;
export type Command = keyof typeof COMMANDS;

export function parseCommand(text: string | undefined): { command: Command; args: string[] } | undefined {
  // Teams normally strips the bot's @mention; a leftover <at>…</at> (e.g. another client) is ignored too.
  const words = (text ?? '').replace(/<at>[^<]*<\/at>/gi, ' ').trim().replace(/^\/+/, '').split(/\s+/).filter(Boolean);
  const head = words[0]?.toLowerCase();
  if (!head) return undefined;
  for (const [command, names] of Object.entries(COMMANDS) as [Command, readonly string[]][]) {
    if (names.includes(head)) return { command, args: words.slice(1) };
  }
  return undefined;
}
