/**
 * The executor contract (DESIGN.md §5, STYLE.md "defineExecutor"): an executor is a plugin that,
 * given its validated config and a context, plans the ordered steps that take part of this host
 * down. Plugins import only this folder's index.ts. The plan runner (budgets, journal, abort on
 * power return) is issue 5; the monitor runs plans step by step until then.
 */

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
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

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
}

// ----- Plan -----

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
  /** Do it (or, in a dry run, say what it would do); rejects on failure. */
  run(signal: AbortSignal): Promise<void>
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
}
