/**
 * A batch job's device lane keeps the models loaded from one video to the next: the tracks must be
 * exactly those of a fresh load per video (tracking state and stats reset in between), and the
 * models are loaded once per set of options.
 */
import { describe, expect, it } from "vitest";
import { extractHandTrack } from "../../src/perception/extract.js";
import { TrackerCache } from "../../src/perception/tracker_cache.js";
import { asset, EGODEX_CUP, WEBCAM_RIGHT_HAND } from "./assets.js";

describe("TrackerCache", () => {
  it("reuses loaded models across videos and gives the tracks a fresh load gives", async () => {
    const egodex = await asset(EGODEX_CUP);
    const webcam = await asset(WEBCAM_RIGHT_HAND);
    const clips = [
      { file: egodex, range: { start: 0, end: 24 }, mirrored: false },
      { file: webcam, range: { start: 0, end: 24 }, mirrored: false },
      // Back to the first clip: a tracker that kept the webcam's hands would start differently.
      { file: egodex, range: { start: 0, end: 24 }, mirrored: false },
      { file: webcam, range: { start: 0, end: 12 }, mirrored: true },
    ];
    const cache = new TrackerCache();
    try {
      for (const c of clips) {
        const fresh = await extractHandTrack(c.file, { range: c.range, mirrored: c.mirrored });
        const cached = await extractHandTrack(c.file, {
          range: c.range,
          mirrored: c.mirrored,
          trackers: cache,
        });
        expect(cached.track).toEqual(fresh.track);
        expect(cached.stats.tracker.frames).toBe(fresh.stats.tracker.frames);
        expect(cached.stats.tracker.detectorRuns).toBe(fresh.stats.tracker.detectorRuns);
        expect(cached.stats.framesWithHands).toBeGreaterThan(0);
      }
      // One load for the non-mirrored clips, one for the mirrored one.
      expect(cache.loaded).toBe(2);
    } finally {
      await cache.dispose();
    }
  });
});
