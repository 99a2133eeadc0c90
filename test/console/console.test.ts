/**
 * The web console end to end in headless Chromium, against a private stack
 * (test/console/harness.ts: own tables in the shared DynamoDB Local, the
 * local server with API keys on, as deployed) that serves a fresh build of
 * the console: the key prompt on 401 and the message on 403, create a topic,
 * produce, browse the message (text / JSON / hex, headers, by timestamp), the
 * live tail, throughput on the topics list, a group's lag falling to 0 as an
 * SDK consumer commits, reset offsets and delete the group through their
 * confirmation dialogs, and a stack without authentication. Push
 * subscriptions: test/console/subscriptions.test.ts. Screenshots go to
 * test-results/console/.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Samsa } from '../../client/index';
import { DEFAULT_AUTH } from '../../functions/config';
import type { LocalServer } from '../../local/server';
import { startConsoleStack, startOtherServer, until, type ConsoleStack } from './harness';

let stack: ConsoleStack;
let server: LocalServer;
let samsa: Samsa;
let page: Page;
let distDir: string;
let adminKey: string;
let viewerKey: string;
const topic = `console-${randomUUID().slice(0, 8)}`;
const group = `console-group-${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  stack = await startConsoleStack();
  ({ server, samsa, page, distDir, adminKey, viewerKey } = stack);
});

afterAll(() => stack?.close());

const shot = (name: string) => stack.shot(name);

const text = (selector: string) => () => page.locator(selector).innerText();
const lagShown = () =>
  page
    .getByTestId('total-lag')
    .innerText()
    .then((t) => Number(t.replace(/,/g, '')));

describe('web console in Chromium', { timeout: 60_000 }, () => {
  it('serves the built console: index revalidated, hashed assets immutable and gzipped, own paths fall back to index.html', async () => {
    const index = await fetch(`${server.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    const again = await fetch(`${server.url}${script}`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${server.url}/console/groups/x`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await fetch(`${server.url}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/console/..%2f..%2fpackage.json`)).status).toBe(400);
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/console/']);

    // Small and fast: report what a first visit downloads.
    const assets = readdirSync(join(distDir, 'assets'));
    const gzipped = (f: string) => gzipSync(readFileSync(join(distDir, 'assets', f))).length;
    const sizes = assets.map((f) => `${f} ${(statSync(join(distDir, 'assets', f)).size / 1024).toFixed(1)} KB (gzip ${(gzipped(f) / 1024).toFixed(1)} KB)`);
    console.log(`console bundle: ${sizes.join(', ')}`);
    const jsGzip = assets.filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gzipped(f), 0);
    expect(jsGzip).toBeLessThan(40 * 1024);
  });

  it('asks for an API key on 401, says clearly when the key is not allowed (403), and takes #key= from the URL', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByText('This API requires an API key').waitFor();
    await shot('01-api-key-prompt');

    // A valid key without ACLs: the list is empty (filtered, as in Kafka) and creating a topic is denied.
    await page.locator('form.auth input[type=password]').fill(viewerKey);
    await page.locator('form.auth').getByRole('button', { name: 'Use key' }).click();
    await until(text('nav'), (t) => t.includes('viewer'), 'the viewer principal in the header');
    await page.getByText('No topics yet').waitFor();
    const create = page.getByRole('form', { name: 'Create topic' });
    await create.getByLabel('Topic name', { exact: true }).fill(topic);
    await create.getByRole('button', { name: 'Create topic' }).click();
    await create.getByText('Not allowed').waitFor();
    expect(await create.locator('.error').innerText()).toContain('AUTHORIZATION_FAILED');
    await shot('02-forbidden');

    const sent: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/v1/topics') sent.push(r.headers().authorization);
    });
    await page.goto(`${server.url}/console/#key=${adminKey}`);
    await until(text('nav'), (t) => t.includes('admin'), 'the admin principal in the header');
    await page.getByText('No topics yet').waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(sent.at(-1)).toBe(`Bearer ${adminKey}`);
    expect(await page.evaluate(() => sessionStorage.getItem('samsa.console.apiKey'))).toBe(adminKey);
  });

  it('creates a topic', async () => {
    const form = page.getByRole('form', { name: 'Create topic' });
    await form.getByLabel('Topic name', { exact: true }).fill(topic);
    await form.getByLabel('Partitions', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Create topic' }).click();
    await page.waitForURL(`**/console/topics/${topic}`);
    const partitions = page.getByRole('table', { name: 'Partitions' });
    await until(() => partitions.locator('tbody tr').count(), (n) => n === 2, 'two partition rows');
  });

  it('produces a message and browses it as text, JSON and hex, with key, headers and timestamp', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const form = page.getByRole('form', { name: 'Produce a message' });
    await form.getByLabel('Partition', { exact: true }).selectOption('1');
    await form.getByLabel('Key', { exact: true }).fill('customer-7');
    await form.getByLabel('Value type', { exact: true }).selectOption('JSON');
    await form.getByLabel('Value', { exact: true }).fill('{"total":42,"items":["a","b"]}');
    await form.getByLabel('Headers', { exact: true }).fill('trace: abc-123\nsource=console');
    await form.getByRole('button', { name: 'Produce' }).click();
    await form.getByText('Produced to partition 1 at offset 0.').waitFor();

    // The browser jumps to the new record.
    const records = page.getByRole('table', { name: 'Records' });
    await records.waitFor();
    const row = records.locator('tbody tr').first();
    const rowText = await row.innerText();
    expect(rowText).toContain('customer-7');
    expect(rowText).toContain('{"total":42,"items":["a","b"]}');
    expect(rowText).toContain('trace: abc-123');
    expect(rowText).toContain('source: console');
    expect(rowText).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(rowText).toContain('JSON');

    await page.getByRole('radio', { name: 'JSON' }).click();
    expect(await row.locator('td').nth(3).innerText()).toContain('"total": 42,\n  "items": [');
    await shot('03-message-browser-json');

    await page.getByRole('radio', { name: 'Hex' }).click();
    const hex = await row.locator('td').nth(3).innerText();
    expect(hex).toContain('00000000  7b 22 74 6f 74 61 6c 22'); // {"total"
    expect(await row.locator('td').nth(2).innerText()).toContain('63 75 73 74 6f 6d 65 72'); // customer
    await shot('04-message-browser-hex');
    await page.getByRole('radio', { name: 'Text' }).click();

    // By timestamp, from another partition selection: the first record at or after `before`.
    const browser_ = page.getByRole('region', { name: 'Message browser' });
    await browser_.getByLabel('Partition', { exact: true }).selectOption('0');
    await browser_.getByLabel('From', { exact: true }).selectOption('timestamp');
    await browser_.getByLabel('Timestamp', { exact: true }).fill(before);
    await browser_.getByRole('button', { name: 'Browse' }).click();
    await browser_.getByText(/No record in partition 0 has a timestamp/).waitFor();
    await browser_.getByLabel('Partition', { exact: true }).selectOption('1');
    await browser_.getByRole('button', { name: 'Browse' }).click();
    await until(() => records.locator('tbody tr').first().innerText(), (t) => t.includes('customer-7'), 'the record found by timestamp');
  });

  it('tails a partition live: a record produced elsewhere appears, told by a notification', async () => {
    // Its own topic, so the record counts the next tests expect stay as they are.
    const liveTopic = `live-${randomUUID().slice(0, 8)}`;
    await samsa.topics.create({ name: liveTopic, partitions: 2 });
    await samsa.producer().send({ topic: liveTopic, partition: 1, value: 'first' });
    await page.goto(`${server.url}/console/topics/${liveTopic}`);
    const browser_ = page.getByRole('region', { name: 'Message browser' });
    const records = page.getByRole('table', { name: 'Records' });
    await browser_.getByLabel('Partition', { exact: true }).selectOption('1');
    await browser_.getByRole('button', { name: 'Browse' }).click();
    await until(() => records.innerText(), (t) => t.includes('first'), 'the first record');
    await browser_.getByLabel('Live').check();
    // Subscribed (the registry row exists) before producing, so the notification is the only prompt wake-up.
    const topicId = (await samsa.topics.describe(liveTopic)).topicId;
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    await until(
      () => stack.meta.ddb.send(new QueryCommand({ TableName: stack.meta.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `push#sub#${topicId}#1` } })),
      (out) => (out.Items ?? []).length > 0,
      'the live tail to subscribe',
    );
    const before = stack.sends();
    await samsa.producer().send({ topic: liveTopic, partition: 1, value: 'live-tail-record' });
    await until(() => records.innerText(), (t) => t.includes('live-tail-record'), 'the live record', 10_000);
    expect(stack.sends()).toBeGreaterThan(before);
    await shot('04b-message-browser-live');
    expect(await records.innerText()).toContain('first'); // appended, not replaced
    await browser_.getByLabel('Live').uncheck();
    await page.goto(`${server.url}/console/topics/${topic}`);
  });

  it('lists the topic with partitions, records and throughput from offset deltas', async () => {
    await page.locator('nav').getByRole('link', { name: 'Topics', exact: true }).click();
    const row = page.getByRole('table', { name: 'Topics' }).locator('tr', { hasText: topic });
    await until(() => row.innerText(), (t) => /\t2\t1\t/.test(t), 'the topic row with 2 partitions and 1 record');
    const producer = samsa.producer({ lingerMs: 5 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ topic, partition: i % 2, key: `k${i}`, value: `v${i}` })));
    await producer.close();
    const seen = await until(() => row.innerText(), (t) => /\t31\t/.test(t), 'the row after 30 more records');
    expect(seen).toMatch(/\d+(\.\d)?\/s$/);
    expect(seen).not.toMatch(/\t0\/s$/);
    await shot('05-topics');
  });

  it('shows a group with members and lag per partition, and lag falls to 0 as a consumer commits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const consumer = samsa.consumer({ groupId: group, topics: [topic], offsetReset: 'earliest', autoCommitIntervalMs: 200, maxWaitMs: 1000 });
    let consumed = 0;
    const running = consumer.run({
      eachMessage: async () => {
        await gate;
        consumed++;
      },
    });
    try {
      await page.locator('nav').getByRole('link', { name: 'Consumer groups' }).click();
      await page.getByRole('link', { name: group }).click();
      await page.waitForURL(`**/console/groups/${group}`);
      await until(lagShown, (n) => n === 31, 'total lag 31 before the consumer commits');
      const members = page.getByRole('table', { name: 'Members' });
      await until(() => members.innerText(), (t) => t.includes(`${topic} [0, 1]`), 'the member owning both partitions');
      const lagRows = page.getByRole('table', { name: 'Lag per partition' }).locator('tbody tr');
      expect(await lagRows.count()).toBe(2);
      await page.waitForTimeout(2500); // a few samples at 31 for the chart
      await shot('06-group-lag');

      release();
      await until(lagShown, (n) => n === 0, 'total lag 0 after the consumer committed', 25_000);
      expect(consumed).toBe(31);
      expect(await page.getByRole('img', { name: /Lag chart: total lag 0 now/ }).count()).toBe(1);
      // The chart's total line went down: its last point is lower than its first.
      const points = await page.locator('svg.chart polyline').last().getAttribute('points');
      const ys = points!.split(' ').map((p) => Number(p.split(',')[1]));
      expect(ys.at(-1)!).toBeGreaterThan(ys[0]!);
      const committed = await lagRows.allInnerTexts();
      expect(committed.some((t) => /\t1\t16\t/.test(t) || /\t0\t15\t/.test(t))).toBe(true);
      await page.waitForTimeout(2500);
      await shot('07-group-lag-zero');
    } finally {
      release();
      await consumer.close();
      await running;
    }
  });

  it('resets the group offsets and deletes the group after confirmation', async () => {
    await until(() => page.getByRole('button', { name: 'Delete group' }).isEnabled(), Boolean, 'no live members after the consumer left');
    const form = page.getByRole('form', { name: 'Reset offsets' });
    await form.getByLabel('To', { exact: true }).selectOption('earliest');
    await form.getByRole('button', { name: 'Reset offsets…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Commits the earliest offset for every partition of ${topic}.`).waitFor();
    await shot('08-reset-confirmation');
    await dialog.getByRole('button', { name: 'Reset offsets' }).click();
    await until(lagShown, (n) => n === 31, 'total lag back to 31 after the reset');

    await page.getByRole('button', { name: 'Delete group' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Delete group' }).click();
    await dialog.getByRole('button', { name: 'Delete group' }).click();
    await page.waitForURL('**/console/groups');
    await until(text('main'), (t) => !t.includes(group), 'the group gone from the list');
    expect((await samsa.groups.list()).some((g) => g.group === group)).toBe(false);
    expect(stack.pageErrors).toEqual([]);
  });

  it('works without a key against a stack with authentication off (npm start -- --no-auth)', async () => {
    const open = await startOtherServer(distDir, { ...DEFAULT_AUTH, mode: 'none' });
    const fresh = await stack.browser.newPage();
    try {
      await fresh.goto(`${open.url}/`);
      await fresh.waitForURL('**/console/');
      await fresh.getByText('No topics yet').waitFor();
      expect(await fresh.locator('nav').innerText()).toContain('anonymous');
      expect(await fresh.getByText('This API requires an API key').count()).toBe(0);
    } finally {
      await fresh.close();
      await open.close();
    }
  });
});
