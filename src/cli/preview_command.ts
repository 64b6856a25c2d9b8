import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { InputError } from "../core/errors.js";
import { MODELS_DIR, PACKAGE_ROOT, SCENES_DIR } from "../pipeline/catalog.js";
import { startPreviewServer } from "../preview/server.js";
import { withErrors } from "./errors.js";
import { intOption } from "./options.js";

/** Where `npm run build` puts the browser app; EGOBRIDGE_WEB_DIR serves another build. */
export const WEB_DIST_DIR = process.env.EGOBRIDGE_WEB_DIR ?? path.join(PACKAGE_ROOT, "dist", "web");

interface PreviewCliOptions {
  port: number;
  open?: boolean;
}

/** Opens a URL in the desktop's browser, best effort: the URL is printed anyway. */
function openBrowser(url: string): void {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () =>
    process.stderr.write(`egobridge: could not start ${command}; open ${url} yourself\n`),
  );
  child.unref();
}

/** `egobridge preview [DIR]`: the browser preview of a dataset, job folder or the scene templates. */
export function registerPreview(program: Command): void {
  program
    .command("preview [dir]")
    .description(
      "Serve the browser preview on 127.0.0.1: the episodes of a dataset (or of the datasets in a job folder) with their scene, gripper and human hand, variants side by side, live re-simulation in the browser, and the scene templates. Without DIR: the scene templates only. Read-only; stop with Ctrl-C.",
    )
    .option("-p, --port <n>", "port (0: any free port)", intOption("--port"), 8177)
    .option("--open", "open the page in the default browser")
    .action(
      withErrors(async (dir: string | undefined, o: PreviewCliOptions) => {
        if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) {
          throw new InputError(`${dir} is not a folder`, { hint: "give a dataset folder, e.g. out/demo" });
        }
        if (o.port > 65535) throw new InputError(`--port must be at most 65535, got ${o.port}`);
        if (!existsSync(path.join(WEB_DIST_DIR, "index.html"))) {
          throw new InputError(`the preview app is not built (${WEB_DIST_DIR} is missing)`, {
            hint: "run `npm run build`",
          });
        }
        const server = await startPreviewServer({
          dataDir: dir,
          appDir: WEB_DIST_DIR,
          scenesDir: SCENES_DIR,
          modelsDir: MODELS_DIR,
          port: o.port,
        }).catch((err: NodeJS.ErrnoException) => {
          if (err.code === "EADDRINUSE") {
            throw new InputError(`port ${o.port} is in use`, {
              hint: "pick another with --port, or --port 0",
            });
          }
          throw err;
        });
        process.stdout.write(
          `egobridge preview: ${server.url}${dir ? ` (serving ${path.resolve(dir)} read-only)` : " (scene templates)"}\n`,
        );
        if (o.open) openBrowser(server.url);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await server.close();
      }),
    );
}
