/**
 * Runs Debian's real NUT 2.8.0 (upsd + dummy-ups) in a throw-away sandbox on 127.0.0.1, for
 * interop tests and benchmarks. Needs the `nut-server` and `nut-client` packages (.ci/run installs
 * them); `hasRealNut()` lets tests skip with a stated reason when they are missing.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, chmodSync } from "node:fs"
import { createConnection } from "node:net"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"

export const REAL_UPSD = "/lib/nut/upsd"
export const REAL_DUMMY_UPS = "/lib/nut/dummy-ups"

/** True when the Debian NUT binaries are installed. */
export function hasRealNut(): boolean {
  return existsSync(REAL_UPSD) && existsSync(REAL_DUMMY_UPS) && existsSync("/usr/bin/upsc")
}

export interface SandboxUps {
  readonly name: string
  /** Path of a .dev/.seq file to copy into the sandbox, or undefined for a UPS with no driver. */
  readonly file?: string
  readonly desc?: string
  /** Start dummy-ups for it. @default true when `file` is set */
  readonly startDriver?: boolean
}

export interface RealNutOptions {
  readonly ups: readonly SandboxUps[]
  /** upsd.users text. */
  readonly users?: string
  /** Extra upsd.conf lines. */
  readonly upsdConf?: string
  readonly port?: number
}

export interface RealNut {
  readonly port: number
  readonly dir: string
  readonly etc: string
  /** Environment for NUT clients/drivers run against this sandbox. */
  readonly env: NodeJS.ProcessEnv
  stop(): Promise<void>
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net")
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** Wait until something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: "127.0.0.1", port }, () => {
        s.destroy()
        resolve(true)
      })
      s.once("error", () => resolve(false))
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Start real upsd + dummy-ups with the given UPSes. */
export async function startRealNut(options: RealNutOptions): Promise<RealNut> {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-realnut-"))
  const etc = join(dir, "etc")
  const run = join(dir, "run")
  spawnSync("mkdir", ["-p", etc, run])
  chmodSync(run, 0o777)
  const port = options.port ?? (await freePort())
  let upsConf = ""
  for (const u of options.ups) {
    const port = u.file ? basename(u.file) : "none.dev"
    if (u.file) copyFileSync(u.file, join(etc, port))
    upsConf += `[${u.name}]\n\tdriver = dummy-ups\n\tport = ${port}\n`
    if (u.desc !== undefined) upsConf += `\tdesc = "${u.desc.replace(/[\\"#]/g, (m) => "\\" + m)}"\n`
  }
  writeFileSync(join(etc, "ups.conf"), upsConf)
  writeFileSync(join(etc, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${run}\n${options.upsdConf ?? ""}`)
  writeFileSync(join(etc, "upsd.users"), options.users ?? "", { mode: 0o600 })
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: run, NUT_ALTPIDPATH: run }
  const children: ChildProcess[] = []
  for (const u of options.ups) {
    if (!u.file || u.startDriver === false) continue
    children.push(spawn(REAL_DUMMY_UPS, ["-a", u.name, "-u", "root", "-F"], { env, stdio: "ignore" }))
  }
  // dummy-ups must have created its socket before upsd's first connect attempt, or upsd waits a loop
  for (const u of options.ups) {
    if (!u.file || u.startDriver === false) continue
    const sock = join(run, `dummy-ups-${u.name}`)
    const until = Date.now() + 5000
    while (!existsSync(sock) && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  }
  children.push(spawn(REAL_UPSD, ["-u", "root", "-F"], { env, stdio: "ignore" }))
  await waitForPort(port)
  return {
    port,
    dir,
    etc,
    env,
    async stop() {
      for (const c of children.reverse()) {
        if (c.exitCode === null) {
          const done = new Promise((r) => c.once("exit", r))
          c.kill("SIGTERM")
          await done
        }
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
