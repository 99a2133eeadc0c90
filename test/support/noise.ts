/** Incompressible bytes (a seeded xorshift stream) as base64: payloads that compression cannot shrink. */
export function incompressibleBase64(bytes: number, seed: number): string {
  const out = Buffer.alloc(bytes);
  let x = (seed + 1) * 2654435761;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out.toString('base64');
}
