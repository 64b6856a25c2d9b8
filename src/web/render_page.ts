/**
 * The camera renderer's page: draws a recorded episode from given cameras with the preview's own
 * scene meshes (render/scene_meshes.ts) and reads each frame back. Driven by Node through
 * headless Chromium (src/render/renderer.ts); frames leave in binary POSTs, many per request.
 */
import * as THREE from "three";
import type { PoseJson } from "../core/schemas/common.js";
import type {
  HullGripper,
  RenderCameraInput,
  RenderEpisodeInput,
  RenderPageApi,
  RenderStep,
} from "../render/protocol.js";
import { ArmModel } from "./render/arm_mesh.js";
import { GripperModel } from "./render/gripper_mesh.js";
import { floorObject, SceneModel } from "./render/scene_meshes.js";
import { disposeTree, hullGroup, setPose } from "./render/three_util.js";

const NEAR_M = 0.01;
const FAR_M = 30;

/** The hull gripper: one mesh per hull, housing at G, each linkage body at its recorded pose in G. */
class HullGripperModel {
  readonly group = new THREE.Group();
  private readonly bodies = new Map<string, THREE.Object3D>();

  constructor(
    readonly key: string,
    g: HullGripper,
  ) {
    const housing = new THREE.MeshStandardMaterial({ color: 0x2b2f35, roughness: 0.55, metalness: 0.5 });
    const links = new THREE.MeshStandardMaterial({ color: 0x9aa1a9, roughness: 0.45, metalness: 0.6 });
    this.group.add(hullGroup(g.palm, housing));
    for (const b of g.bodies) {
      const part = hullGroup(b.hulls, links);
      this.bodies.set(b.name, part);
      this.group.add(part);
    }
  }

  set(step: RenderStep): void {
    setPose(this.group, step.tcp);
    for (const [name, obj] of this.bodies) {
      const pose = step.bodies?.[name];
      if (pose) setPose(obj, pose);
    }
  }
}

interface Loaded {
  scene: THREE.Scene;
  model: SceneModel;
  steps: RenderStep[];
  setGripper: (step: RenderStep) => void;
  /** What a "robot" layer hides: everything but the gripper and the lights. */
  scenery: THREE.Object3D[];
}

// No multisampling: on SwiftShader it cost 15–40 % of the frame rate (bench/render.ts).
// An alpha channel, so a "robot" layer reads back transparent where nothing is drawn (opaque
// scenes clear to their background with alpha 1, so their pixels are as without one).
const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: false, alpha: true });
renderer.setPixelRatio(1);
document.body.appendChild(renderer.domElement);
const gl = renderer.getContext();
let loaded: Loaded | undefined;
/** The last hull gripper built: kept across episodes that draw the same one. */
let hullCache: HullGripperModel | undefined;

function shiftHues(root: THREE.Object3D, turns: number): void {
  if (turns === 0) return;
  const seen = new Set<THREE.Material>();
  root.traverse((o) => {
    const mat = (o as THREE.Mesh).material;
    for (const m of Array.isArray(mat) ? mat : mat ? [mat] : []) {
      if (seen.has(m)) continue;
      seen.add(m);
      const c = (m as THREE.MeshStandardMaterial).color;
      if (c) c.offsetHSL(turns, 0, 0);
    }
  });
}

function load(input: RenderEpisodeInput): void {
  if (loaded) {
    hullCache?.group.removeFromParent();
    disposeTree(loaded.scene);
    loaded = undefined;
  }
  if (hullCache && hullCache.key !== input.hullGripper?.key) {
    disposeTree(hullCache.group);
    hullCache = undefined;
  }
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(input.look.background);
  const l = input.look.light;
  scene.add(new THREE.HemisphereLight(0xdde6f0, 0x404040, 1.5 * l));
  const sun = new THREE.DirectionalLight(0xffffff, 1.6 * l);
  sun.position.set(...input.look.lightDir);
  const floor = floorObject();
  // The preview's grid is a drawing aid, not part of the scene a camera sees.
  for (const grid of floor.children.filter((c) => c instanceof THREE.GridHelper)) grid.removeFromParent();
  scene.add(sun, floor);
  const model = new SceneModel(input.scene, { cartonPattern: input.look.cartonPattern ?? 0 });
  model.group.getObjectByName("place_region")?.removeFromParent();
  shiftHues(model.group, input.look.hueShift);
  scene.add(model.group);
  let setGripper: Loaded["setGripper"];
  if (input.hullGripper) {
    hullCache ??= new HullGripperModel(input.hullGripper.key, input.hullGripper);
    const g = hullCache;
    scene.add(g.group);
    setGripper = (s) => g.set(s);
  } else {
    const g = new GripperModel(input.embodiment);
    g.group.getObjectByName("tcp_axes")?.removeFromParent();
    scene.add(g.group);
    setGripper = (s) => g.set(s.tcp, s.apertureM, false);
  }
  if (input.hullArm) {
    // The arm and its pedestal are the robot: a "robot" layer shows them.
    const arm = new ArmModel(input.hullArm, input.pedestal);
    scene.add(arm.group);
    const setHand = setGripper;
    setGripper = (s) => {
      setHand(s);
      arm.set(s.armLinks);
    };
  }
  loaded = { scene, model, steps: input.steps, setGripper, scenery: [floor, model.group] };
}

