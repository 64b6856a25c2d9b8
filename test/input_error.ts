/** The InputError an action throws (or rejects with); fails the test when it throws anything else or nothing. */
import { expect } from "vitest";
import { InputError } from "../src/core/errors.js";

export async function caughtInputError(run: () => unknown): Promise<InputError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  return caught as InputError;
}
