/**
 * Memory for buffered files, shared by the layers read at once. Catalogers read whole files
 * (package databases, archives, executables) up to 64 MiB; with three layers in flight that could
 * be three such files at a time. Files above {@link LARGE_FILE} reserve their size from one
 * process-wide budget of {@link LARGE_FILE_BUDGET} first, so at most 64 MiB of large files are
 * buffered at any moment; small files (the vast majority) skip the budget.
 *
 * Waiting is first come, first served. A holder never waits for a second reservation (a layer
 * buffers one file at a time and releases it before the next), so waits cannot deadlock.
 */
export class BufferBudget {
  private used = 0;
  private readonly queue: { bytes: number; grant: () => void }[] = [];

  constructor(readonly total: number) {}

  /** Reserves `bytes` (clamped to the total); undefined when granted at once, else a promise. */
  acquire(bytes: number): Promise<void> | undefined {
    const n = Math.min(bytes, this.total);
    if (this.queue.length === 0 && this.used + n <= this.total) {
      this.used += n;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.queue.push({ bytes: n, grant: resolve });
    });
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - Math.min(bytes, this.total));
    while (this.queue.length) {
      const next = this.queue[0] as { bytes: number; grant: () => void };
      if (this.used + next.bytes > this.total) break;
      this.queue.shift();
      this.used += next.bytes;
      next.grant();
    }
  }

  /** Bytes reserved now (for tests). */
  get inUse(): number {
    return this.used;
  }
}

/** Files up to this size are buffered without a reservation. */
export const LARGE_FILE = 1024 * 1024;

/** The most memory large buffered files may hold at once, across concurrent layer scans. */
export const LARGE_FILE_BUDGET = 64 * 1024 * 1024;

export const sharedBufferBudget = new BufferBudget(LARGE_FILE_BUDGET);
