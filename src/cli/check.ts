/**
 * `nutctl check`: a Nagios plugin for cron and monitoring systems. One status line with
 * perfdata, exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN; `--json` for machines. It checks the
 * server is reachable and fresh, the status (OB → WARNING, OB LB → CRITICAL), charge and runtime
 * limits, runtime against the shutdown's need (`--need`, `runtimeBelow`, or with `runtimeBelow:
 * auto` the budget the monitor saved under `--data-dir`), RB, the last self-test and its age, the
 * upsmon logins against the hosts the cluster config names, and whether this host's executors could
 * do their job now (each plugin's probe, at the same time as the UPS reads). Runs every minute on
 * every node, so it reads the config only when there is one, opens one connection per server, and
 * loads executor plugins only when the role has executors.
 */
import { readFile, writeFile } from "node:fs/promises"
import { hostname as osHostname } from "node:os"
import { defineCommand } from "citty"
import { DEFAULT_NUT_PORT, type NutClient } from "../client/index.ts"
import type { ExecutorCatalog, ProgramLookup } from "../shutdown/index.ts"
import { collectReadings } from "./_check-collect.ts"
import { DEFAULT_LIMITS, NAGIOS, evaluateUps, type CheckLimits, type Finding, type NagiosState, type UpsReading } from "./_check-evaluate.ts"
import { checkReport, formatJson, formatNagios } from "./_check-format.ts"
import { parseAge, parseMemories, rememberSelftest, selftestDue, type SelftestMemory } from "./_check-selftest.ts"
import { authArgs, connectionArgs, openClient, resolveCredentials } from "./_connect.ts"
import type { ClusterView } from "./_check-config.ts"
import { readClusterView } from "./_check-load.ts"
import type { AutoNeed } from "./_check-need.ts"
import type { ProbeReport } from "./_check-probes.ts"
import { cliEnv, type CliEnv } from "./_io.ts"
import { DEFAULT_HOST, UsageError, parseUpsTarget, type UpsTarget } from "./_target.ts"
import { DEFAULT_CLUSTER_CONFIG, DEFAULT_DATA_DIR } from "./_paths.ts"

/** Where check remembers self-test results. */
export const DEFAULT_CHECK_STATE = `${DEFAULT_DATA_DIR}/check-state.json`

/** Seconds a probe may take by default: PVE answers a wrong token only after ~3 s. */
const DEFAULT_PROBE_TIMEOUT = 5

/** What check uses besides the client capabilities of CliEnv; injected by tests. */
interface CheckEnv {
  readonly now: () => number
  readonly hostname: string
  readonly readText: (path: string) => Promise<string | undefined>
  readonly writeText: (path: string, text: string) => Promise<void>
  /** Probes: program lookups (default: the file system and PATH), time, plugins (default: built in). */
  readonly findProgram?: (name: string) => Promise<ProgramLookup | undefined>
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly catalog?: ExecutorCatalog
}

function checkEnv(data: unknown): CheckEnv {
  const given = (typeof data === "object" && data !== null ? data : {}) as Partial<CheckEnv>
  return {
    ...given,
    now: given.now ?? Date.now,
    hostname: given.hostname ?? osHostname(),
    readText: given.readText ?? ((p) => readFile(p, "utf8").catch(() => undefined)),
    writeText: given.writeText ?? ((p, t) => writeFile(p, t, { mode: 0o644 })),
  }
}

