// selectors' get_map(): a live, read-only view keyed by descriptor that also accepts the
// registered file objects themselves.
import { KeyError } from "../_core/errors.ts";
import type { SelectorKey } from "./_key.ts";
import type { FileLike } from "../select/mod.ts";

/** How the view finds a descriptor for a file object. */
export type Lookup = (fileobj: FileLike) => number;

/**
 * A live, read-only view of a selector's registrations (Python's `_SelectorMapping`): keyed by
 * descriptor, and looked up by descriptor or by the registered file object.
 */
export class SelectorMapping<T = unknown, F extends FileLike = FileLike>
  implements Iterable<number> {
  #keys: Map<number, SelectorKey<T, F>>;
  #lookup: Lookup;

  /**
   * Creates the view; selectors make it, callers get it from `getMap()`.
   *
   * @param keys The selector's own table.
   * @param lookup Its file object lookup.
   */
  constructor(keys: Map<number, SelectorKey<T, F>>, lookup: Lookup) {
    this.#keys = keys;
    this.#lookup = lookup;
  }

  /** How many objects are registered. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * The key of a descriptor or file object (Python's `mapping[fileobj]`).
   *
   * @throws {KeyError} When it is not registered.
   */
  getItem(fileobj: FileLike): SelectorKey<T, F> {
    // An invalid file object is CPython's ValueError; an unknown one its KeyError.
    const key = this.#keys.get(this.#lookup(fileobj));
    if (key) return key;
    throw new KeyError(`${String(fileobj)} is not registered`);
  }

  /** The key, or `undefined` when not registered. */
  get(fileobj: FileLike): SelectorKey<T, F> | undefined {
    try {
      return this.#keys.get(this.#lookup(fileobj));
    } catch {
      return undefined;
    }
  }

  /** Whether a descriptor or file object is registered (Python's `in`). */
  has(fileobj: FileLike): boolean {
    return this.get(fileobj) !== undefined;
  }

  /** The registered descriptors. */
  keys(): IterableIterator<number> {
    return this.#keys.keys();
  }

  /** The selector keys. */
  values(): IterableIterator<SelectorKey<T, F>> {
    return this.#keys.values();
  }

  /** `[fd, key]` pairs. */
  entries(): IterableIterator<[number, SelectorKey<T, F>]> {
    return this.#keys.entries();
  }

  /** Iterates over the registered descriptors, as Python's mapping does. */
  [Symbol.iterator](): IterableIterator<number> {
    return this.#keys.keys();
  }
}
