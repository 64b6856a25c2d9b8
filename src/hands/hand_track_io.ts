/**
 * Reading and writing `HandTrack` files (`egobridge.handtrack` v2, JSON; v1 files load too).
 *
 * Both directions validate against HandTrackSchema, so a file on disk is always a valid track.
 * Writing goes through the schema's parse: its output has the schema's key order whatever the
 * order of the input object, so equal tracks give byte-identical files.
 */
import { writeJsonAtomic } from "../core/atomic.js";
import { parseContract, readContract } from "../core/io.js";
import { type HandTrack, HandTrackSchema } from "../core/schemas/hand_track.js";

/** Reads and validates a hand track; InputError names the file and each bad field. */
export const readHandTrack = (file: string): Promise<HandTrack> =>
  readContract(HandTrackSchema, file, "hand track");

/** Validates `track` and writes it atomically (a reader never sees a half-written file). */
export async function writeHandTrack(file: string, track: HandTrack): Promise<void> {
  const valid = parseContract(HandTrackSchema, track, `hand track to write to ${file}`);
  // Compact: a long video's track pretty-printed is twice the size (nested keypoint arrays).
  await writeJsonAtomic(file, valid, { compact: true });
}
