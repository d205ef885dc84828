/** The JSON API's shapes, as zod schemas: they validate requests and generate the OpenAPI document. */
import { z } from "zod"

const upsName = z.string().min(1).describe("UPS name as in ups.conf (case-insensitive)")

export const upsParams = z.object({ ups: upsName })
export const varParams = z.object({ ups: upsName, name: z.string().min(1).describe("NUT variable, e.g. battery.charge") })
export const cmdParams = z.object({ ups: upsName, cmd: z.string().min(1).describe("Instant command, e.g. test.battery.start.quick") })

export const availability = z.enum(["ok", "not-connected", "stale", "unreachable"]).describe("ok, or why the data cannot be served: driver not connected, data stale, NUT server unreachable")

export const upsSummary = z.object({
  name: z.string(),
  description: z.string().nullable().describe("ups.conf desc"),
  status: z.string().describe("ups.status as clients see it, e.g. `OB LB` (`FSD` first while the latch is set)"),
  statusText: z.string().describe("The status in words, e.g. `on battery, low battery`"),
  availability,
  fsd: z.boolean(),
  server: z.string().describe("`local`, or the NUT server this node reads it from"),
})

export const upsDetail = upsSummary.extend({
  values: z
    .object({
      charge: z.number().nullable().describe("battery.charge, %"),
      runtime: z.number().nullable().describe("battery.runtime, s"),
      load: z.number().nullable().describe("ups.load, %"),
      inputVoltage: z.number().nullable().describe("input.voltage, V"),
      outputVoltage: z.number().nullable().describe("output.voltage, V"),
      batteryVoltage: z.number().nullable().describe("battery.voltage, V"),
    })
    .describe("The usual gauges, null when the UPS does not report them"),
  commands: z.array(z.string()),
  clients: z.array(z.string()).describe("Addresses of logged-in clients (LIST CLIENT)"),
  updatedAt: z.number().nullable().describe("When the data last changed or was confirmed, ms since the epoch"),
})

export const varType = z.object({
  rw: z.boolean(),
  kind: z.enum(["STRING", "NUMBER", "UNKNOWN"]),
  maxLength: z.number().optional(),
  enums: z.array(z.string()).optional(),
  ranges: z.array(z.object({ min: z.number(), max: z.number() })).optional(),
})

export const variable = z.object({ name: z.string(), value: z.string(), description: z.string(), type: varType.nullable() })
export const command = z.object({ name: z.string(), description: z.string() })
export const client = z.object({ address: z.string() })

export const setVarBody = z.object({ value: z.string().describe("New value, as upsrw would send it") })
export const instcmdBody = z.object({ param: z.string().optional().describe("Optional command parameter (NUT 2.8 INSTCMD <ups> <cmd> <param>)") })

export const writeResult = z.object({
  ok: z.literal(true),
  result: z.enum(["SUCCESS", "PENDING", "SENT"]).describe("SUCCESS: the driver confirmed; PENDING: no answer yet (202); SENT: the server forwarded it without tracking"),
  trackingId: z.string().optional(),
})

export const supply = z.object({
  system: z.string(),
  role: z.enum(["primary", "secondary"]),
  powerValue: z.number(),
  comm: z.enum(["unknown", "ok", "lost"]),
  status: z.string().nullable(),
  online: z.boolean(),
  onBattery: z.boolean(),
  lowBattery: z.boolean(),
  fsd: z.boolean(),
  critical: z.boolean(),
  lastPollAt: z.number().nullable(),
})

export const monitor = z.object({
  phase: z.enum(["monitoring", "syncing", "finalDelay", "shutdown"]),
  phaseSince: z.number().nullable(),
  powerValue: z.number(),
  minSupplies: z.number(),
  supplies: z.array(supply),
})

export const event = z
  .looseObject({
    id: z.string(),
    kind: z.enum(["status", "availability", "fsd", "vars", "notify", "decision"]),
    at: z.number().describe("ms since the epoch"),
  })
  .describe("status {ups,status,previous}, availability {ups,availability,previous}, fsd {ups,fsd}, vars {ups,values}, notify {system,type,message,status?}, decision {level,code,system?,message}")

export const eventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).optional().describe("At most this many, the newest (default 100)"),
  after: z.string().optional().describe("Only events after this id"),
  ups: z.string().optional().describe("Only events of this UPS"),
  kinds: z.string().optional().describe("Comma-separated kinds, e.g. status,notify"),
})

export const shutdownState = z
  .object({
    available: z.boolean().describe("true when this node runs a shutdown plan view (nutctl serve with a cluster role); false: every other field is null"),
    plan: z
      .object({
        steps: z.number().describe("Steps of the plan: the latest layout (at start and hourly), or the running plan's"),
        done: z.number().describe("Steps finished in the current or last run"),
        needSeconds: z.number().describe("battery.runtime the plan needs: expected duration (learned, else estimates, else timeouts) × 1.25 + 30 s"),
        running: z.boolean().describe("A shutdown run is in progress"),
      })
      .nullable()
      .describe("null: the role has no executors, or the plan was not laid out yet"),
    budgetSeconds: z.number().nullable().describe("battery.runtime of the supply that feeds this host (the least of several); null when unknown"),
    marginSeconds: z.number().nullable().describe("budgetSeconds − plan.needSeconds (negative: the battery no longer covers the plan)"),
    lastDrill: z
      .object({ at: z.number().describe("When it ended (ms since the epoch)"), ok: z.boolean(), seconds: z.number().describe("How long this host's dry run took") })
      .nullable()
      .describe("The last `nutctl drill` that rehearsed this host with the same data directory"),
  })
  .describe("The shutdown plan, its runtime budget (battery.runtime) and the last drill")

