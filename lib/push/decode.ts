/** A registry item that does not decode is storage corruption or a bug: a 500 with the item kind, never a guess. */
export function decodeError(kind: string, item: Record<string, unknown>): Error {
  return new Error(`Malformed push ${kind} item ${String(item.pk)}/${String(item.sk)}.`);
}
