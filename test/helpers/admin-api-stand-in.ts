import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "smol-toml";
import { bulkJsonl, type GraphqlOrder, type GraphqlProduct } from "./bulk-fixtures";
import { STAND_IN_SHOP_HEADER } from "./shopify-network";
import { createTokenEndpoint } from "./token-endpoint-stand-in";
import { createCustomerStore, runCustomerMutation, type CustomerStore } from "./customer-insights-stand-in";

/**
 * A local stand-in for the Admin GraphQL API (2026-10), enough for bulk query operations, with
 * the response shapes Shopify uses: `POST /admin/api/2026-10/graphql.json` checks the access token,
 * runs `bulkOperationRunQuery`, answers `bulkOperation(id:)` and `bulkOperations(...)`, and serves
 * each result file at its own URL (as Shopify hands out a signed storage URL). It also answers the
 * web pixel mutations, a collection's products (paginated like Shopify's connections), the app
 * installation and `metafieldsSet` on it, for the admin pages, and `shop { ianaTimezone }`. `POST /admin/oauth/access_token` is
 * Shopify's token endpoint for expiring offline tokens (token-endpoint-stand-in.ts); the GraphQL
 * endpoint accepts the tokens it issued until they expire on `now`, and `accessToken`, the
 * non-expiring token, until that has been exchanged.
 */

export interface StandInConfig {
  /** The shops' non-expiring offline token, as stored before expiring tokens. */
  accessToken: string;
  /** The clock access tokens expire on, in ms; a test moves it to cross an expiry. @defaultValue Date.now */
  now: () => number;
  products: GraphqlProduct[];
  orders: GraphqlOrder[];
  /**
   * Serves bulk results from a generator instead of `products` / `orders` (bigshop-bulk.ts): the
   * lines for a query's root connection and its `created_at:>=` filter, produced again for each
   * download and never held, so a result of any size streams.
   */
  bulkResults?: (root: BulkRoot, since: Date | undefined) => StreamedBulkResult;
  /** Status polls before an operation ends. @defaultValue 3 */
  pollsUntilDone: number;
  /** End operations this way instead of COMPLETED. */
  failWith?: { status?: "FAILED" | "CANCELED" | "EXPIRED"; errorCode?: string | null };
  /** The next bulkOperationRunQuery finds its query already running, as if started by an earlier attempt. */
  alreadyInProgress: boolean;
  /** Cut the connection of the next download after this many lines. */
  dropDownloadAfterLines?: number;
  /** Collections by numeric id: their products' numeric ids, in collection order. */
  collections: Record<string, string[]>;
  /** Products per page of `collection.products`, whatever `first` asks for. @defaultValue 250 */
  collectionPageSize: number;
  /** What `shop { ianaTimezone }` answers (Shopify sends whatever the store is set to). @defaultValue "UTC" */
  ianaTimezone: string;
  /** Customers that exist, by numeric id; tags and metafields the mutations leave on them (customer-insights.ts). */
  customers: CustomerStore;
  /** End the next bulk mutation FAILED after applying this many lines, with a partial results file. */
  failMutationAfterLines?: number;
  /** Answer the next GraphQL requests this way: THROTTLED (HTTP 200 with the code) or an HTTP status. */
  failNext: Array<"THROTTLED" | number>;
  /** Answer the next `bulkOperation(id:)` poll with this HTTP status (the operation runs on). */
  failNextPoll?: number;
}

export interface RecordedRequest {
  shop: string | undefined;
  kind:
    | "run"
    | "poll"
    | "list"
    | "pixelCreate"
    | "pixelUpdate"
    | "pixelFind"
    | "collection"
    | "installation"
    | "metafieldsSet"
    | "customerMutation"
    | "shop"
    | "stage"
    | "runMutation"
    | "unknown";
  query: string;
  variables: Record<string, unknown>;
}

export type BulkRoot = "products" | "orders";

/** A bulk result file: how many objects (lines) it has, and its lines, produced on demand. */
export interface StreamedBulkResult {
  lineCount: number;
  lines: () => Iterable<string>;
}

export interface StandInOperation {
  id: string;
  query: string;
  groupObjects: boolean;
  status: string;
  polls: number;
  objectCount: number;
  errorCode: string | null;
  result: StreamedBulkResult;
  /** Bulk mutations: the mutation document and its staged variable lines, applied when the operation ends. */
  mutation?: { document: string; variables: string[]; applied: boolean };
  partialLines?: string[];
}

