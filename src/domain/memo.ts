/**
 * A bounded memo for pure functions of small keys (code-list membership, product resolution): the same drug codes
 * and diagnosis codes recur across patients and requests. When full, the oldest entries go first, so hostile input
 * cannot grow it without limit. Results must be immutable: they are shared.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string, compute: () => V): V {
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
