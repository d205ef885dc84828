/**
 * The floor servers: the least a NUT server can do per request, one read and one fixed write, in C
 * (bench/reference/line-server.c, with poll() or epoll()) and on Bun (line-server.bun.ts, the
 * runtime of the nutctl binary). bench:floor and bench:tail put them beside upsd.
 */
import { spawn, spawnSync } from "node:child_process"
import { join } from "node:path"
import { freePort, waitForPort } from "../test/support/real-nut.ts"
import type { Server } from "./loads.ts"
import { REPO_ROOT } from "./targets.ts"

const C_SOURCE = join(REPO_ROOT, "bench", "reference", "line-server.c")
const BUN_SOURCE = join(REPO_ROOT, "bench", "reference", "line-server.bun.ts")
const BUN = join(REPO_ROOT, "node_modules", ".bin", "bun")

/** A server started by a benchmark, with its name in the report. */
export interface NamedServer extends Server {
  readonly name: string
  stop(): Promise<void>
  /** Last resort on exit: SIGKILL, synchronously. */
  killNow(): void
}

/** The three floor servers: C with poll(), C with epoll() (built into `dir`), and Bun. */
export async function startFloorServers(dir: string): Promise<NamedServer[]> {
  const exe = compileLineServer(dir)
  return [await startLineServer(exe, "poll"), await startLineServer(exe, "epoll"), await startBunLineServer()]
}

/** Stop `servers` (emptying the list), newest first; one that will not stop is killed. */
export async function stopServers(servers: NamedServer[]): Promise<void> {
  for (const s of servers.splice(0).reverse()) {
    try {
      await s.stop()
    } catch {
      s.killNow()
    }
  }
}

/** Build the C floor server into `dir`; returns the executable. */
function compileLineServer(dir: string): string {
  const exe = join(dir, "line-server")
  const cc = spawnSync("cc", ["-O2", "-Wall", "-o", exe, C_SOURCE], { encoding: "utf8" })
  if (cc.error) throw new Error(`this benchmark needs a C compiler (cc: ${cc.error.message}); on Debian: apt-get install gcc`)
  if (cc.status !== 0) throw new Error(`cc failed on ${C_SOURCE}:\n${cc.stderr}`)
  return exe
}

/** The C floor server built by {@link compileLineServer}, with the given event loop. */
function startLineServer(exe: string, loop: "poll" | "epoll"): Promise<NamedServer> {
  return startFloor(`C ${loop}`, exe, (port) => [String(port), loop])
}

/** The Bun floor server, on the bun of node_modules (the runtime `npm run build` compiles with). */
function startBunLineServer(): Promise<NamedServer> {
  return startFloor("Bun", BUN, (port) => [BUN_SOURCE, String(port)])
}

async function startFloor(name: string, exe: string, argv: (port: number) => string[]): Promise<NamedServer> {
  const port = await freePort()
  const child = spawn(exe, argv(port), { stdio: "ignore" })
  const exited = new Promise<void>((r) => child.once("exit", () => r()))
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
  await waitForPort(port)
  return {
    name,
    port,
    pid: child.pid!,
    killNow,
    stop: async () => {
      killNow()
      await exited
    },
  }
}
