/**
 * The console's push-subscription pages end to end in headless Chromium
 * (test/console/harness.ts: the local stack with subscription delivery
 * driven by DynamoDB Local's stream, as `npm start` runs it, and a local
 * webhook receiver): a subscription to a receiver answering 500 is listed as
 * failing, its page shows the partition's attempts, next attempt and last
 * error; it is paused and resumed, delivered once the receiver answers 200,
 * and deleted through the confirmation dialog. Screenshots 09-12 go to
 * test-results/console/.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Samsa } from '../../client/index';
import { startConsoleStack, until, type ConsoleStack } from './harness';

let stack: ConsoleStack;
let samsa: Samsa;
let page: Page;

beforeAll(async () => {
  stack = await startConsoleStack();
  ({ samsa, page } = stack);
});

afterAll(() => stack?.close());

const shot = (name: string) => stack.shot(name);
const text = (selector: string) => () => page.locator(selector).innerText();

describe('push subscriptions in the console', { timeout: 60_000 }, () => {
  it('shows a push subscription failing with attempts and last error, pauses and resumes it, and deletes it after confirmation', async () => {
    const source = `sub-src-${randomUUID().slice(0, 6)}`;
    const dlq = `${source}-dlq`;
    const sub = `console-sub-${randomUUID().slice(0, 6)}`;
    await samsa.topics.create({ name: source, partitions: 2 });
    await samsa.topics.create({ name: dlq, partitions: 1 });
    stack.receiver.fallback = 500;
    // Many attempts, short backoff: it keeps failing (never dead-lettered) while the page is looked at.
    await samsa.subscriptions.create({ name: sub, topic: source, endpoint: stack.hookUrl, deadLetterTopic: dlq, retryBackoffMs: 300, maxAttempts: 20 });
    await samsa.producer().send({ topic: source, partition: 1, value: 'for-a-failing-receiver' });

    await page.goto(`${stack.server.url}/console/#key=${stack.adminKey}`);
    await page.locator('nav').getByRole('link', { name: 'Subscriptions' }).click();
    const row = page.getByRole('table', { name: 'Subscriptions' }).locator('tr', { hasText: sub });
    const listed = await until(() => row.innerText(), (t) => /1 failing/.test(t), 'the subscription listed as failing');
    expect(listed).toContain(source);
    expect(listed).toContain(stack.hookUrl);
    expect(listed).toContain('ACTIVE');
    expect(listed).toMatch(/\t1$/); // total lag
    await shot('09-subscriptions');

    await row.getByRole('link', { name: sub }).click();
    await page.waitForURL(`**/console/subscriptions/${sub}`);
    const rows = page.getByRole('table', { name: 'Delivery per partition' }).locator('tbody tr');
    const cells = (r: number) => rows.nth(r).locator('td').allInnerTexts();
    // Partition | Committed | High watermark | Lag | Attempts | Next attempt | Last error
    const failing = await until(() => cells(1), (c) => Number(c[4]) >= 2 && c[6] === 'HTTP 500', 'partition 1 failing with attempts and its last error');
    expect(failing.slice(0, 4)).toEqual(['1', '0', '1', '1']);
    expect(failing[5]).toMatch(/^\d{4}-\d\d-\d\dT.*\((in \d+ s|\d+ s ago)\)$/);
    expect((await cells(0))[4]).toBe('0'); // partition 0 has nothing to deliver
    expect(await page.getByTestId('total-lag').innerText()).toBe('1');
    const described = await samsa.subscriptions.describe(sub);
    expect(described.partitions[1]).toMatchObject({ lag: 1, lastError: 'HTTP 500' });
    await shot('10-subscription-failing');

    await page.getByRole('button', { name: 'Pause' }).click();
    await until(text('[data-testid=subscription-state]'), (t) => t === 'PAUSED', 'the state shown as PAUSED');
    expect((await samsa.subscriptions.describe(sub)).state).toBe('PAUSED');
    await shot('11-subscription-paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await until(text('[data-testid=subscription-state]'), (t) => t === 'ACTIVE', 'the state shown as ACTIVE');
    expect((await samsa.subscriptions.describe(sub)).state).toBe('ACTIVE');

    // The receiver recovers. A wake-up that came while paused ran nothing, so once the stored backoff
    // is over a produce starts the next run (docs/subscriptions.md); both records are then delivered.
    stack.receiver.fallback = 200;
    const next = Date.parse((await samsa.subscriptions.describe(sub)).partitions[1]?.nextAttemptAt ?? '0');
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    await samsa.producer().send({ topic: source, partition: 1, value: 'after-resume' });
    await until(() => cells(1), (c) => c[1] === '2' && c[3] === '0' && c[4] === '0' && c[6] === '—', 'partition 1 delivered and committed', 30_000);
    expect(stack.receiver.received.filter((r) => r.json.subscription === sub && r.json.records.some((x) => x.value?.data === 'after-resume'))).not.toEqual([]);

    await page.getByRole('button', { name: 'Delete subscription' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`subscription.${sub}`).waitFor();
    await shot('12-subscription-delete-confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Delete subscription' }).click();
    await dialog.getByRole('button', { name: 'Delete subscription' }).click();
    await page.waitForURL('**/console/subscriptions');
    await until(text('main'), (t) => !t.includes(sub), 'the subscription gone from the list');
    expect((await samsa.subscriptions.list()).some((s) => s.name === sub)).toBe(false);
    expect(stack.pageErrors).toEqual([]);
  });
});
