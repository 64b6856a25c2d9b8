/** The DOM-free parts of the preview app: episode rows and filters, the list window, the plotted series. */
import { describe, expect, it } from "vitest";
import type { Episode } from "../../src/core/schemas/episode.js";
import { filterRows, NO_FILTER, toEpisodeRow, variantsBySource } from "../../src/web/data/episode_rows.js";
import { episodeSeries, stepAt } from "../../src/web/player/series.js";
import { visibleRange } from "../../src/web/ui/virtual_window.js";

const raw = (i: number, extra: Record<string, unknown> = {}) => ({
  episode_index: BigInt(i),
  tasks: ["pick"],
  length: BigInt(300),
  success: i % 3 !== 0,
  reasons: i % 3 ? "grasped,lifted" : "never_grasped",
  episode_id: i === 0 ? "src" : `src~v${i - 1}`,
  "lineage/source": "procedural:pick_to_tote:shelf_to_tote",
  "lineage/source_episode": i === 0 ? "" : "src",
  "lineage/variant": BigInt(i === 0 ? -1 : i - 1),
  embodiment: i % 2 ? "robotiq_2f85" : "robotiq_2f140",
  ...extra,
});

describe("episode rows", () => {
  it("reads egobridge's columns (int64 as bigint) and tolerates their absence", () => {
    const r = toEpisodeRow(raw(2));
    expect(r).toEqual({
      index: 2,
      id: "src~v1",
      task: "pick",
      length: 300,
      success: true,
      reasons: ["grasped", "lifted"],
      source: "procedural:pick_to_tote:shelf_to_tote",
      sourceEpisode: "src",
      variant: 1,
      embodiment: "robotiq_2f140",
      videos: {},
    });
    // Camera streams: where the episode is in each stream's files, by feature key.
    const withVideos = toEpisodeRow({
      ...raw(2),
      "videos/observation.images.head/chunk_index": 0n,
      "videos/observation.images.head/file_index": 3n,
      "videos/observation.images.head/from_timestamp": 12.5,
      "videos/observation.images.head/to_timestamp": 20,
      // Incomplete: left out.
      "videos/observation.images.wrist/chunk_index": 0n,
    });
    expect(withVideos.videos).toEqual({
      "observation.images.head": { chunkIndex: 0, fileIndex: 3, fromS: 12.5 },
    });
    // A LeRobot dataset egobridge did not write: only LeRobot's columns.
    expect(toEpisodeRow({ episode_index: 7n, tasks: ["t"], length: 5n })).toMatchObject({
      index: 7,
      id: "episode_7",
      success: null,
      variant: null,
      reasons: [],
    });
  });

  it("filters by outcome, kind, gripper and text", () => {
    const rows = Array.from({ length: 10 }, (_, i) => toEpisodeRow(raw(i)));
    expect(filterRows(rows, NO_FILTER)).toHaveLength(10);
    expect(filterRows(rows, { ...NO_FILTER, success: "failure" }).map((r) => r.index)).toEqual([0, 3, 6, 9]);
    expect(filterRows(rows, { ...NO_FILTER, kind: "source" }).map((r) => r.index)).toEqual([0]);
    expect(filterRows(rows, { ...NO_FILTER, kind: "variant", embodiment: "robotiq_2f85" })).toHaveLength(5);
    expect(filterRows(rows, { ...NO_FILTER, text: "NEVER" }).map((r) => r.index)).toEqual([0, 3, 6, 9]);
    expect(variantsBySource(rows).get("src")).toHaveLength(9);
  });
});

describe("visibleRange", () => {
  it("keeps a window of rows around the viewport, whatever the list length", () => {
    expect(visibleRange(0, 340, 34, 100_000, 0)).toEqual({ start: 0, end: 10 });
    expect(visibleRange(34 * 5000, 340, 34, 100_000, 8)).toEqual({ start: 4992, end: 5018 });
    expect(visibleRange(34 * 99_999, 340, 34, 100_000, 8).end).toBe(100_000);
  });
  it("named edge cases: empty list, zero row height, negative scroll", () => {
    expect(visibleRange(0, 340, 34, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 340, 0, 10)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 340, 34, 100, 0)).toEqual({ start: 0, end: 10 });
  });
});

describe("episode series", () => {
  const pose = (x: number) => ({
    pos: [x, 0, 1] as [number, number, number],
    quatXyzw: [0, 0, 0, 1] as [number, number, number, number],
  });
  const step = (k: number, grasp: boolean, forceN: number) => ({
    t: k / 10,
    state: { tcp: pose(k * 0.01), apertureM: 0.05 },
    action: { tcp: pose(k * 0.01), apertureM: grasp ? 0 : 0.085, grasp },
    objects: { box: pose(0) },
    contacts: [
      { a: "box", b: "gripper.finger_left", forceN },
      { a: "box", b: "gripper.finger_right", forceN },
    ],
    human: { frameIndex: k, t: k / 10, keypointsWorld: [] as [number, number, number][] },
  });
  const episode = {
    controlHz: 10,
    scene: { task: { targetId: "box" } },
    steps: [step(0, false, 0), step(1, true, 0.2), step(2, true, 5), step(3, false, 0)],
  } as unknown as Episode;

  it("aperture, grasp (commanded and held) and TCP speed per step", () => {
    const s = episodeSeries(episode);
    expect([...s.graspCmd]).toEqual([0, 1, 1, 0]);
    expect([...s.grasped]).toEqual([0, 0, 1, 0]);
    expect([...s.apertureCmdM]).toEqual([0.085, 0, 0, 0.085]);
    expect(s.tcpSpeedMps[0]).toBe(0);
    expect(s.tcpSpeedMps[2]).toBeCloseTo(0.1, 12);
  });

  it("stepAt: the last step at or before a time, clamped", () => {
    const t = [0, 0.1, 0.2, 0.3];
    expect(stepAt(t, -1)).toBe(0);
    expect(stepAt(t, 0.15)).toBe(1);
    expect(stepAt(t, 0.2)).toBe(2);
    expect(stepAt(t, 9)).toBe(3);
    expect(stepAt([], 1)).toBe(0);
  });
});
