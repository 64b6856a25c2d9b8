/**
 * The perception model registry: `models/perception/*.json`, one file per ONNX model, each saying
 * where the weights come from (asset name, sha256, canonical URL), what the input tensor looks like
 * (layout, size, value range, border) and how to decode the outputs (SSD anchors for detectors,
 * output names and scales for landmark models). Models are used in pairs (detector + landmarks);
 * the pairs are named below.
 *
 * The tensor facts were read from the models themselves with onnxruntime (input/output names and
 * shapes, a run on zeros) and from each model's SOURCE.txt; test/perception/model_registry.test.ts
 * checks every entry against its ONNX file.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { InputError } from "../core/errors.js";
import { readContract } from "../core/io.js";
import { finite, header, positive } from "../core/schemas/common.js";
/** `models/perception` of the package (this file lives in src/perception or dist/perception). */
export const PERCEPTION_MODELS_DIR = path.resolve(import.meta.dirname, "..", "..", "models", "perception");

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: "must be 64 lowercase hex digits" });
const positiveInt = z.number().int().positive();

const InputSpecSchema = z.strictObject({
  name: z.string().min(1),
  layout: z.enum(["NHWC", "NCHW"]),
  width: positiveInt,
  height: positiveInt,
  /** Pixel values 0..255 map linearly onto [range[0], range[1]] (MediaPipe's output_tensor_float_range). */
  range: z.tuple([finite, finite]),
  /** Outside the image: black ("zero", MediaPipe BORDER_ZERO) or the nearest edge pixel ("replicate"). */
  border: z.enum(["zero", "replicate"]),
});
export type InputSpec = z.infer<typeof InputSpecSchema>;

/** MediaPipe SsdAnchorsCalculatorOptions (names as there, camelCase). */
export const AnchorsConfigSchema = z.strictObject({
  numLayers: positiveInt,
  minScale: positive,
  maxScale: positive,
  inputSizeWidth: positiveInt,
  inputSizeHeight: positiveInt,
  anchorOffsetX: finite,
  anchorOffsetY: finite,
  strides: z.array(positiveInt).min(1),
  aspectRatios: z.array(positive).min(1),
  interpolatedScaleAspectRatio: finite,
  fixedAnchorSize: z.boolean(),
  reduceBoxesInLowestLayer: z.boolean().default(false),
});
export type AnchorsConfig = z.infer<typeof AnchorsConfigSchema>;

/** MediaPipe RectTransformationCalculatorOptions: how a hand rect is grown and shifted. */
export const RectTransformSchema = z.strictObject({
  scaleX: positive,
  scaleY: positive,
  shiftX: finite.default(0),
  shiftY: finite.default(0),
  squareLong: z.boolean().default(true),
});
export type RectTransform = z.infer<typeof RectTransformSchema>;

const SsdPalmDecoderSchema = z.strictObject({
  kind: z.literal("ssd_palm"),
  outputs: z.strictObject({ boxes: z.string(), scores: z.string() }),
  anchors: AnchorsConfigSchema,
  /** MediaPipe TensorsToDetectionsCalculatorOptions. */
  numBoxes: positiveInt,
  numKeypoints: positiveInt,
  /** reverse_output_order: boxes are [x, y, w, h] (true) or [y, x, h, w] (false). */
  reverseOutputOrder: z.boolean(),
  /** x_scale = y_scale = w_scale = h_scale: regressor units per anchor unit (the input size). */
  coordScale: positive,
  scoreClip: positive,
  minScore: z.number().min(0).max(1),
  nms: z.strictObject({ minSuppressionIou: z.number().min(0).max(1), maxDetections: positiveInt }),
  /** Detection → hand rect (DetectionsToRectsCalculator rotation keypoints, then RectTransformation). */
  roi: z.strictObject({
    rotationStartKeypoint: z.number().int().nonnegative(),
    rotationEndKeypoint: z.number().int().nonnegative(),
    targetAngleDeg: finite,
    transform: RectTransformSchema,
  }),
});

const HandLandmarksDecoderSchema = z.strictObject({
  kind: z.literal("mediapipe_hand_landmarks"),
  outputs: z.strictObject({
    /** [N, 63]: 21 × (x, y, z) in crop pixels of the input size. */
    landmarks: z.string(),
    /** [N, 1] hand presence. */
    presence: z.string(),
    /** [N, 1] handedness: probability of the MediaPipe label named by `handednessLabel`. */
    handedness: z.string(),
    /** [N, 63] world landmarks (m, hand-centred), when the model has them. */
    world: z.string().optional(),
  }),
  /**
   * Which MediaPipe handedness label the handedness output scores. MediaPipe's labels assume a
   * mirrored (selfie) image; its binary TensorsToClassificationCalculator puts the raw score on
   * label_map[0] = "Left". Checked for both models where their scores are right: third-person
   * views (the webcam clip's right hand, a left-hand photo and its mirror image; README.md), and
   * for the default model on EgoDex's ARKit joints too.
   */
  handednessLabel: z.enum(["Left", "Right"]),
  /**
   * How much the handedness score counts in the side labels (handedness.ts), against the 3D hand's
   * chirality: 1 takes the score at its word (bounded per frame), 0 ignores it. A model whose score
   * is measured wrong on egocentric video, whatever the label convention, gets 0 (README.md).
   */
  handednessWeight: z.number().min(0).max(1).default(1),
  /**
   * MediaPipe TensorsToLandmarksCalculatorOptions.normalize_z: the model's z output is divided by
   * it ("to account for the Z coordinate distribution in the training data"). Both MediaPipe hand
   * landmark graphs set 0.4 (hand_landmark_cpu.pbtxt of the v0.8 legacy model and of 0.10), hence
   * the default. Checked on EgoDex's ARKit joints: the depth offsets between keypoints are 2.42 and
   * 2.44 times the raw z (two episodes, src/perception/groundtruth_eval.ts), i.e. 1 / 0.41.
   */
  normalizeZ: positive.default(0.4),
  /** Whether presence / handedness come out as logits (apply a sigmoid) or as probabilities. */
  presenceIsLogit: z.boolean(),
  handednessIsLogit: z.boolean(),
  minPresence: z.number().min(0).max(1),
  /** Landmarks → next frame's hand rect (HandLandmarksToRectCalculator, then RectTransformation). */
  roi: z.strictObject({ transform: RectTransformSchema }),
});

