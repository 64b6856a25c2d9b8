/** robomimic HDF5 output (with MimicGen's datagen_info): the streaming writer, the layout constants and env_args' format. */
export { FORMAT, FORMAT_VERSION } from "./env_args.js";
export * from "./layout.js";
export {
  DEFAULT_VALID_FRACTION,
  type EpisodeImageSource,
  isValidationDemo,
  type RobomimicOptions,
  type RobomimicSummary,
  writeRobomimicHdf5,
} from "./writer.js";
