/** `samsa subscriptions …` and `client.subscriptions.*` over real HTTP against a local server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../client';
import type { LocalServer } from '../../local/server';
import { startTestServer, uniqueTopic } from '../client/server';
import { runCli, type Run } from '../cli/run-cli';

let server: LocalServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const samsa = (args: string[]): Promise<Run> => runCli(args, { env: { ...process.env, SAMSA_URL: server.url } });

describe('subscriptions from the SDK and the CLI', { timeout: 60_000 }, () => {
  it('SDK: create (secret once), describe, pause, resume, list, delete; a bad endpoint rejects with its code', async () => {
    const client = new Samsa({ url: server.url });
    const topic = uniqueTopic('sdk-sub');
    await client.topics.create({ name: topic, partitions: 2 });
    await client.topics.create({ name: `${topic}-dlq` });
    const name = uniqueTopic('s');
    const created = await client.subscriptions.create({ name, topic, endpoint: 'https://example.com/h', deadLetterTopic: `${topic}-dlq`, maxAttempts: 3 });
    expect(created).toMatchObject({ name, maxAttempts: 3, state: 'ACTIVE' });
    expect(created.secret).toMatch(/^whsec_/);
    expect((await client.subscriptions.describe(name)).partitions).toHaveLength(2);
    expect((await client.subscriptions.pause(name)).state).toBe('PAUSED');
    expect((await client.subscriptions.resume(name)).state).toBe('ACTIVE');
    expect((await client.subscriptions.list()).map((s) => s.name)).toContain(name);
    await client.subscriptions.delete(name);
    await expect(client.subscriptions.describe(name)).rejects.toMatchObject({ code: 'SUBSCRIPTION_NOT_FOUND' });
    await expect(client.subscriptions.create({ name, topic, endpoint: 'http://example.com/h', deadLetterTopic: `${topic}-dlq` })).rejects.toMatchObject({
      code: 'INVALID_SUBSCRIPTION',
    });
    await expect(client.subscriptions.create({ name, topic, endpoint: 'https://example.com/h', deadLetterTopic: `${topic}-dlq`, bogus: 1 } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('CLI: create prints the secret once, describe shows partitions, pause/resume/delete, a missing flag is a usage error', async () => {
    const topic = uniqueTopic('cli-sub');
    await samsa(['topics', 'create', topic]);
    await samsa(['topics', 'create', `${topic}-dlq`]);
    const name = uniqueTopic('s');
    const created = await samsa(['subscriptions', 'create', name, '--topic', topic, '--endpoint', 'http://127.0.0.1:9/h', '--dead-letter-topic', `${topic}-dlq`, '--max-records', '10']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/Signing secret \(shown only now\): whsec_/);
    const described = await samsa(['subscriptions', 'describe', name]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^PARTITION\s+COMMITTED\s+HIGH WATERMARK\s+LAG\s+ATTEMPTS\s+NEXT ATTEMPT\s+LAST ERROR\s*$/m);
    expect(described.stdout).toMatch(/^\s*0\s+0\s+0\s+0\s+0\s+-\s+-\s*$/m);
    expect((await samsa(['subscriptions', 'pause', name])).stdout).toContain('is PAUSED');
    expect((await samsa(['subscriptions', 'resume', name])).stdout).toContain('is ACTIVE');
    expect((await samsa(['subscriptions', 'list'])).stdout).toContain(name);
    expect((await samsa(['subscriptions', 'delete', name])).code).toBe(0);
    const missing = await samsa(['subscriptions', 'describe', name]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('SUBSCRIPTION_NOT_FOUND')]);
    expect((await samsa(['subscriptions', 'create', 'x', '--topic', topic])).code).toBe(2);
  });
});
