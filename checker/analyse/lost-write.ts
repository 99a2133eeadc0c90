/**
 * Lost write: an acknowledged value that is gone. In the last incarnation of
 * a topic, the final exhaustive read (from the log start to the high
 * watermark, after every fault was healed) must hold it — unless retention
 * moved the log start past it. In an earlier incarnation (since deleted), it
 * is lost when no read ever returned it although a read passed over its
 * offset: a fetch that started at or below it and ended above it. (A reader
 * may start anywhere, e.g. at a position it kept from the incarnation
 * before, so a later offset read alone proves nothing.)
 */
import { Findings, type Model } from './model';

export function lostWrites(m: Model): Findings {
  const found = new Findings();
  const passes = new Map<string, [from: number, next: number][]>();
  for (const { op, key } of m.fetches) {
    if (op.nextOffset === undefined || op.nextOffset <= op.from) continue;
    const list = passes.get(key) ?? [];
    list.push([op.from, op.nextOffset]);
    passes.set(key, list);
  }
  const passedOver = (key: string, offset: number) => (passes.get(key) ?? []).find(([from, next]) => from <= offset && offset < next);
  for (const info of m.values.values()) {
    for (const ack of info.acks) {
      const seenHere = (m.seenAt.get(info.value) ?? []).some((s) => s.key === ack.key);
      if (seenHere) continue;
      if (m.isFinal(ack.key)) {
        const pages = m.finalReads.get(ack.key);
        if (pages === undefined || pages.length === 0) continue; // the final read failed: reported in the stats
        const logStart = pages[0]!.logStartOffset ?? pages[0]!.from;
        if (ack.offset < logStart) continue; // removed by retention
        found.add({ kind: 'absent-from-final-read', value: info.value, partition: ack.key, offset: ack.offset, ackedAt: ack.at, finalLogStart: logStart, finalHighWatermark: pages[pages.length - 1]!.highWatermark });
      } else {
        const pass = passedOver(ack.key, ack.offset);
        if (pass !== undefined) found.add({ kind: 'absent-from-a-read-that-passed-it', value: info.value, partition: ack.key, offset: ack.offset, readFrom: pass[0], readUpTo: pass[1] });
      }
      break;
    }
  }
  return found;
}
