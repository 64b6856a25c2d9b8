/** LeRobot v3.0 output: the writer, a small metadata reader, and the layout constants. */
export { FEATURES, type FeatureSpec } from "./features.js";
export { type LeRobotInfo, LeRobotInfoSchema } from "./info.js";
export * from "./layout.js";
export { readEpisodeExtras, readEpisodesTable, readLeRobotInfo, streamEpisodeExtras } from "./reader.js";
export type { FeatureStats } from "./stats.js";
export { type DatasetOptions, type DatasetSummary, writeLeRobotDataset } from "./writer.js";
