// A KafkaJS program with only its import changed ('kafkajs' → '@samsa/client/kafkajs'): admin creates the
// topic, a producer sends <argv 3> messages with Buffer and string keys and values, a consumer group reads
// them from the beginning with eachMessage, then everything disconnects. Prints what arrived as JSON.
const { Kafka, logLevel } = require('@samsa/client/kafkajs');

async function main() {
  const [topic, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  const kafka = new Kafka({
    clientId: 'packages-test',
    brokers: [process.env.SAMSA_URL],
    sasl: { mechanism: 'plain', username: 'admin', password: process.env.SAMSA_API_KEY },
    logLevel: logLevel.NOTHING,
  });

  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({
      key: i % 2 ? Buffer.from(`key-${i}`) : `key-${i}`,
      value: i % 3 ? Buffer.from(`value-${i}`) : `value-${i}`,
      headers: { i: String(i) },
    })),
  });
  await producer.disconnect();

  const received = [];
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic: from, partition, message }) => {
      received.push({ from, partition, key: message.key.toString(), value: message.value.toString(), buffers: Buffer.isBuffer(message.key) && Buffer.isBuffer(message.value), offset: message.offset, i: String(message.headers.i) });
    },
  });
  const deadline = Date.now() + 30_000;
  while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await consumer.disconnect();
  console.log(JSON.stringify(received));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
