/**
 * `/api/v1`: the UPS list, variables, commands, clients, the monitor, events and the shutdown
 * plan (placeholder); SET VAR, INSTCMD, FSD and drills only for an authenticated NUT user with
 * the right (upsd's `set` / `fsd` actions, `instcmds`), carried out by the NUT server itself.
 */
import { z } from "zod"
import { describeStatus } from "../ups/index.ts"
import { apiRoute, type ApiFailure, type ApiRoute, type RouteAnswer } from "./api-router.ts"
import * as s from "./api-schemas.ts"
import { mayWrite, type WriteRight } from "./auth.ts"
import { isUnreachable } from "./control.ts"
import type { EventSource } from "./events.ts"
import type { Credentials, MonitorView, ShutdownView, UpsControl, UpsDirectory, UpsReading, VarReading, WriteReply } from "./types.ts"

/** What the API reads and writes through. */
export interface ApiContext {
  readonly directory: UpsDirectory
  readonly events?: EventSource | undefined
  readonly control?: UpsControl | undefined
  readonly monitor?: MonitorView | undefined
  readonly shutdown?: ShutdownView | undefined
}

const UPS_ERRORS = { 401: "No or wrong credentials (only when reads are private)", 404: "No such UPS" } as const
const WRITE_ERRORS = {
  400: "Invalid value or argument (INVALID-VALUE, TOO-LONG, INVALID-ARGUMENT)",
  401: "No or wrong credentials",
  403: "The user lacks the right (ACCESS-DENIED)",
  404: "No such UPS, variable or command",
  409: "The variable is read-only (READONLY)",
  501: "Writes are not available on this node",
  502: "The driver or the NUT server failed",
  503: "Driver not connected or data stale",
} as const

