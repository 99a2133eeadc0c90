/**
 * `npx tsx checker/reanalyse.ts .samsa/check/<seed>`: analyses a recorded
 * history again (after a change to the analysis), without re-running the
 * workload. Uses the run's own facts from its report.
 */
import { readFileSync } from 'node:fs';
import { analyse, type RunFacts } from './analyse';
import { loadHistory } from './history';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: npx tsx checker/reanalyse.ts <run directory>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as { facts?: RunFacts; plan?: { facts?: RunFacts } };
const facts = report.facts ?? report.plan?.facts;
if (facts === undefined) {
  console.error(`${dir}/report.json holds no run facts`);
  process.exit(2);
}
const analysis = analyse(loadHistory(`${dir}/history.jsonl`), facts);
for (const a of analysis.anomalies) console.log(`${a.name.padEnd(22)} ${String(a.count).padStart(5)}  ${a.count > 0 ? JSON.stringify(a.samples[0]) : ''}`);
process.exit(analysis.anomalies.some((a) => a.count > 0) ? 1 : 0);
