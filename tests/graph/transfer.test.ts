/** Export / import between the embedded store and SharePoint (simulator): resumable, counts compared, both ways; the scripts themselves. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalDocumentStore } from '../../src/adapters/localfs/document-store';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { SqliteAuditLog } from '../../src/adapters/sqlite/audit-log';
import { SqliteOutboxStore } from '../../src/adapters/sqlite/outbox-store';
import { SqliteReferralStore } from '../../src/adapters/sqlite/referral-store';
import { SqliteConversationStore, SqliteUserStore } from '../../src/adapters/sqlite/user-store';
import { exportFromSharePoint, importToSharePoint } from '../../scripts/lib/transfer';
import { submitWrite } from '../contract/contract';
import { provisionSite, SITE, startSim, TOKEN } from './support';

let env: Awaited<ReturnType<typeof startSim>>;
let dir: string;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());
beforeEach(() => {
  env.reset();
  dir = mkdtempSync(join(tmpdir(), 'transfer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('embedded → SharePoint → embedded keeps every record and document; a second run writes nothing', async () => {
  await provisionSite(env);
  const db = openDatabase(join(dir, 'a.db'));
  const referrals = new SqliteReferralStore(db);
  const refs: string[] = [];
  for (let i = 0; i < 3; i++) refs.push((await referrals.submit(submitWrite(`k${i}`))).referral.reference);
  await new SqliteAuditLog(db).record({ at: '2026-11-23T11:00:00.000Z', actor: 'u1', action: 'referral.list', recordType: 'referral', recordId: refs.join(','), correlationId: 'c' });
  await new SqliteUserStore(db).setLanguage('u1', 'cy');
  await new SqliteConversationStore(db).save('user:u1', { conversation: { id: 'x' } });
  const docs = new LocalDocumentStore(join(dir, 'docs'));
  await docs.put({ reference: refs[0]!, name: 'a.pdf', type: 'pdf', bytes: Buffer.from('aaa'), storedBy: 'u1', at: new Date('2026-11-23T10:00:00Z') });
  await docs.put({ reference: refs[1]!, name: 'b.pdf', type: 'pdf', bytes: Buffer.from('bbbb'), storedBy: 'u1', at: new Date('2026-11-23T10:00:00Z') });

  const sp = env.stores();
  // Interrupted half way: the import fails on a request, then is run again.
  env.sim.faults.next('POST', /\/items$/, '504');
  const first = await importToSharePoint(db, join(dir, 'docs'), sp, () => undefined).catch(() => undefined);
  const result = first ?? (await importToSharePoint(db, join(dir, 'docs'), sp));
  expect(result.ok).toBe(true);
  expect(result.target).toMatchObject({ referrals: 3, audit: 4, outbox: 3, users: 1, conversations: 1, documents: 2 });
  const again = await importToSharePoint(db, join(dir, 'docs'), sp);
  expect(Object.values(again.written).every((n) => n === 0)).toBe(true);
  expect((await sp.referrals.get(refs[1]!))?.reference).toBe(refs[1]);
  expect((await sp.audit.list({ recordId: refs[2]! })).map((e) => e.action)).toEqual(['referral.submit', 'referral.list']);
  // A new referral on SharePoint does not collide with the imported references.
  const fresh = await sp.referrals.submit(submitWrite('new-on-sp'));
  expect(refs).not.toContain(fresh.referral.reference);

  const db2 = openDatabase(join(dir, 'b.db'));
  const back = await exportFromSharePoint(sp, db2, join(dir, 'docs2'));
  expect(back.ok).toBe(true);
  expect(back.target).toMatchObject({ referrals: 4, audit: 5, outbox: 4, users: 1, conversations: 1, documents: 2 });
  const local = new SqliteReferralStore(db2);
  expect((await local.get(refs[0]!))?.learner.localRef).toBe('R1');
  const next = await local.submit(submitWrite('after-export'));
  expect([...refs, fresh.referral.reference]).not.toContain(next.referral.reference);
  expect((await new LocalDocumentStore(join(dir, 'docs2')).read(refs[1]!, 'b.pdf'))?.toString()).toBe('bbbb');
  expect((await exportFromSharePoint(sp, db2, join(dir, 'docs2'))).written.referrals).toBe(0);
  expect(await new SqliteOutboxStore(db2).counts()).toEqual({ pending: 5, waiting: 0, sent: 0, dead: 0 }); // four exported, one from the local submit
  db.close();
  db2.close();
});

test('npm run provision: creates, then --verify passes (idempotency is tested in-process)', async () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', 'scripts/provision.ts', '--site', SITE, ...args], {
      env: { PATH: process.env.PATH ?? '', GRAPH_BASE_URL: env.sim.baseUrl, GRAPH_CREDENTIAL: 'token', GRAPH_ACCESS_TOKEN: TOKEN, STORE: 'sharepoint' },
    }).catch((e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }));
  const made = await run('--admin-principal', '7');
  expect(made.stdout).toContain('create list "Inclusion Referrals"');
  const verified = await run('--verify');
  expect(verified.stdout).toContain('Verified: every list, column, index and permission is in place.');
}, 30_000);
