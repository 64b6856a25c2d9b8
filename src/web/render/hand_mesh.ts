/**
 * The human hand of the same instant as a translucent ghost skeleton: the 21 MediaPipe keypoints
 * (0 wrist, 1–4 thumb, 5–8 index, 9–12 middle, 13–16 ring, 17–20 pinky) as joints and bones.
 */
import * as THREE from "three";
import { HAND_CONNECTIONS } from "../../core/schemas/common.js";
import { disposeTree } from "./three_util.js";

/** The bones drawn: MediaPipe HAND_CONNECTIONS, shared with the video overlay. */
export const HAND_BONES = HAND_CONNECTIONS;

const GHOST = 0xffc89a;
const JOINT_RADIUS_M = 0.006;

export class HandGhost {
  readonly group = new THREE.Group();
  private readonly joints: THREE.InstancedMesh;
  private readonly bones: THREE.LineSegments;
  private readonly matrix = new THREE.Matrix4();

  constructor() {
    this.joints = new THREE.InstancedMesh(
      new THREE.SphereGeometry(JOINT_RADIUS_M, 10, 8),
      new THREE.MeshBasicMaterial({ color: GHOST, transparent: true, opacity: 0.6, depthWrite: false }),
      21,
    );
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.Float32BufferAttribute(new Float32Array(HAND_BONES.length * 6), 3));
    this.bones = new THREE.LineSegments(
      g,
      new THREE.LineBasicMaterial({ color: GHOST, transparent: true, opacity: 0.8, depthWrite: false }),
    );
    this.joints.frustumCulled = false;
    this.bones.frustumCulled = false;
    this.group.add(this.joints, this.bones);
    this.group.name = "hand_ghost";
  }

  /** Keypoints in W (21 × [x, y, z], m), drawn shifted by `offset` (to put the ghost beside the robot). */
  set(keypoints: readonly (readonly number[])[], offset: THREE.Vector3): void {
    keypoints.forEach((p, i) => {
      this.matrix.makeTranslation(p[0]! + offset.x, p[1]! + offset.y, p[2]! + offset.z);
      this.joints.setMatrixAt(i, this.matrix);
    });
    this.joints.instanceMatrix.needsUpdate = true;
    const pos = this.bones.geometry.getAttribute("position") as THREE.BufferAttribute;
    HAND_BONES.forEach(([a, b], k) => {
      const pa = keypoints[a]!;
      const pb = keypoints[b]!;
      pos.setXYZ(2 * k, pa[0]! + offset.x, pa[1]! + offset.y, pa[2]! + offset.z);
      pos.setXYZ(2 * k + 1, pb[0]! + offset.x, pb[1]! + offset.y, pb[2]! + offset.z);
    });
    pos.needsUpdate = true;
  }

  dispose(): void {
    disposeTree(this.group);
  }
}
