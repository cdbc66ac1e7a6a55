/** The item card on a large panel: who has answered and who has not are listed up to 20 names, then counted. */
import { NAMES_LISTED, panelItemCard } from '../../src/adapters/cards/panel-cards';
import { cardSize } from '../../src/adapters/cards/render';
import { tally, type Panel, type Recommendation } from '../../src/domain/panels';

const text = (card: unknown): string => JSON.stringify(card);

function stateWith(members: number, answered: number) {
  const panel: Panel = {
    id: 'big', name: { en: 'Big panel', cy: 'Panel mawr' }, kind: 'MAMS', routes: ['multi-agency-discussion'], cadence: 'monthly', quorum: { minMembers: 3 },
    members: Array.from({ length: members }, (_, i) => ({ aadObjectId: `m${i}`, name: `Member ${i}`, role: i === 0 ? ('chair' as const) : ('member' as const), agency: 'education' as const })),
  };
  const recommendations: Recommendation[] = Array.from({ length: answered }, (_, i) => ({ itemId: 1, member: `m${i + 1}`, value: 'support', conflict: false, at: `2026-11-24T10:00:${String(i % 60).padStart(2, '0')}.000Z` }));
  const item = { id: 1, panelId: 'big', reference: 'MON-2026-000001', initials: 'AB', routeId: 'multi-agency-discussion', position: 1, status: 'open' as const };
  return { panel, item, recommendations, tally: tally(panel, recommendations) };
}

test('a small panel lists every name', () => {
  const card = text(panelItemCard(stateWith(6, 3)));
  expect(card).toContain('Member 1, Member 2, Member 3');
  expect(card).not.toMatch(/and \d+ more|\d+ arall/);
});

test('a panel of 200 lists 20 names and counts the rest, in Welsh and English, and the card stays small', () => {
  const card = panelItemCard(stateWith(200, 150));
  const s = text(card);
  expect(s).toContain(`Member ${NAMES_LISTED} and 130 more`);
  expect(s).toContain(`Member ${NAMES_LISTED} a 130 arall`);
  expect(s).not.toContain('Member 21,');
  expect(s).toMatch(/and 30 more/); // the 50 awaiting (49 members and the chair): 20 named
  expect(cardSize(card)).toBeLessThan(12 * 1024);
});
