import { InvalidArgumentError } from "commander";
import { InputError } from "../core/errors.js";
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

/** Parses --validate (augment, run): which engines must agree for a variant to count. */
export function parseValidate(value: string): ValidateEngines {
  if ((VALIDATE_ENGINES as readonly string[]).includes(value)) return value as ValidateEngines;
  throw new InputError(`--validate must be one of ${VALIDATE_ENGINES.join(", ")}, got '${value}'`);
}
