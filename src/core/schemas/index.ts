export * from "./camera.js";
export * from "./common.js";
export * from "./embodiment.js";
export * from "./episode.js";
export * from "./hand_track.js";
export * from "./scene.js";
export * from "./trajectory.js";
