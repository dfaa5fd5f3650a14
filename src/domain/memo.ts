/**
 * A bounded memo for pure functions of small keys (code-list membership, product resolution): the same drug codes
 * and diagnosis codes recur across patients and requests. When full, the oldest entries go first, so hostile input
 * cannot grow it without limit. Results must be immutable: they are shared.
 */
/**
 * Longest key the memos and caches remember: codes, code systems, units and product keys are short; a hostile
 * record's megabyte strings are computed each time instead of being kept for the life of the process.
 */
export const MAX_REMEMBERED_KEY = 4_096;

export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string, compute: () => V): V {
    if (key.length > MAX_REMEMBERED_KEY) return compute();
    const found = this.entries.get(key);
    if (found !== undefined || this.entries.has(key)) return found as V;
    const value = compute();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
    return value;
  }
}
