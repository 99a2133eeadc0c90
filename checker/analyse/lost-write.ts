/**
 * Lost write: an acknowledged value that is gone. In the last incarnation of
 * a topic, the final exhaustive read (from the log start to the high
 * watermark, after every fault was healed) must hold it — unless retention
 * moved the log start past it. In an earlier incarnation (since deleted), it
 * is lost when no read ever returned it although a read returned a later
 * offset of the same partition.
 */
import { Findings, type Model } from './model';

export function lostWrites(m: Model): Findings {
  const found = new Findings();
  const maxRead = new Map<string, number>();
  for (const [key, byOffset] of m.observations) maxRead.set(key, Math.max(...byOffset.keys()));
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
        const later = maxRead.get(ack.key);
        if (later !== undefined && later > ack.offset) found.add({ kind: 'absent-while-later-offset-read', value: info.value, partition: ack.key, offset: ack.offset, laterOffsetRead: later });
      }
      break;
    }
  }
  return found;
}
