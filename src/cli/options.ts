import { InvalidArgumentError } from "commander";
import { InputError } from "../core/errors.js";
import type { LeRobotActions } from "../dataset/lerobot/validate.js";
import { VALIDATE_ENGINES, type ValidateEngines } from "../sim/verdict.js";

/** Parses a non-negative integer option (commander passes strings); commander reports the error. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${value}'.`);
    }
    return n;
  };
}

/** Parses a positive number option. */
export function positiveOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a positive number, got '${value}'.`);
    return n;
  };
}

/** The help of `--actions` of the commands that write LeRobot datasets (demo, augment). */
export const ACTIONS_OPTION_HELP =
  "the dataset's actions: absolute (commanded TCP pose and opening) or joints (an arm's joint position targets, then the opening; arm embodiments only)";

/**
 * Parses `--actions` of demo and augment: absolute (the commanded TCP pose, as `export` calls it)
 * or joints (an arm's joint position targets).
 */
export function parseLeRobotActions(value: string): LeRobotActions {
  if (value === "absolute") return "tcp";
  if (value === "joints") return "joints";
  throw new InputError(`--actions must be absolute or joints, got '${value}'`, {
    hint: "joints needs an arm embodiment (e.g. --embodiment franka_panda)",
  });
}

/** Parses --validate (augment, run): which engines must agree for a variant to count. */
export function parseValidate(value: string): ValidateEngines {
  if ((VALIDATE_ENGINES as readonly string[]).includes(value)) return value as ValidateEngines;
  throw new InputError(`--validate must be one of ${VALIDATE_ENGINES.join(", ")}, got '${value}'`);
}
