/**
 * Memory for buffered files, shared by the layers read at once. Catalogers read whole files
 * (package databases, archives, executables) up to 48 MiB; with three layers in flight that could
 * be three such files at a time, and large buffers freed by one layer are only returned to the
 * system when the garbage collector gets to them. Files above {@link LARGE_FILE} therefore get
 * their buffer from one process-wide arena of {@link LARGE_FILE_BUDGET} bytes (allocated on first
 * use, then reused): at most 48 MiB of large files are buffered at any moment, and their memory
 * does not depend on GC timing. Small files (the vast majority) are allocated normally.
 *
 * Waiting is first come, first served. A holder never waits for a second allocation (a layer
 * buffers one file at a time and releases it before the next), so waits cannot deadlock.
 */
export interface ArenaBuffer {
  readonly buffer: Buffer;
  release(): void;
}

interface Block {
  start: number;
  size: number;
}

export class BufferBudget {
  private arena: Buffer | undefined;
  /** Allocated blocks, sorted by start. */
  private readonly blocks: Block[] = [];
  private readonly queue: { size: number; grant: (b: ArenaBuffer) => void }[] = [];

  constructor(readonly total: number) {}

  /** A buffer of `size` bytes (at most the total) from the arena: now, or a promise when it is full. */
  acquire(size: number): ArenaBuffer | Promise<ArenaBuffer> {
    if (size > this.total) throw new RangeError(`${size} bytes is more than the ${this.total} of the buffer arena`);
    if (this.queue.length === 0) {
      const got = this.allocate(size);
      if (got) return got;
    }
    return new Promise<ArenaBuffer>((resolve) => {
      this.queue.push({ size, grant: resolve });
    });
  }

  private allocate(size: number): ArenaBuffer | undefined {
    // First fit between the sorted blocks.
    let at = 0;
    let index = 0;
    for (; index < this.blocks.length; index++) {
      const b = this.blocks[index] as Block;
      if (b.start - at >= size) break;
      at = b.start + b.size;
    }
    if (at + size > this.total) return undefined;
    this.arena ??= Buffer.allocUnsafeSlow(this.total);
    const block: Block = { start: at, size };
    this.blocks.splice(index, 0, block);
    let released = false;
    return {
      buffer: this.arena.subarray(at, at + size),
      release: () => {
        if (released) return;
        released = true;
        this.blocks.splice(this.blocks.indexOf(block), 1);
        this.drain();
      },
    };
  }

  private drain(): void {
    while (this.queue.length) {
      const next = this.queue[0] as { size: number; grant: (b: ArenaBuffer) => void };
      const got = this.allocate(next.size);
      if (!got) break;
      this.queue.shift();
      next.grant(got);
    }
  }

  /** Bytes allocated now (for tests). */
  get inUse(): number {
    return this.blocks.reduce((n, b) => n + b.size, 0);
  }
}

/** Files up to this size are buffered without the arena. */
export const LARGE_FILE = 1024 * 1024;

/**
 * The most memory large buffered files may hold at once, across concurrent layer scans, and so
 * the largest file a cataloger reads. 48 MiB, not the 64 MiB the design allows: streaming three
 * layers already peaks near 130-145 MB (bench), and the SBOM must stay within 200 MB.
 */
export const LARGE_FILE_BUDGET = 48 * 1024 * 1024;

export const sharedBufferBudget = new BufferBudget(LARGE_FILE_BUDGET);
