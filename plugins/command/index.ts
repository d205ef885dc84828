/**
 * The `command` executor: NUT's SHUTDOWNCMD as a one-step plan. The step runs the command line
 * through `/bin/sh -c` like upsmon's `system()` call, waits for it (with a timeout upsmon does not
 * have), and fails on a non-zero exit ("Unable to call shutdown command"). In a dry run it only
 * logs what it would run.
 *
 * ```yaml
 * executors:
 *   command: { command: "/sbin/shutdown -h +0", timeout: 2m }
 * ```
 */
import { z } from "zod"
import { defineExecutor } from "../../src/shutdown/index.ts"
import { probeCommand } from "./probe.ts"
import { runCommand } from "./run-command.ts"

/** @default 120 s: `shutdown -h +0` returns at once; a script that hangs must not hold the plan forever. */
const DEFAULT_TIMEOUT_MS = 120_000

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Seconds as a number (like NUT's timers), or a duration such as `90s`, `2m`, `500ms`. */
const duration = z.union([
  z.number().positive("a positive number of seconds").transform((s) => s * 1000),
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)\s*$/, "a duration such as 90s, 2m or 500ms")
    .transform((text) => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text) as RegExpExecArray
      return Number(m[1]) * (UNITS[m[2] as string] as number)
    }),
], { error: "a number of seconds or a duration such as 90s, 2m or 500ms" })

/** The `executors.command` section. */
export const commandConfigSchema = z.object({
  /** The command line, as SHUTDOWNCMD writes it. */
  command: z.string().trim().min(1, "a shell command line"),
  /** How long it may run. @default 120 s */
  timeout: duration.default(DEFAULT_TIMEOUT_MS),
  /** @default /bin/sh (what system() uses) */
  shell: z.string().min(1).default("/bin/sh"),
})

export default defineExecutor({
  name: "command",
  description: "Run a shell command (NUT's SHUTDOWNCMD)",
  config: commandConfigSchema,
  plan(ctx) {
    const { command, timeout, shell } = ctx.config
    return [
      {
        id: "shutdowncmd",
        description: `Run ${command}`,
        timeoutMs: timeout,
        // the command usually halts the host: once it runs there is nothing left to call off
        pointOfNoReturn: true,
        async run(signal) {
          if (ctx.dryRun) {
            ctx.log.info(`Dry run: would run ${shell} -c ${JSON.stringify(command)}`)
            return
          }
          ctx.log.info(`Running shutdown command: ${command}`)
          await runCommand(command, { shell, signal, clock: ctx.clock, log: ctx.log })
        },
      },
    ]
  },
  // `nutctl check`: the shell and the command's program are there and executable (never run)
  probe: (ctx) => probeCommand(ctx),
})
