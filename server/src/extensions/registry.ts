/**
 * A registry of one kind of extension (node types, channels, notification targets, SLA actions):
 * entries by key, each recording where it came from (the core, or a plugin). Built once when the
 * app is built and held by its services; plugins register into the same registries as the core,
 * and nothing on a server path reads a module-level list instead.
 */
export type EntrySource = 'core' | `plugin:${string}` | `test:${string}`;

export class Registry<T> {
  private readonly entries = new Map<string, { value: T; source: EntrySource }>();
  private changes = 0;

  constructor(readonly what: string) {}

  register(key: string, value: T, source: EntrySource): void {
    const existing = this.entries.get(key);
    if (existing && existing.source !== source)
      throw new Error(`${this.what} "${key}" is registered already (by ${existing.source}).`);
    this.entries.set(key, { value, source });
    this.changes++;
  }

  /** Removes an entry (a plugin disabled or uninstalled). */
  unregister(key: string): void {
    if (this.entries.delete(key)) this.changes++;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  sourceOf(key: string): EntrySource | undefined {
    return this.entries.get(key)?.source;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  /** Grows with every change: caches built from entries compare it to know when to rebuild. */
  get version(): number {
    return this.changes;
  }
}
