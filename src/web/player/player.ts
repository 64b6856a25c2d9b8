/**
 * The episode player: the scene, gripper and human hand ghost of one recorded step in three.js,
 * a timeline (play/pause, speed, step, scrub), camera presets and the strip charts. Used by the
 * episode view (stored and re-simulated episodes) and the scene view (a simulated demonstration).
 */
import * as THREE from "three";
import type { Episode } from "../../core/schemas/episode.js";
import { findSupport, type Target } from "../../core/support.js";
import type { ArmDrawing } from "../../render/protocol.js";
import type { CameraClip } from "../data/dataset.js";
import { ArmModel } from "../render/arm_mesh.js";
import { GripperModel } from "../render/gripper_mesh.js";
import { HandGhost } from "../render/hand_mesh.js";
import { SceneModel } from "../render/scene_meshes.js";
import { disposeTree, polyline } from "../render/three_util.js";
import { CAMERA_PRESETS, type CameraPreset, type PresetTargets, Viewer } from "../render/viewer.js";
import { fmt, h } from "../ui/dom.js";
import { Plots } from "./plots.js";
import { type EpisodeSeries, episodeSeries, stepAt } from "./series.js";

export type HandMode = "over" | "beside" | "off";
const HAND_MODES: readonly HandMode[] = ["over", "beside", "off"];
/** Where the ghost goes in "beside" mode: this far to the side of the robot (m, in W). */
const BESIDE_OFFSET = new THREE.Vector3(-0.3, 0, 0);
export const SPEEDS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 4];

export interface PlayerOptions {
  /** URL of the source video, when it is served; its frame of the current step is shown in a corner. */
  videoUrl?: string;
  /** The episode's rendered camera streams, shown beside the 3D view at the current step. */
  cameras?: readonly CameraClip[];
}

interface Loaded {
  episode: Episode;
  series: EpisodeSeries;
  scene: SceneModel;
  gripper: GripperModel;
  trails: THREE.Group;
  /** The arm carrying the gripper, once its drawing has come (showArm). */
  arm?: { model: ArmModel; links: ArmDrawing["links"] };
}

export class EpisodePlayer {
  readonly el: HTMLElement;
  readonly viewer: Viewer;
  private readonly hand = new HandGhost();
  private loaded: Loaded | undefined;
  private plots: Plots | undefined;
  private readonly plotsHost = h("div.plots-host");
  private readonly slider = h("input.timeline-slider", {
    type: "range",
    min: "0",
    max: "0",
    step: "1",
    value: "0",
  });
  private readonly timeLabel = h("span.time-label");
  private readonly playButton = h("button.play", { title: "play/pause (space)" }, "▶");
  private readonly speedSelect = h(
    "select.speed",
    { title: "playback speed ([ and ])" },
    ...SPEEDS.map((s) => h("option", { value: String(s) }, `${s}×`)),
  );
  private readonly hud = h("div.hud");
  private readonly presetButtons = new Map<CameraPreset, HTMLButtonElement>();
  private readonly handButton = h("button", { title: "hand ghost: over / beside / off (h)" });
  private readonly video: HTMLVideoElement | undefined;
  private readonly cameraVideos: { clip: CameraClip; video: HTMLVideoElement }[];
  step = 0;
  playing = false;
  speed = 1;
  handMode: HandMode = "over";
  private clockS = 0;
  private lastTick = 0;
  private raf = 0;
  onStep: ((step: number) => void) | undefined;

  constructor(options: PlayerOptions = {}) {
    const viewport = h("div.viewport");
    this.viewer = new Viewer(viewport);
    this.viewer.scene.add(this.hand.group);
    const toolbar = h("div.view-toolbar");
    for (const p of CAMERA_PRESETS) {
      const b = h(
        "button",
        { title: `camera: ${p} (${CAMERA_PRESETS.indexOf(p) + 1})`, onclick: () => this.setPreset(p) },
        p,
      );
      this.presetButtons.set(p, b);
      toolbar.append(b);
    }
    this.handButton.addEventListener("click", () => this.cycleHand());
    toolbar.append(this.handButton);
    viewport.append(toolbar, this.hud);
    if (options.videoUrl) {
      this.video = h("video.source-video", { src: options.videoUrl, muted: true, preload: "auto" });
      this.video.addEventListener("error", () => this.video?.remove());
      viewport.append(this.video);
    }
    this.speedSelect.value = "1";
    this.speedSelect.addEventListener("change", () => this.setSpeed(Number(this.speedSelect.value)));
    this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
    this.playButton.addEventListener("click", () => this.toggle());
    const bar = h(
      "div.timeline",
      null,
      h("button", { title: "first step (Home)", onclick: () => this.seek(0) }, "«"),
      h("button", { title: "step back (←)", onclick: () => this.stepBy(-1) }, "‹"),
      this.playButton,
      h("button", { title: "step forward (→)", onclick: () => this.stepBy(1) }, "›"),
      h("button", { title: "last step (End)", onclick: () => this.seek(Number.MAX_SAFE_INTEGER) }, "»"),
      this.slider,
      this.timeLabel,
      this.speedSelect,
    );
    const cameras = (options.cameras ?? []).map((c) => {
      const video = h("video.camera-video", { src: c.url, muted: true, preload: "auto", title: c.key });
      return {
        clip: c,
        video,
        el: h(
          "figure.camera",
          null,
          video,
          h("figcaption", null, c.key.replace(/^observation\.images\./, "")),
        ),
      };
    });
    this.cameraVideos = cameras.map(({ clip, video }) => ({ clip, video }));
    const stage =
      cameras.length > 0
        ? h("div.player-stage", null, viewport, h("div.camera-strip", null, ...cameras.map((c) => c.el)))
        : viewport;
    this.el = h("div.player", null, stage, bar, this.plotsHost);
    this.updateToolbar();
  }

