/**
 * The JSON API's machinery: a route is a spec (method, path, zod schemas for params, query, body
 * and answer, access) plus a handler. `mountApi` validates the input against the same schemas the
 * OpenAPI document is generated from (openapi.ts), checks access, and writes JSON.
 */
import type { Context, Hono } from "hono"
import { z } from "zod"
import { authenticate, BASIC_CHALLENGE, type AuthResult, type HttpToken } from "./auth.ts"
import type { HttpUser } from "./types.ts"

/** What a route declares; everything the OpenAPI document says comes from here. */
export interface ApiRouteSpec {
  readonly method: "get" | "put" | "post"
  /** Hono form: `/api/v1/ups/:ups`. */
  readonly path: string
  readonly summary: string
  readonly description?: string
  readonly tag: string
  /** `write` routes always need credentials; `read` ones only when reads are private. */
  readonly access: "read" | "write"
  readonly params?: z.ZodObject
  readonly query?: z.ZodObject
  readonly body?: z.ZodType
  /** The 200 (or 202) answer. */
  readonly response: z.ZodType
  /** Other answers, by status (their body is `ErrorBody`). */
  readonly errors: Readonly<Record<number, string>>
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined
type ParamsOf<S extends ApiRouteSpec> = S["params"] extends z.ZodObject ? z.output<S["params"]> : Record<string, never>
type QueryOf<S extends ApiRouteSpec> = S["query"] extends z.ZodObject ? z.output<S["query"]> : Record<string, never>

/** What a handler gets: validated input, and the caller when one authenticated. */
export interface RouteInput<S extends ApiRouteSpec> {
  readonly params: ParamsOf<S>
  readonly query: QueryOf<S>
  readonly body: Out<S["body"]>
  readonly caller: Extract<AuthResult, { kind: "user" }> | undefined
  readonly c: Context
}

/** A handler's answer: the body (200, or 202 for a write still pending), or a failure. */
export type RouteAnswer<T> = { readonly status?: 200 | 202; readonly body: T } | ApiFailure

/** A failed request: HTTP status, a stable code (NUT's ERR code where NUT answered) and a message. */
export interface ApiFailure {
  readonly status: number
  readonly code: string
  readonly message: string
}

/** One API route: spec and handler. */
export interface ApiRoute<S extends ApiRouteSpec = ApiRouteSpec> {
  readonly spec: S
  readonly handle: (input: RouteInput<S>) => Promise<RouteAnswer<Out<S["response"]>>> | RouteAnswer<Out<S["response"]>>
}

/** Pair a spec with its handler, typing the handler's input and answer from the schemas. */
export function apiRoute<const S extends ApiRouteSpec>(spec: S, handle: ApiRoute<S>["handle"]): ApiRoute<S> {
  return { spec, handle }
}

/** The body of every error answer. */
export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/** Who may call: users and tokens, and whether reads need them. */
export interface ApiAccess {
  readonly users: readonly HttpUser[]
  readonly tokens: readonly HttpToken[]
  readonly readsPublic: boolean
}

/** Register every route on the app. */
export function mountApi(app: Hono, routes: readonly ApiRoute[], access: ApiAccess): void {
  for (const route of routes) {
    app.on(route.spec.method.toUpperCase(), route.spec.path, async (c) => {
      const auth = authenticate(c.req.header("authorization"), access.users, access.tokens)
      const needsUser = route.spec.access === "write" || !access.readsPublic
      if (auth.kind === "invalid" || (needsUser && auth.kind !== "user")) {
        const message = auth.kind === "invalid" ? "Wrong user name, password or token" : "This needs a NUT user (HTTP Basic) or a bearer token"
        return failure(c, { status: 401, code: "UNAUTHORIZED", message })
      }
      const params = parse(route.spec.params, c.req.param())
      const query = parse(route.spec.query, Object.fromEntries(new URL(c.req.url).searchParams))
      let bodyInput: unknown
      if (route.spec.body) {
        const text = await c.req.text()
        try {
          bodyInput = text.trim() === "" ? {} : JSON.parse(text)
        } catch {
          return failure(c, { status: 400, code: "BAD_REQUEST", message: "The body is not JSON" })
        }
      }
      const body = parse(route.spec.body, bodyInput)
      if (!params.ok) return failure(c, { status: 400, code: "BAD_REQUEST", message: params.message })
      if (!query.ok) return failure(c, { status: 400, code: "BAD_REQUEST", message: query.message })
      if (!body.ok) return failure(c, { status: 400, code: "BAD_REQUEST", message: body.message })
      const answer = await route.handle({
        params: params.value as never,
        query: query.value as never,
        body: body.value as never,
        caller: auth.kind === "user" ? auth : undefined,
        c,
      })
      if ("code" in answer) return failure(c, answer)
      return c.json(answer.body as object, answer.status ?? 200)
    })
  }
}

/** Write an error answer (401s carry the Basic challenge). */
export function failure(c: Context, f: ApiFailure): Response {
  if (f.status === 401) c.header("WWW-Authenticate", BASIC_CHALLENGE)
  return c.json({ error: { code: f.code, message: f.message } }, f.status as 400)
}

function parse(schema: z.ZodType | undefined, input: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!schema) return { ok: true, value: input ?? {} }
  const r = schema.safeParse(input)
  if (r.success) return { ok: true, value: r.data }
  const issue = r.error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""
  return { ok: false, message: `${where}${issue?.message ?? "invalid input"}` }
}
