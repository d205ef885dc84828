/**
 * Executor probes for `nutctl check` (issue 7: "executor reachability"). The executors of this
 * host's role are loaded and configured the way the monitor does it (_executors.ts: the built-in
 * plugins lazily, secrets resolved), then every plugin's `probe` runs at the same time under
 * `--probe-timeout`. This module, and with it the plugins, is imported only when the role has
 * executors and `--no-probe` is not given, so a check without executors stays as fast as before.
 */
import { constants } from "node:fs"
import { access, stat } from "node:fs/promises"
import { join } from "node:path"
import { isSecretRef, nodeConfigFs, type LoadedConfig, type RoleEntry, type RoleMatch, type SecretSources } from "../config/index.ts"
import { probeExecutor, type Clock, type ExecutorCatalog, type ProbeResult, type ProgramLookup } from "../shutdown/index.ts"
import { NAGIOS, type NagiosState } from "./_check-evaluate.ts"
import { roleExecutors } from "./_executors.ts"

/** Real time for the probes' deadlines (tests pass their own clock); loaded with the probes, not by every check. */
export { systemClock } from "../ups/index.ts"

/** What check reports per executor. */
export interface ProbeReport {
  /** Its key under `executors:`. */
  readonly executor: string
  /** The plugin behind it, when it could be loaded. */
  readonly plugin?: string
  readonly state: NagiosState
  /** `executor proxmox: …`, without secrets. */
  readonly text: string
  /** How long the probe took; absent when nothing was probed. */
  readonly ms?: number
}

export interface ProbeExecutorsOptions {
  readonly loaded: LoadedConfig
  readonly role: RoleMatch<RoleEntry>
  readonly host: string
  readonly timeoutMs: number
  /** Secrets (`{ env }`, `{ file }`) are resolved as the monitor resolves them. */
  readonly env: (name: string) => string | undefined
  readonly fs?: SecretSources["fs"]
  readonly clock: Clock
  readonly findProgram: (name: string) => Promise<ProgramLookup | undefined>
  /** @default the built-in plugins */
  readonly catalog?: ExecutorCatalog
}

/** After the timeout, how long a probe may still take to say what it knows (a local fallback). */
const GRACE_MS = 1000

const STATES: Readonly<Record<ProbeResult["state"], NagiosState>> = { ok: NAGIOS.OK, warning: NAGIOS.WARNING, critical: NAGIOS.CRITICAL }

/** Load, configure and probe the role's executors, all at once; never throws for one executor's trouble. */
export async function probeExecutors(o: ProbeExecutorsOptions): Promise<ProbeReport[]> {
  const loaded = await roleExecutors({ loaded: o.loaded, role: o.role, sources: { env: o.env, fs: o.fs ?? nodeConfigFs }, ...(o.catalog === undefined ? {} : { catalog: o.catalog }) })
  return Promise.all(
    loaded.map(async (x): Promise<ProbeReport> => {
      if (x.configured === undefined) {
        // a secret this user cannot read is check's limit (run it as the monitor's user), not the executor's
        const problem = redact(x.problem ?? "cannot be loaded", secretsOf(o.loaded.config.executors[x.name], undefined))
        return x.missingSecret ? { executor: x.name, state: NAGIOS.UNKNOWN, text: `executor ${x.name}: not probed: ${problem}` } : { executor: x.name, state: NAGIOS.CRITICAL, text: `executor ${x.name}: ${problem}` }
      }
      const { executor, config } = x.configured
      const plugin = executor.name
      if (executor.probe === undefined) return { executor: x.name, plugin, state: NAGIOS.OK, text: `executor ${x.name}: not probed (the ${plugin} plugin has no probe)` }
      const started = o.clock.now()
      const ctx = { config, host: o.host, clock: o.clock, log: { debug() {}, info() {}, warn() {}, error() {} }, findProgram: o.findProgram }
      const result = await withTimeout((signal) => probeExecutor(executor, ctx, signal), o.timeoutMs, o.clock)
      const text = redact(result.text, secretsOf(o.loaded.config.executors[x.name], config))
      return { executor: x.name, plugin, state: STATES[result.state], text: `executor ${x.name}: ${text}`, ms: o.clock.now() - started }
    }),
  )
}

