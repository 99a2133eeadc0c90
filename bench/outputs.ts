/**
 * Everything the benchmark writes besides the JSON, generated from the result
 * object (the same one written to latest.json): the markdown report, the two
 * SVG charts, the headline figures and the README block between
 * `<!-- bench:start -->` and `<!-- bench:end -->`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ASSUMPTIONS, breakEvenMillions, type PeerCost, type SamsaCost, type Source } from './cost';
import type { Check } from './report';
import { round } from './stats';
import { barPanel, linePanel, svgDocument } from './svg';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Result = any;

export interface Headline {
  what: string;
  figure: string;
  baseline: string;
}

const money = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? `$${Math.round(x).toLocaleString('en-US')}` : x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`);
const n0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const n2 = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '–' : String(round(x, d)));
const cellKey = (c: any) => `${c.cell} ${c.codec}`;

function cell(r: Result, name: string, codec: string): any {
  return (r.scenarios?.['http-produce']?.cells ?? []).find((c: any) => c.cell === name && c.codec === codec && c.skipped === undefined);
}

export function headlines(r: Result): Headline[] {
  const out: Headline[] = [];
  const s = r.scenarios ?? {};
  const h64 = cell(r, '64×1KB', 'none');
  const h64z = cell(r, '64×1KB', 'gzip');
  if (h64 !== undefined) {
    out.push({
      what: 'produce over HTTP, 64 × 1 KB JSON per request (64 KB batches)',
      figure: `${n0(h64.recordsPerSec)} records/s (${n2(h64.mbPerSec)} MB/s), p50 ${n2(h64.p50Ms, 1)} / p99 ${n2(h64.p99Ms, 1)} ms, ${n2(h64.wruPerRecord, 3)} WRU/record, ${n2(h64.roundTripsPerRequest, 1)} DynamoDB round trips/request`,
      baseline: `raw conditional put of the same items: ${n2(h64.raw?.wruPerRecord, 3)} WRU/record (×${h64.wruRatioToRaw}), ${n0(h64.raw?.recordsPerSec)} records/s (×${h64.throughputRatioToRaw})`,
    });
  }
  if (h64z !== undefined && h64 !== undefined) {
    out.push({
      what: 'same, topic compression gzip',
      figure: `${n2(h64z.wruPerRecord, 3)} WRU/record, ${n0(h64z.recordsPerSec)} records/s`,
      baseline: `×${n2(h64.wruPerRecord / h64z.wruPerRecord)} fewer WRU than uncompressed (payload ×${h64z.compressionRatio} smaller)`,
    });
  }
  const small = cell(r, '100×100B', 'none');
  if (small !== undefined) {
    out.push({
      what: 'produce over HTTP, 100 × 100 B per request',
      figure: `${n0(small.recordsPerSec)} records/s, ${n2(small.wruPerRecord, 3)} WRU/record, ${n2(small.writeRoundTripsPerRequest, 1)} sequential writes/request`,
      baseline: `raw floor ${n2(small.raw?.wruPerRecord, 3)} WRU/record; records/s ×${small.throughputRatioToRaw} of raw`,
    });
  }
  const gz = s['produce-gzip'];
  if (gz !== undefined) {
    const rows = gz.rows as any[];
    const w = (c: string) => rows.find((x) => x.compression === c)?.wruPerRecord;
    out.push({ what: 'produce, typical JSON orders, gzip / brotli', figure: `${w('gzip')} / ${w('brotli')} WRU/record`, baseline: `${w('none')} uncompressed: ${gz.compressionWruReduction}× / ${gz.brotliWruReduction}× fewer` });
  }
  const hf = s['http-fetch'];
  if (hf !== undefined) {
    out.push({
      what: 'sequential fetch over HTTP (1 KB records, defaults)',
      figure: `${n0(hf.sequential.recordsPerSec)} records/s, ${hf.sequential.rruPerRecord} RRU/record, p50 ${n2(hf.sequential.p50Ms, 1)} / p99 ${n2(hf.sequential.p99Ms, 1)} ms per fetch`,
      baseline: `${hf.sequential.recordsPerRequest} records/fetch`,
    });
    out.push({
      what: 'group poll over HTTP (4 partitions, defaults)',
      figure: `${n0(hf.groupPoll.recordsPerSec)} records/s, ${hf.groupPoll.rruPerRecord} RRU + ${hf.groupPoll.wruPerRecord} WRU/record`,
      baseline: `${hf.groupPoll.recordsPerRequest} records/poll; sequential fetch ${hf.sequential.rruPerRecord} RRU/record`,
    });
  }
  const f = s.fetch;
  if (f !== undefined) {
    out.push({ what: 'sequential fetch in the engine, ≥ 100 KB per call (100 B records)', figure: `${f.rruPerRecord} RRU/record`, baseline: `raw eventually consistent Query: ${f.rawQuery?.rruPerRecord}; target ≤ 0.02` });
  }
  const c = s.contention;
  if (c !== undefined) {
    const rows = c.rows as any[];
    const g1 = rows.find((x) => x.producers === 1)?.goodputRecordsPerSec;
    const g32 = rows.find((x) => x.producers === 32)?.goodputRecordsPerSec;
    const wasted = rows.reduce((a, x) => a + x.wastedWru, 0);
    out.push({ what: '1 → 32 producers on one partition', figure: `${wasted} wasted WRU, goodput ×${n2(g32 / g1)} at 32, dense offsets, no duplicates`, baseline: 'target: 0 wasted, goodput at 32 ≥ at 1' });
  }
  const so = s['scale-out'];
  if (so !== undefined) {
    const rows = so.rows as any[];
    const a = rows[0];
    const z = rows[rows.length - 1];
    out.push({
      what: `same load over ${rows.map((x) => x.partitions).join(' / ')} partitions`,
      figure: `goodput ×${n2(z.goodputRecordsPerSec / a.goodputRecordsPerSec)} at ${z.partitions} vs ${a.partitions} (DynamoDB Local: no per-key limit)`,
      baseline: `modelled AWS ceiling ${n0(a.awsCeilingRecordsPerSec)} → ${n0(z.awsCeilingRecordsPerSec)} records/s (≈ 1,000 WCU/s per partition)`,
    });
  }
  const b = s.bundles;
  if (b !== undefined) {
    const fns = b.functions as any[];
    out.push({
      what: 'Lambda bundles (minified, @aws-sdk external)',
      figure: fns.map((x) => `${x.area} ${x.kb} KB`).join(', '),
      baseline: `target ≤ 250 KB; require ${Math.min(...fns.map((x) => x.loadMsMedian))}–${Math.max(...fns.map((x) => x.loadMsMedian))} ms vs SDK alone ${b.sdkOnlyLoadMsMedian} ms`,
    });
  }
  const cost = r.cost;
  if (cost?.headline !== undefined) {
    out.push({
      what: 'modelled AWS bill, 1 M × 1 KB written + read once, 64 KB batches',
      figure: `${money(cost.headline.total)} all-in (gzip JSON: ${money(cost.headline.gzipTotal)}), no hourly charge`,
      baseline: `target ≤ $1.00; Kinesis on-demand ${money(cost.peers[0]?.burst)} (stream kept 1 h) / ${money(cost.peers[0]?.month)} (kept a month)`,
    });
  }
  const g = s.groups;
  if (g !== undefined) {
    const hb = g.heartbeat?.[0];
    out.push({ what: 'group heartbeat (steady state) / commit', figure: `${hb?.rruPerHeartbeat} RRU + ${hb?.wruPerHeartbeat} WRU / ${g.commit?.rows?.[0]?.wruPerOffset} WRU per offset`, baseline: `strong get + put of 300 B: ${g.rawGetPut?.rruPerPair} RRU + ${g.rawGetPut?.wruPerPair} WRU` });
  }
  return out;
}

function table(header: string[], rows: (string | number | undefined)[][], align?: ('l' | 'r')[]): string {
  const a = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (cells: (string | number | undefined)[]) => `| ${cells.map((c) => (c === undefined ? '' : String(c).replace(/\|/g, '\\|'))).join(' | ')} |`;
  return [line(header), `|${a.map((x) => (x === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map(line)].join('\n');
}

function costRows(samsa: SamsaCost[]) {
  return samsa.map((c) => [
    `${c.recordsPerRequest} (${c.batchKb} KB)`,
    c.codec === 'none' ? 'none' : `${c.codec} (×${c.compressionRatio})`,
    money(c.components.dynamoWrites),
    money(c.components.dynamoReads),
    money(c.components.storage + c.components.pitr),
    money(c.components.apiGateway),
    money(c.components.lambdaRequests + c.components.lambdaCompute),
    money(c.components.logs + c.components.xray),
    `**${money(c.total)}**`,
  ]);
}

export function renderMarkdown(r: Result): string {
  const s = r.scenarios ?? {};
  const L: string[] = [];
  L.push('# Samsa benchmark: latest results', '');
  L.push(
    `Generated by \`npm run bench\` (${r.mode} mode) on ${r.date}, commit \`${String(r.git?.commit).slice(0, 10)}\`${r.git?.dirty ? ` (working tree dirty: ${(r.git.changedFiles as string[]).length} files)` : ''}. ` +
      `Machine: ${r.machine?.cpus} × ${r.machine?.cpuModel}, ${r.machine?.node}, DynamoDB Local ${r.machine?.dynamoDbLocalPackage} (${r.machine?.java}); load average ${r.machine?.loadAverageAtStart?.join(' / ')} at start, ${r.machine?.loadAverageAtEnd?.join(' / ')} at end. Run time ${r.totalSeconds} s.`,
    '',
    'The machine is shared and noisy: read throughput and latency as ratios against the raw baselines measured in the same run. Capacity units are exact (DynamoDB `ConsumedCapacity` on every call); latencies are this machine against DynamoDB Local, not AWS.',
    '',
  );
  L.push('## Targets', '');
  L.push(table(['target', 'required', 'measured', 'result'], (r.targets as Check[]).map((c) => [c.name, c.target, c.actual, c.pass ? 'PASS' : '**FAIL**']), ['l', 'l', 'l', 'l']), '');
  L.push('## Headline figures', '');
  L.push(table(['what', 'figure', 'baseline / target'], headlines(r).map((h) => [h.what, h.figure, h.baseline]), ['l', 'l', 'l']), '');

  const hp = s['http-produce'];
  if (hp !== undefined) {
    L.push('## 1. Produce over real HTTP', '');
    L.push(
      'Local stack (`local/server.ts` on a free port, Node fetch with keep-alive), one request in flight, a fresh one-partition topic per cell, JSON record values of exactly the cell size. Raw floor: the engine\'s own items for the same records (same codec, chunks included) put with `attribute_not_exists` into a table without index, no counter, no HTTP. Handler ms = server-side wall time per request (the Lambda duration proxy).',
      '',
    );
    const cells = hp.cells as any[];
    L.push(
      table(
        ['cell', 'codec', 'requests', 'records/s', 'MB/s', 'p50 ms', 'p99 ms', 'handler ms', 'WRU/rec', 'RT/req', 'raw WRU/rec', 'WRU ×raw', 'rec/s ×raw', 'payload ×smaller'],
        cells
          .filter((c) => c.skipped === undefined)
          .map((c) => [c.cell, c.codec, c.requests, n0(c.recordsPerSec), n2(c.mbPerSec), n2(c.p50Ms, 1), n2(c.p99Ms, 1), n2(c.serverMsMean, 1), n2(c.wruPerRecord, 4), n2(c.roundTripsPerRequest, 2), n2(c.raw?.wruPerRecord, 4), c.wruRatioToRaw, c.throughputRatioToRaw, c.codec === 'none' ? '' : c.compressionRatio]),
        ['l', 'l', ...Array(12).fill('r')],
      ),
      '',
    );
    const skipped = cells.filter((c) => c.skipped !== undefined);
    if (skipped.length > 0) L.push(`Skipped: ${skipped.map((c) => `${cellKey(c)} (${c.skipped})`).join('; ')}.`, '');
    L.push('p99 of a cell with fewer than 100 requests is its maximum. RT/req = every DynamoDB round trip of one request (reads included); the sequential write round trips are 2 (counter, then batch) plus one per 380 KB chunk.', '');
  }

  const hf = s['http-fetch'];
  if (hf !== undefined || hp !== undefined) {
    L.push('## 2. Fetch over real HTTP', '');
    if (hf !== undefined) {
      L.push(
        table(
          ['consumer', 'records/s', 'p50 ms', 'p99 ms', 'handler ms', 'records/request', 'RRU/record', 'WRU/record', 'RT/request'],
          [
            [`sequential fetch, ${hf.records} × 1 KB (64/batch), defaults`, n0(hf.sequential.recordsPerSec), n2(hf.sequential.p50Ms, 1), n2(hf.sequential.p99Ms, 1), n2(hf.sequential.serverMsMean, 1), hf.sequential.recordsPerRequest, hf.sequential.rruPerRecord, hf.sequential.wruPerRecord, hf.sequential.roundTripsPerRequest],
            ['group poll, 4 partitions, positions, defaults', n0(hf.groupPoll.recordsPerSec), n2(hf.groupPoll.p50Ms, 1), n2(hf.groupPoll.p99Ms, 1), n2(hf.groupPoll.serverMsMean, 1), hf.groupPoll.recordsPerRequest, hf.groupPoll.rruPerRecord, hf.groupPoll.wruPerRecord, hf.groupPoll.roundTripsPerRequest],
          ],
        ),
        '',
      );
      const i = hf.idleLongPoll;
      L.push(
        `Idle long poll (no new data, ${i.fetch.waitMs} ms wait): fetch ${i.fetch.rruPerSecond} RRU/s + ${i.fetch.wruPerSecond} WRU/s, group poll ${i.groupPoll.rruPerSecond} RRU/s + ${i.groupPoll.wruPerSecond} WRU/s while waiting; the handler is busy for the whole wait (see the idle-consumer cost below).`,
        '',
      );
    }
    if (hp !== undefined) {
      const rb = (hp.cells as any[]).filter((c) => c.readBack !== undefined);
      if (rb.length > 0) {
        L.push('Read-back of the 1 KB produce cells by a sequential consumer (fetch defaults) — the read side of the cost model:', '');
        L.push(
          table(
            ['cell', 'codec', 'records', 'records/s', 'records/fetch', 'RRU/record', 'handler ms/fetch', 'response KB/fetch'],
            rb.map((c) => [c.cell, c.codec, c.readBack.records, n0(c.readBack.recordsPerSec), c.readBack.recordsPerFullFetch, c.readBack.rruPerRecord, n2(c.readBack.serverMsMean, 1), n2(c.readBack.responseBytesPerFetch / 1024, 0)]),
            ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
          ),
          '',
        );
      }
    }
  }

  if (s.contention !== undefined || s['scale-out'] !== undefined) {
    L.push('## 3. Contention and scale-out', '', '![contention scaling](contention.svg)', '');
    if (s.contention !== undefined) {
      L.push(
        table(
          ['producers (1 partition)', 'goodput rec/s', 'p50 ms', 'p99 ms', 'WRU/rec', 'wasted WRU', 'dense, no dup'],
          (s.contention.rows as any[]).map((x) => [x.producers, n0(x.goodputRecordsPerSec), n2(x.p50Ms, 1), n2(x.p99Ms, 1), x.wruPerRecord, x.wastedWru, x.denseOffsets && x.duplicates === 0 ? 'yes' : '**no**']),
        ),
        '',
        `${s.contention.caveat}`,
        '',
      );
    }
    if (s['scale-out'] !== undefined) {
      L.push(
        table(
          ['partitions', 'producers', 'goodput rec/s', 'p50 ms', 'p99 ms', 'WRU/rec', 'records/partition', 'AWS ceiling rec/s (model)'],
          (s['scale-out'].rows as any[]).map((x) => [x.partitions, x.producers, n0(x.goodputRecordsPerSec), n2(x.p50Ms, 1), n2(x.p99Ms, 1), x.wruPerRecord, `${x.recordsPerPartitionMin}–${x.recordsPerPartitionMax}`, n0(x.awsCeilingRecordsPerSec)]),
        ),
        '',
        `${s['scale-out'].caveat}`,
        '',
      );
    }
  }

  const b = s.bundles;
  if (b !== undefined) {
    L.push('## 4. Cold-start proxy: bundles', '');
    L.push(`${b.how}. Load time: \`require\` in a fresh Node process, median of ${b.loadRepeats}; SDK-only baseline (\`@aws-sdk/client-dynamodb\` + \`lib-dynamodb\`, provided by the Lambda runtime): ${b.sdkOnlyLoadMsMedian} ms.`, '');
    L.push(
      table(
        ['function', 'minified KB', 'gzip KB', 'target ≤ 250 KB', 'require ms (median)', 'own code ms', '× SDK-only'],
        (b.functions as any[]).map((x) => [x.area, x.kb, x.gzipKb, x.withinTarget ? 'yes' : '**no**', x.loadMsMedian, x.ownCodeMs, x.loadRatioToSdkOnly]),
      ),
      '',
    );
  }

  const cost = r.cost;
  if (cost !== undefined) {
    L.push('## 5. Cost model: 1 million × 1 KB records written and read once', '', '![cost per million and per month](cost.svg)', '');
    L.push(`Region ${cost.region}, list prices of ${cost.priceDate}, no free tiers. Samsa has no hourly charge: an idle deployment costs only its stored bytes (plus idle long polls, below). Memory: produce ${cost.memoryMb.produce} MB, fetch ${cost.memoryMb.fetch} MB, groups ${cost.memoryMb.groups} MB (cdk/function-areas.ts), arm64.`, '');
    L.push(
      table(
        ['records per request', 'compression', 'DynamoDB writes', 'DynamoDB reads', 'storage + PITR', 'API Gateway', 'Lambda', 'logs + X-Ray', 'total'],
        costRows(cost.samsa as SamsaCost[]),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
    L.push('Peers, same work (1 M × 1 KB in, out once):', '');
    L.push(
      table(
        ['service', `work done within ${ASSUMPTIONS.burstHours} h`, 'resource kept a month', 'fixed per month', 'per extra million', 'note'],
        (cost.peers as PeerCost[]).map((p) => [p.name, money(p.burst), money(p.month), money(p.fixedPerMonth), money(p.perMillion), p.note]),
        ['l', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
    );
    L.push('### Where Samsa is cheaper, and where not', '');
    for (const line of cost.verdict as string[]) L.push(`- ${line}`);
    L.push('');
    const idle = cost.idleConsumer;
    if (idle !== undefined) {
      L.push(
        `### Idle consumers`,
        '',
        `A consumer long-polling an idle partition keeps a ${cost.memoryMb.fetch} MB handler busy: ${money(idle.fetch.perHour)} per hour, ${money(idle.fetch.perMonth)} per month per consumer (fetch); ${money(idle.groupPoll.perHour)} / ${money(idle.groupPoll.perMonth)} for a group poll (it heartbeats while it waits). Compute dominates (${money(idle.fetch.parts.lambdaCompute)}/h). Scale to zero holds for the deployment, not for consumers that poll without pause: back off between empty polls.`,
        '',
      );
    }
    L.push('### Assumptions', '');
    for (const a of cost.assumptions as string[]) L.push(`- ${a}`);
    L.push('', '### Price sources', '');
    for (const src of cost.sources as Source[]) L.push(`- **${src.id}**: ${src.what}. ${src.url}${src.note ? ` — ${src.note}` : ''}`);
    L.push('');
  }

  L.push('## 6. All rows (engine scenarios through the Hono app; HTTP scenarios over the socket)', '', '```', r.table ?? '', '```', '');
  L.push('## Notes', '');
  for (const n of r.notes as string[]) L.push(`- ${n}`);
  L.push('');
  return L.join('\n');
}

const COLORS = { none: '#3b6fb6', gzip: '#5aa469', kinesis: '#d9822b', msk: '#b5473a', sqs: '#7d5ba6', adv: '#c7a03c', target: '#222' };

export function renderContentionSvg(r: Result): string | undefined {
  const c = r.scenarios?.contention;
  const so = r.scenarios?.['scale-out'];
  if (c === undefined && so === undefined) return undefined;
  const panels = [];
  if (c !== undefined) {
    const rows = c.rows as any[];
    panels.push(
      barPanel(
        { x: 80, y: 70, w: 400, h: 250 },
        {
          title: 'Contention: producers on ONE partition',
          subtitle: `goodput (acknowledged records/s), 100 × 100 B batches; wasted WRU: ${rows.reduce((a, x) => a + x.wastedWru, 0)}`,
          categories: rows.map((x) => `${x.producers}`),
          xLabel: 'concurrent producers',
          yLabel: 'records/s (DynamoDB Local)',
          groups: [{ name: 'goodput', color: COLORS.none, values: rows.map((x) => x.goodputRecordsPerSec), labels: rows.map((x) => `${n0(x.goodputRecordsPerSec)} (p99 ${Math.round(x.p99Ms)} ms)`) }],
        },
      ),
    );
  }
  if (so !== undefined) {
    const rows = so.rows as any[];
    panels.push(
      barPanel(
        { x: 590, y: 70, w: 380, h: 250 },
        {
          title: 'Scale-out: same load, more partitions',
          subtitle: `${rows[0]?.producers} HTTP producers; "AWS ≤": model at ~1,000 WCU/s per partition`,
          categories: rows.map((x) => `${x.partitions}`),
          xLabel: 'partitions',
          yLabel: 'records/s (DynamoDB Local)',
          groups: [{ name: 'goodput (local)', color: COLORS.gzip, values: rows.map((x) => x.goodputRecordsPerSec), labels: rows.map((x) => `${n0(x.goodputRecordsPerSec)} | AWS ≤ ${n0(x.awsCeilingRecordsPerSec)}`) }],
        },
      ),
    );
  }
  return svgDocument(1000, 410, panels, `Samsa bench ${String(r.date).slice(0, 16)} (${r.mode}), ${String(r.git?.commit).slice(0, 10)}: DynamoDB Local, shared 2-core machine; compare bars within a panel.`);
}

export function renderCostSvg(r: Result): string | undefined {
  const cost = r.cost;
  if (cost === undefined || (cost.samsa as SamsaCost[]).length === 0) return undefined;
  const samsa = cost.samsa as SamsaCost[];
  const peers = cost.peers as PeerCost[];
  const sizes = [...new Set(samsa.map((c) => c.recordsPerRequest))].sort((a, b) => a - b);
  const pick = (n: number, codec: string) => samsa.find((c) => c.recordsPerRequest === n && c.codec === codec)?.total;
  const kinesis = peers[0] as PeerCost;
  const msk = peers.find((p) => p.name.startsWith('MSK')) as PeerCost;
  const sqs = peers.find((p) => p.name.startsWith('SQS')) as PeerCost;
  const adv = peers.find((p) => p.name.includes('Advantage')) as PeerCost;
  const left = barPanel(
    { x: 80, y: 70, w: 400, h: 250 },
    {
      title: 'Cost of 1 M × 1 KB written + read once',
      subtitle: `modelled from this run; ${cost.region.split(' ')[0]}, list prices of ${cost.priceDate}`,
      categories: sizes.map((n) => `${n}`),
      xLabel: 'records per produce request (1 KB each = batch KB)',
      yLabel: 'USD (log scale)',
      log: true,
      unit: (v) => (v >= 1 ? `$${round(v, 2)}` : `$${v.toPrecision(2)}`),
      groups: [
        { name: 'Samsa', color: COLORS.none, values: sizes.map((n) => pick(n, 'none')) },
        { name: 'Samsa, gzip JSON', color: COLORS.gzip, values: sizes.map((n) => pick(n, 'gzip')) },
      ],
      refLines: [
        { y: 1, label: 'target $1.00', color: COLORS.target },
        { y: kinesis.burst, label: `Kinesis on-demand, stream 1 h: ${money(kinesis.burst)}`, color: COLORS.kinesis },
        { y: msk.burst, label: `MSK Serverless, cluster 1 h: ${money(msk.burst)}`, color: COLORS.msk },
        { y: sqs.burst, label: `SQS, batches of 10: ${money(sqs.burst)}`, color: COLORS.sqs },
      ],
    },
  );
  const headline = samsa.find((c) => c.recordsPerRequest === 64 && c.codec === 'none') ?? samsa[0]!;
  const headlineZ = samsa.find((c) => c.recordsPerRequest === 64 && c.codec === 'gzip');
  const volumes = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000];
  const line = (perM: number, fixed: number) => volumes.map((v) => [v, fixed + perM * v] as [number, number]);
  const series = [
    { name: 'Samsa, 64 KB batches', color: COLORS.none, points: line(headline.total, 0) },
    ...(headlineZ === undefined ? [] : [{ name: 'Samsa, 64 KB, gzip JSON', color: COLORS.gzip, points: line(headlineZ.total, 0) }]),
    { name: 'Kinesis on-demand (stream all month)', color: COLORS.kinesis, points: line(kinesis.perMillion, kinesis.fixedPerMonth) },
    { name: 'Kinesis Advantage (per-GB bound, min. commitment)', color: COLORS.adv, points: line(adv.perMillion, 0), dashed: true },
    { name: 'MSK Serverless (cluster all month)', color: COLORS.msk, points: line(msk.perMillion, msk.fixedPerMonth) },
    { name: 'SQS standard, batched (a queue, no replay)', color: COLORS.sqs, points: line(sqs.perMillion, 0), dashed: true },
  ];
  const markers = (cost.breakEven as any[])
    .filter((x) => x.peer.startsWith('Kinesis Data Streams') && x.millionsPerMonth !== undefined && x.codec === 'none' && x.recordsPerRequest === 64)
    .map((x) => ({ x: x.millionsPerMonth, y: x.millionsPerMonth * headline.total, label: `break-even ${n0(x.millionsPerMonth)} M/month`, color: COLORS.kinesis }));
  const right = linePanel(
    { x: 600, y: 70, w: 370, h: 250 },
    {
      title: 'Monthly bill vs volume',
      subtitle: '1 KB records written + read once; Samsa has no fixed charge',
      xLabel: 'million records per month (log)',
      yLabel: 'USD per month (log)',
      xLog: true,
      yLog: true,
      series,
      markers,
      xUnit: (v) => (v >= 1 ? n0(v) : String(v)),
      yUnit: (v) => (v >= 1 ? `$${n0(v)}` : `$${Number(v.toPrecision(1))}`),
    },
  );
  return svgDocument(1000, 520, [left, right], `Samsa bench ${String(r.date).slice(0, 16)} (${r.mode}): Samsa modelled from this run's capacity units, requests and handler time; peers from published prices (sources in latest.md).`);
}

/** The README block: headline table, cost comparison, link to the report. */
export function renderReadmeBlock(r: Result): string {
  const L: string[] = [];
  L.push(
    `Latest full run: ${String(r.date).slice(0, 10)}, commit \`${String(r.git?.commit).slice(0, 10)}\`, DynamoDB Local on a shared 2-core machine (throughput and latency are relative to the in-run raw baselines; capacity units are DynamoDB's own \`ConsumedCapacity\`). Full report, assumptions and price sources: [bench/results/latest.md](bench/results/latest.md).`,
    '',
  );
  L.push(table(['what', 'figure', 'baseline / target'], headlines(r).map((h) => [h.what, h.figure, h.baseline]), ['l', 'l', 'l']), '');
  const cost = r.cost;
  if (cost !== undefined) {
    const samsa = cost.samsa as SamsaCost[];
    const sizes = [...new Set(samsa.map((c) => c.recordsPerRequest))].sort((a, b) => a - b);
    const pick = (n: number, codec: string) => samsa.find((c) => c.recordsPerRequest === n && c.codec === codec)?.total;
    L.push(`Modelled AWS bill for 1 million × 1 KB records written and read once (${cost.region.split(' ')[0]}, list prices of ${cost.priceDate}, no free tiers):`, '');
    L.push(
      table(
        ['', ...sizes.map((n) => `${n} record${n === 1 ? '' : 's'}/request`)],
        [
          ['Samsa', ...sizes.map((n) => money(pick(n, 'none')))],
          ['Samsa, gzip JSON', ...sizes.map((n) => money(pick(n, 'gzip')))],
        ],
      ),
      '',
    );
    L.push(
      table(
        ['peer, same work', 'work done within 1 h', 'resource kept a month'],
        (cost.peers as PeerCost[]).map((p) => [p.name, money(p.burst), money(p.month)]),
      ),
      '',
    );
    for (const line of (cost.verdict as string[]).filter((v) => !v.startsWith('Batch at the client'))) L.push(`- ${line}`);
    L.push('');
  }
  return L.join('\n');
}

export function writeReadmeBlock(readmePath: string, block: string): boolean {
  const text = readFileSync(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i || text.indexOf(start, i + 1) >= 0) return false;
  const next = `${text.slice(0, i + start.length)}\n${block.trimEnd()}\n${text.slice(j)}`;
  if (next !== text) writeFileSync(readmePath, next);
  return true;
}

export { breakEvenMillions };
