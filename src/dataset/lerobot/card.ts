/**
 * The dataset card (`README.md` at the dataset's root, as the Hugging Face Hub shows it): what the
 * dataset holds and the conventions its numbers follow, so a reader who never opens info.json
 * still learns the frames, the quaternion order, the action layout and where each stream comes
 * from. Written with every dataset, from the same constants as info.json.
 */
import type { FeatureSpec } from "./features.js";
import { EGOBRIDGE_CONVENTIONS } from "./info.js";
import { CODEBASE_VERSION } from "./layout.js";
import type { VideoStream } from "./videos.js";

export interface CardInput {
  robotType: string;
  fps: number;
  episodes: number;
  frames: number;
  successes: number;
  tasks: readonly string[];
  features: Readonly<Record<string, FeatureSpec>>;
  videos: readonly VideoStream[];
  /** How the camera streams were made, one line per stream. */
  videosDescription?: string;
}

const names = (f: FeatureSpec): string =>
  f.names && f.names.length <= 12 ? f.names.join(", ") : f.names ? `${f.names.length} components` : "scalar";

export function datasetCard(c: CardInput): string {
  const rows = Object.entries(c.features).map(
    ([key, f]) =>
      `| \`${key}\` | ${f.dtype} | ${f.shape.join(" × ")} | ${names(f)} | ${f.info?.["description"] ?? ""} |`,
  );
  const videoRows = c.videos.map(
    (v) =>
      `| \`${v.key}\` | video (${v.codec}, ${v.pixFmt}) | ${v.heightPx} × ${v.widthPx} × 3 | height, width, channels | rendered from the simulation, not recorded |`,
  );
  const conv = EGOBRIDGE_CONVENTIONS;
  return [
    "---",
    "tags:",
    "  - LeRobot",
    "  - egobridge",
    "  - robotics",
    "---",
    "",
    `# egobridge dataset (LeRobot ${CODEBASE_VERSION})`,
    "",
    `${c.episodes} episodes, ${c.frames} frames at ${c.fps} fps, ${c.successes} of them successful in simulation; robot: \`${c.robotType}\`.`,
    "",
    "Tasks:",
    ...c.tasks.map((t) => `- ${t}`),
    "",
    "## Features",
    "",
    "| key | dtype | shape | components | description |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    ...videoRows,
    "",
    "## Conventions",
    "",
    `- Frame: ${conv.frame_description} (frame ${conv.frame}).`,
    `- Quaternions: ${conv.quaternion_order === "xyzw" ? "[x, y, z, w]" : conv.quaternion_order} (scalar last).`,
    `- Actions: ${conv.action_representation}. ${conv.action_note}.`,
    `- Action layout: ${conv.action_layout}.`,
    `- Human side: ${conv.human_alignment}`,
    `- The whole egobridge episode (scene, gripper, contacts, verdict, lineage) of episode i: \`${conv.extras_path}\`.`,
    ...(c.videosDescription
      ? ["", "## Cameras", "", ...c.videosDescription.split("\n").map((l) => `- ${l}`)]
      : []),
    "",
  ].join("\n");
}
