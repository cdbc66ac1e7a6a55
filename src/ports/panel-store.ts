import type { Decision, Panel, PanelMember, Recommendation } from '../domain/panels';
import type { Referral } from '../domain/referral';
import type { AuditEntry } from './audit';
import type { NewOutboxMessage } from './outbox';

export type AgendaStatus = 'queued' | 'open' | 'closed';

/** A referral on a panel's agenda. Initials and route are copied so shared cards never need to read the referral. */
export interface AgendaItem {
  readonly id: number;
  readonly panelId: string;
  readonly reference: string;
  readonly initials: string;
  readonly routeId: string;
  readonly position: number;
  readonly status: AgendaStatus;
  /** Deferred items wait for a later meeting than this one. */
  readonly deferredUntil?: string;
  readonly conversationId?: string;
  readonly activityId?: string;
}

export type RecordResult = 'recorded' | 'item-closed' | 'no-item';
export type DecideResult = 'decided' | 'already-closed' | 'no-item';

/** Panels, their agendas, members' recommendations and the chair's decisions. */
export interface PanelStore {
  /** Add panels and members from the panels file that the store does not have; never deletes. Returns what was added. */
  seed(panels: readonly Panel[]): Promise<{ panels: string[]; members: number }>;
  panels(): Promise<Panel[]>;
  panel(id: string): Promise<Panel | undefined>;
  addMember(panelId: string, member: PanelMember, audit: AuditEntry): Promise<void>;
  /** Members are removed by marking them inactive, so past recommendations keep their author. */
  removeMember(panelId: string, aadObjectId: string, audit: AuditEntry): Promise<boolean>;

  meetingDate(panelId: string): Promise<string | undefined>;
  setMeetingDate(panelId: string, date: string, audit: AuditEntry): Promise<void>;

  /** Submitted referrals on these routes that are on no agenda yet (oldest first). */
  unqueued(routes: readonly string[]): Promise<Referral[]>;
  /** Put referrals on a panel's agenda (once each). */
  enqueue(panelId: string, referrals: readonly Pick<Referral, 'reference' | 'learner' | 'routeId'>[]): Promise<void>;
  agenda(panelId: string): Promise<AgendaItem[]>;
  item(itemId: number): Promise<AgendaItem | undefined>;
  itemByReference(reference: string): Promise<AgendaItem | undefined>;
  moveItem(itemId: number, direction: -1 | 1): Promise<void>;
  deferItem(itemId: number, until: string, audit: AuditEntry): Promise<void>;
  /** The item's card was posted: remember where, mark it open and the referral on-agenda. */
  markPosted(itemId: number, conversationId: string, activityId: string, audit: AuditEntry): Promise<void>;

  /** Upsert one member's recommendation (one record per item and member), refused once the item is closed. */
  recordRecommendation(rec: Recommendation, audit: AuditEntry): Promise<RecordResult>;
  /**
   * The item's recommendations, read fresh. `cached`: a store may answer from the last fresh read of this item plus
   * its own writes since (for the member's own reply right after recording; never for quorum or the shared card).
   */
  recommendations(itemId: number, opts?: { cached?: boolean }): Promise<Recommendation[]>;

  /** Close the item with the chair's decision: decision, next steps, referral → decided, audit, outcome messages, as one unit. */
  decide(itemId: number, decision: Decision, audit: AuditEntry, outbox: readonly NewOutboxMessage[]): Promise<DecideResult>;
  decision(itemId: number): Promise<Decision | undefined>;
  /** Items of a panel decided on a day (Europe/London date of the decision), for the minutes. */
  decidedOn(panelId: string, date: string): Promise<{ item: AgendaItem; decision: Decision }[]>;
}