export default defineCommand({
  meta: { name: "check", description: "Nagios-style health check of the UPS and its clients: one line, perfdata, exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN" },
  args: {
    target: { type: "positional", required: false, description: "UPS[@HOST[:PORT]] or @HOST[:PORT] (default: this host's role in the cluster config, else every UPS on localhost)", valueHint: "UPS[@HOST[:PORT]]" },
    config: { type: "string", description: `Cluster config (default: $NUTCTL_CONFIG or ${DEFAULT_CLUSTER_CONFIG}, when it exists)`, valueHint: "FILE" },
    hostname: { type: "string", description: "Use the role of this host in the cluster config", valueHint: "NAME" },
    "warn-charge": { type: "string", description: "WARNING below this battery charge (%), 0 = off", valueHint: "PCT", default: String(DEFAULT_LIMITS.warnCharge) },
    "crit-charge": { type: "string", description: "CRITICAL below this battery charge (%), 0 = off", valueHint: "PCT", default: String(DEFAULT_LIMITS.critCharge) },
    "warn-runtime": { type: "string", description: "WARNING below this runtime (s), 0 = off", valueHint: "SECONDS", default: String(DEFAULT_LIMITS.warnRuntime) },
    "crit-runtime": { type: "string", description: "CRITICAL below this runtime (s), 0 = off", valueHint: "SECONDS", default: String(DEFAULT_LIMITS.critRuntime) },
    need: { type: "string", description: "Runtime the shutdown needs (s): less is CRITICAL, less than 1.5× is WARNING (default: shutdown.when.runtimeBelow; with auto, the monitor's saved budget)", valueHint: "SECONDS" },
    "data-dir": { type: "string", description: `Where nutctl serve keeps its state: the plan's budget for runtimeBelow: auto (default ${DEFAULT_DATA_DIR})`, valueHint: "DIR" },
    probe: {
      type: "boolean",
      default: true,
      description: "Probe this host's executors: Proxmox/TrueNAS API, token and privileges, the command's program (never run)",
      negativeDescription: "Do not probe the executors (no plugin is loaded)",
    },
    "probe-timeout": { type: "string", description: `Seconds each executor probe may take (default ${DEFAULT_PROBE_TIMEOUT})`, valueHint: "SECONDS" },
    "expect-logins": { type: "string", description: "upsmon logins each UPS should have, primary included (default: counted from the roles' hosts)", valueHint: "N" },
    "selftest-max-age": { type: "string", description: "WARNING when the self-test result has not changed for this long (30d, 12h)", valueHint: "AGE" },
    "start-selftest": { type: "boolean", description: "With --selftest-max-age: start a quick self-test (on mains only) when one is due; needs -u with instcmds test.battery.start.quick" },
    state: { type: "string", description: `Where self-test results are remembered (default ${DEFAULT_CHECK_STATE})`, valueHint: "FILE" },
    json: { type: "boolean", description: "Print a JSON document with every finding instead of the Nagios line" },
    ...authArgs,
    ...connectionArgs,
  },
  async run({ args, data }) {
    const cli = cliEnv(data)
    const env = checkEnv(data)
    let state: NagiosState
    try {
      state = await runCheck(args, cli, env)
    } catch (e) {
      // plugin trouble (bad options, an unreadable config) is UNKNOWN, on stdout as Nagios reads it
      const message = e instanceof Error ? e.message : String(e)
      cli.io.out(args.json === true ? JSON.stringify({ state: "UNKNOWN", code: 3, error: message }) + "\n" : `UPS UNKNOWN - ${message}\n`)
      state = NAGIOS.UNKNOWN
    }
    process.exitCode = state
    return state
  },
})

interface CheckArgs {
  readonly target?: string | undefined
  readonly config?: string | undefined
  readonly hostname?: string | undefined
  readonly "warn-charge"?: string | undefined
  readonly "crit-charge"?: string | undefined
  readonly "warn-runtime"?: string | undefined
  readonly "crit-runtime"?: string | undefined
  readonly need?: string | undefined
  readonly "data-dir"?: string | undefined
  readonly probe?: boolean | undefined
  readonly "probe-timeout"?: string | undefined
  readonly "expect-logins"?: string | undefined
  readonly "selftest-max-age"?: string | undefined
  readonly "start-selftest"?: boolean | undefined
  readonly state?: string | undefined
  readonly json?: boolean | undefined
  readonly user?: string | undefined
  readonly password?: string | undefined
  readonly "password-file"?: string | undefined
  readonly tls?: string | undefined
  readonly "tls-ca"?: string | undefined
  readonly "tls-verify"?: boolean | undefined
  readonly timeout?: string | undefined
}

