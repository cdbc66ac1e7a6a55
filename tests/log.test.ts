import { Writable } from 'node:stream';
import { createLogger } from '../src/adapters/log';

test('the logger redacts personal data even when a payload is logged by mistake', () => {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  log.info({
    event: 'oops',
    reference: 'MON-2026-000001',
    activity: { from: { name: 'Alex Wilber' }, text: 'refer Jane Doe', value: { action: { data: { dateOfBirth: '2018-03-14' } } } },
    referral: { learner: { initials: 'JD', dateOfBirth: '2018-03-14' }, tried: 'phonics', ask: 'an IDP', parentView: 'worried' },
    initials: 'JD',
    dateOfBirth: '2018-03-14',
  }, 'test');
  const out = lines.join('');
  expect(out).toContain('MON-2026-000001');
  for (const secret of ['Alex Wilber', 'Jane Doe', '2018-03-14', 'phonics', 'an IDP', 'worried', '"JD"']) expect(out).not.toContain(secret);
});
