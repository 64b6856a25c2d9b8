import { InputError } from "../core/errors.js";
import type { RobotLink } from "./robot_model.js";

/**
 * Orders links root first, every parent before its children (depth first, siblings in document
 * order). Exactly one root; a link unreachable from it (a cycle) is an error.
 */
export function sortLinks(links: RobotLink[], file: string): RobotLink[] {
  const roots = links.filter((l) => l.parent === null);
  if (roots.length !== 1) {
    throw new InputError(
      `${file}: expected exactly one root link, found ${roots.length} (${roots.map((l) => l.name).join(", ") || "none: the joints form a cycle"})`,
    );
  }
  const children = new Map<string, RobotLink[]>();
  for (const l of links)
    if (l.parent !== null) children.set(l.parent, [...(children.get(l.parent) ?? []), l]);
  const out: RobotLink[] = [];
  const stack = [roots[0]!];
  while (stack.length > 0) {
    const l = stack.pop()!;
    out.push(l);
    stack.push(...(children.get(l.name) ?? []).slice().reverse());
  }
  if (out.length !== links.length) {
    const missing = links.filter((l) => !out.includes(l)).map((l) => l.name);
    throw new InputError(
      `${file}: links not connected to the root '${roots[0]!.name}' (cycle?): ${missing.join(", ")}`,
    );
  }
  return out;
}
