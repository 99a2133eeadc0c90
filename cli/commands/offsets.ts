/** samsa offsets <topic> */
import { noMorePositionals, positional } from '../args';
import type { Command } from '../command';
import { table } from '../output';

export const offsets: Command = {
  options: {},

  async run({ client, output, parsed }) {
    const topic = positional(parsed, 0, 'topic name');
    noMorePositionals(parsed, 1);
    const partitions = await client.topicOffsets(topic);
    if (output.json) return output.out(JSON.stringify({ topic, partitions }));
    output.out(
      table(
        ['PARTITION', 'LOG START', 'HIGH WATERMARK', 'RECORDS'],
        partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark, p.highWatermark - p.logStartOffset]),
      ),
    );
  },
};
