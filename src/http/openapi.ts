/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the route specs' zod schemas (zod's own
 * JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as is), so it cannot drift from what
 * the handlers accept and answer.
 */
import { z } from "zod"
import { errorBody, type ApiRoute } from "./api-router.ts"

/** A route documented by hand (non-JSON answers: the event stream, the metrics). */
export interface ExtraPath {
  readonly method: "get"
  readonly path: string
  readonly summary: string
  readonly tag: string
  readonly contentType: string
  readonly description: string
}

type JsonObject = Record<string, unknown>

/** Build the OpenAPI document. */
export function openApiDocument(routes: readonly ApiRoute[], extra: readonly ExtraPath[], info: { version: string; readsPublic: boolean }): JsonObject {
  const paths: Record<string, JsonObject> = {}
  const at = (path: string): JsonObject => (paths[openApiPath(path)] ??= {})
  for (const { spec } of routes) {
    const parameters = [...objectParameters(spec.params, "path"), ...objectParameters(spec.query, "query")]
    const needsAuth = spec.access === "write" || !info.readsPublic
    const responses: JsonObject = {
      "200": { description: "OK", content: { "application/json": { schema: jsonSchema(spec.response, "output") } } },
    }
    if (spec.access === "write") responses["202"] = { description: "Accepted, the driver has not answered yet", content: { "application/json": { schema: jsonSchema(spec.response, "output") } } }
    for (const [status, description] of Object.entries(spec.errors)) {
      responses[status] = { description, content: { "application/json": { schema: jsonSchema(errorBody, "output") } } }
    }
    at(spec.path)[spec.method] = {
      summary: spec.summary,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      tags: [spec.tag],
      operationId: operationId(spec.method, spec.path),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input") } } } } : {}),
      responses,
      security: needsAuth ? [{ basic: [] }, { bearer: [] }] : [{}, { basic: [] }, { bearer: [] }],
    }
  }
  for (const e of extra) {
    at(e.path)[e.method] = {
      summary: e.summary,
      description: e.description,
      tags: [e.tag],
      operationId: operationId(e.method, e.path),
      responses: { "200": { description: "OK", content: { [e.contentType]: { schema: { type: "string" } } } } },
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "nutctl HTTP API",
      version: info.version,
      description: "UPS data, writes through the NUT server's own rights, events. Writes need a NUT user (HTTP Basic, upsd.users / nutctl users) or a bearer token from nutctl's http.auth.tokens.",
    },
    paths,
    components: {
      securitySchemes: {
        basic: { type: "http", scheme: "basic", description: "A NUT user: the same name and password as for upsd" },
        bearer: { type: "http", scheme: "bearer", description: "A token from http.auth.tokens; it carries the rights of its NUT user" },
      },
    },
  }
}

/** `/api/v1/ups/:ups` → `/api/v1/ups/{ups}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\/?/, "")
    .split("/")
    .filter((w) => w !== "")
    .map((w) => (w.startsWith(":") ? `by-${w.slice(1)}` : w))
  return [method, ...words]
    .join("-")
    .replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase())
}

function objectParameters(schema: z.ZodObject | undefined, where: "path" | "query"): JsonObject[] {
  if (!schema) return []
  const json = jsonSchema(schema, "input")
  const props = (json["properties"] ?? {}) as Record<string, JsonObject>
  const required = new Set((json["required"] ?? []) as string[])
  return Object.entries(props).map(([name, p]) => {
    const { description, ...rest } = p
    return { name, in: where, required: where === "path" || required.has(name), ...(description === undefined ? {} : { description }), schema: rest }
  })
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject
  return rest
}
