/**
 * The executor contract (README "Writing an executor"): an executor is a plugin that,
 * given its validated config and a context, plans the ordered steps that take part of this host
 * down. Plugins import only this folder's index.ts. `runPlan` (runner.ts) executes the steps of a
 * host's executors with deadlines, a journal, abort on power return and learned durations.
 */
import type { JsonValue } from "../store/index.ts"
import type { Clock } from "../ups/index.ts"

// ----- Config schemas -----

/**
 * Standard Schema v1 (https://standardschema.dev), the interface zod 4, valibot and arktype
 * implement: an executor's config schema can come from any of them (types only, no library).
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

/** What a Standard Schema's `validate` returns. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] }

/** One validation problem; `path` leads to the offending key. */
export interface StandardIssue {
  readonly message: string
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined
}

/** The validated config type a schema produces. */
export type SchemaOutput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["output"]

// ----- Context -----

/** Time for executors: deadlines come from here, never from Date.now(). */
export type { Clock }

/** Where executors log (the runner tags lines with the executor and step). */
export interface ExecutorLog {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string, cause?: unknown): void
}

/** Everything an executor gets; executors never read process.env, sleep on their own or exit. */
export interface ExecutorContext<Config> {
  /** The executor's config, validated by its schema. */
  readonly config: Config
  /** This host's name (role matching, messages). */
  readonly host: string
  readonly clock: Clock
  readonly log: ExecutorLog
  /** Aborted when the shutdown is called off (power returned before the point of no return). */
  readonly signal: AbortSignal
  /** Plan and log, but change nothing: steps must only say what they would do. */
  readonly dryRun: boolean
  /**
   * This executor's own persistent state (kept in the store under `executors:<name>:`): what it
   * changed and must put back after power returns, e.g. HA states. Absent when nothing persists
   * (no store); an executor then keeps what it needs in memory.
   */
  readonly state?: ExecutorState
  /** What the monitor offers a plan on this host (a primary's secondaries, the UPS kill). */
  readonly power?: PowerControl
}

/** Persistent key/value state of one executor; values are JSON. */
export interface ExecutorState {
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>
  set(key: string, value: JsonValue): Promise<void>
  remove(key: string): Promise<void>
}

/** Capabilities of the host's monitor that a plan may use; each is absent where it makes no sense. */
export interface PowerControl {
  /**
   * How many secondaries are still logged in to the UPSes this host is primary for (NUT's
   * NUMLOGINS minus this host's own login). A primary waits for 0 before it cuts its own power.
   */
  secondaries?(): Promise<number>
  /**
   * Ask the UPS to cut the load after its shutdown delay and to restore it when mains returns
   * (INSTCMD shutdown.return through the NUT server). Rejects when the UPS refused.
   */
  killPower?(signal: AbortSignal): Promise<void>
}

// ----- Plan -----

/** What a step may report besides success (all optional; `void` is fine). */
export interface StepResult {
  /** One line for the journal and the drill's output (`VM 101 stopped by SIGTERM`). */
  readonly note?: string
  /**
   * In a dry run: how long the real step would take, as far as the read-only checks can tell
   * (the guest's `down` timeout, the last task's duration). The drill learns it.
   */
  readonly estimateMs?: number
}

/** What runs when a step fails or times out: force-stop after a clean shutdown, midclt after the API. */
export interface StepFallback {
  readonly description: string
  readonly timeoutMs: number
  /** @default timeoutMs */
  readonly estimateMs?: number
  run(signal: AbortSignal): Promise<void | StepResult>
}

