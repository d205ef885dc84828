/**
 * `npm run bench:fsd`: how long after the UPS shows `OB LB` each secondary starts its shutdown, with
 * nutctl's push (nutctl ↔ nutctl) and with polling (Debian's real upsmon 2.8.0), in the same run
 * against the same primary. Everything runs on 127.0.0.1; every SHUTDOWNCMD only appends to a
 * marker file in its sandbox.
 *
 * One round: a nutctl primary — the very code `nutctl serve --nut-config DIR` runs (startUpsd +
 * the upsmon.conf monitor spec: dummy-ups on a .dev file, upsmon.conf as primary, the local shortcut), in this
 * process so the UPS's status can be changed at an exact instant — plus two `nutctl monitor`
 * secondaries and two real upsmon secondaries with upsmon's defaults (POLLFREQ 5, POLLFREQALERT 5)
 * and one real upsmon at the polling floor (POLLFREQALERT 1), each its own process. FINALDELAY is 0
 * everywhere, so "starts its shutdown" is when SHUTDOWNCMD runs (the marker's mtime). The UPS goes
 * OL → OB → OB LB; t0 is the instant its state says `OB LB`, at a random point of the pollers' cycle
 * (a .dev file rewrite would be seen at the dummy driver's 1 s tick, which lines up with upsmon's).
 *
 *   npm run bench:fsd                      # 8 rounds, about 3 minutes
 *   npm run bench:fsd -- --rounds 3
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { createConsola } from "consola"
import { readUpsmonSpec } from "../src/cli/_monitor-specs.ts"
import { startUpsd } from "../src/cli/_upsd.ts"
import { NutClient } from "../src/client/index.ts"
import { loadNutConfigDir } from "../src/config/index.ts"
import { fixturePath } from "../test/support/fixture.ts"
import { monitorSandbox, startNutctl, type MonitorSandbox } from "../test/support/nutctl-monitor.ts"
import type { ProcessGroup } from "../test/support/process-group.ts"
import { freePort, hasRealNut } from "../test/support/real-nut.ts"
import { startUpsmon, type Upsmon } from "../test/support/upsmon-sandbox.ts"
import { median } from "./stats.ts"
import { REPO_ROOT } from "./targets.ts"

const BVK = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const USERS = "[monpri]\n\tpassword = pripass\n\tupsmon primary\n[monsec]\n\tpassword = secpass\n\tupsmon secondary\n"

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "8" }, out: { type: "string", default: join(REPO_ROOT, "bench", "results") } } })
const ROUNDS = Number(args.rounds)
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a positive integer, not ${args.rounds}`)
if (!hasRealNut()) throw new Error("Debian's NUT 2.8.0 (upsmon, dummy-ups) is needed for the polling side")

/** One kind of secondary, and the latencies (ms) it showed. */
interface Kind {
  readonly label: string
  readonly how: string
  readonly samples: number[]
}
const KINDS: Record<"push" | "poll" | "floor" | "primary", Kind> = {
  push: { label: "nutctl monitor (push)", how: "NUTCTL PUSH, POLLFREQ 5 / POLLFREQALERT 5", samples: [] },
  poll: { label: "upsmon 2.8.0 (poll, defaults)", how: "POLLFREQ 5 / POLLFREQALERT 5", samples: [] },
  floor: { label: "upsmon 2.8.0 (poll, floor)", how: "POLLFREQ 5 / POLLFREQALERT 1", samples: [] },
  primary: { label: "nutctl primary", how: "local shortcut; waits for NUMLOGINS ≤ 1", samples: [] },
}

const running = new Set<{ stop(): Promise<void> }>()
async function stopAll(): Promise<void> {
  const all = [...running]
  running.clear()
  await Promise.all(all.map((r) => r.stop().catch(() => undefined)))
}
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)))

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function nutctlMonitor(box: MonitorSandbox): ProcessGroup {
  const group = startNutctl("monitor", box.dir)
  running.add({ stop: async () => (await group.stop(), box.remove()) })
  return group
}

const quiet = createConsola({ level: -999 })

