import { EgobridgeError, EXIT } from "../core/errors.js";

/**
 * Prints a failure and sets the exit code: user-actionable errors (EgobridgeError) as their
 * message and hint, in one line each; anything else is a bug and prints its stack.
 */
export function reportError(err: unknown): void {
  if (err instanceof EgobridgeError) {
    process.stderr.write(`egobridge: error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`egobridge: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.internal;
  }
}

/**
 * Runs a command action and turns failures into a message and an exit code: user-actionable
 * errors (EgobridgeError) print their message and hint; anything else is a bug and prints its stack.
 */
export function withErrors<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      reportError(err);
    }
  };
}
