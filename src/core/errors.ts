import type { ZodError } from "zod";

/**
 * An error a user can act on: what went wrong, where, and (when known) what to do about it.
 * The CLI prints `message` and `hint` and exits non-zero; it never prints a stack for these.
 */
export class EgobridgeError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EgobridgeError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Input data (a file the user gave us) is malformed or inconsistent. */
export class InputError extends EgobridgeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: 2 });
    this.name = "InputError";
  }
}

/** Formats zod issues as `path.to.field: message` lines, naming unknown fields explicitly. */
export function formatZodIssues(error: ZodError): string {
  return error.issues
    .slice(0, 12)
    .map((issue) => {
      const at = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
      if (issue.code === "unrecognized_keys") {
        const keys = (issue as { keys: string[] }).keys;
        return `${at}: unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")}`;
      }
      return `${at}: ${issue.message}`;
    })
    .join("\n  ");
}
