/**
 * An arm drawn from its links' convex hulls (render/arm_render.ts), each link at its pose in W,
 * and the pedestal column under its base. Used by the camera renderer's page and the preview.
 */
import * as THREE from "three";
import type { PoseJson } from "../../core/schemas/common.js";
import type { HullArm } from "../../render/protocol.js";
import { disposeTree, hullGroup, setPose } from "./three_util.js";

export class ArmModel {
  readonly group = new THREE.Group();
  private readonly links = new Map<string, THREE.Object3D>();

  constructor(arm: HullArm, pedestal?: { pose: PoseJson; sizeM: [number, number, number] }) {
    const shell = new THREE.MeshStandardMaterial({ color: 0xe6e8eb, roughness: 0.5, metalness: 0.2 });
    for (const l of arm.links) {
      const part = hullGroup(l.hulls, shell);
      part.name = `arm:${l.name}`;
      part.visible = false;
      this.links.set(l.name, part);
      this.group.add(part);
    }
    if (pedestal) {
      const column = new THREE.Mesh(
        new THREE.BoxGeometry(...pedestal.sizeM),
        new THREE.MeshStandardMaterial({ color: 0x4a5058, roughness: 0.7, metalness: 0.3 }),
      );
      column.name = "arm:pedestal";
      setPose(column, pedestal.pose);
      this.group.add(column);
    }
    this.group.name = `arm:${arm.key}`;
  }

  /** Puts each link at its pose in W; links without one (a step that records no joints) are hidden. */
  set(links: Record<string, PoseJson> | undefined): void {
    for (const [name, obj] of this.links) {
      const pose = links?.[name];
      obj.visible = pose !== undefined;
      if (pose) setPose(obj, pose);
    }
  }

  /** How many links are drawn. */
  get shownLinks(): number {
    let n = 0;
    for (const obj of this.links.values()) if (obj.visible) n++;
    return n;
  }

  dispose(): void {
    disposeTree(this.group);
  }
}
