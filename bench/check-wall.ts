/**
 * `npm run bench:check`: wall time of one `nutctl check` (the compiled binary, as cron runs it
 * every minute on every node) against `upsc`, both asking the same real upsd 2.8.0 + dummy-ups on
 * 127.0.0.1. Issue 7's target: ≤ 80 ms per check with the single binary.
 *
 *   npm run build && npm run bench:check                 # dist/nutctl
 *   npm run bench:check -- --binary /tmp/x/nutctl --runs 60
 *
 * Each command runs `--runs` times in turn (after 3 warm-up runs each); the table gives the median,
 * p90 and max of the wall time from spawn to exit (spawnSync, so the spawn cost is in both).
 * Results: stdout and bench/results/check-latest.{md,json}.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { fixturePath } from "../test/support/fixture.ts"
import { hasRealNut, startRealNut } from "../test/support/real-nut.ts"
import { machineFacts } from "./proc.ts"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const DEV_FILE = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const TARGET_MS = 80

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}
const binary = resolve(ROOT, arg("--binary") ?? "dist/nutctl")
const runs = Number(arg("--runs") ?? 40)

if (!existsSync(binary)) {
  console.error(`Cannot benchmark: ${binary} does not exist (npm run build makes dist/nutctl, or pass --binary FILE)`)
  process.exit(1)
}
if (!hasRealNut()) {
  console.error("Cannot benchmark: Debian's NUT (upsd, dummy-ups, upsc) is not installed (apt-get install nut-server nut-client)")
  process.exit(1)
}

interface Row {
  readonly name: string
  readonly command: readonly string[]
  readonly samples: number[]
}

const nut = await startRealNut({ ups: [{ name: "ups", file: DEV_FILE, desc: "APC Back-UPS BVK750M2" }] })
const dir = mkdtempSync(join(tmpdir(), "nutctl-bench-check-"))
try {
  const target = `ups@127.0.0.1:${nut.port}`
  // a cluster config like a node's: its role names the UPS, the check resolves it by hostname
  const config = join(dir, "nutctl.yaml")
  writeFileSync(
    config,
    `users:\n  mon: { password: secret, upsmon: secondary }\nroles:\n  - { name: nodes, hosts: "*", role: secondary, monitor: ["${target}"], shutdown: [command] }\nshutdown:\n  when: { runtimeBelow: 5m }\nexecutors:\n  command: { command: "/bin/true" }\n`,
    { mode: 0o600 },
  )
  const env = { ...process.env, NUTCTL_CONFIG: "", TMPDIR: dir }
  const rows: Row[] = [
    { name: "upsc UPS ups.status", command: ["upsc", target, "ups.status"], samples: [] },
    { name: "upsc UPS (all variables)", command: ["upsc", target], samples: [] },
    { name: "nutctl check UPS", command: [binary, "check", target], samples: [] },
    { name: "nutctl check --config FILE (role → UPS, probes the command executor)", command: [binary, "check", "--config", config], samples: [] },
    { name: "nutctl check --config FILE --no-probe", command: [binary, "check", "--config", config, "--no-probe"], samples: [] },
    { name: "nutctl --version (start-up floor)", command: [binary, "--version"], samples: [] },
  ]
  for (const row of rows) {
    for (let i = 0; i < 3 + runs; i++) {
      const [cmd, ...rest] = row.command as [string, ...string[]]
      const t0 = performance.now()
      const r = spawnSync(cmd, rest, { env, encoding: "utf8" })
      const ms = performance.now() - t0
      if (r.status !== 0) throw new Error(`${row.command.join(" ")} exited ${r.status}: ${r.stdout}${r.stderr}`)
      if (row.name.startsWith("nutctl check") && !r.stdout.startsWith("UPS OK - ")) throw new Error(`unexpected check output: ${r.stdout}`)
      if (i >= 3) row.samples.push(ms)
    }
  }
  const stat = (xs: number[], q: number): number => {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number
  }
  const upscMedian = stat((rows[0] as Row).samples, 0.5)
  const facts = machineFacts()
  const lines = [
    `Machine: ${facts.cores} × ${facts.cpu}, ${Math.round(facts.memoryMb / 1024)} GiB, Linux ${facts.kernel}. Binary: ${binary}. ${runs} runs each, after 3 warm-up runs.`,
    "",
    "| command | median ms | p90 ms | max ms | median vs upsc ups.status |",
    "|---|---:|---:|---:|---:|",
    ...rows.map((r) => {
      const m = stat(r.samples, 0.5)
      return `| \`${r.name}\` | ${m.toFixed(1)} | ${stat(r.samples, 0.9).toFixed(1)} | ${stat(r.samples, 1).toFixed(1)} | ${(m / upscMedian).toFixed(1)}× |`
    }),
    "",
  ]
  const checkMedian = stat((rows[3] as Row).samples, 0.5)
  lines.push(`Target: \`nutctl check\` ≤ ${TARGET_MS} ms — ${checkMedian <= TARGET_MS ? "met" : "**missed**"} (median ${checkMedian.toFixed(1)} ms with the cluster config, p90 ${stat((rows[3] as Row).samples, 0.9).toFixed(1)} ms).`, "")
  const md = lines.join("\n")
  console.log(md)
  writeFileSync(join(ROOT, "bench/results/check-latest.md"), md)
  writeFileSync(join(ROOT, "bench/results/check-latest.json"), JSON.stringify({ at: new Date().toISOString(), machine: facts, binary, runs, rows: rows.map((r) => ({ name: r.name, command: r.command, samplesMs: r.samples })) }, null, 2) + "\n")
} finally {
  await nut.stop()
  rmSync(dir, { recursive: true, force: true })
}
