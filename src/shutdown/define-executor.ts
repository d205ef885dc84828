/**
 * Authoring and loading executors: `defineExecutor` checks a plugin's definition once, at import;
 * `configureExecutor` validates its config section with the plugin's own schema; `planExecutor`
 * asks for the steps and checks them.
 */
import { ExecutorConfigError, ExecutorDefinitionError, type ExecutorConfigIssue } from "./errors.ts"
import type { Executor, ExecutorContext, ProbeContext, ProbeResult, StandardIssue, StandardSchemaV1, Step } from "./types.ts"

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/**
 * Define an executor plugin. Checks the name (kebab-case), the config schema (a Standard Schema:
 * zod 4, valibot, …) and `plan`, and infers the config type from the schema.
 * @throws ExecutorDefinitionError when the definition is unusable
 * @example
 * export default defineExecutor({
 *   name: "command",
 *   config: z.object({ command: z.string() }),
 *   plan: (ctx) => [{ id: "run", description: `Run ${ctx.config.command}`, timeoutMs: 60_000, run: (signal) => exec(ctx.config.command, signal) }],
 * })
 */
export function defineExecutor<const Schema extends StandardSchemaV1>(definition: {
  readonly name: string
  readonly description?: string
  readonly config: Schema
  plan(ctx: ExecutorContext<SchemaOutputOf<Schema>>): readonly Step[] | Promise<readonly Step[]>
  restore?(ctx: ExecutorContext<SchemaOutputOf<Schema>>): readonly Step[] | Promise<readonly Step[]>
  probe?(ctx: ProbeContext<SchemaOutputOf<Schema>>, signal: AbortSignal): Promise<ProbeResult>
}): Executor<SchemaOutputOf<Schema>> {
  const name = typeof definition?.name === "string" ? definition.name : String(definition?.name)
  if (!NAME.test(name)) throw new ExecutorDefinitionError("EXECUTOR_INVALID", JSON.stringify(name), "the name must be kebab-case (a-z, 0-9 and single dashes)")
  const validate = (definition.config as Partial<StandardSchemaV1> | undefined)?.["~standard"]?.validate
  if (typeof validate !== "function") throw new ExecutorDefinitionError("EXECUTOR_INVALID", name, "config must be a Standard Schema (zod 4, valibot, …)")
  if (typeof definition.plan !== "function") throw new ExecutorDefinitionError("EXECUTOR_INVALID", name, "plan must be a function")
  if (definition.restore !== undefined && typeof definition.restore !== "function") throw new ExecutorDefinitionError("EXECUTOR_INVALID", name, "restore must be a function")
  if (definition.probe !== undefined && typeof definition.probe !== "function") throw new ExecutorDefinitionError("EXECUTOR_INVALID", name, "probe must be a function")
  return Object.freeze({ ...definition, name }) as Executor<SchemaOutputOf<Schema>>
}

/** A schema's output type (unknown for a schema without type information). */
export type SchemaOutputOf<S extends StandardSchemaV1> = S extends StandardSchemaV1<unknown, infer O> ? O : unknown

/**
 * Validate an executor's config section with its schema.
 * @param source where the section came from, for messages (`nutctl.yaml executors.command`)
 * @throws ExecutorConfigError naming each key and what is wrong with it
 */
export async function configureExecutor<Config>(executor: Executor<Config>, raw: unknown, source: string): Promise<Config> {
  const result = await executor.config["~standard"].validate(raw)
  if (result.issues !== undefined) throw new ExecutorConfigError(executor.name, source, result.issues.map(toIssue))
  return result.value
}

/**
 * Ask an executor for its plan and check it: every step has a unique kebab-case id, a
 * description, a positive timeout and a `run` function.
 * @throws ExecutorDefinitionError (`PLAN_INVALID`) for a malformed plan; whatever `plan` throws
 */
export async function planExecutor<Config>(executor: Executor<Config>, ctx: ExecutorContext<Config>): Promise<readonly Step[]> {
  return checkSteps(executor.name, await executor.plan(ctx), "plan")
}

/**
 * Ask an executor for its restore steps (none when it has no `restore`), checked like a plan.
 * @throws ExecutorDefinitionError (`PLAN_INVALID`); whatever `restore` throws
 */
export async function planRestore<Config>(executor: Executor<Config>, ctx: ExecutorContext<Config>): Promise<readonly Step[]> {
  if (executor.restore === undefined) return []
  return checkSteps(executor.name, await executor.restore(ctx), "restore")
}

const PROBE_STATES: ReadonlySet<string> = new Set(["ok", "warning", "critical"])

/**
 * Ask an executor whether it could do its job now (undefined when it has no probe). A probe that
 * throws, or answers something that is not a ProbeResult, counts as critical with its message:
 * check must report every executor, and a broken probe is worth a look.
 */
export async function probeExecutor<Config>(executor: Executor<Config>, ctx: ProbeContext<Config>, signal: AbortSignal): Promise<ProbeResult | undefined> {
  if (executor.probe === undefined) return undefined
  let result: ProbeResult
  try {
    result = await executor.probe(ctx, signal)
  } catch (e) {
    return { state: "critical", text: `the probe failed: ${e instanceof Error ? e.message : String(e)}` }
  }
  if (typeof result !== "object" || result === null || !PROBE_STATES.has(result.state) || typeof result.text !== "string") {
    return { state: "critical", text: `the probe of ${executor.name} answered no { state, text }` }
  }
  // one line: Nagios reads only the first
  return { state: result.state, text: result.text.replace(/\s*\n\s*/g, " ").trim() }
}

function checkSteps(name: string, steps: readonly Step[], what: "plan" | "restore"): readonly Step[] {
  const executor = { name }
  if (!Array.isArray(steps)) throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `${what}() must return a list of steps`)
  const seen = new Set<string>()
  for (const step of steps as readonly Step[]) {
    const id = String(step?.id)
    if (!NAME.test(id)) throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step id ${JSON.stringify(id)} is not kebab-case`)
    if (seen.has(id)) throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step id ${id} appears twice`)
    seen.add(id)
    if (typeof step.description !== "string" || step.description === "") throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step ${id} has no description`)
    if (!(Number.isFinite(step.timeoutMs) && step.timeoutMs > 0)) throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step ${id} needs a positive timeoutMs`)
    if (typeof step.run !== "function") throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step ${id} has no run function`)
    if (step.estimateMs !== undefined && !(Number.isFinite(step.estimateMs) && step.estimateMs >= 0)) throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step ${id} has a negative or non-finite estimateMs`)
    if (step.concurrency !== undefined && !(Number.isInteger(step.concurrency) && step.concurrency > 0)) throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step ${id} needs a positive whole concurrency`)
    const fb = step.fallback
    if (fb !== undefined && typeof fb !== "string" && (typeof fb.run !== "function" || !(Number.isFinite(fb.timeoutMs) && fb.timeoutMs > 0) || typeof fb.description !== "string")) {
      throw new ExecutorDefinitionError("PLAN_INVALID", executor.name, `step ${id} has a fallback without description, positive timeoutMs or run function`)
    }
  }
  return steps
}

function toIssue(issue: StandardIssue): ExecutorConfigIssue {
  const key = (issue.path ?? [])
    .map((p) => (typeof p === "object" && p !== null ? p.key : p))
    .reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc === "" ? String(k) : `${acc}.${String(k)}`), "")
  return { key, message: issue.message }
}
