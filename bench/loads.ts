/**
 * The benchmark loads. Each one drives a server at 127.0.0.1:port from this process (node:net, one
 * request in flight per connection) and reads the server's CPU time from /proc before and after the
 * measured window: on a 2-core box the client competes with the server, so CPU per request is the
 * figure that carries over between machines; req/s and latency are reported beside it.
 */
import { NutConn, type ReplyKind } from "./nut-conn.ts"
import { cpuDelta, cpuSample, mainThreadSleeps, rssKb, type CpuSample } from "./proc.ts"
import { Latencies, type LatencySummary } from "./stats.ts"

export const GET_STATUS = "GET VAR ups ups.status"
export const LIST_VAR = "LIST VAR ups"

/** Where the server listens and which process to measure. */
export interface Server {
  readonly port: number
  readonly pid: number
}

export interface Window {
  /** Load before the measured window (connections warm, JIT hot). */
  readonly warmupMs: number
  readonly durationMs: number
}

/** Outcome of a fixed-time load. */
export interface LoadResult {
  /** Completed operations (requests, lists or cycles) inside the measured window. */
  readonly ops: number
  readonly seconds: number
  readonly opsPerSec: number
  readonly latency: LatencySummary
  /** Server CPU during the window. */
  readonly cpu: CpuSample
  /** Server CPU per operation, µs (from the ns-resolution scheduler time). */
  readonly cpuUsPerOp: number
  /** Same from utime+stime of /proc/PID/stat (10 ms ticks: coarse for short or light loads). */
  readonly statCpuUsPerOp: number
  /**
   * This load generator's CPU per operation, µs. On loopback the sender pays for the receiver's
   * TCP input and wake-up, so a server that sleeps more makes its clients pay more.
   */
  readonly clientCpuUsPerOp: number
  /** Times the server's main thread went to sleep (voluntary context switches) per 1000 operations. */
  readonly serverSleepsPerKop: number
  /** Replies that were not what the request should get (ERR, closed connection). */
  readonly errors: number
  /** First bad reply, for the log. */
  readonly firstError?: string
  /** Every latency of the window (ms), when the load was asked to keep them. */
  readonly samples?: Float64Array
}

export interface RequestLoadOptions extends Window {
  readonly conns: number
  readonly line: string
  readonly kind: ReplyKind
  /** A good reply starts with this. */
  readonly expect: string
  /** Return every latency of the window, not only the summary. */
  readonly keepSamples?: boolean
}

/** Request/response on `conns` persistent connections (each waits for its reply before the next). */
export async function requestLoad(server: Server, options: RequestLoadOptions): Promise<LoadResult> {
  const conns = await openMany(server.port, options.conns)
  const lat = new Latencies()
  let measuring = false
  let stopping = false
  let ops = 0
  let errors = 0
  let firstError: string | undefined
  let running = conns.length
  let finished!: () => void
  const allStopped = new Promise<void>((r) => (finished = r))

  for (const conn of conns) {
    const next = (): void => {
      if (stopping) {
        if (--running === 0) finished()
        return
      }
      const counted = measuring
      const t0 = performance.now()
      conn.send(options.line, options.kind, (reply) => {
        const ms = performance.now() - t0
        if (!reply.startsWith(options.expect)) {
          errors++
          firstError ??= reply.slice(0, 200)
          if (reply.startsWith("ERR CLOSED")) {
            if (--running === 0) finished()
            return
          }
        } else if (counted && !stopping) {
          lat.add(ms)
          ops++
        }
        next()
      })
    }
    next()
  }

  const m = await measureWindow(server.pid, options, () => (measuring = true), () => (stopping = true))
  await allStopped
  for (const c of conns) c.destroy()
  const summary = result(m, ops, lat, errors, firstError)
  return options.keepSamples ? { ...summary, samples: lat.values() } : summary
}

/** connect + GET VAR + LOGOUT + wait for the server's close, in a loop on `workers` parallel workers. */
export async function churnLoad(server: Server, options: Window & { readonly workers: number }): Promise<LoadResult> {
  const lat = new Latencies()
  let measuring = false
  let stopping = false
  let ops = 0
  let errors = 0
  let firstError: string | undefined
  let running = options.workers
  let finished!: () => void
  const allStopped = new Promise<void>((r) => (finished = r))
  const fail = (why: string, retry: () => void): void => {
    errors++
    firstError ??= why.slice(0, 200)
    setTimeout(retry, 10) // do not spin on a refused connect
  }

  const cycle = (): void => {
    if (stopping) {
      if (--running === 0) finished()
      return
    }
    const counted = measuring
    const t0 = performance.now()
    NutConn.openCb(server.port, (err, conn) => {
      if (err || !conn) return fail(`connect: ${err?.message}`, cycle)
      conn.send(GET_STATUS, "line", (reply) => {
        if (!reply.startsWith("VAR ")) {
          conn.destroy()
          return fail(reply, cycle)
        }
        conn.send("LOGOUT", "line", (bye) => {
          // the server closes first after "OK Goodbye" (so TIME_WAIT sits on its side, not on our ports)
          let timedOut = false
          const guard = setTimeout(() => {
            timedOut = true
            conn.destroy()
          }, 2000)
          conn.whenClosed(() => {
            clearTimeout(guard)
            if (!bye.startsWith("OK Goodbye") || timedOut) return fail(timedOut ? "no close after LOGOUT" : bye, cycle)
            if (counted && !stopping) {
              lat.add(performance.now() - t0)
              ops++
            }
            cycle()
          })
        })
      })
    })
  }
  for (let i = 0; i < options.workers; i++) cycle()

  const m = await measureWindow(server.pid, options, () => (measuring = true), () => (stopping = true))
  await allStopped
  return result(m, ops, lat, errors, firstError)
}

