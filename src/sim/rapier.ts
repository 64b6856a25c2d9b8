/**
 * The one module that imports Rapier. Everything else in egobridge talks to the engine through
 * the types re-exported here, so the engine build can be swapped in one place.
 *
 * Build: `@dimforge/rapier3d-deterministic-compat` — cross-platform bit-identical results, which
 * variant replay and byte-identical datasets require. The compat build inlines its WebAssembly,
 * so it loads the same way in Node and in a browser worker.
 */
import RAPIER from "@dimforge/rapier3d-deterministic-compat";

export type Rapier = typeof RAPIER;
export type {
  Collider,
  ColliderDesc,
  ImpulseJoint,
  PrismaticImpulseJoint,
  RevoluteImpulseJoint,
  RigidBody,
  RigidBodyDesc,
  Shape,
  World,
} from "@dimforge/rapier3d-deterministic-compat";

export const PHYSICS_ENGINE = "rapier3d-deterministic-compat@0.21.0";

let ready: Promise<Rapier> | undefined;

/** Initialises the WebAssembly module once and returns the Rapier namespace. */
export function loadRapier(): Promise<Rapier> {
  ready ??= RAPIER.init().then(() => RAPIER);
  return ready;
}
