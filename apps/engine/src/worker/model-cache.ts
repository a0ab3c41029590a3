/**
 * Loaded models, kept between jobs (loading reads and hashes the weights and does a dry run).
 * A small LRU: at most `capacity` models stay loaded; the least recently used idle one is evicted
 * and its tensors disposed. A model in use by a running job is never disposed under it — it is
 * evicted once released. Failed loads are not cached.
 */
import type { VideoClassifier } from '../methods/types.ts';

export interface ModelLease {
  model: VideoClassifier;
  /** Hand the model back; call once per lease (later calls do nothing). */
  release(): void;
}

interface Entry {
  pending: Promise<VideoClassifier>;
  refs: number;
}

export const DEFAULT_MODEL_CACHE_SIZE = 2;

export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  constructor(readonly capacity: number = DEFAULT_MODEL_CACHE_SIZE) {
    if (!(capacity >= 1)) throw new Error(`ModelCache capacity must be ≥ 1, got ${capacity}`);
  }

  /** Keys of the loaded (or loading) models, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  async acquire(key: string, load: () => Promise<VideoClassifier>): Promise<ModelLease> {
    let entry = this.entries.get(key);
    if (entry) {
      // Most recently used goes last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      const created: Entry = { pending: load(), refs: 0 };
      entry = created;
      this.entries.set(key, created);
      created.pending.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    entry.refs++;
    this.evictIdle();
    const held = entry;
    let model: VideoClassifier;
    try {
      model = await held.pending;
    } catch (err) {
      held.refs--;
      throw err;
    }
    let released = false;
    return {
      model,
      release: () => {
        if (released) return;
        released = true;
        held.refs--;
        // An entry evicted while in use (no longer in the map) is disposed by its last user.
        if (held.refs === 0 && ![...this.entries.values()].includes(held)) disposeEntry(held);
        this.evictIdle();
      },
    };
  }

  /** Drops one model (e.g. its files changed); disposed now if idle, else when released. */
  forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.refs === 0) disposeEntry(entry);
  }

  /** Disposes every model (shutdown, tests). */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => disposeEntry(e)));
  }

  private evictIdle(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) return;
      if (entry.refs > 0) continue;
      this.entries.delete(key);
      disposeEntry(entry);
    }
  }
}

function disposeEntry(entry: Entry): Promise<void> {
  return entry.pending.then((m) => m.dispose()).catch(() => {});
}