export interface IdleResult {
  readonly clients: number
  /** Still connected when the new client's GETs were done. */
  readonly stillOpen: number
  /** Time to open all of them (each answers one GET, so each was accepted). */
  readonly connectSeconds: number
  readonly rssBeforeKb: number
  readonly rssWithKb: number
  /** (rssWith − rssBefore) / clients */
  readonly kbPerClient: number
  /** A new client's GET VAR while the others sit idle. */
  readonly newClient: LoadResult
}

/** Open `clients` idle connections, then measure a new client's GETs and the server's RSS. */
export async function idleLoad(server: Server, options: Window & { readonly clients: number }): Promise<IdleResult> {
  const rssBeforeKb = rssKb(server.pid)
  const idle: NutConn[] = []
  const t0 = performance.now()
  try {
    // batches of 16, upsd's listen backlog: a burst beyond it costs SYN retries of a second or more
    while (idle.length < options.clients) {
      const n = Math.min(16, options.clients - idle.length)
      await Promise.all(
        Array.from({ length: n }, async () => {
          const c = await NutConn.open(server.port)
          idle.push(c)
          const reply = await c.request(GET_STATUS)
          if (!reply.startsWith("VAR ")) throw new Error(`idle client ${idle.length}: ${reply}`)
        }),
      )
    }
    const connectSeconds = (performance.now() - t0) / 1000
    await sleep(500)
    const rssWithKb = rssKb(server.pid)
    const newClient = await requestLoad(server, { ...options, conns: 1, line: GET_STATUS, kind: "line", expect: "VAR " })
    const stillOpen = idle.filter((c) => !c.closed).length
    return {
      clients: options.clients,
      stillOpen,
      connectSeconds,
      rssBeforeKb,
      rssWithKb,
      kbPerClient: (rssWithKb - rssBeforeKb) / options.clients,
      newClient,
    }
  } finally {
    for (const c of idle) c.destroy()
    await sleep(300) // let the server reap them before the next load
  }
}

// --- Internal helpers ---

interface Measured {
  readonly cpu: CpuSample
  readonly seconds: number
  /** µs */
  readonly clientCpuUs: number
  readonly serverSleeps: number
}

/** Warm up, then take CPU and wall time around `durationMs`; `stop()` runs before the last sample. */
async function measureWindow(pid: number, w: Window, start: () => void, stop: () => void): Promise<Measured> {
  await sleep(w.warmupMs)
  const cpu0 = cpuSample(pid)
  const sleeps0 = mainThreadSleeps(pid)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  start()
  await sleep(w.durationMs)
  stop()
  const cpu1 = cpuSample(pid)
  const client = process.cpuUsage(client0)
  const sleeps = mainThreadSleeps(pid) - sleeps0
  return { cpu: cpuDelta(cpu0, cpu1), seconds: (performance.now() - t0) / 1000, clientCpuUs: client.user + client.system, serverSleeps: sleeps }
}

function result(m: Measured, ops: number, lat: Latencies, errors: number, firstError: string | undefined): LoadResult {
  return {
    ops,
    seconds: m.seconds,
    opsPerSec: ops / m.seconds,
    latency: lat.summary(),
    cpu: m.cpu,
    cpuUsPerOp: ops ? m.cpu.schedUs / ops : Number.NaN,
    statCpuUsPerOp: ops ? m.cpu.statUs / ops : Number.NaN,
    clientCpuUsPerOp: ops ? m.clientCpuUs / ops : Number.NaN,
    serverSleepsPerKop: ops ? (m.serverSleeps * 1000) / ops : Number.NaN,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
  }
}

async function openMany(port: number, n: number): Promise<NutConn[]> {
  const conns: NutConn[] = []
  while (conns.length < n) {
    const batch = Math.min(16, n - conns.length)
    conns.push(...(await Promise.all(Array.from({ length: batch }, () => NutConn.open(port)))))
  }
  return conns
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
