/**
 * The TrueNAS part of a primary's plan: wait until the secondaries logged out, power the NAS off
 * (the point of no return; midclt as fallback on the NAS itself), wait until it stops answering
 * (when nutctl runs elsewhere), then ask the UPS to cut power. In a dry run every step only reads:
 * log in, read the version and state, count the secondaries.
 */
import type { ExecutorContext, Step } from "../../src/shutdown/index.ts"
import { onNasOf, type TrueNasConfig } from "./config.ts"
import { midcltShutdown, midcltShutdownArgs, midcltVersion, type CommandRunner } from "./midclt.ts"
import { endpointsOf, openSession, sessionTarget } from "./session.ts"
import { requestShutdown, shutdownParams } from "./shutdown-call.ts"
import type { WsConnector } from "./ws/types.ts"

/** What the steps reach the world through (fakes in tests). */
export interface TrueNasDeps {
  readonly connect: WsConnector
  readonly runCommand: CommandRunner
}

/** Between two looks at the secondaries / the NAS. */
const POLL_MS = 2000

export function truenasSteps(ctx: ExecutorContext<TrueNasConfig>, deps: TrueNasDeps): Step[] {
  const c = ctx.config
  const host = new URL(c.url).host
  const onNas = onNasOf(c)
  const target = sessionTarget(c)
  const session = (signal: AbortSignal) => openSession(target, { connect: deps.connect, clock: ctx.clock, log: ctx.log, signal })
  let endpoint = endpointsOf(c.url, c.api)[0]?.url as URL
  const steps: Step[] = []

  const secondaries = ctx.power?.secondaries
  if (c.waitForSecondaries && secondaries !== undefined) {
    steps.push({
      id: "wait-secondaries",
      description: `Wait until the secondaries logged out (at most ${Math.round(c.secondariesTimeout / 1000)} s, then go on)`,
      timeoutMs: c.secondariesTimeout,
      waits: "secondaries",
      async run(signal) {
        for (;;) {
          const n = await secondaries()
          if (n === 0) return { note: "no secondary logged in" }
          if (ctx.dryRun) return { note: `${n} secondar${n === 1 ? "y" : "ies"} logged in now; would wait for them` }
          ctx.log.info(`${n} secondar${n === 1 ? "y is" : "ies are"} still logged in`)
          await ctx.clock.sleep(POLL_MS, signal)
        }
      },
    })
  }

  const midclt = (signal: AbortSignal, timeoutMs: number) => ({ run: deps.runCommand, midclt: c.midclt, signal, timeoutMs })
  steps.push({
    id: "poweroff",
    description: `Power off TrueNAS at ${host} (system.shutdown)`,
    timeoutMs: c.timeout * 2,
    estimateMs: 2000,
    pointOfNoReturn: true,
    async run(signal) {
      const s = await session(signal)
      endpoint = new URL(s.endpoint, endpoint)
      try {
        if (ctx.dryRun) {
          const state = await s.client.call("system.state", [], { timeoutMs: c.timeout }).catch((e: Error) => `unknown (${e.message})`)
          const params = shutdownParams(s.version, c.reason, c.delay)
          return { note: `TrueNAS ${s.version?.text ?? "(version unknown)"} via ${s.endpoint}: API key accepted, state ${String(state)}; would call system.shutdown(${params.map((p) => JSON.stringify(p)).join(", ")})` }
        }
        const ack = await requestShutdown(s, { reason: c.reason, delay: c.delay, timeoutMs: c.timeout })
        ctx.log.info(ack.note)
        return { note: ack.note }
      } finally {
        s.close()
      }
    },
    ...(onNas
      ? {
          fallback: {
            description: `${c.midclt} call system.shutdown on the NAS itself`,
            timeoutMs: 60_000,
            async run(signal: AbortSignal) {
              if (ctx.dryRun) {
                const v = await midcltVersion(midclt(signal, 60_000))
                if (v === undefined) throw new Error(`${c.midclt} call system.version failed`)
                return { note: `midclt reaches TrueNAS ${v.text}; would run ${midcltShutdownArgs(c.midclt, v, c.reason, c.delay).join(" ")}` }
              }
              const note = await midcltShutdown({ ...midclt(signal, 60_000), reason: c.reason, delay: c.delay })
              ctx.log.info(note)
              return { note }
            },
          },
        }
      : {}),
  })

  if (c.confirmOff ?? !onNas) {
    steps.push({
      id: "wait-off",
      description: `Wait until TrueNAS at ${host} stops answering`,
      timeoutMs: c.offTimeout,
      estimateMs: c.offEstimate,
      async run(signal) {
        if (ctx.dryRun) return { note: `would wait until ${host} stops answering (about ${Math.round(c.offEstimate / 1000)} s)` }
        for (;;) {
          let up = false
          try {
            const conn = await deps.connect(endpoint, { timeoutMs: Math.min(5000, c.timeout), clock: ctx.clock, signal, ...(target.tls === undefined ? {} : { tls: target.tls }) })
            conn.close()
            up = true
          } catch {
            // refused or no answer: it is off (or its middleware is)
          }
          if (!up) return { note: `${host} no longer answers` }
          await ctx.clock.sleep(POLL_MS, signal)
        }
      },
    })
  }

  const kill = ctx.power?.killPower
  if (c.killPower && kill !== undefined) {
    steps.push({
      id: "kill-power",
      description: "Ask the UPS to cut power and restore it when mains returns (INSTCMD shutdown.return)",
      timeoutMs: 30_000,
      estimateMs: 1000,
      async run(signal) {
        if (ctx.dryRun) return { note: "would send shutdown.return to the UPS" }
        await kill(signal)
        return { note: "the UPS accepted the kill request" }
      },
    })
  }
  return steps
}
