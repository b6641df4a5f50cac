// Run-time validators for what crosses the wire, derived from the same generated document as the
// types in api.gen.ts (scripts/gen-wire.mjs): `z.fromJSONSchema` turns the server's JSON schema
// into zod, so a field the server adds, drops or constrains is validated here without hand edits.
// The one cast in this module ties a schema to the generated type of the same name.
import { z } from 'zod';
import type { components } from './api.gen';
import definitions from './schemas.gen.json';

export type WireSchemas = components['schemas'];
export type WireName = keyof WireSchemas & string;

type JSONSchema = Parameters<typeof z.fromJSONSchema>[0];

// Limits that only apply to what the server accepts; a project kept in the browser may hold a draft
// that does not meet them yet (an emptied title while typing), and the server checks them on send.
const LENGTH_LIMITS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems']);

function withoutLengthLimits(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLengthLimits);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key, item]) => !(LENGTH_LIMITS.has(key) && typeof item === 'number'))
      .map(([key, item]) => [key, withoutLengthLimits(item)]),
  );
}

const strictCache = new Map<string, z.ZodType>();
const storedCache = new Map<string, z.ZodType>();
let storedDefinitions: unknown = null;

function build(defs: unknown, name: string): z.ZodType {
  return z.fromJSONSchema({ $defs: defs, $ref: `#/$defs/${name}` } as JSONSchema);
}

/** The validator of a wire model, as strict as the server (for `done` payloads and progress events). */
export function wireSchema<K extends WireName>(name: K): z.ZodType<WireSchemas[K]> {
  let schema = strictCache.get(name);
  if (!schema) strictCache.set(name, (schema = build(definitions, name)));
  return schema as z.ZodType<WireSchemas[K]>;
}

/** The same model without length limits: for projects kept in the browser and imported files. */
export function storedSchema<K extends WireName>(name: K): z.ZodType<WireSchemas[K]> {
  let schema = storedCache.get(name);
  if (!schema) {
    storedDefinitions ??= withoutLengthLimits(definitions);
    storedCache.set(name, (schema = build(storedDefinitions, name)));
  }
  return schema as z.ZodType<WireSchemas[K]>;
}

/** "field.path: problem; …" for the first few issues. */
export function describeIssues(error: z.ZodError, limit = 5): string {
  const lines = error.issues.slice(0, limit).map((issue) => `${issue.path.length ? issue.path.join('.') : '(value)'}: ${issue.message}`);
  const more = error.issues.length > limit ? ` (and ${error.issues.length - limit} more)` : '';
  return lines.join('; ') + more;
}

export class WireError extends Error {
  readonly code = 'invalid_response';
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Validate a value received from the server; throws WireError naming the wrong fields. */
export function parseWire<K extends WireName>(name: K, value: unknown): WireSchemas[K] {
  const result = wireSchema(name).safeParse(value);
  if (!result.success) throw new WireError(`The server sent an invalid ${name}: ${describeIssues(result.error)}`);
  return result.data;
}
