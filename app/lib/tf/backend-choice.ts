import { z } from "zod";

/**
 * Which TensorFlow.js backend to use: `auto` walks the ladder tensorflow → wasm → cpu.
 * Kept apart from backend.server.ts so the env schema can use it without loading tfjs-core.
 */
export const tfBackendChoice = z.enum(["auto", "tensorflow", "wasm", "cpu"]);
export type TfBackendChoice = z.infer<typeof tfBackendChoice>;
