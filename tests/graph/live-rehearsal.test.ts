/**
 * The live-tenant suite (tests/live) rehearsed against the Graph simulator, so it cannot rot while no tenant is at
 * hand: the same file, run as a child jest with the live settings pointing at the simulator.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { provisionSite, SITE, startSim, TOKEN } from './support';

test('tests/live passes against the simulator when enabled', async () => {
  const env = await startSim();
  try {
    await provisionSite(env);
    const child = spawn(process.execPath, [join('node_modules', 'jest', 'bin', 'jest.js'), 'tests/live', '--runInBand'], {
      env: {
        ...process.env, GRAPH_LIVE: '1', GRAPH_TENANT_ID: 'rehearsal', GRAPH_CLIENT_ID: 'rehearsal', GRAPH_CERTIFICATE_PATH: '/nonexistent',
        SHAREPOINT_SITE: SITE, GRAPH_CREDENTIAL: 'token', GRAPH_ACCESS_TOKEN: TOKEN, GRAPH_BASE_URL: env.sim.baseUrl,
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(out).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(code).toBe(0);
  } finally {
    await env.stop();
  }
}, 120_000);