  get episode(): Episode | undefined {
    return this.loaded?.episode;
  }

  /** Shows an episode (keeps the camera when the scene is the same size, e.g. a re-run of the one shown). */
  load(episode: Episode): void {
    const first = this.loaded === undefined;
    this.unload();
    const scene = new SceneModel(episode.scene);
    const gripper = new GripperModel(episode.embodiment);
    const trails = new THREE.Group();
    const tcp = episode.steps.flatMap((s) => s.state.tcp.pos);
    trails.add(polyline(tcp, 0xffffff, 0.35));
    const target = episode.scene.task.targetId;
    trails.add(
      polyline(
        episode.steps.flatMap((s) => s.objects[target]?.pos ?? []),
        0xe09a3e,
        0.45,
      ),
    );
    this.viewer.scene.add(scene.group, gripper.group, trails);
    const series = episodeSeries(episode);
    this.loaded = { episode, series, scene, gripper, trails };
    this.plots = new Plots(series);
    this.plots.onSeek = (k) => this.seek(k);
    this.plotsHost.replaceChildren(this.plots.el);
    this.slider.max = String(episode.steps.length - 1);
    if (first) this.setPreset(this.viewer.preset);
    this.seek(Math.min(this.step, episode.steps.length - 1));
    requestAnimationFrame(() => this.plots?.draw());
  }

  /** Draws the arm of the episode shown (its drawing arrives after the episode; ignored if another is shown by then). */
  showArm(episode: Episode, drawing: ArmDrawing): void {
    const l = this.loaded;
    if (!l || l.episode !== episode || l.arm) return;
    const model = new ArmModel(drawing.arm, drawing.pedestal);
    this.viewer.scene.add(model.group);
    l.arm = { model, links: drawing.links };
    this.render();
  }

  private unload(): void {
    if (!this.loaded) return;
    const l = this.loaded;
    this.viewer.scene.remove(l.scene.group, l.gripper.group, l.trails);
    if (l.arm) {
      this.viewer.scene.remove(l.arm.model.group);
      l.arm.model.dispose();
    }
    l.scene.dispose();
    l.gripper.dispose();
    disposeTree(l.trails);
    this.loaded = undefined;
  }

  presetTargets(): PresetTargets | undefined {
    const l = this.loaded;
    if (!l) return undefined;
    const spec = l.episode.scene;
    const item = spec.items.find((i) => i.id === spec.task.targetId) as Target | undefined;
    const p = item?.pose.pos ?? [0, 0, 0];
    let front = new THREE.Vector3(0, -1, 0);
    if (item) {
      const support = findSupport(spec, item);
      const shelf = support.kind === "shelf" ? spec.items.find((i) => i.id === support.id) : undefined;
      if (shelf && "pose" in shelf) {
        const q = shelf.pose.quatXyzw;
        front = new THREE.Vector3(0, -1, 0).applyQuaternion(new THREE.Quaternion(q[0], q[1], q[2], q[3]));
      }
    }
    const step = l.episode.steps[this.step]!;
    const q = step.state.tcp.quatXyzw;
    return {
      bounds: l.scene.bounds(),
      target: new THREE.Vector3(p[0], p[1], p[2]),
      front,
      tcp: {
        position: new THREE.Vector3(...step.state.tcp.pos),
        approach: new THREE.Vector3(0, 0, 1).applyQuaternion(new THREE.Quaternion(q[0], q[1], q[2], q[3])),
      },
    };
  }

  setPreset(preset: CameraPreset): void {
    const t = this.presetTargets();
    if (t) this.viewer.setPreset(preset, t);
    else this.viewer.preset = preset;
    this.updateToolbar();
  }

  cycleHand(): void {
    this.handMode = HAND_MODES[(HAND_MODES.indexOf(this.handMode) + 1) % HAND_MODES.length]!;
    this.updateToolbar();
    this.seek(this.step);
  }

