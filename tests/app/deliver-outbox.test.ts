import { deliverOutbox } from '../../src/app/deliver-outbox';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { SqliteOutboxStore } from '../../src/adapters/sqlite/outbox-store';
import { SqliteConversationStore, SqliteUserStore } from '../../src/adapters/sqlite/user-store';
import { ConnectorSender } from '../../src/adapters/teams/connector-sender';
import { renderOutboxMessage, targetResolver } from '../../src/adapters/teams/outbox-rendering';
import { cardText, facts } from '../support/cards';
import { LocalConnector } from '../support/connector';

let connector: LocalConnector;
beforeAll(async () => {
  connector = new LocalConnector();
  await connector.start();
});
afterAll(async () => connector.stop());
beforeEach(() => connector.clear());

function setup(panelsForRoute: (r: string) => Promise<string[]> = async () => ['mams-caldicot']) {
  const db = openDatabase(':memory:');
  const outbox = new SqliteOutboxStore(db);
  const conversations = new SqliteConversationStore(db);
  const users = new SqliteUserStore(db);
  let now = new Date('2026-11-23T10:00:00Z');
  const clock = { now: () => new Date(now) };
  const deps = {
    outbox,
    notifier: new ConnectorSender(async () => undefined),
    clock,
    maxAttempts: 3,
    resolve: targetResolver({ conversations, users, panelsForRoute }),
    render: renderOutboxMessage,
  };
  const advance = (ms: number) => void (now = new Date(now.getTime() + ms));
  return { db, outbox, conversations, deps, advance };
}

const channelRef = () => ({
  channelId: 'msteams',
  serviceUrl: connector.url,
  conversation: { id: '19:mams@thread.tacv2', isGroup: true, conversationType: 'channel' },
  bot: { id: '28:bot', name: 'Inclusion bot' },
});

const caseMessage = { key: 'case-card:MON-2026-000042', target: { kind: 'route' as const, routeId: 'multi-agency-discussion' }, payload: { template: 'case-card', data: { reference: 'MON-2026-000042', initials: 'JD', routeId: 'multi-agency-discussion' } } };

test('a case card waits until the route\'s panel channel is linked, then is posted once: reference, initials and route only, Welsh first', async () => {
  const { outbox, conversations, deps, advance } = setup();
  await outbox.enqueue([caseMessage], deps.clock.now());
  const waiting: string[] = [];
  expect(await deliverOutbox({ ...deps, onWaiting: (_m, reason) => waiting.push(reason) })).toEqual({ sent: 0, waiting: 1, failed: 0 });
  expect(waiting).toEqual(['channel-not-linked']);
  expect((await outbox.counts()).waiting).toBe(1);

  await conversations.save('panel:mams-caldicot', channelRef());
  expect((await deliverOutbox(deps)).sent).toBe(0); // not due again yet
  advance(61_000);
  expect(await deliverOutbox(deps)).toEqual({ sent: 1, waiting: 0, failed: 0 });
  expect(await deliverOutbox(deps)).toEqual({ sent: 0, waiting: 0, failed: 0 });

  const cards = connector.cards('19:mams@thread.tacv2');
  expect(cards).toHaveLength(1);
  const text = cardText(cards[0]);
  expect(text.indexOf('Atgyfeiriad newydd')).toBeLessThan(text.indexOf('New referral'));
  expect(facts(cards[0])).toEqual({
    'Cyfeirnod / Reference': 'MON-2026-000042',
    'Blaenlythrennau / Initials': 'JD',
    Llwybr: 'Trafodaeth amlasiantaethol (MAMS / TALC / Cylch Ymyrraeth)',
    Route: 'Multi-agency discussion (MAMS / TALC / Intervention Circle)',
  });
  expect((await outbox.counts()).sent).toBe(1);
});

test('a failing send backs off and after the last attempt is parked as dead, visible in the counts', async () => {
  const { outbox, conversations, deps, advance } = setup();
  await conversations.save('panel:mams-caldicot', channelRef());
  await outbox.enqueue([caseMessage], deps.clock.now());
  connector.failNext(500, 500, 500, 500, 500, 500, 500, 500, 500, 500);
  expect((await deliverOutbox(deps)).failed).toBe(1);
  expect((await deliverOutbox(deps)).failed).toBe(0); // backing off
  for (let i = 0; i < 4; i++) {
    advance(60 * 60_000);
    await deliverOutbox(deps);
  }
  expect(await outbox.counts()).toMatchObject({ dead: 1, sent: 0, pending: 0 });
  expect(outbox.all()[0]!.attempts).toBe(3);
});

test('a 429 is retried no sooner than Retry-After; a 403 (bot removed) is parked at once', async () => {
  const { outbox, conversations, deps, advance } = setup();
  await conversations.save('panel:mams-caldicot', channelRef());
  await outbox.enqueue([caseMessage], deps.clock.now());
  connector.failNext(429); // the local connector sends Retry-After: 1
  await deliverOutbox(deps);
  const next = new Date(outbox.all()[0]!.nextAttemptAt).getTime() - deps.clock.now().getTime();
  expect(next).toBeGreaterThanOrEqual(1000);
  advance(next);
  expect((await deliverOutbox(deps)).sent).toBe(1);
  await outbox.enqueue([{ ...caseMessage, key: 'case-card:MON-2026-000043' }], deps.clock.now());
  connector.failNext(403);
  await deliverOutbox(deps);
  expect(await outbox.counts()).toMatchObject({ sent: 1, dead: 1 });
});

test('the same key is queued once', async () => {
  const { outbox } = setup();
  await outbox.enqueue([caseMessage], new Date());
  await outbox.enqueue([caseMessage], new Date());
  expect((await outbox.counts()).pending).toBe(1);
});