async function runCheck(args: CheckArgs, cli: CliEnv, env: CheckEnv): Promise<NagiosState> {
  const base: CheckLimits = {
    warnCharge: limit(args["warn-charge"], "--warn-charge"),
    critCharge: limit(args["crit-charge"], "--crit-charge"),
    warnRuntime: limit(args["warn-runtime"], "--warn-runtime"),
    critRuntime: limit(args["crit-runtime"], "--crit-runtime"),
  }
  const maxAgeMs = args["selftest-max-age"] === undefined ? 0 : parseAge(args["selftest-max-age"])
  if (maxAgeMs === undefined) throw new UsageError(`--selftest-max-age must be an age like 30d or 12h, not ${args["selftest-max-age"]}`)
  if (args["start-selftest"] === true && maxAgeMs === 0) throw new UsageError("--start-selftest needs --selftest-max-age")

  const named = args.config ?? (cli.env["NUTCTL_CONFIG"] || undefined)
  const cluster = await readClusterView(named ?? DEFAULT_CLUSTER_CONFIG, named !== undefined, args.hostname ?? env.hostname, (p) => cli.readFile(p))
  const fromConfig = args.target === undefined ? cluster?.targets : undefined
  const targets: readonly UpsTarget[] = args.target !== undefined ? [parseUpsTarget(args.target)] : fromConfig?.targets ?? [{ ups: undefined, host: DEFAULT_HOST, port: DEFAULT_NUT_PORT }]
  const given = args.need !== undefined ? { seconds: limit(args.need, "--need"), source: "--need" } : undefined
  const expectGiven = args["expect-logins"] === undefined ? undefined : limit(args["expect-logins"], "--expect-logins")
  const probeTimeoutMs = (args["probe-timeout"] === undefined ? DEFAULT_PROBE_TIMEOUT : limit(args["probe-timeout"], "--probe-timeout")) * 1000
  if (probeTimeoutMs <= 0) throw new UsageError("--probe-timeout must be more than 0 s")
  const host = args.hostname ?? env.hostname
  // started before the UPS reads, so they overlap them; each module is loaded only when needed
  const probing = startProbes(cluster, args.probe !== false, host, probeTimeoutMs, cli, env)
  const auto: Promise<AutoNeed> | undefined =
    given === undefined && cluster?.autoNeed === true
      ? import("./_check-need.ts")
          .then((m) => m.readAutoNeed(args["data-dir"] ?? DEFAULT_DATA_DIR, host, env.now()))
          .catch((e: unknown) => ({ finding: { check: "need", state: NAGIOS.UNKNOWN, text: `runtimeBelow: auto: ${(e as Error).message}` } }))
      : undefined

  const open = (t: { host: string; port: number }): Promise<NutClient> => openClient(cli, t, args)
  const expectFor = (ups: string): number | undefined => expectGiven ?? cluster?.expectedLogins(ups)
  // the addresses of the logged-in clients say which node is missing
  const readings = await collectReadings(targets, open, (ups, n) => {
    const expected = expectFor(ups)
    return expected !== undefined && n < expected
  })
  const need = given ?? cluster?.need ?? (await auto)?.need

  const statePath = args.state ?? DEFAULT_CHECK_STATE
  const memories = maxAgeMs > 0 ? parseMemories(await env.readText(statePath)) : {}
  const now = env.now()
  const verdicts = []
  for (const r of readings) {
    let selftest: CheckLimits["selftest"]
    if (maxAgeMs > 0 && r.problem === undefined) {
      const memory = rememberSelftest(memories[r.target], r.vars["ups.test.result"], now)
      let action: Finding | undefined
      if (memory !== undefined) memories[r.target] = memory
      if (args["start-selftest"] === true && memory !== undefined && selftestDue(memory, r.vars["ups.status"], now, maxAgeMs)) {
        action = await startSelftest(r, args, cli, open)
        memories[r.target] = { ...memory, startedAt: now }
      }
      selftest = { ageMs: memory === undefined ? undefined : now - memory.since, maxAgeMs, ...(action !== undefined ? { action } : {}) }
    }
    const expectLogins = expectFor(r.ups)
    verdicts.push(evaluateUps(r, { ...base, ...(need ? { need } : {}), ...(expectLogins !== undefined ? { expectLogins } : {}), ...(selftest ? { selftest } : {}) }))
  }
  if (maxAgeMs > 0) await env.writeText(statePath, JSON.stringify(memories satisfies Record<string, SelftestMemory>) + "\n").catch(() => undefined)

  const autoFinding = (await auto)?.finding
  const report = checkReport(verdicts, autoFinding === undefined ? [] : [autoFinding], await probing, probeTimeoutMs)
  cli.io.out(args.json === true ? formatJson(report) : formatNagios(report) + "\n")
  return report.state
}

async function startSelftest(r: UpsReading, args: CheckArgs, cli: CliEnv, open: (t: { host: string; port: number }) => Promise<NutClient>): Promise<Finding> {
  const target = parseUpsTarget(r.target)
  try {
    const { user, password } = await resolveCredentials(cli, args)
    const client = await open(target)
    try {
      await client.authenticate(user, password)
      await client.instcmd(r.ups, "test.battery.start.quick")
    } finally {
      client.close()
    }
    return { check: "selftest", state: NAGIOS.OK, text: "started a quick self-test (test.battery.start.quick)" }
  } catch (e) {
    return { check: "selftest", state: NAGIOS.WARNING, text: `a self-test is due but could not be started: ${e instanceof Error ? e.message : String(e)}` }
  }
}

/**
 * Probe the executors of this host's role (none without a role, with --no-probe, or when the role
 * has none: then not even the plugin code is loaded).
 */
function startProbes(cluster: ClusterView | undefined, wanted: boolean, host: string, timeoutMs: number, cli: CliEnv, env: CheckEnv): Promise<ProbeReport[]> {
  const role = cluster?.targets?.role
  if (!wanted || cluster === undefined || role === undefined || role.entry.shutdown.length === 0) return Promise.resolve([])
  return import("./_check-probes.ts")
    .then((m) =>
      m.probeExecutors({
        loaded: cluster.loaded,
        role,
        host,
        timeoutMs,
        env: (name) => cli.env[name],
        clock: { now: env.now, sleep: env.sleep ?? m.systemClock.sleep },
        findProgram: env.findProgram ?? m.nodeFindProgram(cli.env["PATH"]),
        ...(env.catalog === undefined ? {} : { catalog: env.catalog }),
      }),
    )
    .catch((e: unknown) => [{ executor: "executors", state: NAGIOS.UNKNOWN, text: `cannot probe the executors: ${(e as Error).message}` }])
}

function limit(text: string | undefined, option: string): number {
  const n = Number(text)
  if (text === undefined || text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`${option} must be a number ≥ 0, not ${text}`)
  return n
}
