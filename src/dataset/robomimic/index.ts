/** robomimic HDF5 output (with MimicGen's datagen_info): the streaming writer and the layout constants. */
export * from "./layout.js";
export {
  DEFAULT_VALID_FRACTION,
  type EpisodeImageSource,
  FORMAT,
  FORMAT_VERSION,
  isValidationDemo,
  type RobomimicOptions,
  type RobomimicSummary,
  writeRobomimicHdf5,
} from "./writer.js";
