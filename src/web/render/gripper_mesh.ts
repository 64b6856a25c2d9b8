/**
 * A parallel-jaw gripper drawn from its Embodiment, in the gripper frame G (origin at the TCP, +z
 * approach, +y opening): the palm box from the flange towards the fingers, two finger boxes
 * centred at the TCP height with their pads `apertureM` apart — the same geometry the physics
 * uses (sim/gripper.ts).
 */
import * as THREE from "three";
import type { PoseJson } from "../../core/schemas/common.js";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import { disposeTree, setPose } from "./three_util.js";

const FINGER_OPEN = 0xc9d1d9;
const FINGER_HOLDING = 0x3cc47c;

export class GripperModel {
  readonly group = new THREE.Group();
  private readonly fingers: [THREE.Mesh, THREE.Mesh];
  private readonly fingerMaterial = new THREE.MeshStandardMaterial({ color: FINGER_OPEN, roughness: 0.5 });

  constructor(
    readonly embodiment: Embodiment,
    options: { opacity?: number; color?: THREE.ColorRepresentation } = {},
  ) {
    const e = embodiment;
    const opacity = options.opacity ?? 1;
    const palmMat = new THREE.MeshStandardMaterial({
      color: options.color ?? 0x3a4049,
      roughness: 0.6,
      metalness: 0.4,
      transparent: opacity < 1,
      opacity,
    });
    if (opacity < 1) Object.assign(this.fingerMaterial, { transparent: true, opacity });
    const [px, py, pz] = e.palm.sizeM;
    const palm = new THREE.Mesh(new THREE.BoxGeometry(px, py, pz), palmMat);
    palm.position.set(0, 0, -e.tcpOffsetM + pz / 2);
    const f = e.finger;
    const finger = () =>
      new THREE.Mesh(new THREE.BoxGeometry(f.widthM, f.thicknessM, f.lengthM), this.fingerMaterial);
    this.fingers = [finger(), finger()];
    const axes = new THREE.AxesHelper(0.05);
    axes.name = "tcp_axes";
    this.group.add(palm, ...this.fingers, axes);
    this.group.name = `gripper:${e.name}`;
  }

  /** Places the gripper at TCP pose X_WG with the pads `apertureM` apart; green fingers while holding. */
  set(tcp: PoseJson, apertureM: number, holding: boolean): void {
    setPose(this.group, tcp);
    const y = Math.max(0, apertureM) / 2 + this.embodiment.finger.thicknessM / 2;
    this.fingers[0].position.set(0, -y, 0);
    this.fingers[1].position.set(0, y, 0);
    this.fingerMaterial.color.setHex(holding ? FINGER_HOLDING : FINGER_OPEN);
  }

  dispose(): void {
    disposeTree(this.group);
  }
}