/** One thing to do, with its own deadline. */
export interface Step {
  /** Unique within the executor's plan, kebab-case (`guest-101`, `shutdowncmd`). */
  readonly id: string
  /** What it does, for progress, logs and `nutctl drill`. */
  readonly description: string
  /** The runner aborts `run`'s signal and fails the step after this long. */
  readonly timeoutMs: number
  /** Once this step starts, power returning no longer calls the shutdown off. @default false */
  readonly pointOfNoReturn?: boolean
  /**
   * How long it usually takes, before anything was learned (the guest's `down` timeout, a typical
   * API call). Learned durations of earlier runs and drills win over it. @default timeoutMs
   */
  readonly estimateMs?: number
  /**
   * Under which name its duration is learned; steps that do the same thing in every run share it.
   * The runner prefixes the executor name (`proxmox:guest-101`). @default the step id
   */
  readonly durationKey?: string
  /**
   * Consecutive steps of one executor with the same group run at the same time (one startup-order
   * group of guests). Steps without a group run alone, in order.
   */
  readonly group?: string
  /** Most steps of its group running at once; the group's first step sets it. @default no limit */
  readonly concurrency?: number
  /**
   * Runs when `run` fails or times out; the step counts as done when the fallback succeeds. A
   * string only describes what the step falls back to by itself (for `config check` and the
   * drill); the runner runs nothing extra for it.
   */
  readonly fallback?: StepFallback | string
  /**
   * `secondaries`: this step waits until the secondaries logged out (a primary's), so its
   * duration is theirs — `nutctl drill` sizes it from their plans.
   */
  readonly waits?: "secondaries"
  /**
   * After a failure (fallback included): `continue` with the next step, as a shutdown on battery
   * should, or `stop` the plan (a step whose failure makes the rest harmful). @default "continue"
   */
  readonly onFailure?: "continue" | "stop"
  /** Do it (or, in a dry run, only read and say what it would do); rejects on failure. */
  run(signal: AbortSignal): Promise<void | StepResult>
}

/** A plugin that plans part of a host's shutdown. */
export interface Executor<Config = unknown> {
  /** kebab-case, unique; the key under `executors:` in nutctl's config. */
  readonly name: string
  /** One line for `nutctl drill` and listings. */
  readonly description?: string
  /** Validates the `executors.<name>` section. */
  readonly config: StandardSchemaV1<unknown, Config>
  /** The ordered steps for this host. */
  plan(ctx: ExecutorContext<Config>): readonly Step[] | Promise<readonly Step[]>
  /**
   * Steps that undo what the plan changed and must not stay so once power is back (HA states,
   * a cluster option). The runner runs them after an abort before the point of no return, and
   * `restoreAfterPowerReturn` at the next start after a shutdown went through.
   */
  restore?(ctx: ExecutorContext<Config>): readonly Step[] | Promise<readonly Step[]>
  /**
   * Tell, without changing anything on the target, whether the executor could do its job now
   * (API reachable, credentials accepted, privileges the plan needs, program present). `nutctl
   * check` calls it every minute, so it must be cheap: a few reads, never a step. It stops when
   * `signal` aborts (check's `--probe-timeout`) and never puts a secret into its text.
   */
  probe?(ctx: ProbeContext<Config>, signal: AbortSignal): Promise<ProbeResult>
}

// ----- Probe -----

/** What a probe gets: the config and host like a plan, and a read-only look at programs. */
export interface ProbeContext<Config> {
  readonly config: Config
  readonly host: string
  readonly clock: Clock
  readonly log: ExecutorLog
  /**
   * Where `name` would be found when the monitor runs it (an absolute or relative path as given,
   * else searched in PATH and the sbin directories a service has), without running it:
   * undefined when nothing is there, `executable: false` for a file that cannot be executed.
   */
  findProgram(name: string): Promise<ProgramLookup | undefined>
}

/** A program that was found. */
export interface ProgramLookup {
  readonly path: string
  readonly executable: boolean
}

/** A probe's answer: `warning` means the job would get done, but not the intended way. */
export interface ProbeResult {
  readonly state: "ok" | "warning" | "critical"
  /** One line, without secrets (`Proxmox VE 9.1.4 at https://…: token accepted, …`). */
  readonly text: string
}
