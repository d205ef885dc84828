/**
 * Round-trip helpers for `nutctl config import` tests: the monitor config a host of an imported
 * cluster config runs with, the parts of it that decide a shutdown, an outage to simulate, and
 * serve setups reduced to the data a client sees.
 */
import assert from "node:assert/strict"
import { monitorLogin, resolveRole, type LoadedConfig, type ServeSetup } from "../../src/config/index.ts"
import { monitorConfigFromNutctl, type MonitorConfig, type PollResult } from "../../src/monitor/index.ts"

/** The monitor config a host of the imported config runs with (as src/cli/_cluster-monitor.ts builds it). */
export function clusterMonitorConfig(loaded: LoadedConfig, host: string, files: Record<string, string>): MonitorConfig {
  const match = resolveRole(loaded.config, host)
  assert.ok(match, `no role for ${host}`)
  const s = loaded.config.shutdown
  const passwords = new Map<string, { user: string; password: string }>()
  for (const t of match.entry.monitor) {
    const login = monitorLogin(loaded.config, match.entry, t)
    const ref = login?.password
    const password = ref === undefined ? "" : typeof ref === "string" ? ref : "file" in ref ? (files[ref.file] ?? "") : ""
    if (login) passwords.set(t.system, { user: login.user, password })
  }
  const command = match.entry.shutdown.map((e) => loaded.config.executors[e]?.["command"]).find((c) => typeof c === "string")
  return monitorConfigFromNutctl(
    { role: match.entry, shutdown: { hostsync: s.hostsync, finaldelay: s.finaldelay } },
    {
      ...(s.minsupplies === undefined ? {} : { minSupplies: s.minsupplies }),
      ...(s.pollfreq === undefined ? {} : { pollFreq: s.pollfreq }),
      ...(s.pollfreqalert === undefined ? {} : { pollFreqAlert: s.pollfreqalert }),
      ...(s.deadtime === undefined ? {} : { deadTime: s.deadtime }),
      ...(s.powerdownflag === undefined ? {} : { powerDownFlag: s.powerdownflag }),
      ...(typeof command === "string" ? { shutdownCmd: command } : {}),
      login: (t) => passwords.get(t.system),
    },
  )
}

/** The parts of a MonitorConfig that decide when and how the host goes down. */
export function decisionParts(c: MonitorConfig): unknown {
  return {
    supplies: c.supplies.map((s) => ({ system: s.system, role: s.role, powerValue: s.powerValue, user: s.user, password: s.password })),
    minSupplies: c.minSupplies,
    pollFreqMs: c.pollFreqMs,
    pollFreqAlertMs: c.pollFreqAlertMs,
    hostSyncMs: c.hostSyncMs,
    deadTimeMs: c.deadTimeMs,
    finalDelayMs: c.finalDelayMs,
    powerDownFlag: c.powerDownFlag,
    shutdownCmd: c.shutdownCmd,
  }
}

/** An outage: on line, on battery from 60 s, low battery from 10 min, mains back at 20 min. */
export function outage(_system: string, now: number): PollResult {
  const status = now < 60_000 ? "OL" : now < 600_000 ? "OB DISCHRG" : now < 1_200_000 ? "OB DISCHRG LB" : "OL CHRG"
  return { kind: "status", status }
}

/** Serve setups compared as data: UPS sections, users with their rights, addresses (::0 is ::). */
export function servedParts(s: ServeSetup): unknown {
  return {
    ups: s.ups.map((u) => ({ name: u.name, driver: u.driver, port: u.port.startsWith("/") || u.port === "auto" ? u.port : `${u.baseDir}/${u.port}`, desc: u.desc, params: u.params })),
    users: s.users.map((u) => ({ name: u.name, password: u.password, actions: [...u.actions].sort(), instcmds: [...u.instcmds].sort() })),
    listen: s.server.listen.map((a) => `${a.host === "::0" ? "::" : a.host}:${a.port}`).sort(),
    maxAge: s.server.maxAge,
  }
}

