/**
 * Which data file each episode goes to. LeRobot v3.0 (`_save_episode_data`) appends whole
 * episodes to the latest file and starts a new one when the file plus the next episode would
 * reach `data_files_size_in_mb`; an episode never spans two files, so one larger than the limit
 * gets a file of its own. File numbers run 0 … chunks_size − 1 within a chunk folder, then the
 * next chunk starts at file 0 (`update_chunk_file_indices`).
 */
import type { FileSlot } from "./layout.js";

const BYTES_PER_MB = 1024 * 1024;

/** The slot after `slot`: next file, or the first file of the next chunk. */
export function nextSlot(slot: FileSlot, chunksSize: number): FileSlot {
  return slot.fileIndex === chunksSize - 1
    ? { chunkIndex: slot.chunkIndex + 1, fileIndex: 0 }
    : { chunkIndex: slot.chunkIndex, fileIndex: slot.fileIndex + 1 };
}

/**
 * Assigns each episode (given by its size in bytes, in episode order) a file slot.
 * Returns one slot per episode; consecutive episodes share a slot until the file is full.
 */
export function planFiles(episodeBytes: readonly number[], limitMb: number, chunksSize: number): FileSlot[] {
  if (!(limitMb > 0)) throw new Error(`file size limit must be > 0 MB, got ${limitMb}`);
  if (!Number.isInteger(chunksSize) || chunksSize < 1) {
    throw new Error(`chunks_size must be a positive integer, got ${chunksSize}`);
  }
  const limitBytes = limitMb * BYTES_PER_MB;
  const slots: FileSlot[] = [];
  let slot: FileSlot = { chunkIndex: 0, fileIndex: 0 };
  let used = 0;
  for (const bytes of episodeBytes) {
    if (used > 0 && used + bytes >= limitBytes) {
      slot = nextSlot(slot, chunksSize);
      used = 0;
    }
    slots.push(slot);
    used += bytes;
  }
  return slots;
}

/** Groups consecutive episode indices that share a slot: one group per file, in order. */
export function groupBySlot(slots: readonly FileSlot[]): { slot: FileSlot; episodes: number[] }[] {
  const groups: { slot: FileSlot; episodes: number[] }[] = [];
  slots.forEach((slot, i) => {
    const last = groups.at(-1);
    if (last && last.slot.chunkIndex === slot.chunkIndex && last.slot.fileIndex === slot.fileIndex) {
      last.episodes.push(i);
    } else {
      groups.push({ slot, episodes: [i] });
    }
  });
  return groups;
}
