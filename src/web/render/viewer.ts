/**
 * A three.js view of the scene frame W (z up): renderer, lights, floor, orbit controls and the
 * camera presets. Renders on demand (after a change), not every animation frame, so a paused
 * preview costs nothing.
 */
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { floorObject } from "./scene_meshes.js";

export type CameraPreset = "overview" | "aisle" | "gripper";
export const CAMERA_PRESETS: readonly CameraPreset[] = ["overview", "aisle", "gripper"];

/** What the presets look at: the scene's bounds, the target, the direction a person faces the target from, the TCP. */
export interface PresetTargets {
  bounds: THREE.Box3;
  target: THREE.Vector3;
  /** Unit vector from the target towards where a person stands to reach it (horizontal). */
  front: THREE.Vector3;
  tcp?: { position: THREE.Vector3; approach: THREE.Vector3 };
}

export class Viewer {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
  readonly controls: OrbitControls;
  private pending = false;
  private readonly resize: ResizeObserver;
  preset: CameraPreset = "overview";
  /** Called right before each render (to follow the gripper, for instance). */
  beforeRender: (() => void) | undefined;

  constructor(readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.setClearColor(0x1b1f24);
    this.renderer.domElement.className = "viewer-canvas";
    container.appendChild(this.renderer.domElement);
    this.camera.up.set(0, 0, 1);
    this.camera.position.set(-1.5, -2.5, 1.8);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener("change", () => this.requestRender());
    this.scene.add(new THREE.HemisphereLight(0xdde6f0, 0x303030, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.8);
    sun.position.set(2, -3, 5);
    this.scene.add(sun, floorObject());
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(container);
    this.fit();
  }

  private fit(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, true);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  /** Schedules one render on the next animation frame. */
  requestRender(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.renderNow();
    });
  }

  renderNow(): void {
    this.beforeRender?.();
    this.renderer.render(this.scene, this.camera);
  }

  /** Moves the camera to a preset; "gripper" keeps following the TCP through `follow`. */
  setPreset(preset: CameraPreset, t: PresetTargets): void {
    this.preset = preset;
    const size = t.bounds.getSize(new THREE.Vector3());
    const center = t.bounds.getCenter(new THREE.Vector3());
    if (preset === "overview") {
      const r = Math.max(size.x, size.y, size.z, 1.4);
      this.place(center.clone().add(new THREE.Vector3(-0.55 * r, -0.95 * r, 0.8 * r)), center);
    } else if (preset === "aisle") {
      const eye = t.target.clone().addScaledVector(t.front, 1.3);
      eye.z = Math.max(1.55, t.target.z + 0.35);
      this.place(eye, t.target);
    } else {
      this.follow(t.tcp);
    }
  }

  /** In the gripper preset: the camera behind and above the TCP, looking along the approach. */
  follow(tcp: PresetTargets["tcp"]): void {
    if (this.preset !== "gripper" || !tcp) return;
    const back = tcp.approach.clone().multiplyScalar(-0.45);
    const eye = tcp.position
      .clone()
      .add(back)
      .add(new THREE.Vector3(0, 0, 0.25));
    this.place(eye, tcp.position);
  }

  private place(eye: THREE.Vector3, look: THREE.Vector3): void {
    this.camera.position.copy(eye);
    this.controls.target.copy(look);
    this.controls.update();
    this.requestRender();
  }

  dispose(): void {
    this.resize.disconnect();
    this.controls.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}
