// Plain Node CommonJS: both entries of the installed @samsa/client load and work without a server.
const { Samsa, asText, partitionForKey, NotFoundError, SamsaApiError } = require('@samsa/client');
const { Kafka, KafkaJSError, logLevel } = require('@samsa/client/kafkajs');

const samsa = new Samsa({ url: 'http://127.0.0.1:1' });
console.log(JSON.stringify({
  samsa: typeof samsa.producer,
  asText: asText({ type: 'STRING', data: 'hi' }),
  partition: partitionForKey(new TextEncoder().encode('customer-7'), 3),
  errors: new NotFoundError({ code: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'x', status: 404, retriable: false }) instanceof SamsaApiError,
  kafka: typeof new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }).producer,
  kafkaError: new KafkaJSError('x') instanceof Error,
}));