  private updateToolbar(): void {
    for (const [p, b] of this.presetButtons) b.classList.toggle("active", p === this.viewer.preset);
    this.handButton.textContent = `hand: ${this.handMode}`;
  }

  /** Shows step `k` (clamped). */
  seek(k: number): void {
    const l = this.loaded;
    if (!l) return;
    const n = l.episode.steps.length;
    this.step = Math.max(0, Math.min(n - 1, Math.round(k)));
    if (!this.playing) this.clockS = l.series.t[this.step]! - l.series.t[0]!;
    this.render();
  }

  stepBy(d: number): void {
    this.pause();
    this.seek(this.step + d);
  }

  private render(): void {
    const l = this.loaded!;
    const k = this.step;
    const s = l.episode.steps[k]!;
    l.scene.setPoses(s.objects);
    l.gripper.set(s.state.tcp, s.state.apertureM, l.series.grasped[k] === 1);
    l.arm?.model.set(l.arm.links[k] ?? undefined);
    this.hand.group.visible = this.handMode !== "off";
    this.hand.set(s.human.keypointsWorld, this.handMode === "beside" ? BESIDE_OFFSET : new THREE.Vector3());
    this.plots?.setCursor(k);
    this.slider.value = String(k);
    const n = l.episode.steps.length;
    this.timeLabel.textContent = `${fmt(s.t - l.series.t[0]!, 2)} / ${fmt(l.series.t[n - 1]! - l.series.t[0]!, 2)} s · step ${k + 1}/${n}`;
    this.hud.replaceChildren(
      h(
        "div",
        null,
        `aperture ${fmt(s.state.apertureM * 1000, 1)} mm (cmd ${fmt(s.action.apertureM * 1000, 1)})`,
      ),
      h(
        "div",
        null,
        `grasp cmd ${s.action.grasp ? "closed" : "open"} · ${l.series.grasped[k] ? "holding target" : "not holding"}`,
      ),
      h(
        "div",
        null,
        `TCP ${s.state.tcp.pos.map((v) => fmt(v, 3)).join(", ")} m · ${fmt(l.series.tcpSpeedMps[k]!, 2)} m/s`,
      ),
      h("div", null, `human frame ${s.human.frameIndex} (t ${fmt(s.human.t, 2)} s)`),
    );
    if (this.video && this.video.readyState >= 1) this.video.currentTime = s.human.t;
    // The middle of the step's frame: its timestamp is from + k / fps.
    for (const { clip, video } of this.cameraVideos) video.currentTime = clip.fromS + (k + 0.5) / clip.fps;
    this.el.dataset.step = String(k);
    if (l.arm) this.el.dataset.armLinks = String(l.arm.model.shownLinks);
    else delete this.el.dataset.armLinks;
    this.viewer.follow(this.presetTargets()?.tcp);
    this.viewer.requestRender();
    this.onStep?.(k);
  }

  play(): void {
    const l = this.loaded;
    if (!l || this.playing) return;
    if (this.step >= l.episode.steps.length - 1) this.seek(0);
    this.playing = true;
    this.playButton.textContent = "❚❚";
    this.lastTick = performance.now();
    const tick = (now: number) => {
      if (!this.playing || !this.loaded) return;
      this.clockS += ((now - this.lastTick) / 1000) * this.speed;
      this.lastTick = now;
      const t = this.loaded.series.t;
      const k = stepAt(t, t[0]! + this.clockS);
      if (k !== this.step) {
        this.step = k;
        this.render();
      }
      if (k >= t.length - 1) this.pause();
      else this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.playButton.textContent = "▶";
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(s: number): void {
    this.speed = s;
    this.speedSelect.value = String(s);
  }

  /** Keyboard shortcuts of the player; true when the key was used. */
  onKey(ev: KeyboardEvent): boolean {
    const big = ev.shiftKey ? 10 : 1;
    const speedIndex = SPEEDS.indexOf(this.speed);
    switch (ev.key) {
      case " ":
      case "k":
        this.toggle();
        return true;
      case "ArrowRight":
      case "l":
        this.stepBy(big);
        return true;
      case "ArrowLeft":
      case "j":
        this.stepBy(-big);
        return true;
      case "Home":
        this.seek(0);
        return true;
      case "End":
        this.seek(Number.MAX_SAFE_INTEGER);
        return true;
      case "]":
        this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, speedIndex + 1)]!);
        return true;
      case "[":
        this.setSpeed(SPEEDS[Math.max(0, speedIndex - 1)]!);
        return true;
      case "1":
      case "2":
      case "3":
        this.setPreset(CAMERA_PRESETS[Number(ev.key) - 1]!);
        return true;
      case "h":
        this.cycleHand();
        return true;
      default:
        return false;
    }
  }

  dispose(): void {
    this.pause();
    this.unload();
    this.hand.dispose();
    this.viewer.dispose();
    this.el.remove();
  }
}
