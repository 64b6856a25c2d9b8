/**
 * The one module that imports MuJoCo (`mujoco-js`, the official WebAssembly build, MuJoCo 3.3).
 * Everything else talks to the engine through the types re-exported here.
 *
 * Loading a model: the WASM module has its own in-memory file system (Emscripten MEMFS); the
 * model XML and every file it references (included XML, meshes) are written into a fresh folder
 * there, `MjModel.loadFromXML` compiles them, and the folder is removed again (a compiled model
 * keeps its meshes). `MjModel` and `MjData` own WASM memory: call `delete()` on both.
 */
import type { MainModule } from "mujoco-js";
import { EgobridgeError } from "../../core/errors.js";

export type Mujoco = MainModule;
export type { MjContact, MjData, MjModel } from "mujoco-js";

import type { MjModel } from "mujoco-js";

export const MUJOCO_ENGINE = "mujoco-js@0.0.7";

const ROOT = "/egobridge";
let ready: Promise<Mujoco> | undefined;
let folders = 0;

/**
 * Initialises the WebAssembly module once (about 0.15 s) and returns it, with MEMFS mounted at
 * /egobridge. The package itself is imported here, on first use, not when this module is: reading
 * it takes about 0.4 s, which every command and worker thread that merely can cross-check (and
 * mostly does not) would otherwise pay at start-up.
 */
export function loadMujoco(): Promise<Mujoco> {
  ready ??= import("mujoco-js").then(async ({ default: loadMujocoModule }) => {
    const mj = await loadMujocoModule();
    mj.FS.mkdir(ROOT);
    mj.FS.mount(mj.MEMFS, { root: "." }, ROOT);
    return mj;
  });
  return ready;
}

/** The MuJoCo version as MAJOR.MINOR.PATCH (mj_version() gives e.g. 338). */
export function mujocoVersion(mj: Mujoco): string {
  const v = mj.mj_version();
  return `${Math.floor(v / 100)}.${Math.floor(v / 10) % 10}.${v % 10}`;
}

/**
 * Compiles a model from files given by relative path ("scene.xml", "gripper/assets/base.stl");
 * `main` is the XML to load. Throws an EgobridgeError when MuJoCo rejects the model.
 */
export function compileModel(
  mj: Mujoco,
  files: ReadonlyMap<string, string | Uint8Array>,
  main: string,
): MjModel {
  const dir = `${ROOT}/m${folders++}`;
  const written: string[] = [];
  const made: string[] = [dir];
  mj.FS.mkdir(dir);
  try {
    for (const [rel, content] of files) {
      const parts = rel.split("/");
      let d = dir;
      for (const part of parts.slice(0, -1)) {
        d = `${d}/${part}`;
        if (!made.includes(d)) {
          mj.FS.mkdir(d);
          made.push(d);
        }
      }
      mj.FS.writeFile(`${dir}/${rel}`, content);
      written.push(`${dir}/${rel}`);
    }
    let model: MjModel | null;
    try {
      model = mj.MjModel.loadFromXML(`${dir}/${main}`);
    } catch (err) {
      // MuJoCo's compiler throws an mjCError whose text this build does not expose.
      const name = (err as { name?: string })?.name ?? String(err);
      throw new EgobridgeError(
        `MuJoCo could not compile ${main} (${name}); the generated scene or a file it uses is invalid`,
        {
          cause: err,
        },
      );
    }
    if (!model)
      throw new EgobridgeError(`MuJoCo could not load ${main} (see the message MuJoCo printed above)`);
    return model;
  } finally {
    for (const f of written) mj.FS.unlink(f);
    for (const d of made.reverse()) mj.FS.rmdir(d);
  }
}
