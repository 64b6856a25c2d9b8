import { describe, expect, it } from "vitest";
import {
  DATA_PATH,
  dataFilePath,
  episodesFilePath,
  extrasEpisodePath,
  formatPath,
  VIDEO_PATH,
} from "../../../src/dataset/lerobot/layout.js";

describe("layout", () => {
  it("fills Python-format templates as LeRobot's str.format does", () => {
    expect(formatPath(DATA_PATH, { chunk_index: 0, file_index: 12 })).toBe("data/chunk-000/file-012.parquet");
    expect(
      formatPath(VIDEO_PATH, { video_key: "observation.images.ego", chunk_index: 1, file_index: 0 }),
    ).toBe("videos/observation.images.ego/chunk-001/file-000.mp4");
    expect(dataFilePath({ chunkIndex: 2, fileIndex: 999 })).toBe("data/chunk-002/file-999.parquet");
    expect(episodesFilePath({ chunkIndex: 0, fileIndex: 0 })).toBe(
      "meta/episodes/chunk-000/file-000.parquet",
    );
    expect(extrasEpisodePath(42)).toBe("extras/episodes/episode_000042.json");
  });

  it("does not truncate numbers wider than the padding", () => {
    expect(formatPath(DATA_PATH, { chunk_index: 1234, file_index: 5 })).toBe(
      "data/chunk-1234/file-005.parquet",
    );
  });

  it("rejects a missing value or a padded value that is not a non-negative integer", () => {
    expect(() => formatPath(DATA_PATH, { chunk_index: 0 })).toThrow(/needs a value for 'file_index'/);
    expect(() => formatPath(DATA_PATH, { chunk_index: -1, file_index: 0 })).toThrow(/non-negative integer/);
    expect(() => formatPath(DATA_PATH, { chunk_index: 1.5, file_index: 0 })).toThrow(/non-negative integer/);
  });
});
