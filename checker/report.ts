/**
 * Prints a run's result: what ran, what fired, and one line per anomaly of
 * docs/checker.md ("Anomalies") with its count and a sample.
 */
import type { CheckResult } from './check';

export function printResult(r: CheckResult, log: (line: string) => void): void {
  const { stats } = r.analysis;
  const ops = Object.entries(stats.ops)
    .filter(([kind]) => kind !== 'nemesis')
    .map(([kind, o]) => `${kind} ${['ok', 'fail', 'info'].map((k) => `${o[k] ?? 0}`).join('/')}`)
    .join(', ');
  log(`ops (ok/fail/info): ${ops}`);
  log(`values sent: ${stats.values.ok} acknowledged, ${stats.values.fail} definitely failed, ${stats.values.info} unknown; final read: ${stats.finalRead.records} records in ${stats.finalRead.partitions} partitions${stats.finalRead.missing.length > 0 ? `, UNREAD: ${stats.finalRead.missing.join(' ')}` : ''}`);
  if (Object.keys(r.faultsFired).length > 0) log(`faults fired: ${JSON.stringify(r.faultsFired)}`);
  log('');
  log(`${'anomaly'.padEnd(22)}${'count'.padStart(7)}  sample`);
  for (const a of r.analysis.anomalies) {
    const sample = a.samples[0] === undefined ? '' : JSON.stringify(a.samples[0]).slice(0, 300);
    log(`${a.name.padEnd(22)}${String(a.count).padStart(7)}  ${sample}`);
  }
  log('');
  log(`history: ${r.historyPath}`);
  log(`report:  ${r.reportPath}`);
  log(r.valid && stats.finalRead.missing.length === 0 ? 'VALID: no anomalies' : 'INVALID: anomalies found (or partitions left unread)');
}