export const PerceptionModelSchema = z
  .strictObject({
    ...header("egobridge.perception_model", 1),
    name: z.string().regex(/^[a-z0-9_]+$/),
    role: z.enum(["palm_detector", "hand_landmarks"]),
    description: z.string(),
    asset: z.strictObject({
      /** Path under an asset directory, as resolveAsset takes it. */
      name: z.string().min(1),
      sha256,
      sizeBytes: positiveInt,
      url: z.url(),
    }),
    upstream: z.string(),
    licence: z.string(),
    input: InputSpecSchema,
    /** Graph dim 0 may be made symbolic to run several crops at once (see onnx_batch.ts). */
    batchable: z.boolean(),
    decoder: z.discriminatedUnion("kind", [SsdPalmDecoderSchema, HandLandmarksDecoderSchema]),
  })
  .superRefine((m, ctx) => {
    const want = m.role === "palm_detector" ? "ssd_palm" : "mediapipe_hand_landmarks";
    if (m.decoder.kind !== want)
      ctx.addIssue({
        code: "custom",
        path: ["decoder", "kind"],
        message: `a ${m.role} needs decoder ${want}`,
      });
  });
export type PerceptionModel = z.infer<typeof PerceptionModelSchema>;
export type PalmDetectorModel = PerceptionModel & { decoder: z.infer<typeof SsdPalmDecoderSchema> };
export type HandLandmarkModel = PerceptionModel & { decoder: z.infer<typeof HandLandmarksDecoderSchema> };

/** A detector + landmark model pair, by registry names. */
export interface ModelPairNames {
  detector: string;
  landmarks: string;
  description: string;
}

/**
 * The model pairs `extract --models` accepts. "default" is the MediaPipe 0.10.14 lite pair: on the
 * egodex clip it tracks both hands in more frames than the keijiro pair, and only its landmark
 * model has metric world landmarks, which the 3D lift needs (measured in test/perception and
 * bench/perception.ts; see the perception section of the README of models/perception).
 */
export const MODEL_PAIRS: Readonly<Record<string, ModelPairNames>> = {
  default: {
    detector: "mediapipe_palm_lite_192",
    landmarks: "mediapipe_hand_landmark_lite_224",
    description: "MediaPipe 0.10.14 palm detection lite (192) + hand landmark lite (224, world landmarks)",
  },
  keijiro: {
    detector: "keijiro_palm_128",
    landmarks: "keijiro_hand_landmark_full_224",
    description: "older MediaPipe palm detector (128) + hand landmark full (224, no world landmarks)",
  },
};
export const DEFAULT_MODEL_PAIR = "default";

/** Names of the registry entries (file names without .json). */
export function perceptionModelNames(dir: string = PERCEPTION_MODELS_DIR): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
}

/** Loads and validates one registry entry by name (or a path to a .json file). */
export async function loadPerceptionModel(nameOrFile: string): Promise<PerceptionModel> {
  const file = nameOrFile.endsWith(".json")
    ? nameOrFile
    : path.join(PERCEPTION_MODELS_DIR, `${nameOrFile}.json`);
  if (!nameOrFile.endsWith(".json") && !existsSync(file)) {
    throw new InputError(`unknown perception model '${nameOrFile}'`, {
      hint: `registry entries: ${perceptionModelNames().join(", ")}`,
    });
  }
  return readContract(PerceptionModelSchema, file, "perception model");
}

/** Loads the detector and landmark entries of a named pair, checking their roles. */
export async function loadModelPair(
  pair: string = DEFAULT_MODEL_PAIR,
): Promise<{ detector: PalmDetectorModel; landmarks: HandLandmarkModel }> {
  const names = MODEL_PAIRS[pair];
  if (!names) {
    throw new InputError(`unknown model pair '${pair}'`, {
      hint: `choose one of: ${Object.keys(MODEL_PAIRS).join(", ")}`,
    });
  }
  const detector = await loadPerceptionModel(names.detector);
  const landmarks = await loadPerceptionModel(names.landmarks);
  if (detector.decoder.kind !== "ssd_palm" || landmarks.decoder.kind !== "mediapipe_hand_landmarks") {
    throw new InputError(`model pair '${pair}' must name a palm detector and a hand landmark model`);
  }
  return { detector: detector as PalmDetectorModel, landmarks: landmarks as HandLandmarkModel };
}
