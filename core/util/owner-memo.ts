/**
 * Values computed once per (owner, key) and kept exactly as long as the owner object lives: a
 * bundle's or an analysis's derived arrays, without pinning them in memory after it is dropped.
 */
export class OwnerKeyedMemo<Owner extends object, Key, Value> {
  private readonly byOwner = new WeakMap<Owner, Map<Key, Value>>();

  /** The value for (owner, key), computing it with `compute` the first time. */
  get(owner: Owner, key: Key, compute: () => Value): Value {
    let values = this.byOwner.get(owner);
    if (!values) {
      values = new Map();
      this.byOwner.set(owner, values);
    }
    let value = values.get(key);
    if (value === undefined) {
      value = compute();
      values.set(key, value);
    }
    return value;
  }
}
