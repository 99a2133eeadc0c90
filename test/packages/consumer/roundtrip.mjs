// Produce and consume through the installed @samsa/client (ESM) against $SAMSA_URL with $SAMSA_API_KEY:
// topic <argv 2>, <argv 3> records, read back by a group consumer and by direct fetches. Prints JSON.
import { asText, Samsa } from '@samsa/client';

const [topic, countArg] = process.argv.slice(2);
const count = Number(countArg);
const samsa = new Samsa({ url: process.env.SAMSA_URL, apiKey: process.env.SAMSA_API_KEY });
await samsa.topics.create({ name: topic, partitions: 2 });

const producer = samsa.producer({ lingerMs: 5 });
const sent = await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, key: `k${i}`, value: i % 2 ? `v${i}` : { json: { i } } })));
await producer.close();

const grouped = [];
const consumer = samsa.consumer({ groupId: `${topic}-group`, topics: [topic], offsetReset: 'earliest' });
const running = consumer.run({ eachMessage: ({ message }) => void grouped.push(`${asText(message.key)}=${asText(message.value)}`) });
const deadline = Date.now() + 30_000;
while (grouped.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
await consumer.close();
await running;

const fetched = [];
for (const partition of [0, 1]) {
  const { records } = await samsa.fetchRecords({ topic, partition, offset: 0 });
  fetched.push(...records.map((r) => `${asText(r.key)}=${asText(r.value)}`));
}
console.log(JSON.stringify({ sent: sent.map((m) => `${m.partition}/${m.offset}`), grouped, fetched }));
