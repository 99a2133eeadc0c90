/**
 * Deterministic record generators: JSON-ish event strings of an exact byte
 * size (unique ids, random filler — close to incompressible), and typical
 * JSON order documents (~200–300 B: realistic field-name redundancy, unique
 * values) for the compression scenario.
 */
import type { TypedRecord } from '../lib/log/batch-item';
import { TYPE_IDS } from '../lib/protocol/records';

/** mulberry32: a tiny seeded PRNG, so every run produces the same data shapes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomText(random: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return s;
}

/** An ASCII JSON-ish event of exactly `bytes` bytes whose text contains `id` (unique per record). */
export function eventValue(bytes: number, id: string, random: () => number): string {
  const head = `{"id":"${id}","type":"page_view","user":"u${Math.floor(random() * 1e6)}","ts":${1_700_000_000_000 + Math.floor(random() * 1e9)},"pad":"`;
  const tail = '"}';
  const fill = bytes - head.length - tail.length;
  if (fill < 0) throw new Error(`eventValue: ${bytes} bytes is too small for id ${id}`);
  return head + randomText(random, fill) + tail;
}

/** Wire records of one produce request: STRING values of `valueBytes` bytes, no key. */
export function eventBatch(count: number, valueBytes: number, idPrefix: string, random: () => number) {
  return Array.from({ length: count }, (_, i) => ({
    value: { type: 'STRING' as const, data: eventValue(valueBytes, `${idPrefix}-${i}`, random) },
  }));
}

/** The same records as the engine stores them, for raw puts of identical batch bytes. */
export function toTypedRecords(wire: { value: { data: string } }[], timestamp: number): TypedRecord[] {
  const utf8 = new TextEncoder();
  return wire.map((w) => ({
    timestamp,
    key: null,
    value: utf8.encode(w.value.data),
    headers: [],
    keyType: 0,
    valueType: TYPE_IDS.STRING,
  }));
}

const FIRST = ['Ana', 'Ben', 'Chloé', 'David', 'Emma', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena'];
const LAST = ['Silva', 'Meyer', 'Dubois', 'Rossi', 'Novak', 'Kowalski', 'Tanaka', 'Okafor', 'García', 'Nielsen'];
const PRODUCTS = [
  { sku: 'TSHIRT-BLK-M', name: 'T-shirt black M', price: 19.9 },
  { sku: 'TSHIRT-WHT-L', name: 'T-shirt white L', price: 19.9 },
  { sku: 'MUG-LOGO', name: 'Logo mug', price: 9.5 },
  { sku: 'HOODIE-GRY-S', name: 'Hoodie grey S', price: 49 },
  { sku: 'CAP-NAVY', name: 'Cap navy', price: 15 },
  { sku: 'SOCKS-3PK', name: 'Socks 3-pack', price: 12.5 },
  { sku: 'BOTTLE-750', name: 'Steel bottle 750 ml', price: 24 },
];
const STATUSES = ['created', 'paid', 'paid', 'paid', 'shipped'];
const CITIES = ['Lisbon', 'Berlin', 'Lyon', 'Milan', 'Prague', 'Warsaw', 'Osaka', 'Lagos', 'Madrid', 'Aarhus'];

/** A typical e-commerce order event (~200–300 B of JSON), unique ids and amounts. */
export function orderRecord(i: number, random: () => number): { key: string; value: Record<string, unknown> } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const first = pick(FIRST);
  const last = pick(LAST);
  const customerId = `C${100000 + Math.floor(random() * 900000)}`;
  const lines = 1 + Math.floor(random() * 2);
  const items = Array.from({ length: lines }, () => {
    const p = pick(PRODUCTS);
    return { sku: p.sku, qty: 1 + Math.floor(random() * 3), price: p.price };
  });
  const total = Math.round(items.reduce((s, it) => s + it.qty * it.price, 0) * 100) / 100;
  const created = new Date(1_735_689_600_000 + i * 1_000 + Math.floor(random() * 1_000)).toISOString();
  return {
    key: customerId,
    value: {
      orderId: `ord-${(0x100000 + i).toString(16)}-${randomText(random, 6)}`,
      customer: { id: customerId, name: `${first} ${last}`, city: pick(CITIES) },
      items,
      currency: 'EUR',
      total,
      status: pick(STATUSES),
      createdAt: created,
    },
  };
}

