/**
 * Where to cut a zstd stream so that no piece can decode to more than a budget. A decoder that
 * cannot pause (fzstd) decodes a whole piece at once, and a few bytes of zstd may stand for
 * megabytes (a 128 KiB RLE block is 4 bytes): pieces sized by input, or by a ratio measured on
 * earlier bytes, let a hostile layer expand without bound between two checks of the reader.
 * This reads only the frame and block headers (RFC 8878 §3.1) and counts, for every block, the
 * most it can decode to: a raw or RLE block its Block_Size, a compressed one 128 KiB.
 * Anything it does not understand is left to the decoder, which rejects it.
 */
const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Block_Maximum_Size: no block decodes to more. */
export const MAX_BLOCK_OUTPUT = 128 * 1024;

type Phase = 'magic' | 'skippableSize' | 'frameHeader' | 'blockHeader' | 'opaque';

export class ZstdBlockSplitter {
  private phase: Phase = 'magic';
  /** Header bytes gathered so far (headers may straddle chunks). */
  private head: number[] = [];
  /** Bytes to pass over before the next header (block bodies, skippable frames, checksums). */
  private skip = 0;
  /** What the block being passed over is, to know what follows it. */
  private afterSkip: 'blockHeader' | 'magic' = 'magic';
  private checksumAfterLast = false;
  /** The most the bytes since the last cut may decode to (across chunks: a piece may span two). */
  private pending = 0;

  constructor(private readonly budget: number) {}

  /**
   * The offsets in `chunk` after which to hand what came before to the decoder; the rest of the
   * chunk goes after the last cut. Each piece completes blocks worth at most `budget` (or one
   * block, when a single block is worth more).
   */
  cuts(chunk: Uint8Array): number[] {
    const cuts: number[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.phase === 'opaque') break;
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.phase = this.afterSkip;
        continue;
      }
      this.head.push(chunk[i] as number);
      i++;
      this.onHeaderByte(i, cuts);
    }
    return cuts;
  }

  private onHeaderByte(offset: number, cuts: number[]): void {
    const h = this.head;
    switch (this.phase) {
      case 'magic': {
        if (h.length < 4) return;
        const magic = ((h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16) | ((h[3] as number) << 24)) >>> 0;
        this.head = [];
        if (magic === ZSTD_MAGIC) this.phase = 'frameHeader';
        else if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) this.phase = 'skippableSize';
        else this.phase = 'opaque';
        return;
      }
      case 'skippableSize': {
        if (h.length < 4) return;
        this.skip = ((h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16) | ((h[3] as number) << 24)) >>> 0;
        this.head = [];
        this.afterSkip = 'magic';
        this.phase = 'magic';
        return;
      }
      case 'frameHeader': {
        const fhd = h[0] as number;
        const singleSegment = (fhd >> 5) & 1;
        const fcsFlag = fhd >> 6;
        const dictBytes = [0, 1, 2, 4][fhd & 3] as number;
        const fcsBytes = fcsFlag === 0 ? singleSegment : ([0, 2, 4, 8][fcsFlag] as number);
        if (h.length < 1 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes) return;
        this.checksumAfterLast = ((fhd >> 2) & 1) === 1;
        this.head = [];
        this.phase = 'blockHeader';
        return;
      }
      case 'blockHeader': {
        if (h.length < 3) return;
        const header = (h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16);
        this.head = [];
        const last = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) {
          this.phase = 'opaque';
          return;
        }
        const out = type === 2 ? MAX_BLOCK_OUTPUT : size;
        // Cut before this block completes if it would take the piece over its budget.
        if (this.pending > 0 && this.pending + out > this.budget) {
          cuts.push(offset);
          this.pending = 0;
        }
        this.pending += out;
        this.skip = (type === 1 ? 1 : size) + (last && this.checksumAfterLast ? 4 : 0);
        this.afterSkip = last ? 'magic' : 'blockHeader';
        if (this.skip === 0) this.phase = this.afterSkip;
        return;
      }
      default:
        return;
    }
  }

}
