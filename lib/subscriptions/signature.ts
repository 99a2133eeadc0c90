/**
 * Webhook signatures, as Stripe signs: `samsa-signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${body}`). The timestamp is signed so a
 * receiver can refuse replays older than its tolerance (5 minutes in the docs).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function sign(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** The receiver's check (also used by the tests): a v1 signature matches and the timestamp is within `toleranceS` of now. */
export function verify(secret: string, body: string, header: string, nowSeconds: number, toleranceS = 300): boolean {
  const parts = new Map(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceS) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const got = Buffer.from(v1);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
