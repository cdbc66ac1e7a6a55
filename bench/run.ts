/** `npm run bench [-- name…]`: runs the named benchmarks (all by default) and prints their figures. Not part of npm test. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchPanels } from './panels';
import { benchFanout, benchPoliteness, benchSweep } from './reminders';
import { benchSubmit } from './submit';
import { benchGraph } from './graph';
import { ROOT } from './lib';

const BENCHES: Record<string, () => Promise<Record<string, unknown>>> = {
  submit: benchSubmit,
  graph: benchGraph,
  panels: benchPanels,
  'reminder-sweep': benchSweep,
  fanout: benchFanout,
  politeness: benchPoliteness,
};

async function run(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const results: Record<string, unknown> = { machine: { cpus: require('node:os').cpus().length, node: process.version }, at: new Date().toISOString() };
  let allOk = true;
  for (const name of names) {
    const r = await BENCHES[name]!();
    results[name] = r;
    if (r.ok === false) allOk = false;
  }
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(results, null, 2));
  console.log(`\nAll figures: bench/results/latest.json. ${allOk ? 'Every target met.' : 'Some targets missed (see above).'}`);
  process.exit(allOk ? 0 : 1);
}

void run();
