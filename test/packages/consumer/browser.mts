// The main SDK in a browser project: DOM types only, no @types/node. Type-checked, never run.
import { Samsa, asText } from '@samsa/client';

export async function latest(url: string, apiKey: string): Promise<(string | null)[]> {
  const samsa = new Samsa({ url, apiKey, fetch: (input, init) => window.fetch(input, init) });
  const batch = await samsa.fetchRecords({ topic: 'orders', partition: 0, offset: 0, maxRecords: 10 });
  return batch.records.map((record) => asText(record.value));
}
