import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { z } from "zod";

/** The pixel's TOML, beside the app (the app runs from the repository root, as `npm start` does). */
export const PIXEL_TOML = "extensions/affinity-pixel/shopify.extension.toml";
const APP_TOML = "shopify.app.toml";

/** Thrown when settings do not satisfy the extension's settings definition. */
export class InvalidPixelSettingsError extends Error {
  override name = "InvalidPixelSettingsError";
}

const validation = z.object({ name: z.enum(["min", "max", "regex", "choices"]), value: z.string() });
const settingsDefinition = z.object({
  settings: z.object({
    type: z.literal("object"),
    fields: z.record(
      z.string(),
      z.object({
        name: z.string(),
        description: z.string().optional(),
        // Web pixel settings are text fields; other metafield types are not used here.
        type: z.literal("single_line_text_field"),
        validations: z.array(validation).default([]),
      }),
    ),
  }),
});

/**
 * A zod schema for the settings declared in the extension's TOML: exactly those fields, each a
 * string satisfying its validations (min/max length, regex, choices), as Shopify checks them in
 * webPixelCreate. Checking first turns a rejected install-time mutation into a clear local error.
 */
export function pixelSettingsSchema(tomlText: string) {
  const { settings } = settingsDefinition.parse(parse(tomlText));
  const shape: Record<string, z.ZodType<string>> = {};
  for (const [key, field] of Object.entries(settings.fields)) {
    let text = z.string();
    for (const rule of field.validations) {
      if (rule.name === "min") text = text.min(Number(rule.value));
      if (rule.name === "max") text = text.max(Number(rule.value));
      if (rule.name === "regex") text = text.regex(new RegExp(rule.value));
    }
    const choices = field.validations.find((rule) => rule.name === "choices");
    shape[key] = choices
      ? text.refine((v) => (JSON.parse(choices.value) as string[]).includes(v), "is not one of the choices")
      : text;
  }
  return z.object(shape).strict();
}

/** Validates settings against the TOML, or throws InvalidPixelSettingsError naming the field. */
export function validatePixelSettings(settings: unknown, tomlText: string): Record<string, string> {
  const result = pixelSettingsSchema(tomlText).safeParse(settings);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InvalidPixelSettingsError(`Web pixel setting ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
}

/** The events path on the storefront: the App Proxy prefix and subpath from shopify.app.toml. */
export function eventsPathFromAppToml(appTomlText: string): string {
  const config = z
    .object({ app_proxy: z.object({ prefix: z.string(), subpath: z.string() }) })
    .parse(parse(appTomlText));
  return `/${config.app_proxy.prefix}/${config.app_proxy.subpath}/events`;
}

/** The settings the app activates its pixel with, checked against the extension's TOML. */
export function loadPixelSettings(root = process.cwd()): Record<string, string> {
  const read = (file: string) => readFileSync(path.join(root, file), "utf8");
  return validatePixelSettings({ eventsPath: eventsPathFromAppToml(read(APP_TOML)) }, read(PIXEL_TOML));
}
