import {
  add,
  clamp,
  compose,
  distance,
  invert,
  norm,
  POSE_IDENTITY,
  type Pose,
  qconj,
  qmul,
  qnormalize,
  scale,
  sub,
  type Vec3,
  ZERO3,
} from "../core/math.js";

/** Tuning of object-relative replay. */
export interface ObjectAnchorParams {
  /** Within this distance of the recorded object (m), the approach is fully relative to the simulated object. */
  nearM: number;
  /** Beyond this distance (m) the command is the human's pose unchanged; linear blend in between. */
  farM: number;
  /** The object counts as at rest below this speed (m/s). */
  restSpeedMps: number;
  /** Longest wait (s) at the release pose once the jaws are open, if the gripper still touches the object. */
  openingTimeoutS: number;
  /** Largest position offset (m) the approach follows; beyond it the object is too far off for replay to make sense. */
  maxDriftM: number;
  /** After the grasp closes, the carried object's offset from its recorded path is blended out over this time (s). */
  driftBlendS: number;
}

export const DEFAULT_ANCHOR: ObjectAnchorParams = {
  nearM: 0.15,
  farM: 0.35,
  restSpeedMps: 0.02,
  openingTimeoutS: 0.5,
  maxDriftM: 0.1,
  driftBlendS: 0.6,
};

type Phase =
  | { kind: "free" }
  /** Grasp commanded, fingers not yet holding: keep the pose the approach ended at. */
  | { kind: "closing"; X_WG: Pose }
  /** Grasp ended, the jaws still touch the object: keep the pose the hold ended at. */
  | { kind: "opening"; X_WG: Pose; sinceS: number }
  /** Holding: `X_GO` is the object in the gripper; the sim and recorded object poses at the grasp. */
  | { kind: "holding"; X_GO: Pose; X_WO_sim0: Pose; X_WO_rec0: Pose; sinceS: number };

/**
 * Object-relative replay of a demonstration recorded with its object (mocap). Open-loop replay
 * drifts: a nudge on the first approach leaves the simulated object a few centimetres from where
 * the human's was, and every later grasp misses by that much. MimicGen solves this by expressing
 * object-centric segments in the object's frame; this does the same online:
 * - approaching: the human's TCP is shifted by the object's offset, p_cmd = p_human + (p_O_sim − p_O_rec),
 *   blended in by distance to the object so far-away motion stays the human's. Translation only:
 *   symmetric objects (cylinders, balls) spin freely about their axis, so their recorded and
 *   simulated orientations need not agree, and a rotation offset would swing the hand around;
 * - while the jaws close, and after a grasp until they are open and clear of the object: hold still;
 * - holding: move the gripper so the carried object follows its recorded motion,
 *   X_cmd = X_WO_target(t) ∘ X_GO⁻¹, where the target applies the recorded object's motion since
 *   the grasp to the simulated object and blends its position offset out over `driftBlendS`,
 *   so it is put down where the human put it.
 * Contact friction still carries the object; a slip or drop shows in the physics.
 */
export class ObjectAnchor {
  private phase: Phase = { kind: "free" };
  /** Sim-minus-recorded object position used while approaching; only updated while the gripper does not touch the object. */
  private drift: Vec3 = ZERO3;
  /** The simulated object's pose at the previous step, for its speed. */
  private prevSim: Pose | undefined;
  /** The last command given. */
  private last: Pose = POSE_IDENTITY;
  constructor(private readonly p: ObjectAnchorParams = DEFAULT_ANCHOR) {}

  /**
   * The corrected TCP command for one control step.
   * @param X_human commanded pose from the trajectory (the human's)
   * @param X_WO_rec the recorded object pose at this instant; X_WO_sim the simulated one
   * @param grasp whether the trajectory commands a grasp; held whether both fingers hold the object;
   *   touching whether any part of the gripper touches it; jawsOpen whether the jaws reached their commanded opening
   * @param X_WG_actual where the gripper is now; dtS the control period
   */
  command(
    X_human: Pose,
    X_WO_rec: Pose,
    X_WO_sim: Pose,
    grasp: boolean,
    held: boolean,
    touching: boolean,
    jawsOpen: boolean,
    X_WG_actual: Pose,
    dtS: number,
  ): Pose {
    // The offset is measured only while the object is at rest and untouched: when the gripper
    // pushes or still holds it (jaws opening after a grasp), or it still slides from a push, it
    // moves because of the gripper, and following it would chase our own disturbance (a runaway).
    const speed = this.prevSim ? distance(X_WO_sim.p, this.prevSim.p) / dtS : 0;
    this.prevSim = X_WO_sim;
    if (!touching && speed < this.p.restSpeedMps) this.drift = this.clampDrift(sub(X_WO_sim.p, X_WO_rec.p));
    if (!grasp) {
      if (this.phase.kind === "closing" || this.phase.kind === "holding") {
        this.phase = { kind: "opening", X_WG: this.last, sinceS: 0 };
      }
      if (this.phase.kind === "opening") this.phase.sinceS += dtS;
      // Open and clear, or open and still resting on it (fingertips on its top): move on.
      if (
        this.phase.kind === "opening" &&
        jawsOpen &&
        (!touching || this.phase.sinceS > this.p.openingTimeoutS)
      ) {
        // Released and at rest where the hold put it: approach relative to where it now is.
        this.drift = this.clampDrift(sub(X_WO_sim.p, X_WO_rec.p));
        this.phase = { kind: "free" };
      }
    } else if (this.phase.kind === "free")
      this.phase = { kind: "closing", X_WG: this.approach(X_human, X_WO_rec) };
    else if (this.phase.kind === "opening") this.phase = { kind: "closing", X_WG: this.phase.X_WG };
    else if (this.phase.kind === "closing" && held) {
      this.phase = {
        kind: "holding",
        X_GO: compose(invert(X_WG_actual), X_WO_sim),
        X_WO_sim0: X_WO_sim,
        X_WO_rec0: X_WO_rec,
        sinceS: 0,
      };
    }
    this.last = this.target(X_human, X_WO_rec, dtS);
    return this.last;
  }

  private clampDrift(d: Vec3): Vec3 {
    const n = norm(d);
    return n > this.p.maxDriftM ? scale(d, this.p.maxDriftM / n) : d;
  }

  private target(X_human: Pose, X_WO_rec: Pose, dtS: number): Pose {
    switch (this.phase.kind) {
      case "free":
        return this.approach(X_human, X_WO_rec);
      case "closing":
      case "opening":
        return this.phase.X_WG;
      case "holding": {
        const h = this.phase;
        h.sinceS += dtS;
        const s = clamp(h.sinceS / this.p.driftBlendS, 0, 1);
        const offset = scale(sub(h.X_WO_sim0.p, h.X_WO_rec0.p), 1 - s);
        const X_WO_target: Pose = {
          p: add(X_WO_rec.p, offset),
          q: qnormalize(qmul(qmul(X_WO_rec.q, qconj(h.X_WO_rec0.q)), h.X_WO_sim0.q)),
        };
        return compose(X_WO_target, invert(h.X_GO));
      }
    }
  }

  private approach(X_human: Pose, X_WO_rec: Pose): Pose {
    const d = distance(X_human.p, X_WO_rec.p);
    const w = clamp((this.p.farM - d) / (this.p.farM - this.p.nearM), 0, 1);
    return { p: add(X_human.p, scale(this.drift, w)), q: X_human.q };
  }
}
