/**
 * Reading and writing `HandTrack` files (`egobridge.handtrack` v2, JSON; v1 files load too).
 *
 * Both directions validate against HandTrackSchema, so a file on disk is always a valid track.
 * Writing goes through the schema's parse: its output has the schema's key order whatever the
 * order of the input object, so equal tracks give byte-identical files — written whole
 * (`writeHandTrack`) or frame by frame (`writeHandTrackFrames`, for a long video's track, which is
 * never all held).
 */
import { createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { tmpSuffix, writeError, writeJsonAtomic } from "../core/atomic.js";
import { InputError } from "../core/errors.js";
import { parseContract, readContract } from "../core/io.js";
import {
  type HandFrame,
  HandFrameSchema,
  type HandTrack,
  HandTrackSchema,
  type ObjectTrack,
  ObjectTrackSchema,
} from "../core/schemas/hand_track.js";

/** Reads and validates a hand track; InputError names the file and each bad field. */
export const readHandTrack = (file: string): Promise<HandTrack> =>
  readContract(HandTrackSchema, file, "hand track");

/** Validates `track` and writes it atomically (a reader never sees a half-written file). */
export async function writeHandTrack(file: string, track: HandTrack): Promise<void> {
  const valid = parseContract(HandTrackSchema, track, `hand track to write to ${file}`);
  // Compact: a long video's track pretty-printed is twice the size (nested keypoint arrays).
  await writeJsonAtomic(file, valid, { compact: true });
}

/** Stands for the frames in the serialised header (a string JSON.stringify escapes as no frame can be). */
const FRAMES_SENTINEL = "\u0000frames\u0000";

/**
 * Writes a track whose frames come one at a time, atomically: the same bytes as `writeHandTrack`
 * of the whole track, with only one frame held. Every frame is validated as it comes (times
 * increasing strictly, a pose on every frame exactly when the header has a cameraTrajectory); a
 * bad frame or a failure of `frames` leaves nothing at `file`. Returns the number of frames.
 */
export async function writeHandTrackFrames(
  file: string,
  header: Omit<HandTrack, "frames">,
  frames: AsyncIterable<HandFrame>,
): Promise<number> {
  const what = `hand track to write to ${file}`;
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true }).catch((err: unknown) => {
    throw writeError(file, err);
  });
  const tmp = file + tmpSuffix();
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.on("error", (err) => reject(writeError(file, err))));
  failed.catch(() => {});
  const write = async (text: string) => {
    if (!out.write(text))
      await Promise.race([new Promise<void>((r) => out.once("drain", () => r())), failed]);
  };
  let n = 0;
  try {
    let lastT = Number.NEGATIVE_INFINITY;
    let suffix = "";
    let objects: ObjectTrack[] = [];
    for await (const frame of frames) {
      if (n === 0) {
        // The header is validated with its first frame (the schema wants one) and its objects on
        // their own (their poses are counted at the end), and serialised around the frames.
        const valid = parseContract(HandTrackSchema, { ...header, frames: [frame], objects: [] }, what);
        objects = parseContract(z.array(ObjectTrackSchema), header.objects ?? [], `${what}: objects`);
        const [prefix, rest] = JSON.stringify({ ...valid, frames: FRAMES_SENTINEL, objects }).split(
          JSON.stringify(FRAMES_SENTINEL),
        ) as [string, string];
        suffix = `]${rest}\n`;
        await write(`${prefix}[${JSON.stringify(valid.frames[0])}`);
      } else {
        const valid = parseContract(HandFrameSchema, frame, `${what}, frame ${n}`);
        if (!(valid.t > lastT))
          throw new InputError(`invalid ${what}: frame ${n}: frame times must increase strictly`);
        if ((valid.X_WC !== undefined) !== (header.cameraTrajectory !== undefined))
          throw new InputError(
            `invalid ${what}: frame ${n} ${valid.X_WC ? "has an X_WC but the track has no cameraTrajectory" : "has no X_WC but the track has a cameraTrajectory"}`,
          );
        await write(`,${JSON.stringify(valid)}`);
      }
      lastT = frame.t;
      n++;
    }
    if (n === 0) throw new InputError(`invalid ${what}: a hand track needs at least one frame`);
    for (const [k, obj] of objects.entries())
      if (obj.poses.length !== n)
        throw new InputError(
          `invalid ${what}: objects.${k}.poses: has ${obj.poses.length} poses for ${n} frames`,
        );
    await write(suffix);
    try {
      await new Promise<void>((resolve, reject) =>
        out.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
      const handle = await fs.open(tmp, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } catch (err) {
      throw writeError(file, err);
    }
    return n;
  } catch (err) {
    // A failure of the frames' own source (perception, say) is passed on as it is.
    out.destroy();
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}
