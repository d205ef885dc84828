/**
 * What citty lets through: an unknown `--flag` or an extra argument is silently ignored, so a typo
 * such as `--no-wiat` quietly does the default. Checked before the command runs; main.ts turns a
 * problem into usage + message + exit 2 (README "Exit codes": a usage error). An unknown command
 * is one too (citty exits 1 for it).
 */
import type { ArgsDef, CommandDef } from "citty"

type AnyCommand = CommandDef<ArgsDef>
type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>)

/** The command that runs for `rawArgs`, its parent, and what it gets; or the problem. */
export interface ResolvedCommand {
  readonly command: AnyCommand
  readonly parent?: AnyCommand
  /** The arguments after the command's name. */
  readonly rawArgs: readonly string[]
  /** An unknown command name, an unknown flag or a surplus argument, in words. */
  readonly problem?: string
}

/** Flags citty answers itself. */
const BUILTIN = new Set(["help", "h", "version", "v"])

/** Walk the subcommands like citty does, then check the leaf's flags and arguments. */
export async function checkArgv(root: AnyCommand, rawArgs: readonly string[]): Promise<ResolvedCommand> {
  let command = root
  let parent: AnyCommand | undefined
  let args = rawArgs
  for (;;) {
    const subCommands = await resolve(command.subCommands as Resolvable<Record<string, Resolvable<AnyCommand>>> | undefined)
    if (subCommands === undefined || Object.keys(subCommands).length === 0) break
    const defs = (await resolve(command.args as Resolvable<ArgsDef> | undefined)) ?? {}
    const index = firstPositional(args, defs)
    if (index === -1) break
    const name = args[index] as string
    if (!Object.hasOwn(subCommands, name)) {
      if (command.run !== undefined) break
      return { command, ...(parent === undefined ? {} : { parent }), rawArgs: args, problem: `Unknown command ${name}` }
    }
    parent = command
    command = (await resolve(subCommands[name])) as AnyCommand
    args = args.slice(index + 1)
  }
  const problem = isHelp(args) ? undefined : argProblem(((await resolve(command.args as Resolvable<ArgsDef> | undefined)) ?? {}) as ArgsDef, args)
  return { command, ...(parent === undefined ? {} : { parent }), rawArgs: args, ...(problem === undefined ? {} : { problem }) }
}

/** The first unknown flag or surplus positional argument of `args` for `defs`, in words. */
export function argProblem(defs: ArgsDef, args: readonly string[]): string | undefined {
  const names = new Map<string, { readonly takesValue: boolean; readonly boolean: boolean }>()
  let positionals = 0
  for (const [key, def] of Object.entries(defs)) {
    if (def.type === "positional") {
      positionals++
      continue
    }
    const shape = { takesValue: def.type === "string" || def.type === "enum", boolean: def.type === "boolean" }
    for (const n of [key, kebab(key), camel(key), ...toArray((def as { alias?: string | string[] }).alias)]) names.set(n, shape)
  }
  const given: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === "--") {
      given.push(...args.slice(i + 1))
      break
    }
    // a negative number is an argument (`cmd ups shutdown.return -1`), not a flag
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      given.push(arg)
      continue
    }
    const long = arg.startsWith("--")
    const body = arg.slice(long ? 2 : 1)
    const name = body.split("=")[0] as string
    if (long) {
      const direct = names.get(name)
      // --no-X turns X off (--no-http, --no-wall) and takes no value
      const negated = direct === undefined && name.startsWith("no-") ? names.get(name.slice(3)) : undefined
      if (direct === undefined && negated === undefined && !BUILTIN.has(name)) return `Unknown option --${name}`
      if (direct?.takesValue === true && !body.includes("=")) i++
      continue
    }
    // short flags, possibly bundled (-Lc); the last one may take the next argument
    for (const [j, letter] of [...name].entries()) {
      const known = names.get(letter)
      if (known === undefined && !BUILTIN.has(letter)) return `Unknown option -${letter}`
      if (known?.takesValue === true && j === name.length - 1 && !body.includes("=")) i++
    }
  }
  const surplus = given.slice(positionals)
  if (surplus.length > 0) return `Unexpected argument${surplus.length === 1 ? "" : "s"}: ${surplus.join(" ")}`
  return undefined
}

function isHelp(args: readonly string[]): boolean {
  return args.some((a) => a === "--help" || a === "-h")
}

function firstPositional(args: readonly string[], defs: ArgsDef): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === "--") return -1
    if (!arg.startsWith("-")) return i
    if (!arg.includes("=") && takesValue(arg, defs)) i++
  }
  return -1
}

function takesValue(flag: string, defs: ArgsDef): boolean {
  const name = flag.replace(/^-{1,2}/, "")
  return Object.entries(defs).some(([key, def]) => (def.type === "string" || def.type === "enum") && (key === name || kebab(key) === name || camel(key) === name || toArray((def as { alias?: string | string[] }).alias).includes(name)))
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

function toArray(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

async function resolve<T>(v: Resolvable<T> | undefined): Promise<T | undefined> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v
}
