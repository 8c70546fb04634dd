// CPython's socketserver reads class attributes (allow_reuse_address, timeout, ...) while the
// base constructor binds. A TypeScript subclass's instance fields are set only after super()
// returns, so pynet keeps these attributes as static members, read through `this.constructor`
// (a subclass writes `static override allowReuseAddress = true`), with an instance accessor in
// front that a program may also assign per instance (`server.timeout = 0.5`), as in Python.

/** Per-instance assignments that shadow the class attributes, as Python's instance dict does. */
const assigned = new WeakMap<object, Map<string, unknown>>();

/** The value of static member `name` of `obj`'s class (inherited statics included). */
export function classAttribute<T>(obj: object, name: string): T {
  return (obj.constructor as unknown as Record<string, T>)[name]!;
}

/** `obj`'s own assignment of `name`, or its class attribute. */
export function getAttribute<T>(obj: object, name: string): T {
  const own = assigned.get(obj);
  return own?.has(name) ? own.get(name) as T : classAttribute<T>(obj, name);
}

/** Assigns `name` on `obj` alone. */
export function setAttribute(obj: object, name: string, value: unknown): void {
  let own = assigned.get(obj);
  if (!own) assigned.set(obj, own = new Map());
  own.set(name, value);
}
