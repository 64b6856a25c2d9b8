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
  const id = (raw as { id?: unknown } | null)?.id;
  const what = `episode ${index}${typeof id === "string" ? ` ('${id}')` : ""}`;
  const episode = parseContract(EpisodeSchema, raw, what);
  const previous = seen.get(episode.id);
  if (previous !== undefined)
    throw new InputError(`${what}: id '${episode.id}' is also the id of episode ${previous}`);
  return { episode, what };
}
