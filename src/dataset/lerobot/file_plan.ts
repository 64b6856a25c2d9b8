/**
 * Which file each episode goes to. LeRobot v3.0 (`_save_episode_data`) appends whole
 * episodes to the latest file and starts a new one when the file plus the next episode would
 * reach `data_files_size_in_mb`; an episode never spans two files, so one larger than the limit
 * gets a file of its own. File numbers run 0 … chunks_size − 1 within a chunk folder, then the
 * next chunk starts at file 0 (`update_chunk_file_indices`).
 *
 * The rule needs only the episodes seen so far, so a streaming writer decides as episodes come.
 */
import type { FileSlot } from "./layout.js";

const BYTES_PER_MB = 1024 * 1024;

/** The first file of the first chunk. */
export const FIRST_SLOT: Readonly<FileSlot> = Object.freeze({ chunkIndex: 0, fileIndex: 0 });

/** The slot after `slot`: next file, or the first file of the next chunk. */
export function nextSlot(slot: FileSlot, chunksSize: number): FileSlot {
  return slot.fileIndex === chunksSize - 1
    ? { chunkIndex: slot.chunkIndex + 1, fileIndex: 0 }
    : { chunkIndex: slot.chunkIndex, fileIndex: slot.fileIndex + 1 };
}

/** Decides file slots one episode at a time, in episode order. */
export class FileRoller {
  private slot: FileSlot = FIRST_SLOT;
  private used = 0;
  private readonly limitBytes: number;

  constructor(
    limitMb: number,
    private readonly chunksSize: number,
  ) {
    if (!(limitMb > 0)) throw new Error(`file size limit must be > 0 MB, got ${limitMb}`);
    if (!Number.isInteger(chunksSize) || chunksSize < 1) {
      throw new Error(`chunks_size must be a positive integer, got ${chunksSize}`);
    }
    this.limitBytes = limitMb * BYTES_PER_MB;
  }

  /** The slot of the next episode, of `bytes` bytes; `opensFile` when it starts a new file. */
  place(bytes: number): { slot: FileSlot; opensFile: boolean } {
    const opensFile = this.used > 0 && this.used + bytes >= this.limitBytes;
    if (opensFile) {
      this.slot = nextSlot(this.slot, this.chunksSize);
      this.used = 0;
    }
    this.used += bytes;
    return { slot: this.slot, opensFile };
  }
}
