/**
 * The world `nutctl drill --simulate` runs in, all on 127.0.0.1 inside this process: the
 * simulated APC BX1600MI behind nutctl's own NUT server (usbhid-ups on `sim:bx1600mi`, sped up),
 * the TrueNAS middleware simulator, and the secondaries' executors — the Proxmox simulator when
 * one is handed in, else command-executor stand-ins that only `sleep`. Nothing here can reach a
 * real machine: no midclt, no real shutdown, no POWERDOWNFLAG.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ConsolaInstance } from "consola"
import commandExecutor from "../../plugins/command/index.ts"
import { SIM_API_KEY, createTrueNasExecutor, startTrueNasSimulator, type TrueNasSim } from "../../plugins/truenas/index.ts"
import { createUserRecord } from "../config/index.ts"
import type { Clock } from "../monitor/index.ts"
import { DEFAULT_SERVER_SETTINGS } from "../server/index.ts"
import { configureExecutor, type ConfiguredExecutor, type Executor } from "../shutdown/index.ts"
import { startUpsd, type RunningUpsd } from "./_upsd.ts"

/** The simulated UPS's name on the NUT server. */
export const SIM_UPS = "bx1600mi"
/** Users of the simulated server: the primary may FSD and send shutdown.return. */
export const SIM_USERS = { primary: { user: "nas", password: "nas-drill" }, secondary: { user: "pve", password: "pve-drill" } } as const

/** The secondaries' part of the simulation. */
export interface SimulatedSecondaries {
  /** For the output: what the secondaries run against. */
  readonly label: string
  /** Hosts, in order. */
  readonly hosts: readonly string[]
  /** The configured executors of one host. */
  executors(host: string): Promise<ConfiguredExecutor[]>
  /** Learned durations to seed (key → ms), as if an earlier drill had measured them. */
  readonly learned?: ReadonlyMap<string, number>
  /** After the run: anything to check and report (e.g. invalid requests seen by a simulator). */
  summary?(): string[]
  close(): Promise<void>
}

/** Makes the secondaries on the drill's clock. */
export type SecondariesFactory = (ctx: { readonly clock: Clock; readonly speed: number }) => Promise<SimulatedSecondaries>

/**
 * Stand-ins when no Proxmox simulator is available: each host runs two command executors that
 * only sleep (guests, then the node's power-off), with durations in simulated seconds.
 */
export function commandStandIns(hosts: readonly { readonly host: string; readonly guestsS: number }[] = [
  { host: "pve1", guestsS: 150 },
  { host: "pve2", guestsS: 210 },
  { host: "pve3", guestsS: 120 },
]): SecondariesFactory {
  return async ({ speed }) => {
    const exec = commandExecutor as Executor<unknown>
    const learned = new Map<string, number>()
    for (const h of hosts) {
      learned.set(`${h.host}-guests:shutdowncmd`, h.guestsS * 1000)
      learned.set(`${h.host}-poweroff:shutdowncmd`, 5000)
    }
    return {
      label: "command executor stand-ins (sleep), since this build has no Proxmox simulator",
      hosts: hosts.map((h) => h.host),
      learned,
      async executors(host) {
        const h = hosts.find((x) => x.host === host)
        if (h === undefined) return []
        const sleep = (s: number): string => `sleep ${(s / speed).toFixed(3)}`
        return [
          { executor: exec, name: `${host}-guests`, config: await configureExecutor(exec, { command: sleep(h.guestsS), timeout: `${h.guestsS * 3}s` }, "drill --simulate") },
          { executor: exec, name: `${host}-poweroff`, config: await configureExecutor(exec, { command: sleep(5), timeout: "60s" }, "drill --simulate") },
        ]
      },
      close: async () => {},
    }
  }
}

/** The running UPS server and NAS. */
export interface SimWorld {
  readonly upsd: RunningUpsd
  readonly port: number
  readonly nas: TrueNasSim
  /** The primary's executor (truenas against the simulator; midclt refused). */
  primaryExecutors(): Promise<ConfiguredExecutor[]>
  stop(): Promise<void>
}

export interface SimWorldOptions {
  readonly speed: number
  /** battery.charge when the outage starts, %. @default 30 */
  readonly chargePct: number
  /** Seconds (simulated) from start until mains is lost. @default 5 */
  readonly outageAfterS: number
  /** Simulated seconds the NAS takes to power off. @default 45 */
  readonly nasOffS: number
  readonly truenasVersion: "24.10" | "25.04" | "25.10"
  readonly log: ConsolaInstance
}

/** Start the UPS server and the TrueNAS simulator. */
export async function startSimWorld(options: SimWorldOptions): Promise<SimWorld> {
  const dir = await mkdtemp(join(tmpdir(), "nutctl-drill-"))
  const scenario = join(dir, "outage.txt")
  await writeFile(scenario, `1s charge value=${options.chargePct}\n${options.outageAfterS}s mains-lost\n`)
  const port = `sim:${SIM_UPS}?scenario=${encodeURIComponent(scenario)}&speed=${options.speed}`
  let upsd: RunningUpsd
  try {
    upsd = await startUpsd(
      {
        ups: [{ name: SIM_UPS, driver: "usbhid-ups", port, desc: "APC Back-UPS BX1600MI (simulated)", params: { pollinterval: "1" }, baseDir: dir }],
        server: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port: 0 }] },
        users: [
          createUserRecord({ name: SIM_USERS.primary.user, password: SIM_USERS.primary.password, upsmon: "primary", instcmds: ["shutdown.return"] }),
          createUserRecord({ name: SIM_USERS.secondary.user, password: SIM_USERS.secondary.password, upsmon: "secondary" }),
        ],
        allowNoDevice: false,
        warnings: [],
      },
      options.log,
    )
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
  const nas = await startTrueNasSimulator({ version: options.truenasVersion, offAfterMs: (options.nasOffS * 1000) / options.speed })
  const truenas = createTrueNasExecutor({
    // never a real midclt, whatever the URL says
    runCommand: async () => Promise.reject(new Error("midclt is not run in a drill")),
  }) as unknown as Executor<unknown>
  return {
    upsd,
    port: upsd.addresses[0]?.port ?? 0,
    nas,
    async primaryExecutors() {
      const config = await configureExecutor(truenas, { url: nas.url, apiKey: SIM_API_KEY, onNas: false, confirmOff: true, offEstimate: `${options.nasOffS}s` }, "drill --simulate")
      return [{ executor: truenas, config, name: "truenas" }]
    },
    async stop() {
      await nas.close()
      await upsd.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
