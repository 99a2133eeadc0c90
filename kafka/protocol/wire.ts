/**
 * Byte-level reading and writing of Kafka's primitive types: big-endian
 * integers, unsigned varints (flexible versions), zig-zag varints and
 * varlongs (record batch v2). A Reader throws KafkaDecodeError on any read
 * past its end, so a truncated frame never yields garbage values.
 */

export class KafkaDecodeError extends Error {
  override name = 'KafkaDecodeError';
}

export class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): number {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new KafkaDecodeError(`need ${n} bytes at offset ${this.offset}, have ${this.buf.length - this.offset}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  /** Unsigned varint of at most 5 bytes (32 bits), as flexible versions use for lengths and tags. */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const b = this.buf[this.need(1)]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw new KafkaDecodeError('unsigned varint longer than 5 bytes');
  }

  /** Zig-zag varint (record fields): signed 32-bit. */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zig-zag varlong; exact up to 2^53 in magnitude, which covers every timestamp and offset delta. */
  varlong(): number {
    let raw = 0;
    for (let shift = 0; shift <= 63; shift += 7) {
      const b = this.buf[this.need(1)]!;
      raw += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    throw new KafkaDecodeError('varlong longer than 10 bytes');
  }
}

export class Writer {
  private chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafe(1024);
  private pos = 0;
  length = 0;

  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.allocUnsafe(Math.max(1024, n));
    this.pos = 0;
  }

  int8(v: number): this {
    this.room(1);
    this.cur.writeInt8(v, this.pos);
    return this.moved(1);
  }
  int16(v: number): this {
    this.room(2);
    this.cur.writeInt16BE(v, this.pos);
    return this.moved(2);
  }
  uint16(v: number): this {
    this.room(2);
    this.cur.writeUInt16BE(v, this.pos);
    return this.moved(2);
  }
  int32(v: number): this {
    this.room(4);
    this.cur.writeInt32BE(v, this.pos);
    return this.moved(4);
  }
  uint32(v: number): this {
    this.room(4);
    this.cur.writeUInt32BE(v >>> 0, this.pos);
    return this.moved(4);
  }
  int64(v: bigint): this {
    this.room(8);
    this.cur.writeBigInt64BE(v, this.pos);
    return this.moved(8);
  }
  float64(v: number): this {
    this.room(8);
    this.cur.writeDoubleBE(v, this.pos);
    return this.moved(8);
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.cur.set(b, this.pos);
    return this.moved(b.length);
  }

  uvarint(v: number): this {
    let rest = v;
    while (rest >= 0x80) {
      this.int8Raw((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    return this.int8Raw(rest);
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  varlong(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  private int8Raw(b: number): this {
    this.room(1);
    this.cur[this.pos] = b;
    return this.moved(1);
  }
  private moved(n: number): this {
    this.pos += n;
    this.length += n;
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat([...this.chunks, this.cur.subarray(0, this.pos)]);
  }
}

/** Byte length of `v` as an unsigned varint. */
export function uvarintSize(v: number): number {
  let size = 1;
  for (let rest = v; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}
