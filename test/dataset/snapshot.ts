/** Every file under a folder and its sha256: what a refused write must leave exactly as it was. */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

export async function snapshot(root: string): Promise<Record<string, string>> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const e of entries.filter((x) => x.isFile())) {
    const file = path.join(e.parentPath, e.name);
    out[path.relative(root, file)] = createHash("sha256")
      .update(await fs.readFile(file))
      .digest("hex");
  }
  return out;
}
