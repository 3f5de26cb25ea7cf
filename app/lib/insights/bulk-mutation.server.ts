/**
 * Shopify's bulk mutation flow (Admin API 2026-10): stage a JSONL file of variables
 * (stagedUploadsCreate, then a multipart POST to the signed target), run one mutation over it
 * (bulkOperationRunMutation), poll the operation, and read the per-line results file. One bulk
 * mutation runs at a time per shop, so the steps of a write run one after another.
 */
import { z } from "zod";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { AdminApiError } from "../shopify/admin-api-error";
import { InsightWriteError } from "./errors";
import { METAFIELD_NAMESPACE, METAFIELD_TYPES, type Change, type ChangeKind, type MetafieldKey } from "./plan";

export const MUTATIONS: Record<ChangeKind, string> = {
  tagsRemove: `mutation AffinityTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`,
  tagsAdd: `mutation AffinityTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`,
  metafieldsDelete: `mutation AffinityMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } }
}`,
  metafieldsSet: `mutation AffinityMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message code } }
}`,
};

const customerGid = (id: string) => `gid://shopify/Customer/${id}`;

/** One JSONL line: the mutation's variables for one change. */
export function variablesFor(change: Change): Record<string, unknown> {
  const ownerId = customerGid(change.customerId);
  switch (change.kind) {
    case "tagsAdd":
    case "tagsRemove":
      return { id: ownerId, tags: change.tags };
    case "metafieldsDelete":
      return { metafields: change.keys.map((key) => ({ ownerId, namespace: METAFIELD_NAMESPACE, key })) };
    case "metafieldsSet":
      return {
        metafields: (Object.keys(change.values) as MetafieldKey[]).map((key) => ({
          ownerId,
          namespace: METAFIELD_NAMESPACE,
          key,
          type: METAFIELD_TYPES[key],
          value: change.values[key]!,
        })),
      };
  }
}

const STAGE = `mutation AffinityStageUpload($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}`;

const RUN = `mutation AffinityRunBulkMutation($mutation: String!, $stagedUploadPath: String!) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

const userErrors = z.array(z.object({ message: z.string(), code: z.string().nullish() }));
const stagePayload = z.object({
  stagedUploadsCreate: z.object({
    stagedTargets: z
      .array(
        z.object({
          url: z.string().nullish(),
          parameters: z.array(z.object({ name: z.string(), value: z.string() })),
        }),
      )
      .nullish(),
    userErrors,
  }),
});
const runPayload = z.object({
  bulkOperationRunMutation: z.object({ bulkOperation: z.object({ id: z.string() }).nullable(), userErrors }),
});

/** Uploads the JSONL to a staged target and returns its path for bulkOperationRunMutation. */
export async function stageJsonl(admin: AdminGraphql, jsonl: string): Promise<string> {
  const input = [
    {
      resource: "BULK_MUTATION_VARIABLES",
      filename: "affinity-insights.jsonl",
      mimeType: "text/jsonl",
      httpMethod: "POST",
    },
  ];
  const payload = stagePayload.parse(await admin(STAGE, { input })).stagedUploadsCreate;
  const target = payload.stagedTargets?.[0];
  const key = target?.parameters.find((p) => p.name === "key")?.value;
  if (!target?.url || !key) {
    const why = payload.userErrors.map((e) => e.message).join("; ") || "no upload target";
    throw new InsightWriteError(`Shopify gave no upload target: ${why}`, false);
  }
  // The signed parameters first, the file last: the storage service reads the policy before the body.
  const form = new FormData();
  for (const p of target.parameters) form.append(p.name, p.value);
  form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "affinity-insights.jsonl");
  const response = await globalThis.fetch(target.url, { method: "POST", body: form });
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429;
    throw new AdminApiError(`staged upload answered HTTP ${response.status}`, response.status, retryable);
  }
  return key;
}

/** Starts the mutation over the staged file. A busy shop (another bulk mutation) is worth a retry. */
export async function runBulkMutation(
  admin: AdminGraphql,
  kind: ChangeKind,
  stagedUploadPath: string,
): Promise<string> {
  const payload = runPayload.parse(
    await admin(RUN, { mutation: MUTATIONS[kind], stagedUploadPath }),
  ).bulkOperationRunMutation;
  if (payload.bulkOperation) return payload.bulkOperation.id;
  const messages = payload.userErrors.map((e) => e.message).join("; ") || "no operation and no reason given";
  const busy = payload.userErrors.some(
    (e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED" || /in progress/i.test(e.message),
  );
  throw new InsightWriteError(`Shopify did not start the bulk ${kind}: ${messages}`, busy);
}

export interface LineResult {
  line: number;
  ok: boolean;
  /** The customer no longer exists in Shopify (deleted): nothing to write or remove. */
  gone: boolean;
  error: string | null;
}

const resultLine = z.object({
  __lineNumber: z.number().int().nonnegative(),
  data: z
    .record(z.string(), z.object({ userErrors: z.array(z.object({ message: z.string() })) }).nullable())
    .optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

const GONE = /does not exist|not found|invalid id/i;

/** Reads a results file (complete or partial) line by line; a line that does not parse is an error for that line. */
export async function readResults(url: string, kind: ChangeKind): Promise<LineResult[]> {
  const response = await globalThis.fetch(url);
  if (!response.ok) {
    throw new AdminApiError(`bulk results answered HTTP ${response.status}`, response.status, response.status >= 500);
  }
  const results: LineResult[] = [];
  for (const text of (await response.text()).split("\n")) {
    if (text.trim() === "") continue;
    const parsed = resultLine.safeParse(parseJson(text));
    // No line number: nothing to attribute it to. Its change goes unanswered and is planned again.
    if (!parsed.success) continue;
    const { __lineNumber: line, data, errors } = parsed.data;
    const messages = [...(errors ?? []), ...(data?.[kind]?.userErrors ?? [])].map((e) => e.message);
    const missing = !data?.[kind] && messages.length === 0;
    const error = missing ? `no ${kind} result` : messages.length > 0 ? messages.join("; ") : null;
    results.push({ line, ok: error === null, gone: messages.some((m) => GONE.test(m)), error });
  }
  return results;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
