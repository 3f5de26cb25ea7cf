/**
 * The App Proxy's query string, parsed as `URLSearchParams` parses it (the WHATWG
 * application/x-www-form-urlencoded parser) but into two plain arrays. Every storefront request
 * is parsed once, read a dozen times (signature, request fields) and iterated once for the
 * signature; URLSearchParams pays for a C++ object, a copy of each pair on iteration and a
 * lookup through the binding on every `get`. Hand-written code on the hot path (ADR 015); a test
 * holds it equal to URLSearchParams on encoded characters, repeats, empty values, `+` and bad
 * escapes (test/unit/app-proxy/proxy-query.test.ts).
 */

/** What the proxy's readers need of a query: URLSearchParams and ProxyQuery both have it. */
export interface QueryParams extends Iterable<[string, string]> {
  get(name: string): string | null;
  getAll(name: string): string[];
}

const PERCENT = 0x25;
const PLUS = 0x2b;

/**
 * One name or value: `+` is a space, `%XX` a byte, everything else its UTF-8 bytes; the bytes are
 * read as UTF-8. The common case, ASCII with escapes of whole characters, goes through
 * decodeURIComponent, which gives the same string whenever it does not throw; malformed escapes,
 * which it refuses, and non-ASCII text are left to URLSearchParams.
 */
function decodePart(input: string, start: number, end: number): string {
  let ascii = true;
  let plain = true;
  for (let i = start; i < end; i++) {
    const code = input.charCodeAt(i);
    if (code > 0x7f) ascii = false;
    else if (code === PERCENT || code === PLUS) plain = false;
  }
  const part = input.slice(start, end);
  // Other characters are encoded as UTF-8 first (a lone surrogate as U+FFFD): URLSearchParams' way.
  if (!ascii) return decodeRare(part);
  if (plain) return part;
  const spaced = part.indexOf("+") === -1 ? part : part.replace(/\+/g, " ");
  if (spaced.indexOf("%") === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return decodeRare(part);
  }
}

/**
 * The rare part that is not ASCII or has a malformed escape, decoded by URLSearchParams itself:
 * Node's parser (ada) differs from a plain reading of the WHATWG steps on some malformed input
 * (`%%41é` gives `%A\ufffd`), and the signature must be checked over exactly what it gives.
 */
function decodeRare(part: string): string {
  return new URLSearchParams(`=${part}`).get("")!;
}

export class ProxyQuery implements QueryParams {
  /** Names and values in the order they came; a repeated name appears once per occurrence. */
  readonly names: string[] = [];
  readonly values: string[] = [];

  /** Parses a query string without its `?` (URLSearchParams would drop one leading `?`; the caller already has). */
  constructor(query: string) {
    const length = query.length;
    let start = 0;
    while (start <= length) {
      let end = query.indexOf("&", start);
      if (end === -1) end = length;
      if (end > start) {
        const equals = query.indexOf("=", start);
        if (equals === -1 || equals >= end) {
          this.names.push(decodePart(query, start, end));
          this.values.push("");
        } else {
          this.names.push(decodePart(query, start, equals));
          this.values.push(decodePart(query, equals + 1, end));
        }
      }
      start = end + 1;
    }
  }

  get(name: string): string | null {
    const at = this.names.indexOf(name);
    return at === -1 ? null : this.values[at]!;
  }

  getAll(name: string): string[] {
    const all: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) all.push(this.values[i]!);
    return all;
  }

  /** How many times `name` appears, without building the list of its values. */
  count(name: string): number {
    let count = 0;
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) count++;
    return count;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }

  /** The same pairs from any query (URLSearchParams in tests and dev tools): the readers then take one way. */
  static from(query: QueryParams): ProxyQuery {
    if (query instanceof ProxyQuery) return query;
    const copy = new ProxyQuery("");
    for (const [name, value] of query) {
      copy.names.push(name);
      copy.values.push(value);
    }
    return copy;
  }
}
