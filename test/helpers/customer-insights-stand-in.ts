/**
 * The customers of the Admin API stand-in and the four mutations Affinity runs on them in bulk,
 * with Shopify's payload shapes: `tagsAdd` / `tagsRemove` (`node { id }`, `userErrors`),
 * `metafieldsSet` (`metafields`, `userErrors` with codes) and `metafieldsDelete`
 * (`deletedMetafields`, null for one that did not exist). Written apart from the app's code so the
 * two cannot share a mistake. The messages for a customer that does not exist are the stand-in's
 * reading of Shopify's; the app only relies on them naming the id as missing.
 */

export interface StandInCustomer {
  tags: Set<string>;
  /** By "namespace.key". */
  metafields: Map<string, { type: string; value: string }>;
}
export type CustomerStore = Map<string, StandInCustomer>;

export function createCustomerStore(ids: readonly string[]): CustomerStore {
  return new Map(ids.map((id) => [id, { tags: new Set<string>(), metafields: new Map() }]));
}

/** Tags one customer may carry. */
export const MAX_TAGS = 250;

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/(\d+)$/;
const customerOf = (store: CustomerStore, gid: unknown) => {
  const id = CUSTOMER_GID.exec(String(gid))?.[1];
  return id === undefined ? undefined : store.get(id);
};

const TYPE_CHECKS: Record<string, (v: string) => boolean> = {
  number_decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
  single_line_text_field: (v) => v.length > 0 && !v.includes("\n"),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  "list.product_reference": (v) => {
    try {
      const list = JSON.parse(v) as unknown;
      return (
        Array.isArray(list) &&
        list.length > 0 &&
        list.every((gid) => typeof gid === "string" && /^gid:\/\/shopify\/Product\/\d+$/.test(gid))
      );
    } catch {
      return false;
    }
  },
};

function tags(store: CustomerStore, variables: Record<string, unknown>, add: boolean) {
  const field = add ? "tagsAdd" : "tagsRemove";
  const customer = customerOf(store, variables.id);
  if (!customer)
    return { [field]: { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] } };
  const list = Array.isArray(variables.tags) ? (variables.tags as unknown[]).map(String) : [];
  if (list.length === 0)
    return { [field]: { node: null, userErrors: [{ field: ["tags"], message: "Tags can't be blank" }] } };
  // A customer carries at most MAX_TAGS tags: a refusal that names the customer but is not "gone".
  if (add && new Set([...customer.tags, ...list]).size > MAX_TAGS)
    return { [field]: { node: null, userErrors: [{ field: ["tags"], message: `Tags can't exceed ${MAX_TAGS}` }] } };
  for (const tag of list) {
    if (add) customer.tags.add(tag);
    else customer.tags.delete(tag);
  }
  return { [field]: { node: { id: variables.id }, userErrors: [] } };
}

function setMetafields(store: CustomerStore, variables: Record<string, unknown>) {
  const inputs = (variables.metafields ?? []) as Array<Record<string, unknown>>;
  const userErrors = inputs.flatMap((m, i) => {
    const at = (name: string) => ["metafields", String(i), name];
    if (!customerOf(store, m.ownerId))
      return [{ field: at("ownerId"), message: "Owner does not exist.", code: "INVALID" }];
    const check = TYPE_CHECKS[String(m.type)];
    if (!check) return [{ field: at("type"), message: "Type is invalid.", code: "INVALID_TYPE" }];
    if (typeof m.value !== "string" || !check(m.value))
      return [{ field: at("value"), message: `Value is invalid for ${String(m.type)}.`, code: "INVALID_VALUE" }];
    return [];
  });
  if (inputs.length > 25)
    userErrors.push({ field: ["metafields"], message: "Exceeded the maximum of 25.", code: "LESS_THAN_OR_EQUAL_TO" });
  if (userErrors.length > 0) return { metafieldsSet: { metafields: null, userErrors } };
  for (const m of inputs)
    customerOf(store, m.ownerId)!.metafields.set(`${String(m.namespace)}.${String(m.key)}`, {
      type: String(m.type),
      value: String(m.value),
    });
  return { metafieldsSet: { metafields: inputs.map((m) => ({ key: m.key })), userErrors: [] } };
}

function deleteMetafields(store: CustomerStore, variables: Record<string, unknown>) {
  const inputs = (variables.metafields ?? []) as Array<Record<string, unknown>>;
  const deletedMetafields = inputs.map((m) => {
    const customer = customerOf(store, m.ownerId);
    const key = `${String(m.namespace)}.${String(m.key)}`;
    if (!customer?.metafields.delete(key)) return null;
    return { key: m.key, namespace: m.namespace, ownerId: m.ownerId };
  });
  return { metafieldsDelete: { deletedMetafields, userErrors: [] } };
}

/** Runs one line of a bulk mutation and returns its `data`, as a line of the results file carries it. */
export function runCustomerMutation(store: CustomerStore, document: string, variables: Record<string, unknown>) {
  if (/\btagsAdd\s*\(/.test(document)) return tags(store, variables, true);
  if (/\btagsRemove\s*\(/.test(document)) return tags(store, variables, false);
  if (/\bmetafieldsSet\s*\(/.test(document)) return setMetafields(store, variables);
  if (/\bmetafieldsDelete\s*\(/.test(document)) return deleteMetafields(store, variables);
  throw new Error(`the stand-in does not run this bulk mutation: ${document}`);
}