/** Every API route (the order is the OpenAPI document's). */
export function apiRoutes(ctx: ApiContext): ApiRoute[] {
  const find = (name: string): UpsReading | ApiFailure => ctx.directory.read(name) ?? { status: 404, code: "UNKNOWN-UPS", message: `No UPS named ${name}` }
  const summary = (r: UpsReading): z.output<typeof s.upsSummary> => ({
    name: r.name,
    description: r.desc ?? null,
    status: r.status,
    statusText: r.availability === "ok" ? describeStatus(r.status) : "unknown",
    availability: r.availability,
    fsd: r.fsd,
    server: ctx.directory.server,
  })

  return [
    apiRoute({ method: "get", path: "/api/v1/ups", summary: "List the UPSes", tag: "ups", access: "read", response: z.array(s.upsSummary), errors: { 401: UPS_ERRORS[401] } }, () => ({
      body: ctx.directory.list().flatMap((u) => {
        const r = ctx.directory.read(u.name)
        return r ? [summary(r)] : []
      }),
    })),

    apiRoute({ method: "get", path: "/api/v1/ups/:ups", summary: "One UPS: status, main values, commands, clients", tag: "ups", access: "read", params: s.upsParams, response: s.upsDetail, errors: UPS_ERRORS }, ({ params }) => {
      const r = find(params.ups)
      if ("code" in r) return r
      const num = (name: string): number | null => {
        const v = r.variables.find((x) => x.name.toLowerCase() === name)?.value
        const n = v === undefined || v.trim() === "" ? Number.NaN : Number(v)
        return Number.isFinite(n) ? n : null
      }
      return {
        body: {
          ...summary(r),
          values: { charge: num("battery.charge"), runtime: num("battery.runtime"), load: num("ups.load"), inputVoltage: num("input.voltage"), outputVoltage: num("output.voltage"), batteryVoltage: num("battery.voltage") },
          commands: r.commands.map((c) => c.name),
          clients: [...r.clients],
          updatedAt: r.updatedAt > 0 ? r.updatedAt : null,
        },
      }
    }),

    apiRoute({ method: "get", path: "/api/v1/ups/:ups/variables", summary: "Every variable with description and type (LIST VAR)", tag: "ups", access: "read", params: s.upsParams, response: z.array(s.variable), errors: UPS_ERRORS }, ({ params }) => {
      const r = find(params.ups)
      if ("code" in r) return r
      return { body: r.variables.map(variableBody) }
    }),

    apiRoute({ method: "get", path: "/api/v1/ups/:ups/variables/:name", summary: "One variable (GET VAR, GET DESC, GET TYPE)", tag: "ups", access: "read", params: s.varParams, response: s.variable, errors: { ...UPS_ERRORS, 404: "No such UPS or variable" } }, ({ params }) => {
      const r = find(params.ups)
      if ("code" in r) return r
      const v = r.variables.find((x) => x.name.toLowerCase() === params.name.toLowerCase())
      if (!v) return { status: 404, code: "VAR-NOT-SUPPORTED", message: `UPS ${r.name} has no variable ${params.name}` }
      return { body: variableBody(v) }
    }),

    apiRoute(
      { method: "put", path: "/api/v1/ups/:ups/variables/:name", summary: "Set a variable (SET VAR; needs the `set` action)", tag: "write", access: "write", params: s.varParams, body: s.setVarBody, response: s.writeResult, errors: WRITE_ERRORS },
      ({ params, body, caller }) => write(ctx, caller, { action: "set" }, (credentials, control) => control.setVar({ ups: params.ups, name: params.name, value: body.value, credentials })),
    ),

    apiRoute({ method: "get", path: "/api/v1/ups/:ups/commands", summary: "Instant commands with descriptions (LIST CMD)", tag: "ups", access: "read", params: s.upsParams, response: z.array(s.command), errors: UPS_ERRORS }, ({ params }) => {
      const r = find(params.ups)
      if ("code" in r) return r
      return { body: r.commands.map((c) => ({ ...c })) }
    }),

    apiRoute(
      { method: "post", path: "/api/v1/ups/:ups/commands/:cmd", summary: "Run an instant command (INSTCMD; the user's instcmds must allow it)", tag: "write", access: "write", params: s.cmdParams, body: s.instcmdBody, response: s.writeResult, errors: WRITE_ERRORS },
      ({ params, body, caller }) =>
        write(ctx, caller, { instcmd: params.cmd }, (credentials, control) => control.instcmd({ ups: params.ups, cmd: params.cmd, ...(body.param === undefined ? {} : { param: body.param }), credentials })),
    ),

    apiRoute(
      { method: "post", path: "/api/v1/ups/:ups/fsd", summary: "Set the forced-shutdown latch (FSD; needs the `fsd` action). Every monitor of this UPS shuts its host down.", tag: "write", access: "write", params: s.upsParams, response: s.writeResult, errors: WRITE_ERRORS },
      ({ params, caller }) => write(ctx, caller, { action: "fsd" }, (credentials, control) => control.fsd({ ups: params.ups, credentials })),
    ),

    apiRoute({ method: "get", path: "/api/v1/ups/:ups/clients", summary: "Clients logged in to the UPS (LIST CLIENT)", tag: "ups", access: "read", params: s.upsParams, response: z.array(s.client), errors: UPS_ERRORS }, ({ params }) => {
      const r = find(params.ups)
      if ("code" in r) return r
      return { body: r.clients.map((address) => ({ address })) }
    }),

    apiRoute({ method: "get", path: "/api/v1/monitor", summary: "This host's monitor: phase, power value, supplies", tag: "monitor", access: "read", response: s.monitor, errors: { 401: UPS_ERRORS[401], 404: "No monitor runs on this node" } }, () => {
      const m = ctx.monitor?.snapshot()
      if (!m) return { status: 404, code: "NOT_AVAILABLE", message: "No monitor runs on this node" }
      return {
        body: {
          phase: m.phase,
          phaseSince: m.phaseSince ?? null,
          powerValue: m.powerValue,
          minSupplies: m.minSupplies,
          supplies: m.supplies.map((x) => ({ ...x, status: x.status ?? null, lastPollAt: x.lastPollAt ?? null })),
        },
      }
    }),

    apiRoute({ method: "get", path: "/api/v1/events", summary: "Recent events, oldest first (status changes, availability, FSD, notify events, decisions)", tag: "events", access: "read", query: s.eventsQuery, response: z.array(s.event), errors: { 400: "Bad query", 401: UPS_ERRORS[401] } }, async ({ query }) => {
      if (!ctx.events) return { body: [] }
      const kinds = query.kinds?.split(",").filter((k) => k !== "")
      const list = await ctx.events.recent({ ...(query.limit === undefined ? {} : { limit: query.limit }), ...(query.after === undefined ? {} : { after: query.after }), ...(query.ups === undefined ? {} : { ups: query.ups }), ...(kinds ? { kinds } : {}) })
      return { body: list.map((e) => ({ ...e })) }
    }),

    apiRoute({ method: "get", path: "/api/v1/shutdown", summary: "The shutdown plan (steps, steps done, the battery time it needs), the runtime budget (battery.runtime of the supply that feeds this host), the margin and the last drill", tag: "shutdown", access: "read", response: s.shutdownState, errors: { 401: UPS_ERRORS[401] } }, () => {
      const v = ctx.shutdown
      const plan = v?.plan()
      const budget = v?.budgetSeconds()
      return {
        body: {
          available: v !== undefined,
          plan: plan ? { ...plan } : null,
          budgetSeconds: budget ?? null,
          marginSeconds: plan && budget !== undefined ? budget - plan.needSeconds : null,
          lastDrill: v?.lastDrill() ?? null,
        },
      }
    }),
  ]
}

