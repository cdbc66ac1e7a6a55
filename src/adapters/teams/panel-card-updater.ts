import type { Notifier } from '../../ports/notifier';
import type { ConversationStore } from '../../ports/users';
import type { Card } from '../cards/render';
import type { Logger } from '../log';

/**
 * Coalesces the shared card's updates: a burst of recommendations on one item becomes one updateActivity after a
 * short quiet period (Teams throttles a conversation at 7 sends a second). Losing a pending update in a crash is
 * harmless: the card is rebuilt from the store on the next recommendation or refresh.
 */
export class PanelCardUpdater {
  private readonly pending = new Map<number, NodeJS.Timeout>();
  updates = 0;

  constructor(
    private readonly deps: { notifier: Notifier; conversations: ConversationStore; log: Logger },
    private readonly render: (itemId: number) => Promise<{ panelId: string; activityId?: string; conversationId?: string; card: Card } | undefined>,
    private readonly delayMs = 1500,
  ) {}

  schedule(itemId: number): void {
    if (this.pending.has(itemId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(itemId);
      void this.flush(itemId);
    }, this.delayMs);
    timer.unref();
    this.pending.set(itemId, timer);
  }

  async flush(itemId: number): Promise<void> {
    try {
      const rendered = await this.render(itemId);
      if (!rendered?.activityId) return;
      const channel = await this.deps.conversations.get(`panel:${rendered.panelId}`);
      if (!channel) return;
      // The card lives in the thread where /panel open posted it.
      const conversation = { ...(channel.conversation as Record<string, unknown>), ...(rendered.conversationId ? { id: rendered.conversationId } : {}) };
      this.updates++;
      await this.deps.notifier.update({ ...channel, conversation }, rendered.activityId, rendered.card);
    } catch (e) {
      this.deps.log.warn({ event: 'panel.card_update_failed', itemId, err: { name: (e as Error).name, message: String((e as Error).message).slice(0, 200) } }, 'panel card update failed; the next change or a refresh will bring it up to date');
    }
  }

  /** Send every pending update now (shutdown, tests). */
  async drain(): Promise<void> {
    const ids = [...this.pending.keys()];
    for (const id of ids) {
      clearTimeout(this.pending.get(id));
      this.pending.delete(id);
    }
    await Promise.all(ids.map((id) => this.flush(id)));
  }
}