/** Wire records of one produce request of `count` orders (STRING key, JSON value). */
export function orderBatch(first: number, count: number, random: () => number) {
  return Array.from({ length: count }, (_, j) => {
    const o = orderRecord(first + j, random);
    return { key: { type: 'STRING' as const, data: o.key }, value: { type: 'JSON' as const, data: o.value } };
  });
}

const WORDS = [
  'customer', 'asked', 'for', 'gift', 'wrap', 'and', 'express', 'delivery', 'to', 'the', 'office', 'address', 'please',
  'call', 'before', 'arrival', 'leave', 'parcel', 'with', 'neighbour', 'if', 'nobody', 'answers', 'door', 'code', 'is',
  'on', 'file', 'order', 'placed', 'via', 'mobile', 'app', 'promo', 'applied', 'returning', 'loyalty', 'member', 'since',
];
const EVENT_TYPES = ['order_created', 'order_paid', 'order_shipped', 'cart_updated', 'page_view'];

/**
 * A JSON event document whose `JSON.stringify` is exactly `bytes` bytes
 * (≥ 100): id, type, timestamp, customer, order lines while they fit, and a
 * free-text note of common words to fill. Field names repeat and values are
 * unique, so it compresses like typical event JSON (the ratio is measured and
 * reported by every run).
 */
export function jsonDoc(bytes: number, i: number, random: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const len = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
  const doc: Record<string, unknown> = {
    id: `e${i.toString(36)}-${randomText(random, 5)}`,
    type: pick(EVENT_TYPES),
    ts: 1_735_689_600_000 + i * 1_000 + Math.floor(random() * 1_000),
    user: `C${100000 + Math.floor(random() * 900000)}`,
  };
  if (bytes >= 300) {
    doc.customer = { name: `${pick(FIRST)} ${pick(LAST)}`, city: pick(CITIES), tier: pick(['bronze', 'silver', 'gold']) };
    const lines: Record<string, unknown>[] = [];
    // Size of the document with `"lines":[…]` and an empty note, kept incrementally.
    let size = len({ ...doc, lines: [], note: '' });
    for (let n = 1; ; n++) {
      const p = pick(PRODUCTS);
      const line = {
        n,
        ref: randomText(random, 10),
        sku: p.sku,
        name: p.name,
        qty: 1 + Math.floor(random() * 4),
        price: Math.round(p.price * (80 + random() * 40)) / 100,
        stock: Math.floor(random() * 5000),
      };
      const grow = len(line) + (lines.length > 0 ? 1 : 0);
      if (size + grow > bytes - 40) break;
      lines.push(line);
      size += grow;
    }
    doc.lines = lines;
  }
  // Fill the note with words, then random characters, to the exact size (escapes never occur: ASCII only).
  const base = len({ ...doc, note: '' });
  if (base > bytes) throw new Error(`jsonDoc: ${bytes} bytes is too small`);
  let room = bytes - base;
  let note = '';
  for (;;) {
    const word = pick(WORDS);
    const add = note === '' ? word.length : word.length + 1;
    if (add > room) break;
    note += note === '' ? word : ` ${word}`;
    room -= add;
  }
  doc.note = note + randomText(random, room);
  return doc;
}

/** Wire records of one produce request: `count` JSON values of exactly `bytes` bytes each, no key. */
export function jsonBatch(count: number, bytes: number, first: number, random: () => number) {
  return Array.from({ length: count }, (_, j) => ({ value: { type: 'JSON' as const, data: jsonDoc(bytes, first + j, random) } }));
}

/** The same JSON records as the engine stores them (value = UTF-8 of the JSON text). */
export function toTypedJsonRecords(wire: { value: { data: unknown } }[], timestamp: number): TypedRecord[] {
  const utf8 = new TextEncoder();
  return wire.map((w) => ({
    timestamp,
    key: null,
    value: utf8.encode(JSON.stringify(w.value.data)),
    headers: [],
    keyType: 0,
    valueType: TYPE_IDS.JSON,
  }));
}
