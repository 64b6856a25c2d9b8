import type { ZodError } from "zod";

/** The command line's exit codes; every command follows them (`egobridge --help` prints the table). */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The machine lacks something: an asset not found, a tool not on PATH (ffmpeg), a failed download, a full disk. */
  environment: 1,
  /** Bad input or usage: an unknown or invalid option, a malformed or unreadable input, an output path that cannot be written. */
  input: 2,
  /** The work ran and its result failed: an episode failed its success predicates, a job wrote no episode. */
  failed: 3,
  /** `augment --replay`: the regenerated variant differs from the stored one. */
  differs: 4,
  /** `run` stopped early (--max-failures); running it again continues. */
  stopped: 5,
  /** Another run holds the output folder's lock. */
  busy: 6,
  /** A bug in egobridge: the stack is printed; please report it. */
  internal: 70,
} as const;

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
    this.exitCode = options.exitCode ?? EXIT.environment;
  }
}

/** Input data (a file the user gave us) is malformed or inconsistent. */
export class InputError extends EgobridgeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.input });
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
