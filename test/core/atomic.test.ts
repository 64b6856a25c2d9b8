/**
 * Atomic file and directory writes (src/core/atomic.ts) and the JSON/contract readers
 * (src/core/io.ts) whose error messages must name the file and the field.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from "../../src/core/atomic.js";
import { InputError } from "../../src/core/errors.js";
import { parseContract, readContract, readJson } from "../../src/core/io.js";
import { SceneSpecSchema } from "../../src/core/schemas/scene.js";

const SCENE_FILE = path.resolve(import.meta.dirname, "..", "..", "scenes", "shelf_to_tote.json");

let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-atomic-"));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Names in `dir` that look like the atomic writers' temporaries (`<name>.tmp-<pid>-<hex>`). */
const tempEntries = async (dir: string): Promise<string[]> =>
  (await fs.readdir(dir)).filter((name) => name.includes(".tmp-"));

/** Writes `files` (relative path → content) under `dir`. */
async function fillDir(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), content);
  }
}

/** Every file under `dir` with its content, relative paths sorted. */
async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = await fs.readFile(full, "utf8");
  }
  return out;
}

/** Runs `run`, expects an InputError, and returns it. */
async function inputError(run: () => Promise<unknown>): Promise<InputError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe("atomic", () => {
  describe("writeFileAtomic", () => {
    it("creates missing parent folders and writes the content", async () => {
      const file = path.join(root, "a", "b", "out.txt");
      await writeFileAtomic(file, "hello");
      expect(await fs.readFile(file, "utf8")).toBe("hello");
      expect(await tempEntries(path.dirname(file))).toEqual([]);
    });

    it("replaces existing content completely and leaves no temp files", async () => {
      const file = path.join(root, "out.bin");
      await writeFileAtomic(file, "a much longer first version of the file");
      await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
      expect([...(await fs.readFile(file))]).toEqual([1, 2, 3]);
      expect(await fs.readdir(root)).toEqual(["out.bin"]);
    });

    it("rejects when the target is a non-empty directory, and removes its temp file", async () => {
      const target = path.join(root, "taken");
      await fillDir(target, { "keep.txt": "x" });
      await expect(writeFileAtomic(target, "data")).rejects.toThrow();
      expect(await tempEntries(root)).toEqual([]);
      expect(await readTree(target)).toEqual({ "keep.txt": "x" });
    });

    it("writeJsonAtomic writes parseable, newline-terminated JSON", async () => {
      const file = path.join(root, "v.json");
      const value = { a: 1, b: [true, null, "x"], c: { d: 0.5 } };
      await writeJsonAtomic(file, value);
      const text = await fs.readFile(file, "utf8");
      expect(text.endsWith("\n")).toBe(true);
      expect(JSON.parse(text)).toEqual(value);
    });
  });

  describe("writeDirAtomic", () => {
    it("creates a new directory from the build callback", async () => {
      const dir = path.join(root, "nested", "dataset");
      await writeDirAtomic(dir, (tmp) => fillDir(tmp, { "meta/info.json": "{}", "data.txt": "1" }));
      expect(await readTree(dir)).toEqual({ [path.join("meta", "info.json")]: "{}", "data.txt": "1" });
      expect(await tempEntries(path.dirname(dir))).toEqual([]);
    });

    it("replaces an existing directory: old files are gone, no temp dirs remain", async () => {
      const dir = path.join(root, "dataset");
      await fillDir(dir, { "old.txt": "old", "sub/old2.txt": "old2" });
      await writeDirAtomic(dir, (tmp) => fillDir(tmp, { "new.txt": "new" }));
      expect(await readTree(dir)).toEqual({ "new.txt": "new" });
      expect(await fs.readdir(root)).toEqual(["dataset"]);
    });

    it("builds in a separate directory, never inside the existing one", async () => {
      const dir = path.join(root, "dataset");
      await fillDir(dir, { "old.txt": "old" });
      let seen: string[] = [];
      await writeDirAtomic(dir, async (tmp) => {
        expect(path.resolve(tmp)).not.toBe(path.resolve(dir));
        seen = await fs.readdir(tmp);
        // While building, the existing directory is still intact.
        expect(await readTree(dir)).toEqual({ "old.txt": "old" });
        await fillDir(tmp, { "new.txt": "new" });
      });
      expect(seen).toEqual([]);
    });

    it("leaves an existing directory untouched when the build throws, and removes the temp dir", async () => {
      const dir = path.join(root, "dataset");
      await fillDir(dir, { "old.txt": "old", "sub/old2.txt": "old2" });
      const failure = new Error("build failed half-way");
      await expect(
        writeDirAtomic(dir, async (tmp) => {
          await fillDir(tmp, { "partial.txt": "half" });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await readTree(dir)).toEqual({ "old.txt": "old", [path.join("sub", "old2.txt")]: "old2" });
      expect(await fs.readdir(root)).toEqual(["dataset"]);
    });

    it("creates nothing when the build throws and the directory did not exist", async () => {
      const dir = path.join(root, "dataset");
      await expect(
        writeDirAtomic(dir, async () => {
          throw new Error("nope");
        }),
      ).rejects.toThrow("nope");
      expect(await fs.readdir(root)).toEqual([]);
    });
  });

  describe("readJson", () => {
    it("reads valid JSON", async () => {
      const file = path.join(root, "ok.json");
      await fs.writeFile(file, '{"a": [1, 2]}');
      expect(await readJson(file)).toEqual({ a: [1, 2] });
    });

    it("names the file when it is missing", async () => {
      const file = path.join(root, "missing.json");
      const err = await inputError(() => readJson(file));
      expect(err.message).toContain("not found");
      expect(err.message).toContain(file);
    });

    it.each([
      { name: "empty", text: "" },
      { name: "whitespace-only", text: " \n\t\n" },
    ])("names the file when it is $name", async ({ text }) => {
      const file = path.join(root, "blank.json");
      await fs.writeFile(file, text);
      const err = await inputError(() => readJson(file));
      expect(err.message).toBe(`${file} is empty`);
    });

    it("names the file when the JSON is truncated", async () => {
      const file = path.join(root, "truncated.json");
      const full = JSON.stringify({ items: [{ id: "a", pos: [1, 2, 3] }] });
      await fs.writeFile(file, full.slice(0, full.length - 7));
      const err = await inputError(() => readJson(file));
      expect(err.message).toContain(file);
      expect(err.message).toContain("not valid JSON");
    });

    it("says when the path is a directory", async () => {
      const err = await inputError(() => readJson(root));
      expect(err.message).toContain(root);
      expect(err.message).toContain("directory");
    });
  });

  describe("readContract", () => {
    /** A small strict schema, like every contract. */
    const PointSchema = z.strictObject({ name: z.string(), pos: z.tuple([z.number(), z.number()]) });

    const writeJson = async (name: string, value: unknown): Promise<string> => {
      const file = path.join(root, name);
      await fs.writeFile(file, JSON.stringify(value));
      return file;
    };

    it("returns the parsed value with defaults applied", async () => {
      const scene = await readContract(SceneSpecSchema, SCENE_FILE, "scene");
      expect(scene.name).toBe("shelf_to_tote");
      // `dynamic` is not in the file: the schema's default fills it in.
      const carton = scene.items.find((i) => i.id === "carton");
      expect(carton && "dynamic" in carton && carton.dynamic).toBe(true);
    });

    it("names the file and the unknown field", async () => {
      const file = await writeJson("point.json", { name: "p", pos: [1, 2], colour: "red" });
      const err = await inputError(() => readContract(PointSchema, file, "point"));
      expect(err.message).toContain(file);
      expect(err.message).toContain("unknown field 'colour'");
    });

    it("names the path of a nested unknown field in a scene", async () => {
      const scene = JSON.parse(await fs.readFile(SCENE_FILE, "utf8")) as { items: Record<string, unknown>[] };
      scene.items[2]!["colour"] = "brown";
      const file = await writeJson("scene.json", scene);
      const err = await inputError(() => readContract(SceneSpecSchema, file, "scene"));
      expect(err.message).toContain(file);
      expect(err.message).toContain("items.2: unknown field 'colour'");
    });

    it("names the path of a field with a wrong type", async () => {
      const file = await writeJson("point.json", { name: "p", pos: [1, "two"] });
      const err = await inputError(() => readContract(PointSchema, file, "point"));
      expect(err.message).toContain(file);
      expect(err.message).toContain("pos.1");
    });

    it("passes read errors through with the file name (missing file)", async () => {
      const file = path.join(root, "nope.json");
      const err = await inputError(() => readContract(PointSchema, file, "point"));
      expect(err.message).toContain(file);
    });

    it("parseContract says what was being parsed", () => {
      expect(() => parseContract(PointSchema, { name: 3, pos: [0, 0] }, "test point")).toThrow(
        /invalid test point:[\s\S]*name/,
      );
    });
  });
});
