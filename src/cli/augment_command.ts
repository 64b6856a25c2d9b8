import os from "node:os";
import type { Command } from "commander";
import { EXIT, InputError } from "../core/errors.js";
import { augmentDataset, readSegmentAnnotations, replayStoredVariant } from "../pipeline/augment.js";
import { withErrors } from "./errors.js";
import { ACTIONS_OPTION_HELP, intOption, parseLeRobotActions, parseValidate } from "./options.js";

interface AugmentCliOptions {
  out?: string;
  variants: number;
  seed: number;
  maxAttempts?: number;
  keepFailed?: boolean;
  replay?: string;
  segments?: string;
  selection: string;
  validate: string;
  workers: number | "auto";
  actions: string;
}

/** `--workers auto`: one worker thread per core, none on a single core. */
const autoWorkers = (): number => {
  const cores = os.availableParallelism();
  return cores > 1 ? cores : 0;
};

function parseSelection(value: string): "each" | "random" {
  if (value === "each" || value === "random") return value;
  throw new InputError(`--selection must be each or random, got '${value}'`);
}

/** `egobridge augment`: multiply a dataset's demonstrations into validated variants, or replay one. */
export function registerAugment(program: Command): void {
  program
    .command("augment <dataset>")
    .description(
      "Multiply each successful demonstration of an egobridge dataset into physically validated variants (object-centric segments moved to new object poses, scene and physics randomised, replayed in Rapier, successes kept) and write a new dataset with sources and variants. With --replay ID: regenerate one stored variant from its lineage and check it is identical.",
    )
    .option("-o, --out <dir>", "output dataset folder")
    .option("--variants <n>", "validated variants wanted per source", intOption("--variants"), 10)
    .option("--seed <n>", "random seed", intOption("--seed"), 0)
    .option(
      "--max-attempts <n>",
      "attempts per source at most (default 4 × variants, at least 10)",
      intOption("--max-attempts"),
    )
    .option(
      "--selection <each|random>",
      "each: N validated variants per source; random: every trial draws its source at random, N in total",
      "each",
    )
    .option("--keep-failed", "also keep the failed attempts (with their failure reasons) in the dataset")
    .option(
      "--validate <engines>",
      "rapier, or both: keep a variant only when MuJoCo (real 2F-85 MJCF) agrees: same verdict, target within 2 cm",
      "rapier",
    )
    .option(
      "--workers <n|auto>",
      "worker threads the attempts run on (auto: one per core; 0: this thread); the variants kept are the same whatever the number",
      (v: string) => (v === "auto" ? "auto" : intOption("--workers")(v)),
      "auto",
    )
    .option("--actions <mode>", ACTIONS_OPTION_HELP, "absolute")
    .option("--replay <variant-id>", "regenerate this stored variant from its lineage and compare")
    .option(
      "--segments <file>",
      'hand-made segmentation: JSON {"<episode id>": {"approachStart": k, "pickEnd": k, "placeStart": k}} (control-step indices)',
    )
    .action(
      withErrors(async (dataset: string, o: AugmentCliOptions) => {
        if (o.replay) {
          const r = await replayStoredVariant(dataset, o.replay);
          process.stdout.write(
            `${o.replay}: ${r.identical ? "identical to the stored episode" : "DIFFERS from the stored episode"}\n`,
          );
          if (!r.identical) process.exitCode = EXIT.differs;
          return;
        }
        if (!o.out) {
          process.stderr.write("egobridge: error: augment needs -o <dir> (or --replay <variant-id>)\n");
          process.exitCode = EXIT.input;
          return;
        }
        if (o.variants < 1)
          throw new InputError(
            `--variants must be at least 1, got ${o.variants}: augment would write no variant`,
          );
        const validate = parseValidate(o.validate);
        const isTTY = process.stderr.isTTY;
        const s = await augmentDataset(dataset, o.out, {
          variants: o.variants,
          seed: o.seed,
          maxAttempts: o.maxAttempts,
          keepFailed: o.keepFailed,
          selection: parseSelection(o.selection),
          validate,
          workers: o.workers === "auto" ? autoWorkers() : o.workers,
          actions: parseLeRobotActions(o.actions),
          ...(o.segments ? { segments: await readSegmentAnnotations(o.segments) } : {}),
          onProgress: (line) => isTTY && process.stderr.write(`\r${line}   `),
        });
        if (isTTY) process.stderr.write("\n");
        const lines = s.stats.map((st) => {
          const fails = Object.entries(st.failures)
            .map(([k, n]) => `${k} ${n}`)
            .join(", ");
          return `  ${st.source}: ${st.successes} validated / ${st.attempts} attempts (${(100 * st.successRate).toFixed(0)}%)${fails ? `; failed: ${fails}` : ""}; object spread x ${st.spread.dxM.map((v) => v.toFixed(2)).join("…")} m, y ${st.spread.dyM.map((v) => v.toFixed(2)).join("…")} m; ${st.wallS.toFixed(1)} s`;
        });
        process.stdout.write(
          [
            `${o.out}: ${s.dataset.episodes} episodes (${s.sources} sources + variants), ${s.dataset.frames} frames`,
            ...lines,
            ...(s.inputVariantsLeftOut
              ? [
                  `  note: the input's ${s.inputVariantsLeftOut} variants are not copied; its sources were multiplied anew`,
                ]
              : []),
            `  statistics: ${s.statsFile}`,
            "",
          ].join("\n"),
        );
      }),
    );
}
