/** How keys, values and headers are shown: text, JSON (pretty) or a hex dump of the stored bytes. */
import { asBytes, asText as sdkText, type Data } from '../../client';

export type ViewMode = 'text' | 'json' | 'hex';

/** The bytes the log stores for a key or value (JSON is stored as its JSON text). */
export function bytesOf(d: Data): Uint8Array {
  return asBytes(d)!;
}

/** STRING as is, JSON as JSON text, BINARY decoded as UTF-8. */
export function asText(d: Data): string {
  return sdkText(d)!;
}

/** Pretty JSON when the data is JSON (or text that parses as JSON); otherwise undefined. */
export function asPrettyJson(d: Data): string | undefined {
  if (d.type === 'JSON') return JSON.stringify(d.data, null, 2);
  try {
    return JSON.stringify(JSON.parse(asText(d)), null, 2);
  } catch {
    return undefined;
  }
}

/** `00000000  7b 22 61 22 3a 31 7d  |{"a":1}|`, 16 bytes a line. */
export function hexDump(bytes: Uint8Array, maxBytes = 4096): string {
  const lines: string[] = [];
  const shown = Math.min(bytes.length, maxBytes);
  for (let at = 0; at < shown; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, shown));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    // Pad the hex column only when there are lines to align.
    lines.push(`${at.toString(16).padStart(8, '0')}  ${shown > 16 ? hex.padEnd(47) : hex}  |${ascii}|`);
  }
  if (bytes.length > shown) lines.push(`… ${bytes.length - shown} more bytes`);
  return lines.join('\n');
}

/** `61 62 63 …` for short values such as header values. */
export function hexBytes(bytes: Uint8Array, maxBytes: number): string {
  const hex = Array.from(bytes.subarray(0, maxBytes), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > maxBytes ? `${hex} … (${bytes.length} bytes)` : hex;
}

export function render(d: Data, mode: ViewMode): { text: string; note?: string } {
  if (mode === 'hex') return { text: hexDump(bytesOf(d)) };
  if (mode === 'json') {
    const pretty = asPrettyJson(d);
    if (pretty !== undefined) return { text: pretty };
    return { text: asText(d), note: 'not JSON' };
  }
  return { text: asText(d) };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function rate(perSecond: number | undefined): string {
  if (perSecond === undefined) return '—';
  if (perSecond === 0) return '0/s';
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString('en-US')}/s`;
}

export function ago(isoTime: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(isoTime)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** `in 4 s` for a time ahead, `3 s ago` for one behind (a retry's next attempt may be either). */
export function fromNow(isoTime: string, now = Date.now()): string {
  const ms = Date.parse(isoTime) - now;
  if (ms <= 0) return ago(isoTime, now);
  const s = Math.round(ms / 1000);
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.floor(s / 60)} min`;
  return `in ${Math.floor(s / 3600)} h`;
}

/** `name: value` (or `name=value`) per line → produce headers. */
export function parseHeaders(input: string): { name: string; value: string }[] {
  return input
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.search(/[:=]/);
      if (at <= 0) throw new Error(`Header line '${line}' needs 'name: value'.`);
      return { name: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
    });
}
