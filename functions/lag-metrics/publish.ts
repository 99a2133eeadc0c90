/**
 * Publishes every group's consumer lag as EMF: `ConsumerLag` per group, per
 * group and topic, and each group's total also under `service` alone, whose
 * Maximum is the worst group's lag (what the lag alarm watches).
 */
import type { LibContext } from '../../lib/context';
import { lagSnapshot } from '../../lib/groups/lag-snapshot';
import { METRICS } from '../telemetry/names';
import { MetricUnit, type Telemetry } from '../telemetry/telemetry';

export async function publishLag(lib: LibContext, telemetry: Telemetry): Promise<{ groups: number; topics: number }> {
  const started = lib.clock.now();
  const samples = await lagSnapshot(lib);
  let topics = 0;
  for (const s of samples) {
    telemetry.publish([{ group: s.group }, {}], [[METRICS.consumerLag, MetricUnit.Count, s.totalLag]]);
    if (!telemetry.perTopic) continue;
    for (const t of s.topics) {
      telemetry.publish([{ group: s.group, topic: t.topic }], [[METRICS.consumerLag, MetricUnit.Count, t.lag]]);
      topics++;
    }
  }
  telemetry.logger.info({ message: 'consumer lag published', groups: samples.length, groupTopics: topics, durationMs: lib.clock.now() - started });
  return { groups: samples.length, topics };
}