/** three's camera (looking down −z, y up) at an OpenCV camera pose (z forward, y down). */
function placeCamera(cam: THREE.PerspectiveCamera, X_WC: PoseJson): void {
  setPose(cam, X_WC);
  cam.quaternion.multiply(new THREE.Quaternion(1, 0, 0, 0));
  cam.updateMatrixWorld(true);
}

/** The projection of pinhole intrinsics; GL pixel centres sit half a pixel from OpenCV's. */
function projection(c: RenderCameraInput): THREE.Matrix4 {
  const { widthPx: w, heightPx: h } = c;
  const cx = c.cx + 0.5;
  const cy = c.cy + 0.5;
  const a = -(FAR_M + NEAR_M) / (FAR_M - NEAR_M);
  const b = (-2 * FAR_M * NEAR_M) / (FAR_M - NEAR_M);
  // prettier-ignore
  return new THREE.Matrix4().set(
    (2 * c.fx) / w,
    0,
    1 - (2 * cx) / w,
    0,
    0,
    (2 * c.fy) / h,
    (2 * cy) / h - 1,
    0,
    0,
    0,
    a,
    b,
    0,
    0,
    -1,
    0,
  );
}

async function renderCamera(c: RenderCameraInput, url: string, call: string, batch: number): Promise<number> {
  if (!loaded) throw new Error("renderCamera before load");
  const { scene, model, steps, setGripper, scenery } = loaded;
  if (c.poses.length !== steps.length)
    throw new Error(`${c.poses.length} camera poses for ${steps.length} steps`);
  const robotOnly = c.layer === "robot";
  const background = scene.background;
  if (robotOnly) {
    for (const o of scenery) o.visible = false;
    scene.background = null;
    renderer.setClearColor(0x000000, 0);
  }
  try {
    return await drawFrames(c, url, call, batch);
  } finally {
    if (robotOnly) {
      for (const o of scenery) o.visible = true;
      scene.background = background;
    }
  }
}

async function drawFrames(c: RenderCameraInput, url: string, call: string, batch: number): Promise<number> {
  const { scene, model, steps, setGripper } = loaded!;
  renderer.setSize(c.widthPx, c.heightPx, false);
  const cam = new THREE.PerspectiveCamera();
  cam.projectionMatrix.copy(projection(c));
  cam.projectionMatrixInverse.copy(cam.projectionMatrix).invert();
  const frameBytes = c.widthPx * c.heightPx * 4;
  let pending: Promise<void> = Promise.resolve();
  for (let first = 0; first < steps.length; first += batch) {
    const count = Math.min(batch, steps.length - first);
    const buf = new Uint8Array(frameBytes * count);
    for (let k = 0; k < count; k++) {
      const step = steps[first + k]!;
      model.setPoses(step.objects);
      setGripper(step);
      placeCamera(cam, c.poses[first + k]!);
      renderer.render(scene, cam);
      gl.readPixels(0, 0, c.widthPx, c.heightPx, gl.RGBA, gl.UNSIGNED_BYTE, buf.subarray(k * frameBytes));
    }
    // One request in flight while the next batch renders; the server answers once it took the frames.
    // A Blob body: Chromium uploads an ArrayBuffer body about ten times slower (measured: 880 vs 75 ms for 3 MB).
    await pending;
    const q = new URLSearchParams({ call, first: String(first), count: String(count) });
    pending = fetch(`${url}?${q}`, { method: "POST", body: new Blob([buf]) }).then(async (r) => {
      if (!r.ok) throw new Error(`frame upload refused: ${r.status} ${await r.text()}`);
    });
  }
  await pending;
  return steps.length;
}

const api: RenderPageApi = { load, renderCamera };
(window as unknown as { egobridgeRender: RenderPageApi }).egobridgeRender = api;
document.title = "ready";