/**
 * Run a probe under a timeout: at the limit its signal aborts, and it has a moment to answer with
 * what it knows; a probe that still does not answer is CRITICAL.
 */
async function withTimeout(run: (signal: AbortSignal) => Promise<ProbeResult | undefined>, timeoutMs: number, clock: Clock): Promise<ProbeResult> {
  const stop = new AbortController()
  const timer = new AbortController()
  const late = clock
    .sleep(timeoutMs, timer.signal)
    .then(async (): Promise<ProbeResult> => {
      stop.abort(new Error(`no answer within ${timeoutMs} ms (--probe-timeout)`))
      await clock.sleep(GRACE_MS, timer.signal)
      return { state: "critical", text: `no answer within ${seconds(timeoutMs)} (--probe-timeout)` }
    })
    .catch(() => new Promise<never>(() => {}))
  try {
    return await Promise.race([run(stop.signal).then((r): ProbeResult => r ?? { state: "ok", text: "not probed" }), late])
  } finally {
    timer.abort()
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`
}

const SECRET_KEY = /pass(word)?|secret|token|api_?key|^key$/i

/**
 * The secret values of one executor's settings, to keep them out of check's output whatever a
 * plugin writes: what came from `{ env }` / `{ file }`, strings under secret-looking keys, and the
 * secret part of `id=secret` (a PVE token) or `id-secret` (a TrueNAS key).
 */
export function secretsOf(raw: unknown, configured: unknown): string[] {
  const out: string[] = []
  const add = (v: unknown): void => {
    if (typeof v !== "string" || v.length < 4) return
    out.push(v)
    for (const sep of ["=", "-"]) {
      const tail = v.slice(v.indexOf(sep) + 1)
      if (v.includes(sep) && tail.length >= 8) out.push(tail)
    }
  }
  const walk = (r: unknown, c: unknown, key: string): void => {
    if (isSecretRef(r)) add(c)
    else if (typeof r === "string" && SECRET_KEY.test(key)) add(c ?? r)
    else if (typeof r === "object" && r !== null) for (const [k, v] of Object.entries(r)) walk(v, (c as Record<string, unknown> | undefined)?.[k], k)
  }
  walk(raw, configured, "")
  // a schema may rename or add keys: secret-looking keys of the validated config count too
  if (typeof configured === "object" && configured !== null) for (const [k, v] of Object.entries(configured)) if (SECRET_KEY.test(k)) add(v)
  return [...new Set(out)].sort((a, b) => b.length - a.length)
}

/** Replace every secret in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) out = out.split(s).join("***")
  return out
}

/** Directories a service's PATH has (systemd's default): cron's PATH lacks the sbin ones. */
const SERVICE_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

/**
 * Look a program up as the monitor would run it, without running it: a name with a `/` as it is,
 * else the first executable in `pathEnv` and the service directories (else the first file found,
 * reported as not executable).
 */
export function nodeFindProgram(pathEnv: string | undefined): (name: string) => Promise<ProgramLookup | undefined> {
  const dirs = [...new Set([...(pathEnv ?? "").split(":").filter((d) => d.startsWith("/")), ...SERVICE_PATH])]
  return async (name) => {
    if (name === "") return undefined
    let blocked: ProgramLookup | undefined
    for (const path of name.includes("/") ? [name] : dirs.map((d) => join(d, name))) {
      try {
        if (!(await stat(path)).isFile()) continue
      } catch {
        continue
      }
      try {
        await access(path, constants.X_OK)
        return { path, executable: true }
      } catch {
        blocked ??= { path, executable: false }
      }
    }
    return blocked
  }
}
