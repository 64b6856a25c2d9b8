import { promises as fs } from "node:fs";
import type { z } from "zod";
import { formatZodIssues, InputError } from "./errors.js";

/** Validates `value` against a contract schema; throws an InputError naming each bad field. */
export function parseContract<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`invalid ${what}:\n  ${formatZodIssues(result.error)}`);
  }
  return result.data;
}

/** Reads a JSON file, with errors that say which file and what is wrong with it. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`file not found: ${file}`);
    if (code === "EISDIR") throw new InputError(`expected a file, got a directory: ${file}`);
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (text.trim() === "") throw new InputError(`${file} is empty`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
  }
}

/** Reads and validates a contract file. */
export async function readContract<S extends z.ZodType>(
  schema: S,
  file: string,
  what: string,
): Promise<z.infer<S>> {
  return parseContract(schema, await readJson(file), `${what} (${file})`);
}

/**
 * The longest string V8 holds (Node 20, 64-bit): a JSON file is read and written as one string,
 * so no JSON file egobridge writes or reads can be longer.
 */
export const MAX_JSON_CHARS = 2 ** 29 - 24;
