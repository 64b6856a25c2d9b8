import { InvalidArgumentError } from "commander";

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

/** Values of --validate (augment, run): the engines that must agree for a variant to count. */
export const VALIDATE: readonly string[] = ["rapier", "both"];
