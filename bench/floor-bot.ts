/**
 * The framework floor for the submit benchmark: a bare teams-ai Application on the same server stack (restify,
 * TeamsAdapter, local mode) whose submit handler does one SQLite insert of the same payload and answers a fixed card.
 */
import Database from 'better-sqlite3';
import restify from 'restify';
import type { AddressInfo } from 'node:net';
import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';

const db = new Database(process.env.SQLITE_PATH ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS submits (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO submits (body) VALUES (?)');

const adapter = new TeamsAdapter({});
const app = new Application<TurnState>({ adapter, startTypingTimer: false, longRunningMessages: false, removeRecipientMention: true });
const card = { type: 'AdaptiveCard' as const, version: '1.5', body: [{ type: 'TextBlock', text: 'Received' }] };
app.adaptiveCards.actionExecute('referral.submit', async (_context, _state, data) => {
  const id = insert.run(JSON.stringify(data)).lastInsertRowid;
  return { ...card, body: [...card.body, { type: 'FactSet', facts: [{ title: 'Reference', value: `FLOOR-${id}` }] }] };
});

// The recommendation floor: a bare handler that only answers a card.
app.adaptiveCards.actionExecute('panel.recommend', async () => card);

const server = restify.createServer();
server.use(restify.plugins.bodyParser({ maxBodySize: 4 * 1024 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ event: 'started', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n');
});
