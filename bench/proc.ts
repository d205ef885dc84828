/**
 * What the benchmark reads about a server process from Linux /proc: CPU time, RSS, and which
 * process owns a listening socket (so we measure the node process, not an npx/tsx/sh wrapper).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { execFileSync } from "node:child_process"

/** Clock ticks per second of /proc/PID/stat utime/stime (USER_HZ, 100 on every common kernel). */
export const CLOCK_TICKS = readClockTicks()

/** CPU used by a process so far, two ways. */
export interface CpuSample {
  /** utime+stime from /proc/PID/stat, in µs (10 ms resolution). */
  readonly statUs: number
  /**
   * Sum over all threads of the scheduler's on-CPU time (/proc/PID/task/* /schedstat, field 1), in µs.
   * Same quantity as utime+stime but with ns resolution, which a 3 s LIST VAR run against upsd needs
   * (upsd spends a few ms of CPU there: below one 10 ms tick).
   */
  readonly schedUs: number
}

/** CPU time of `pid` (all threads). */
export function cpuSample(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1")
  // comm (field 2) may contain spaces and parentheses: fields after the last ")" start at field 3
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = Number(rest[11]) + Number(rest[12])
  let schedNs = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      schedNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ")[0])
    } catch {
      // thread exited between readdir and read
    }
  }
  return { statUs: (ticks * 1e6) / CLOCK_TICKS, schedUs: schedNs / 1000 }
}

/** CPU used between two samples. */
export function cpuDelta(before: CpuSample, after: CpuSample): CpuSample {
  return { statUs: after.statUs - before.statUs, schedUs: after.schedUs - before.schedUs }
}

/**
 * Voluntary context switches of the process's main thread so far: each is one sleep in
 * epoll_wait/poll (for a single-threaded event loop), and each sleep costs a wake-up later.
 */
export function mainThreadSleeps(pid: number): number {
  // /proc/PID/status counts the thread-group leader only, which is the event-loop thread here
  const status = readFileSync(`/proc/${pid}/status`, "latin1")
  const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)
  if (!m) throw new Error(`Cannot read voluntary_ctxt_switches of pid ${pid}`)
  return Number(m[1])
}

/** VmRSS of `pid` in kB. */
export function rssKb(pid: number): number {
  return statusKb(pid, "VmRSS")
}

/**
 * RssAnon of `pid` in kB: the memory that is the process's own (heap, stacks). The rest of VmRSS is
 * file-backed pages, mostly the executable's, which stay clean and shared with the page cache.
 */
export function privateKb(pid: number): number {
  return statusKb(pid, "RssAnon")
}

function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "latin1")
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)
  if (!m) throw new Error(`Cannot read ${field} of pid ${pid}`)
  return Number(m[1])
}

/** True while `pid` exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    return false
  }
}

/**
 * PID of the process holding the socket that listens on 127.0.0.1:port: the LISTEN row of
 * /proc/net/tcp gives the socket inode, and the owner is whoever has `socket:[inode]` among its fds.
 */
export function pidListeningOn(port: number): number | undefined {
  const inode = listeningInode(port)
  if (inode === undefined) return undefined
  const target = `socket:[${inode}]`
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${entry}/fd`)
    } catch {
      continue // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${entry}/fd/${fd}`) === target) return Number(entry)
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined
}

/** PIDs whose environment contains `needle` (e.g. `NUT_CONFPATH=/tmp/sandbox/etc`). */
export function pidsWithEnv(needle: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(needle)) found.push(Number(entry))
    } catch {
      // not ours, or gone
    }
  }
  return found
}

/** Short description of this machine for the report. */
export function machineFacts(): { cpu: string; cores: number; kernel: string; node: string; memoryMb: number } {
  const cpuinfo = readFileSync("/proc/cpuinfo", "latin1")
  const cpu = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown"
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length
  const kernel = readFileSync("/proc/sys/kernel/osrelease", "latin1").trim()
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync("/proc/meminfo", "latin1"))?.[1] ?? 0)
  return { cpu, cores, kernel, node: process.version, memoryMb: Math.round(memKb / 1024) }
}

function listeningInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0")
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string
    try {
      text = readFileSync(table, "latin1")
    } catch {
      continue
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/)
      // f[1] = local "ADDR:PORT", f[3] = state (0A = LISTEN), f[9] = inode
      if (f[3] === "0A" && f[1]?.endsWith(`:${hexPort}`)) return f[9]
    }
  }
  return undefined
}

function readClockTicks(): number {
  try {
    const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "latin1" }).trim())
    return Number.isFinite(n) && n > 0 ? n : 100
  } catch {
    return 100
  }
}
