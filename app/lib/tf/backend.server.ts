/**
 * The one place that chooses the TensorFlow.js backend for this process.
 * Ladder: tensorflow (tfjs-node) -> wasm -> cpu. See
 * docs/decisions/002-tfjs-backend-ladder.md for the measurements behind it.
 */
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { tfBackendChoice, type TfBackendChoice } from "./backend-choice";
import { registerTrainingGradients } from "./gradients";

// Consumers import tf from here so they share the engine this module configured.
export { tf, tfBackendChoice, type TfBackendChoice };
export type TfBackendName = Exclude<TfBackendChoice, "auto">;

export interface TfBackendAttempt {
  name: TfBackendName;
  ok: boolean;
  error?: string;
}

export interface TfBackendInfo {
  name: TfBackendName;
  tried: TfBackendAttempt[];
  forced: boolean;
}

export type TfLog = (event: string, fields: Record<string, unknown>) => void;

export interface InitTfBackendOptions {
  /** Usually `parseTfBackendChoice(process.env.TF_BACKEND)`; "auto" = no force. */
  force?: TfBackendChoice;
  log?: TfLog;
}

const LADDER: readonly TfBackendName[] = ["tensorflow", "wasm", "cpu"];

const HINTS: Record<TfBackendName, string> = {
  tensorflow:
    "Set TF_BACKEND=auto to fall back to wasm/cpu, or install @tensorflow/tfjs-node on a " +
    "machine that can download libtensorflow (its install script fetches the native library).",
  wasm: "Set TF_BACKEND=auto, or check that @tensorflow/tfjs-backend-wasm/dist/*.wasm is readable.",
  cpu: "Reinstall dependencies: @tensorflow/tfjs-backend-cpu is missing or mismatches tfjs-core.",
};

export class TfBackendUnavailableError extends Error {
  override readonly name = "TfBackendUnavailableError";
  constructor(
    readonly backend: TfBackendName,
    readonly reason: string,
    readonly tried: TfBackendAttempt[],
  ) {
    super(`TensorFlow.js backend "${backend}" could not be loaded: ${reason}. ${HINTS[backend]}`);
  }
}

/** Reads TF_BACKEND-style input; empty or missing means "auto". */
export function parseTfBackendChoice(value: string | undefined): TfBackendChoice {
  const parsed = tfBackendChoice.safeParse(value?.trim().toLowerCase() || "auto");
  if (!parsed.success) {
    throw new Error(`TF_BACKEND must be one of ${tfBackendChoice.options.join("|")}, got "${value}"`);
  }
  return parsed.data;
}

// tfjs-node is an optionalDependency: its install script downloads libtensorflow,
// which fails wherever only the npm registry is reachable. The specifier is kept
// out of a string literal so neither tsc nor Vite tries to resolve a package that
// is usually absent.
const TFJS_NODE = "@tensorflow/tfjs-node";

// setWasmPaths throws once an init has been attempted, so it must run only once.
let wasmPathsSet = false;

const loaders: Record<TfBackendName, () => Promise<unknown>> = {
  tensorflow: () => import(/* @vite-ignore */ TFJS_NODE),
  wasm: async () => {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (!wasmPathsSet) {
      // By default the .wasm files are looked up next to the JS that loads them,
      // which stops being node_modules as soon as a bundler inlines the package.
      // Node's resolver finds them wherever node_modules really is.
      const wasmFile = createRequire(import.meta.url).resolve(
        "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm",
      );
      wasm.setWasmPaths(path.dirname(wasmFile) + path.sep);
      wasmPathsSet = true;
    }
  },
  cpu: () => import("@tensorflow/tfjs-backend-cpu"),
};

async function tryBackend(name: TfBackendName): Promise<TfBackendAttempt> {
  try {
    await loaders[name]();
    // setBackend resolves false (after console.warn) rather than throwing when init fails.
    if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") returned false`);
    return { name, ok: true };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return { name, ok: false, error: text.split("\n")[0] ?? text };
  }
}

async function selectBackend(force: TfBackendName | null, log: TfLog): Promise<TfBackendInfo> {
  const tried: TfBackendAttempt[] = [];
  for (const name of force ? [force] : LADDER) {
    const attempt = await tryBackend(name);
    tried.push(attempt);
    if (!attempt.ok) continue;
    // After the ladder, so the official gradients that tfjs-node brings win.
    registerTrainingGradients();
    const info: TfBackendInfo = { name, tried, forced: force !== null };
    log("tf.backend", { backend: name, forced: info.forced, tried });
    return info;
  }
  const last = tried[tried.length - 1] ?? { name: "cpu", error: "nothing tried" };
  throw new TfBackendUnavailableError(last.name, last.error ?? "unknown error", tried);
}

const defaultLog: TfLog = (event, fields) => console.log(JSON.stringify({ level: "info", event, ...fields }));

const selections = new Map<TfBackendChoice, Promise<TfBackendInfo>>();
let active: TfBackendInfo | null = null;

/**
 * Picks (once per choice) and activates a backend. Repeated calls return the same
 * info object; a call with a different `force` switches the engine, which is what
 * tests comparing backends in one process rely on.
 */
export async function initTfBackend(options: InitTfBackendOptions = {}): Promise<TfBackendInfo> {
  const choice = options.force ?? "auto";
  let pending = selections.get(choice);
  if (!pending) {
    pending = selectBackend(choice === "auto" ? null : choice, options.log ?? defaultLog);
    selections.set(choice, pending);
  }
  const info = await pending;
  // Backends stay registered after a switch, so going back is cheap.
  if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
  active = info;
  return info;
}

export function activeTfBackend(): TfBackendInfo | null {
  return active;
}