const inMemory = (lines: string[]): StreamedBulkResult => ({ lineCount: lines.length, lines: () => lines });

const PATH = "/admin/api/2026-10/graphql.json";
const TERMINAL = ["COMPLETED", "FAILED", "CANCELED", "EXPIRED"];

export async function startAdminApiStandIn(initial: Partial<StandInConfig> & { accessToken: string }) {
  const config: StandInConfig = {
    products: [],
    orders: [],
    pollsUntilDone: 3,
    alreadyInProgress: false,
    collections: {},
    collectionPageSize: 250,
    ianaTimezone: "UTC",
    customers: createCustomerStore([]),
    failNext: [],
    now: Date.now,
    ...initial,
  };
  const tokens = createTokenEndpoint({
    clientId: process.env.SHOPIFY_API_KEY ?? "",
    clientSecret: process.env.SHOPIFY_API_SECRET ?? "",
    legacyToken: config.accessToken,
    scope: process.env.SCOPES ?? "",
    now: () => config.now(),
  });
  const requests: RecordedRequest[] = [];
  /** The shops of GraphQL requests refused with 401. */
  const rejected: Array<string | undefined> = [];
  const downloads: IncomingHttpHeaders[] = [];
  const operations: StandInOperation[] = [];
  /** Web pixels by shop, as webPixelCreate leaves them: one per app and shop. */
  const pixels = new Map<string, { id: string; settings: string }>();
  /** App-data metafields by shop, keyed "namespace.key", as metafieldsSet leaves them. */
  const metafields = new Map<string, Map<string, { type: string; value: string }>>();
  /** Staged upload files by their `key` parameter, as the storage service keeps them. */
  const staged = new Map<string, string>();
  let origin = "";

  const view = (op: StandInOperation) => ({
    id: op.id,
    status: op.status,
    errorCode: op.errorCode,
    objectCount: String(op.objectCount), // UnsignedInt64 is serialised as a string
    url:
      op.status === "COMPLETED" && op.result.lineCount > 0
        ? `${origin}/bulk-results/${operations.indexOf(op)}.jsonl`
        : null,
    partialDataUrl:
      op.status === "FAILED" && op.partialLines
        ? `${origin}/bulk-results/${operations.indexOf(op)}.partial.jsonl`
        : null,
  });

  function advance(op: StandInOperation) {
    if (TERMINAL.includes(op.status)) return;
    op.polls += 1;
    const total = op.result.lineCount;
    if (op.polls < config.pollsUntilDone) {
      op.status = "RUNNING";
      op.objectCount = Math.floor((total * op.polls) / config.pollsUntilDone);
    } else if (op.mutation) {
      finishMutation(op);
    } else if (config.failWith) {
      op.status = config.failWith.status ?? "FAILED";
      op.errorCode = config.failWith.errorCode ?? (op.status === "FAILED" ? "INTERNAL_SERVER_ERROR" : null);
    } else {
      op.status = "COMPLETED";
      op.objectCount = total;
    }
  }

  // Shopify runs each line as its own mutation and writes one result line per input line.
  function finishMutation(op: StandInOperation) {
    const mutation = op.mutation!;
    const stop = config.failMutationAfterLines;
    const lines = stop === undefined ? mutation.variables : mutation.variables.slice(0, stop);
    const results = lines.map((line, i) => {
      const data = runCustomerMutation(
        config.customers,
        mutation.document,
        JSON.parse(line) as Record<string, unknown>,
      );
      return JSON.stringify({ data, __lineNumber: i });
    });
    mutation.applied = true;
    if (stop !== undefined) {
      config.failMutationAfterLines = undefined;
      op.status = "FAILED";
      op.errorCode = "INTERNAL_SERVER_ERROR";
      op.partialLines = results;
      op.objectCount = results.length;
      return;
    }
    op.status = "COMPLETED";
    op.result = inMemory(results);
    op.objectCount = results.length;
  }

  function stage(variables: Record<string, unknown>) {
    const [input] = (variables.input ?? []) as Array<Record<string, unknown>>;
    if (input?.resource !== "BULK_MUTATION_VARIABLES" || input.httpMethod !== "POST") {
      return {
        stagedUploadsCreate: {
          stagedTargets: [],
          userErrors: [{ field: ["input"], message: "The stand-in stages bulk mutation variables only" }],
        },
      };
    }
    const key = `tmp/gid://shopify/Shop/1/bulk/${staged.size + 1}/${String(input.filename)}`;
    return {
      stagedUploadsCreate: {
        stagedTargets: [
          {
            url: `${origin}/staged-uploads`,
            resourceUrl: null,
            parameters: [
              { name: "Content-Type", value: String(input.mimeType) },
              { name: "success_action_status", value: "201" },
              { name: "acl", value: "private" },
              { name: "key", value: key },
              { name: "policy", value: "stand-in-policy" },
            ],
          },
        ],
        userErrors: [],
      },
    };
  }

  function runMutation(variables: Record<string, unknown>) {
    const fail = (message: string, code: string) => ({
      bulkOperationRunMutation: { bulkOperation: null, userErrors: [{ field: null, message, code }] },
    });
    const file = staged.get(String(variables.stagedUploadPath));
    if (file === undefined) return fail("The staged upload path is not valid for this shop.", "NO_SUCH_FILE");
    if (operations.some((op) => op.mutation && !TERMINAL.includes(op.status))) {
      return fail("A bulk mutation operation for this app and shop is already in progress.", "OPERATION_IN_PROGRESS");
    }
    const op: StandInOperation = {
      id: `gid://shopify/BulkOperation/${9000 + operations.length}`,
      query: String(variables.mutation),
      groupObjects: false,
      status: "CREATED",
      polls: 0,
      objectCount: 0,
      errorCode: null,
      result: inMemory([]),
      mutation: { document: String(variables.mutation), variables: file.split("\n").filter(Boolean), applied: false },
    };
    operations.push(op);
    return { bulkOperationRunMutation: { bulkOperation: { id: op.id, status: op.status }, userErrors: [] } };
  }

  function run(document: string, variables: Record<string, unknown>) {
    const query = String(variables.query ?? "");
    const root = /^\s*\{\s*(products|orders)\b/.exec(query)?.[1] as BulkRoot | undefined;
    if (!root) {
      return {
        bulkOperationRunQuery: {
          bulkOperation: null,
          userErrors: [{ field: ["query"], message: "Invalid bulk query", code: "INVALID" }],
        },
      };
    }
    const groupObjects = /groupObjects:\s*true/.test(document) || variables.groupObjects === true;
    const since = root === "orders" ? sinceOf(query) : undefined;
    // A generated result is always grouped: the big shop is only used with the backfill's query.
    const result = config.bulkResults
      ? config.bulkResults(root, since)
      : inMemory(
          root === "products"
            ? bulkJsonl(config.products, "variants", groupObjects)
            : bulkJsonl(ordersSince(since), "lineItems", groupObjects),
        );
    const op: StandInOperation = {
      id: `gid://shopify/BulkOperation/${9000 + operations.length}`,
      query,
      groupObjects,
      status: "CREATED",
      polls: 0,
      objectCount: 0,
      errorCode: null,
      result,
    };
    operations.push(op);
    if (config.alreadyInProgress) {
      config.alreadyInProgress = false;
      const message = `A bulk query operation for this app and shop is already in progress: ${op.id}.`;
      return {
        bulkOperationRunQuery: {
          bulkOperation: null,
          userErrors: [{ field: null, message, code: "OPERATION_IN_PROGRESS" }],
        },
      };
    }
    return { bulkOperationRunQuery: { bulkOperation: { id: op.id, status: op.status }, userErrors: [] } };
  }

  // Shopify applies the search filter; so does the stand-in, for the one filter the backfill uses.
  function sinceOf(query: string): Date | undefined {
    const since = /created_at:>=([^"\s)]+)/.exec(query)?.[1];
    return since ? new Date(since) : undefined;
  }
  function ordersSince(since: Date | undefined): GraphqlOrder[] {
    return since ? config.orders.filter((o) => new Date(String(o.createdAt)) >= since) : config.orders;
  }

  function pixel(kind: "pixelCreate" | "pixelUpdate" | "pixelFind", variables: Record<string, unknown>, shop = "") {
    const existing = pixels.get(shop) ?? null;
    if (kind === "pixelFind") return { webPixel: existing };
    const field = kind === "pixelCreate" ? "webPixelCreate" : "webPixelUpdate";
    const fail = (code: string, message: string) => ({
      [field]: { userErrors: [{ code, field: ["webPixel"], message }], webPixel: null },
    });
    if (kind === "pixelCreate" && existing) return fail("TAKEN", "Web pixel is taken.");
    if (kind === "pixelUpdate" && existing?.id !== variables.id) return fail("NOT_FOUND", "Web pixel not found.");
    const settings = String((variables.webPixel as { settings?: unknown } | undefined)?.settings ?? "");
    const problem = invalidPixelSettings(settings);
    if (problem) return fail("INVALID_SETTINGS", problem);
    const saved = { id: existing?.id ?? `gid://shopify/WebPixel/${700 + pixels.size}`, settings };
    pixels.set(shop, saved);
    return { [field]: { userErrors: [], webPixel: saved } };
  }

  // A collection's products, one page at a time; the cursor is the offset, opaque to the client.
  function collection(variables: Record<string, unknown>) {
    const id = String(variables.id ?? "");
    const products = config.collections[id.slice(id.lastIndexOf("/") + 1)];
    if (!id.startsWith("gid://shopify/Collection/") || !products) return { collection: null };
    const start = variables.after ? Number(Buffer.from(String(variables.after), "base64url").toString()) : 0;
    const page = products.slice(start, start + config.collectionPageSize);
    const end = start + page.length;
    return {
      collection: {
        id,
        title: `Collection ${id}`,
        products: {
          nodes: page.map((p) => ({ id: `gid://shopify/Product/${p}` })),
          pageInfo: { hasNextPage: end < products.length, endCursor: Buffer.from(String(end)).toString("base64url") },
        },
      },
    };
  }

  // Each shop's installation of the app has an id of its own; metafieldsSet checks the owner.
  const installations = new Map<string, string>();
  const installationId = (shop = "") => {
    if (!installations.has(shop)) installations.set(shop, `gid://shopify/AppInstallation/${9100 + installations.size}`);
    return installations.get(shop)!;
  };

  function setMetafields(variables: Record<string, unknown>, shop = "") {
    const inputs = (variables.metafields ?? []) as Array<Record<string, unknown>>;
    const userErrors = inputs.flatMap((m, i) =>
      m.ownerId !== installationId(shop)
        ? [{ field: ["metafields", String(i), "ownerId"], message: "Owner does not exist.", code: "INVALID" }]
        : typeof m.value !== "string" || m.value === ""
          ? [{ field: ["metafields", String(i), "value"], message: "Value can't be blank.", code: "BLANK" }]
          : [],
    );
    if (userErrors.length > 0) return { metafieldsSet: { metafields: null, userErrors } };
    const stored = metafields.get(shop) ?? new Map<string, { type: string; value: string }>();
    metafields.set(shop, stored);
    for (const m of inputs)
      stored.set(`${String(m.namespace)}.${String(m.key)}`, { type: String(m.type), value: String(m.value) });
    return {
      metafieldsSet: { metafields: inputs.map((_, i) => ({ id: `gid://shopify/Metafield/${i + 1}` })), userErrors: [] },
    };
  }

  function answer(document: string, variables: Record<string, unknown>, shop: string | undefined) {
    const kind = /bulkOperationRunQuery/.test(document)
      ? "run"
      : /bulkOperationRunMutation\s*\(/.test(document)
        ? "runMutation"
        : /stagedUploadsCreate\s*\(/.test(document)
          ? "stage"
          : /bulkOperations\s*\(/.test(document)
            ? "list"
            : /bulkOperation\s*\(/.test(document)
              ? "poll"
              : /webPixelCreate\s*\(/.test(document)
                ? "pixelCreate"
                : /webPixelUpdate\s*\(/.test(document)
                  ? "pixelUpdate"
                  : /\bwebPixel\s*\{/.test(document)
                    ? "pixelFind"
                    : /\bcollection\s*\(/.test(document)
                      ? "collection"
                      : /\bcurrentAppInstallation\b/.test(document)
                        ? "installation"
                        : /\bmetafieldsSet\s*\(/.test(document)
                          ? "metafieldsSet"
                          : /\b(tagsAdd|tagsRemove|metafieldsDelete)\s*\(/.test(document)
                            ? "customerMutation"
                            : /\bshop\s*\{\s*ianaTimezone\b/.test(document)
                              ? "shop"
                              : "unknown";
    requests.push({ shop, kind, query: document, variables });
    const injected = config.failNext.shift();
    if (injected === "THROTTLED") return { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] };
    if (injected !== undefined) return { status: injected };
    if (kind === "run") return { data: run(document, variables) };
    if (kind === "stage") return { data: stage(variables) };
    if (kind === "runMutation") return { data: runMutation(variables) };
    if (kind === "pixelCreate" || kind === "pixelUpdate" || kind === "pixelFind") {
      return { data: pixel(kind, variables, shop) };
    }
    if (kind === "collection") return { data: collection(variables) };
    if (kind === "installation") return { data: { currentAppInstallation: { id: installationId(shop) } } };
    if (kind === "metafieldsSet") return { data: setMetafields(variables, shop) };
    // One customer's tags or metafields changed directly, outside a bulk operation (customers/redact).
    if (kind === "customerMutation") return { data: runCustomerMutation(config.customers, document, variables) };
    if (kind === "shop") return { data: { shop: { ianaTimezone: config.ianaTimezone } } };
    if (kind === "list") {
      const nodes = operations
        .filter((op) => op.status === "CREATED" || op.status === "RUNNING")
        .map((op) => ({ ...view(op), query: op.query }));
      return { data: { bulkOperations: { nodes } } };
    }
    if (kind === "poll" && config.failNextPoll !== undefined) {
      const status = config.failNextPoll;
      config.failNextPoll = undefined;
      return { status };
    }
    if (kind === "poll") {
      const op = operations.find((o) => o.id === variables.id);
      if (op) advance(op);
      return { data: { bulkOperation: op ? view(op) : null } };
    }
    return {
      errors: [
        {
          message: "The Admin API stand-in does not implement this operation",
          extensions: { code: "NOT_IMPLEMENTED" },
        },
      ],
    };
  }

  function download(index: number, req: IncomingMessage, res: ServerResponse, partial = false) {
    const op = operations[index];
    if (partial) {
      if (!op?.partialLines) return send(res, 404, { error: "no such result" });
      res.writeHead(200, { "content-type": "application/jsonl" });
      return res.end(op.partialLines.map((l) => `${l}\n`).join(""));
    }
    if (!op || op.status !== "COMPLETED") return send(res, 404, { error: "no such result" });
    downloads.push(req.headers);
    res.writeHead(200, { "content-type": "application/jsonl" });
    const drop = config.dropDownloadAfterLines;
    config.dropDownloadAfterLines = undefined;
    void streamLines(res, op.result.lines(), drop).catch(() => res.destroy());
  }

  // The storage service's side of a staged upload: a multipart form, the signed fields then the file.
  async function upload(req: IncomingMessage, res: ServerResponse) {
    const body = Buffer.from(await readBody(req), "utf8");
    const form = await new Request("http://stand-in/", {
      method: "POST",
      headers: { "content-type": req.headers["content-type"] ?? "" },
      body,
    }).formData();
    const key = form.get("key");
    const file = form.get("file");
    if (typeof key !== "string" || !(file instanceof Blob) || form.get("policy") !== "stand-in-policy") {
      res.writeHead(400, { "content-type": "application/xml" });
      return res.end("<Error><Code>InvalidArgument</Code></Error>");
    }
    staged.set(key, await file.text());
    res.writeHead(201, { "content-type": "application/xml" });
    res.end(`<PostResponse><Key>${key}</Key></PostResponse>`);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      const result = /^\/bulk-results\/(\d+)(\.partial)?\.jsonl$/.exec(url.pathname);
      if (req.method === "GET" && result) return download(Number(result[1]), req, res, result[2] !== undefined);
      if (req.method === "POST" && url.pathname === "/staged-uploads") return upload(req, res);
      const shopHeader = req.headers[STAND_IN_SHOP_HEADER];
      const shop = typeof shopHeader === "string" ? shopHeader : undefined;
      if (req.method === "POST" && url.pathname === "/admin/oauth/access_token") {
        const answered = await tokens.answer(shop ?? "", await readBody(req), req.headers["content-type"] ?? "");
        // null: the endpoint hangs, as a timed-out one does; close() cuts the connection.
        return answered ? send(res, answered.status, answered.body) : undefined;
      }
      if (req.method !== "POST" || url.pathname !== PATH) return send(res, 404, { errors: "Not Found" });
      const token = req.headers["x-shopify-access-token"];
      if (!tokens.accepts(shop, typeof token === "string" ? token : undefined)) {
        rejected.push(shop);
        return send(res, 401, {
          errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
        });
      }
      let body: { query?: unknown; variables?: Record<string, unknown> };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return send(res, 400, { errors: "Bad Request" });
      }
      const answered = answer(String(body.query ?? ""), body.variables ?? {}, shop);
      if ("status" in answered && typeof answered.status === "number")
        return send(res, answered.status, { errors: `HTTP ${answered.status} from the stand-in` });
      send(res, 200, answered);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    config,
    requests,
    downloads,
    operations,
    pixels,
    metafields,
    staged,
    /** The bulk mutations run, in order: which mutation and the variables of each line. */
    bulkMutations: () =>
      operations.flatMap((op) =>
        op.mutation
          ? [
              {
                mutation:
                  /\b(tagsAdd|tagsRemove|metafieldsSet|metafieldsDelete)\s*\(/.exec(op.mutation.document)?.[1] ?? "?",
                lines: op.mutation.variables.map((l) => JSON.parse(l) as unknown),
              },
            ]
          : [],
      ),
    /** Shopify's token endpoint: its requests, failures to inject, revoke(). */
    tokens,
    rejected,
    /** The bulk queries the app asked Shopify to run, in order. */
    bulkQueries: () => requests.filter((r) => r.kind === "run").map((r) => String(r.variables.query)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export type AdminApiStandIn = Awaited<ReturnType<typeof startAdminApiStandIn>>;

/**
 * Shopify checks webPixelCreate's settings against the extension's TOML: a JSON object with
 * exactly the declared fields, each a string meeting its validations. Written apart from the
 * app's own check so the two cannot share a mistake.
 */
function invalidPixelSettings(json: string): string | null {
  const toml = parse(readFileSync("extensions/affinity-pixel/shopify.extension.toml", "utf8")) as {
    settings: { fields: Record<string, { validations?: Array<{ name: string; value: string }> }> };
  };
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return "Settings is not valid JSON.";
  }
  const declared = Object.keys(toml.settings.fields);
  const given = Object.keys(settings ?? {});
  if (given.some((key) => !declared.includes(key)) || declared.some((key) => !given.includes(key))) {
    return `Settings must have exactly: ${declared.join(", ")}.`;
  }
  for (const [key, field] of Object.entries(toml.settings.fields)) {
    const value = settings[key];
    if (typeof value !== "string") return `${key} must be a string.`;
    for (const rule of field.validations ?? []) {
      if (rule.name === "min" && value.length < Number(rule.value)) return `${key} is too short.`;
      if (rule.name === "max" && value.length > Number(rule.value)) return `${key} is too long.`;
      if (rule.name === "regex" && !new RegExp(rule.value).test(value)) return `${key} is invalid.`;
    }
  }
  return null;
}

/** Bytes gathered before each write: large enough to keep syscalls few, small enough to stay flat. */
const WRITE_CHUNK_CHARS = 256 * 1024;

/**
 * Writes the lines as they are produced, waiting for the socket to drain whenever its buffer is
 * full, so the stand-in's memory stays flat however large the file. With `dropAfter`, it flushes
 * that many lines, then cuts the connection mid-body, as a network failure would.
 */
async function streamLines(res: ServerResponse, lines: Iterable<string>, dropAfter?: number): Promise<void> {
  let buffered = "";
  let count = 0;
  const flush = async () => {
    const ok = res.write(buffered);
    buffered = "";
    if (ok) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done).off("close", done);
        resolve();
      };
      res.on("drain", done).on("close", done);
    });
  };
  for (const line of lines) {
    if (res.destroyed || count === dropAfter) break;
    buffered += `${line}\n`;
    count += 1;
    if (buffered.length >= WRITE_CHUNK_CHARS) await flush();
  }
  if (res.destroyed) return;
  if (dropAfter === undefined) {
    res.end(buffered);
    return;
  }
  res.write(buffered, () => setTimeout(() => res.socket?.destroy(), 20));
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
