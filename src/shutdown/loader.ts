/**
 * Executors by name: the plugins built into this binary (`plugins/<name>/index.ts`, registered by
 * the CLI), or a user's own plugin module named in the config (`executors.x.module: /etc/nutctl/
 * my-ups-plugin.ts`), whose default export is a `defineExecutor(…)` result.
 */
import { ExecutorLoadError } from "./errors.ts"
import type { Executor } from "./types.ts"

/** Built-in plugins by name: the executor, or a thunk that imports it lazily. */
export type ExecutorCatalog = Readonly<Record<string, Executor<never> | (() => Promise<Executor<never>>)>>

export interface LoadExecutorOptions {
  readonly builtins: ExecutorCatalog
  /** How a `module` is imported. @default dynamic import() */
  readonly importModule?: (specifier: string) => Promise<unknown>
}

/**
 * Find the plugin of one `executors:` entry.
 * @param entry its key, and its `type` (plugin name) / `module` (a file) when given
 * @throws ExecutorLoadError for an unknown name or a module without an executor as default export
 */
export async function loadExecutor(entry: { readonly name: string; readonly type?: string | undefined; readonly module?: string | undefined }, options: LoadExecutorOptions): Promise<Executor<unknown>> {
  if (entry.module !== undefined) {
    let mod: unknown
    try {
      mod = await (options.importModule ?? ((s: string) => import(s)))(entry.module)
    } catch (cause) {
      throw new ExecutorLoadError(entry.name, `cannot import ${entry.module}: ${(cause as Error).message}`, { cause })
    }
    const candidate = (mod as { default?: unknown } | undefined)?.default
    if (!isExecutor(candidate)) throw new ExecutorLoadError(entry.name, `${entry.module} has no defineExecutor(…) result as its default export`)
    return candidate
  }
  const plugin = entry.type ?? entry.name
  const found = Object.hasOwn(options.builtins, plugin) ? options.builtins[plugin] : undefined
  if (found === undefined) throw new ExecutorLoadError(entry.name, `this nutctl has no executor plugin ${plugin} (built in: ${Object.keys(options.builtins).sort().join(", ")}; a plugin of your own needs module: PATH)`)
  const executor = typeof found === "function" ? await found() : found
  return executor as Executor<unknown>
}

/** Looks like what defineExecutor returns. */
export function isExecutor(value: unknown): value is Executor<unknown> {
  if (typeof value !== "object" || value === null) return false
  const v = value as Partial<Executor<unknown>>
  return typeof v.name === "string" && typeof v.plan === "function" && typeof v.config?.["~standard"]?.validate === "function"
}
