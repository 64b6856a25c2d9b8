/**
 * What Node hands the render page (src/web/render_page.ts) and what the page sends back. Plain
 * JSON in, raw pixels out: the page POSTs each batch of rendered frames as one binary body to the
 * server that served it (src/render/renderer.ts), so no frame goes through JSON.
 */
import type { PoseJson } from "../core/schemas/common.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { SceneSpec } from "../core/schemas/scene.js";

/** A convex hull as triangles: vertices (flat x, y, z, …) and vertex-index triples, counter-clockwise from outside. */
export interface HullMesh {
  vertices: number[];
  faces: number[];
}

/** A gripper drawn from its model's convex hulls (the geometry the physics collides with). */
export interface HullGripper {
  /** Names the geometry: the page keeps a gripper it already built for the same key. */
  key: string;
  /** Hulls of the housing, in the gripper frame G. */
  palm: HullMesh[];
  /** Each linkage body's hulls, in its own frame. */
  bodies: { name: string; hulls: HullMesh[] }[];
}

/** An arm drawn from its links' convex hulls (the geometry the physics collides with). */
export interface HullArm {
  /** Names the geometry: the page keeps an arm it already built for the same key. */
  key: string;
  /** Each link's hulls, in the link's frame. */
  links: { name: string; hulls: HullMesh[] }[];
}

/** An episode's arm as a view draws it (render/arm_render.ts; the preview's /api/arm). */
export interface ArmDrawing {
  arm: HullArm;
  /** The pedestal column under the base (absent for a base on the floor): its pose and size in W. */
  pedestal?: { pose: PoseJson; sizeM: [number, number, number] };
  /** Per step, each drawn link's pose in W (null where a step records no joints). */
  links: (Record<string, PoseJson> | null)[];
}

/** The scene at one control step, as recorded in the episode. */
export interface RenderStep {
  /** Measured TCP pose X_WG. */
  tcp: PoseJson;
  apertureM: number;
  /** Dynamic objects' poses in W, by item id. */
  objects: Record<string, PoseJson>;
  /** Hull grippers: each linkage body's pose in G at this step. */
  bodies?: Record<string, PoseJson>;
  /** Arms: each link's pose in W at this step (from the recorded joints). */
  armLinks?: Record<string, PoseJson>;
}

/** Lighting and colours of one rendering: a variant's domain randomisation. */
export interface RenderLook {
  /** Multiplier of the light intensities. */
  light: number;
  /** Direction the key light comes from (unit vector in W, pointing towards the light). */
  lightDir: [number, number, number];
  /** Background (far wall) colour, 0xRRGGBB. */
  background: number;
  /** Hue shift (turns, −0.5…0.5) applied to the colours of the scene's items. */
  hueShift: number;
  /** The cartons' printed pattern (0: the default; absent in looks recorded before it was drawn). */
  cartonPattern?: number;
}

export interface RenderEpisodeInput {
  scene: SceneSpec;
  embodiment: Embodiment;
  hullGripper?: HullGripper;
  /** The arm carrying the gripper, and the pedestal under its base (pose and size in W). */
  hullArm?: HullArm;
  pedestal?: { pose: PoseJson; sizeM: [number, number, number] };
  steps: RenderStep[];
  look: RenderLook;
}

/**
 * One camera's view: pinhole intrinsics for the output size (OpenCV convention: pixel (0, 0) is
 * the centre of the top-left pixel) and the camera pose X_WC per step (x right, y down, z forward).
 */
export interface RenderCameraInput {
  key: string;
  widthPx: number;
  heightPx: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  poses: PoseJson[];
  /**
   * "robot": the gripper alone, over a transparent background (alpha 0 where nothing is drawn,
   * colours premultiplied): the layer the composite camera draws over a source video's frames.
   */
  layer?: "robot";
}

/** Query parameters of a frame batch POST: which render call and which frames the body holds. */
export interface FrameBatchHeader {
  call: string;
  first: number;
  count: number;
}

/** The page's global API, installed on `window.egobridgeRender`. */
export interface RenderPageApi {
  load(input: RenderEpisodeInput): void;
  /** Renders every pose of `camera`, POSTing `batch` frames (RGBA, bottom row first) at a time to `url`. */
  renderCamera(camera: RenderCameraInput, url: string, call: string, batch: number): Promise<number>;
}
