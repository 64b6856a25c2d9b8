/**
 * What the preview server and the browser app say to each other, beyond plain files. Kept free of
 * Node and DOM types so both sides import it.
 */

/** GET /api/config: what is being served. */
export interface PreviewConfig {
  version: 1;
  /** Name of the served folder (its base name), or null when only scene templates are served. */
  dataName: string | null;
  /** Folders below /data/ holding a LeRobot dataset (meta/info.json), "/"-separated; "" is DIR itself. */
  datasets: string[];
  /** Names of scenes/*.json (scene specs and scene templates). */
  scenes: string[];
  /** Names of models/*.json (gripper embodiments). */
  models: string[];
}

/** GET on a folder below /data/, /scenes/ or /models/. */
export interface DirListing {
  entries: { name: string; kind: "file" | "dir"; size: number }[];
}