async function round(n: number): Promise<void> {
  const port = await freePort()
  const system = `ups@127.0.0.1:${port}`
  const timers = { pollFreq: 5, pollFreqAlert: 5 }
  const primaryBox = monitorSandbox({
    system,
    user: "monpri",
    password: "pripass",
    role: "primary",
    hostsync: 15,
    ...timers,
    files: { "ups.conf": "[ups]\n\tdriver = dummy-ups\n\tport = ups.dev\n", "upsd.conf": `LISTEN 127.0.0.1 ${port}\n`, "upsd.users": USERS, "ups.dev": readFileSync(BVK, "utf8") },
  })
  const loaded = await loadNutConfigDir(primaryBox.dir)
  const upsd = await startUpsd(loaded.setup, quiet)
  running.add({ stop: async () => (await upsd.stop(), primaryBox.remove()) })
  const upsmon = await readUpsmonSpec(primaryBox.dir, true, { log: quiet, dryRun: false, wall: false, local: upsd })
  const built = await upsmon?.spec.build()
  if (built === undefined) throw new Error("no monitor from the upsmon.conf in the primary's sandbox")
  const monitor = await built.start()
  running.add(monitor)
  const state = upsd.ups[0]?.state
  if (state === undefined || state.get("ups.status") === undefined) throw new Error("the dummy driver published no ups.status")

  const pushBoxes = [1, 2].map(() => monitorSandbox({ system, user: "monsec", password: "secpass", role: "secondary", ...timers }))
  for (const box of pushBoxes) nutctlMonitor(box)
  // each upsmon starts at its own random moment, so their poll cycles are independent of each other
  const startLater = async (kind: "poll" | "floor", pollFreqAlert: number): Promise<{ kind: "poll" | "floor"; mon: Upsmon }> => {
    await new Promise((r) => setTimeout(r, Math.random() * 5000))
    const mon = startUpsmon({ system, user: "monsec", password: "secpass", role: "secondary", pollFreq: 5, pollFreqAlert })
    running.add(mon)
    return { kind, mon }
  }
  const upsmons = await Promise.all([startLater("poll", 5), startLater("poll", 5), startLater("floor", 1)])
  const observer = await NutClient.connect({ host: "127.0.0.1", port })
  running.add({ stop: async () => observer.close() })
  const members = 1 + pushBoxes.length + upsmons.length
  await until(async () => (await observer.getNumLogins("ups")) === members, `NUMLOGINS ${members}`)

  // the dummy driver re-reads its .dev file only when it changes: the status set here stays
  state.setInfo("ups.status", "OB")
  // let every monitor see OB first (upsmon switches to POLLFREQALERT on its next poll), then fail
  // the battery at a random point of the pollers' 5 s cycle: their wait is uniform over it
  await new Promise((r) => setTimeout(r, 6000 + Math.random() * 5000))
  const t0 = Date.now()
  state.setInfo("ups.status", "OB LB")
  await until(() => primaryBox.shutdownAt() !== undefined && pushBoxes.every((b) => b.shutdownAt() !== undefined) && upsmons.every((u) => u.mon.shutDown()), "every SHUTDOWNCMD", 40_000)
  if (state.rawStatus !== "OB LB") throw new Error(`the driver changed ups.status to ${state.rawStatus} during the round`)

  const ms = (ns: bigint | undefined): number => Number(ns as bigint) / 1e6 - t0
  const line: string[] = []
  for (const box of pushBoxes) KINDS.push.samples.push(ms(box.shutdownAt()))
  for (const { kind, mon } of upsmons) KINDS[kind].samples.push(ms(mtimeNs(mon.shutdownMarker)))
  KINDS.primary.samples.push(ms(primaryBox.shutdownAt()))
  for (const box of pushBoxes) line.push(`push ${ms(box.shutdownAt()).toFixed(0)}`)
  for (const { kind, mon } of upsmons) line.push(`${kind} ${ms(mtimeNs(mon.shutdownMarker)).toFixed(0)}`)
  line.push(`primary ${ms(primaryBox.shutdownAt()).toFixed(0)}`)
  console.log(`round ${n}: ${line.join(", ")} (ms after OB LB)`)
  await stopAll()
}

/** A marker file's mtime (ns), as the nutctl sandboxes read theirs. */
function mtimeNs(path: string): bigint | undefined {
  try {
    return statSync(path, { bigint: true }).mtimeNs
  } catch {
    return undefined
  }
}

try {
  for (let i = 1; i <= ROUNDS; i++) await round(i)
} finally {
  await stopAll()
}

const fmt = (v: number): string => (v < 1000 ? `${v.toFixed(0)} ms` : `${(v / 1000).toFixed(2)} s`)
const rows = Object.values(KINDS).map((k: Kind) => {
  const sorted = [...k.samples].sort((a, b) => a - b)
  return `| ${k.label} | ${k.how} | ${sorted.length} | ${fmt(median(sorted))} | ${fmt(sorted[0] ?? NaN)} | ${fmt(sorted.at(-1) ?? NaN)} |`
})
const table = [
  "| secondary | how it learns | n | median | min | max |",
  "|---|---|---:|---:|---:|---:|",
  ...rows,
].join("\n")
const pushMax = Math.max(...KINDS.push.samples)
console.log(`\n${table}\n\npush: worst ${fmt(pushMax)} (target < 200 ms: ${pushMax < 200 ? "met" : "NOT met"})`)
mkdirSync(args.out, { recursive: true })
writeFileSync(join(args.out, "fsd-latest.md"), `${table}\n`)
writeFileSync(join(args.out, "fsd-latest.json"), JSON.stringify({ at: new Date().toISOString(), rounds: ROUNDS, kinds: KINDS }, null, 2) + "\n")