function variableBody(v: VarReading): z.output<typeof s.variable> {
  const t = v.type
  return {
    name: v.name,
    value: v.value,
    description: v.description,
    type: t
      ? {
          rw: t.rw,
          kind: t.kind,
          ...(t.maxLength === undefined ? {} : { maxLength: t.maxLength }),
          ...(t.enums ? { enums: [...t.enums] } : {}),
          ...(t.ranges ? { ranges: t.ranges.map((x) => ({ min: x.min, max: x.max })) } : {}),
        }
      : null,
  }
}

/** HTTP status for NUT's ERR codes and the driver's TRACKING results. */
const NUT_STATUS: Readonly<Record<string, number>> = {
  "ACCESS-DENIED": 403,
  "UNKNOWN-UPS": 404,
  "VAR-NOT-SUPPORTED": 404,
  "CMD-NOT-SUPPORTED": 404,
  READONLY: 409,
  "INVALID-VALUE": 400,
  "TOO-LONG": 400,
  "INVALID-ARGUMENT": 400,
  "DRIVER-NOT-CONNECTED": 503,
  "DATA-STALE": 503,
  "INVALID-PASSWORD": 401,
  "INVALID-USERNAME": 401,
}

async function write(
  ctx: ApiContext,
  caller: { user: Parameters<typeof mayWrite>[0]; credentials: Credentials } | undefined,
  right: WriteRight,
  run: (credentials: Credentials, control: UpsControl) => Promise<WriteReply>,
): Promise<RouteAnswer<z.output<typeof s.writeResult>>> {
  if (!caller) return { status: 401, code: "UNAUTHORIZED", message: "This needs a NUT user (HTTP Basic) or a bearer token" }
  if (!mayWrite(caller.user, right)) {
    const what = "instcmd" in right ? `the instant command ${right.instcmd}` : `the ${right.action} action`
    return { status: 403, code: "ACCESS-DENIED", message: `User ${caller.user.name} lacks ${what}` }
  }
  if (!ctx.control) return { status: 501, code: "NOT_AVAILABLE", message: "Writes are not available on this node" }
  let reply: WriteReply
  try {
    reply = await run(caller.credentials, ctx.control)
  } catch (e) {
    if (isUnreachable(e)) return { status: 502, code: "UNREACHABLE", message: (e as Error).message }
    throw e
  }
  if (!reply.ok) return { status: NUT_STATUS[reply.error] ?? 502, code: reply.error, message: `The NUT server answered ERR ${reply.error}` }
  return { status: reply.result === "PENDING" ? 202 : 200, body: { ok: true, result: reply.result, ...(reply.trackingId === undefined ? {} : { trackingId: reply.trackingId }) } }
}
