/**
 * Real upsd 2.8.0 and nutctl's drop-in upsd side by side, from the same NUT files: the real
 * sandbox's ups.conf, upsd.users and data files are copied verbatim into nutctl's config
 * directory, and only upsd.conf's LISTEN port differs. nutctl runs as a user would run it
 * (`node --import tsx src/main.ts serve --nut-config DIR`), in its own process group.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { connectNutLines, type NutLineClient } from "./nut-line-client.ts"
import { spawnGroup, type ProcessGroup } from "./process-group.ts"
import { freePort, startRealNut, waitForPort, type RealNut, type RealNutOptions } from "./real-nut.ts"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

/** One of the two servers. */
export interface UpsdSide {
  readonly label: "upsd" | "nutctl"
  readonly port: number
  /** Its config directory (ups.conf, upsd.conf, upsd.users and the dummy-ups data files). */
  readonly etc: string
}

export interface UpsdPair {
  readonly real: UpsdSide
  readonly ours: UpsdSide
  /** `[real, ours]`. */
  readonly both: readonly [UpsdSide, UpsdSide]
  /** nutctl's log so far (for failure messages). */
  oursLog(): string
  stop(): Promise<void>
}

export interface UpsdPairOptions extends RealNutOptions {
  /** UPS names whose driver must be connected on both sides before the pair is returned. */
  readonly waitFor: readonly string[]
}

/** Start real upsd + dummy-ups, then nutctl on a copy of the same files; both ready to answer. */
export async function startUpsdPair(options: UpsdPairOptions): Promise<UpsdPair> {
  let real: RealNut | undefined
  let nutctl: ProcessGroup | undefined
  const dir = mkdtempSync(join(tmpdir(), "nutctl-upsd-"))
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all([nutctl?.stop(), real?.stop()])
      rmSync(dir, { recursive: true, force: true })
    })())
  try {
    real = await startRealNut(options)
    const port = await freePort()
    cpSync(real.etc, dir, { recursive: true })
    const upsdConf = readFileSync(join(dir, "upsd.conf"), "utf8")
    writeFileSync(join(dir, "upsd.conf"), upsdConf.replace(/^LISTEN 127\.0\.0\.1 \d+$/m, `LISTEN 127.0.0.1 ${port}`))
    nutctl = spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts", "serve", "--nut-config", dir, "--no-http"], { cwd: REPO })
    const started = nutctl
    const died = started.exited().then(() => {
      throw new Error(`nutctl serve exited early:\n${started.output()}`)
    })
    died.catch(() => {}) // only raced against the start-up waits; a later exit is stop()'s
    await Promise.race([waitForPort(port, 20_000), died])
    await Promise.race([Promise.all([waitForDrivers(real.port, options.waitFor), waitForDrivers(port, options.waitFor)]), died])
    const realSide: UpsdSide = { label: "upsd", port: real.port, etc: real.etc }
    const ours: UpsdSide = { label: "nutctl", port, etc: dir }
    return { real: realSide, ours, both: [realSide, ours], oursLog: () => started.output(), stop }
  } catch (e) {
    await stop()
    throw e
  }
}

/**
 * Wait until every named UPS answers `GET VAR <ups> ups.status` with data: upsd says
 * DRIVER-NOT-CONNECTED (or `WAIT`) until its driver's first dump, and dummy-ups connects ~1 s
 * after it starts.
 */
export async function waitForDrivers(port: number, names: readonly string[], timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  let client: NutLineClient | undefined
  try {
    for (const name of names) {
      for (;;) {
        client ??= await connectNutLines(port)
        const reply = await client.request(`GET VAR ${name} ups.status`).catch((e: Error) => {
          client = undefined
          return e.message
        })
        if (reply.startsWith("VAR ") && !reply.endsWith('"WAIT"')) break
        if (Date.now() > until) throw new Error(`UPS ${name} on 127.0.0.1:${port} has no data after ${timeoutMs} ms: ${reply}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  } finally {
    client?.close()
  }
}

let mtimeStep = 0

/**
 * Rewrite the `ups.status:` line of a dummy-ups `.dev` file. dummy-ups (and nutctl's DummyDriver)
 * re-read a `.dev` only when its mtime, in whole seconds, changes; two rewrites within one second
 * would look unchanged, so the file gets an mtime of its own.
 */
export function setDevStatus(path: string, status: string): void {
  const text = readFileSync(path, "utf8")
  const line = `ups.status: ${status}`
  writeFileSync(path, /^ups\.status:.*$/m.test(text) ? text.replace(/^ups\.status:.*$/m, line) : `${text}\n${line}\n`)
  const t = 1_600_000_000 + ++mtimeStep
  utimesSync(path, t, t)
}
