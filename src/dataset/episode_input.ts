/**
 * The check every dataset writer makes of each episode it is handed: the Episode contract, and
 * an id no earlier episode of the same dataset had. Errors name the episode by position and id.
 */
import { InputError } from "../core/errors.js";
import { parseContract } from "../core/io.js";
import { type Episode, EpisodeSchema } from "../core/schemas/episode.js";

/**
 * Parses episode `index` of a dataset; `seen` maps the ids of the episodes before it to their
 * index. Returns the parsed (canonical) episode and how messages name it.
 */
export function checkEpisode(
  raw: unknown,
  index: number,
  seen: ReadonlyMap<string, number>,
): { episode: Episode; what: string } {
  const what = nameOf(raw, index);
  return admitParsed(parseContract(EpisodeSchema, raw, what), index, seen);
}

const nameOf = (raw: unknown, index: number): string => {
  const id = (raw as { id?: unknown } | null)?.id;
  return `episode ${index}${typeof id === "string" ? ` ('${id}')` : ""}`;
};

/** checkEpisode for an episode parsed already (checkedEpisode): the id check alone. */
export function admitParsed(
  episode: Episode,
  index: number,
  seen: ReadonlyMap<string, number>,
): { episode: Episode; what: string } {
  const what = nameOf(episode, index);
  const previous = seen.get(episode.id);
  if (previous !== undefined)
    throw new InputError(`${what}: id '${episode.id}' is also the id of episode ${previous}`);
  return { episode, what };
}

/**
 * An episode checked against the contract where it was made (a worker thread), with the bytes
 * of its canonical JSON: what a dataset writer would parse and serialise itself, done off its
 * thread. `episode` is the parsed (canonical) episode.
 */
export interface CheckedEpisode {
  episode: Episode;
  /** `JSON.stringify(episode)` and a newline, UTF-8. */
  json: Uint8Array;
}

/** Checks `raw` against the Episode contract and serialises it (see CheckedEpisode). */
export function checkedEpisode(raw: unknown): CheckedEpisode {
  const id = (raw as { id?: unknown } | null)?.id;
  const episode = parseContract(EpisodeSchema, raw, `episode${typeof id === "string" ? ` '${id}'` : ""}`);
  return { episode, json: new TextEncoder().encode(`${JSON.stringify(episode)}\n`) };
}
