/**
 * Runs nutctl's drop-in upsd in-process from a NUT config directory (the same files a real upsd
 * reads), on a free 127.0.0.1 port, and waits until every UPS with a driver is connected.
 */
import { createConsola } from "consola"
import { loadNutConfigDir } from "../../src/config/index.ts"
import { startUpsd, type RunningUpsd } from "../../src/cli/_upsd.ts"
import { freePort } from "./real-nut.ts"

export interface NutctlUpsd extends RunningUpsd {
  readonly port: number
}

/** Start nutctl on `dir`'s ups.conf/upsd.conf/upsd.users, listening on a free loopback port. */
export async function startNutctlUpsd(dir: string, options: { port?: number; waitFor?: readonly string[] } = {}): Promise<NutctlUpsd> {
  const loaded = await loadNutConfigDir(dir)
  const port = options.port ?? (await freePort())
  const setup = { ...loaded.setup, server: { ...loaded.setup.server, listen: [{ host: "127.0.0.1", port }] } }
  const log = createConsola({ level: 0 })
  const upsd = await startUpsd(setup, log)
  const waitFor = options.waitFor ?? []
  const until = Date.now() + 10_000
  for (const name of waitFor) {
    const ups = upsd.ups.find((u) => u.name === name)
    while (ups && ups.state.availability() !== "ok") {
      if (Date.now() > until) throw new Error(`nutctl: UPS [${name}] did not connect`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { ...upsd, port }
}
