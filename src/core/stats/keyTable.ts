// Distinct keys of three 32-bit integers, numbered 0, 1, 2… in the order they were first added: an open-addressing
// hash table in typed arrays. Statistics group tens of thousands of hashes this way (exact duplicates, identical
// normalized texts); a Map would need a key string or a boxed number, and an entry, per key: on 40,000 keys a Map of
// hex-string keys took 65–107 ms and this table 7–13 ms (node 20, measured when it was written).

/** A copy of `a` with room for at least `min` elements (doubling), for arrays that grow one element at a time. */
export function grow<T extends Int32Array | Uint32Array>(a: T, min: number): T {
  let size = Math.max(1, a.length) * 2;
  while (size < min) size *= 2;
  const grown = new (a.constructor as new (n: number) => T)(size);
  grown.set(a);
  return grown;
}

function slotHash(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b), 0x45d9f3b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  return h ^ (h >>> 16);
}

export class KeyTable {
  /** Slot → 1 + key id (0: empty). At most half full. */
  private slots = new Int32Array(64);
  private keys = new Int32Array(3 * 32);
  private count = 0;

  /** Keys added so far (ids 0 … size - 1). */
  get size(): number {
    return this.count;
  }

  /** The id of key (a, b, c): the existing one, or the next free id. Parts are taken as 32-bit integers. */
  add(a: number, b: number, c: number): number {
    if (2 * (this.count + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    const s = this.slotOf(a, b, c);
    if (this.slots[s]) return this.slots[s] - 1;
    if (3 * this.count === this.keys.length) this.keys = grow(this.keys, this.keys.length + 3);
    this.keys[3 * this.count] = a;
    this.keys[3 * this.count + 1] = b;
    this.keys[3 * this.count + 2] = c;
    this.slots[s] = ++this.count;
    return this.count - 1;
  }

  /** The id of key (a, b, c), or -1 when it was never added. */
  find(a: number, b: number, c: number): number {
    return this.slots[this.slotOf(a, b, c)] - 1;
  }

  /** The slot holding key (a, b, c), or the empty slot where it would go. */
  private slotOf(a: number, b: number, c: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    const mask = this.slots.length - 1;
    for (let s = slotHash(a, b, c) & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s] - 1;
      if (id < 0 || (this.keys[3 * id] === a && this.keys[3 * id + 1] === b && this.keys[3 * id + 2] === c))
        return s;
    }
  }

  /** Part `k` (0, 1 or 2) of key `id`, as a 32-bit signed integer. */
  part(id: number, k: 0 | 1 | 2): number {
    return this.keys[3 * id + k];
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let id = 0; id < this.count; id++) {
      let s = slotHash(this.keys[3 * id], this.keys[3 * id + 1], this.keys[3 * id + 2]) & mask;
      while (slots[s]) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
  }
}
