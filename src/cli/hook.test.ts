/**
 * `nutctl hook` as Proxmox VE runs it (`<vmid> <phase>`, PVE_MIGRATED_FROM in the environment),
 * against nutctl's NUT server on loopback, and `nutctl install hookscript` into a --root tree with
 * a recording runner (no real `qm` ever runs).
 */
import assert from "node:assert/strict"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { spawnSync } from "node:child_process"
import { after, test } from "node:test"
import { runCommand, type CommandDef } from "citty"
import { createStore } from "../store/index.ts"
import { listDurations } from "../shutdown/index.ts"
import { freePort } from "../../test/support/real-nut.ts"
import { ON_LINE, startFakeUpsServer, type FakeUpsServer } from "../../test/support/fake-ups-server.ts"
import type { CommandRunner } from "./_install-fs.ts"
import { parseStorageCfg, snippetsDir } from "./_install-hookscript.ts"
import { storeDurationSink, type DurationSink, type StopMarks } from "./_hook-durations.ts"
import hook from "./hook.ts"
import install from "./install.ts"

const servers: FakeUpsServer[] = []
const dirs: string[] = []
after(async () => {
  for (const s of servers) await s.close()
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "nutctl-hook-"))
  dirs.push(d)
  return d
}

async function server(vars: Record<string, string>): Promise<FakeUpsServer> {
  const s = await startFakeUpsServer({ vars })
  servers.push(s)
  return s
}

const ON_BATTERY = { "ups.status": "OB DISCHRG", "battery.charge": "64", "battery.runtime": "540" }

interface Hooked {
  code: unknown
  out: string
  recorded: Array<[string, number]>
}

/** Run the hook with an in-memory world: files, marks, a sink, a clock. */
async function runHook(args: string[], world: { env?: Record<string, string>; files?: Record<string, string>; exists?: string[]; now?: () => number; marks?: Map<string, number>; sink?: DurationSink } = {}): Promise<Hooked> {
  let out = ""
  const recorded: Array<[string, number]> = []
  const marks = world.marks ?? new Map<string, number>()
  const memoryMarks: StopMarks = {
    async put(vmid, at) {
      marks.set(vmid, at)
    },
    async take(vmid) {
      const at = marks.get(vmid)
      marks.delete(vmid)
      return at
    },
  }
  const { result } = await runCommand(hook, {
    rawArgs: args,
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (out += t) },
      env: world.env ?? {},
      readFile: async (p: string) => {
        const text = world.files?.[p]
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" })
        return text
      },
      hostname: "pve-compute-01",
      now: world.now ?? (() => 0),
      readText: async (p: string) => world.files?.[p],
      exists: async (p: string) => (world.exists ?? []).includes(p),
      marks: () => memoryMarks,
      sink: () => world.sink ?? { record: async (vmid: string, ms: number) => void recorded.push([vmid, ms]) },
    },
  })
  process.exitCode = undefined
  return { code: result, out, recorded }
}

test("nutctl hook pre-start: allowed while the UPS is on line", async () => {
  const s = await server(ON_LINE)
  const r = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`])
  assert.equal(r.code, 0)
  assert.equal(r.out, `nutctl: guest 101: UPS on line (rack@127.0.0.1:${s.port} OL), start allowed\n`)
})

test("nutctl hook pre-start: refused on battery, with the reason in the task log", async () => {
  const s = await server(ON_BATTERY)
  const r = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`])
  assert.equal(r.code, 1)
  assert.match(r.out, new RegExp(`^nutctl: guest 101 not started: UPS rack@127\\.0\\.0\\.1:${s.port} \\(OB DISCHRG, charge 64 %, runtime 9 min\\) is on battery\\. Start it when mains is back`))
})

test("nutctl hook pre-start: refused below --min-charge or --min-runtime while on line", async () => {
  const s = await server({ "ups.status": "OL CHRG", "battery.charge": "35", "battery.runtime": "900" })
  const low = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`, "--min-charge", "50"])
  assert.equal(low.code, 1)
  assert.match(low.out, /charge is below 50 %/)
  const short = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`, "--min-runtime", "1200"])
  assert.equal(short.code, 1)
  assert.match(short.out, /runtime is below 20 min/)
  const fine = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`, "--min-charge", "30", "--min-runtime", "600"])
  assert.equal(fine.code, 0)
})

test("nutctl hook pre-start: a live migration always passes, even on battery", async () => {
  const s = await server(ON_BATTERY)
  const r = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`], { env: { PVE_MIGRATED_FROM: "pve-compute-02" } })
  assert.equal(r.code, 0)
  assert.equal(r.out, "nutctl: guest 101: migration from pve-compute-02, allowed whatever the UPS says\n")
})

test("nutctl hook pre-start: HA-managed guests pass (HA recovery), others on the same node do not", async () => {
  const s = await server(ON_BATTERY)
  const files = { "/etc/pve/ha/resources.cfg": "vm: 101\n\tstate started\n\nct: 205\n\tstate started\n" }
  const ha = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`], { files })
  assert.equal(ha.code, 0)
  assert.match(ha.out, /guest 101: HA-managed, allowed/)
  const plain = await runHook(["102", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`], { files })
  assert.equal(plain.code, 1)
})

test("nutctl hook pre-start: /run/nutctl/hook-override lets a start through on battery", async () => {
  const s = await server(ON_BATTERY)
  const r = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`], { exists: ["/run/nutctl/hook-override"] })
  assert.equal(r.code, 0)
  assert.match(r.out, /start allowed by \/run\/nutctl\/hook-override/)
})

test("nutctl hook pre-start: --run-dir moves hook-override, and the refusal names the file there; FSD on line waits for the shutdown, not for mains", async () => {
  const s = await server({ ...ON_LINE, "ups.status": "FSD OL" })
  const refused = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`, "--run-dir", "/tmp/nutctl-run"])
  assert.equal(refused.code, 1)
  assert.match(refused.out, /is shutting everything down \(FSD\)\. Start it when the shutdown is over, or touch \/tmp\/nutctl-run\/hook-override to start it anyway\./)
  assert.doesNotMatch(refused.out, /mains/)
  const allowed = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`, "--run-dir", "/tmp/nutctl-run"], { exists: ["/tmp/nutctl-run/hook-override"] })
  assert.equal(allowed.code, 0)
  assert.match(allowed.out, /start allowed by \/tmp\/nutctl-run\/hook-override/)
})

test("nutctl hook pre-start: server unreachable → starts with --on-error open (the default), refuses with closed", async () => {
  const port = await freePort()
  const open = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${port}`])
  assert.equal(open.code, 0)
  assert.match(open.out, new RegExp(`^nutctl: guest 101: cannot ask UPS rack@127\\.0\\.0\\.1:${port}: Cannot connect .*; starting anyway \\(--on-error open\\)`))
  const closed = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${port}`, "--on-error", "closed"])
  assert.equal(closed.code, 1)
  assert.match(closed.out, /not started \(--on-error closed\)/)
})

test("nutctl hook pre-start: stale data counts as 'cannot ask' (fail-open/closed applies)", async () => {
  const s = await server(ON_LINE)
  s.state.setDriverStale(true)
  const open = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`])
  assert.equal(open.code, 0)
  assert.match(open.out, /data is stale.*starting anyway/)
  const closed = await runHook(["101", "pre-start", "--ups", `rack@127.0.0.1:${s.port}`, "--on-error", "closed"])
  assert.equal(closed.code, 1)
})

test("nutctl hook pre-start: the UPS comes from this node's role in the cluster config (powervalue 0 is ignored)", async () => {
  const feeding = await server(ON_BATTERY)
  const watched = await server(ON_LINE)
  const config = `
roles:
  - hosts: "pve-compute-*"
    role: secondary
    monitor:
      - { system: "rack@127.0.0.1:${feeding.port}", powervalue: 1 }
      - { system: "rack@127.0.0.1:${watched.port}", powervalue: 0 }
`
  const r = await runHook(["101", "pre-start", "--config", "/etc/nutctl/nutctl.yaml"], { files: { "/etc/nutctl/nutctl.yaml": config } })
  assert.equal(r.code, 1, r.out)
  assert.match(r.out, new RegExp(`rack@127\\.0\\.0\\.1:${feeding.port} \\(OB DISCHRG`))
  assert.doesNotMatch(r.out, new RegExp(`${watched.port}`))
})

test("nutctl hook pre-start: limits and on-error come from the config's hook section; flags override it", async () => {
  const s = await server({ "ups.status": "OL CHRG", "battery.charge": "35", "battery.runtime": "900" })
  const config = (extra: string) => `
roles:
  - hosts: "pve-compute-*"
    role: secondary
    monitor: [ "rack@127.0.0.1:${s.port}" ]
hook:
  minCharge: 40
${extra}`
  const files = { "/etc/nutctl/nutctl.yaml": config("") }
  const refused = await runHook(["101", "pre-start", "--config", "/etc/nutctl/nutctl.yaml"], { files })
  assert.equal(refused.code, 1, refused.out)
  assert.match(refused.out, /35 %/)
  const overridden = await runHook(["101", "pre-start", "--config", "/etc/nutctl/nutctl.yaml", "--min-charge", "30"], { files })
  assert.equal(overridden.code, 0, overridden.out)
  // on-error closed from the config: an unreachable server refuses the start
  const port = await freePort()
  const closed = await runHook(["101", "pre-start", "--config", "/etc/nutctl/nutctl.yaml", "--ups", `rack@127.0.0.1:${port}`], { files: { "/etc/nutctl/nutctl.yaml": config("  onError: closed\n  timeout: 2s\n") } })
  assert.equal(closed.code, 1, closed.out)
  assert.match(closed.out, /not started/)
  const bad = await runHook(["101", "pre-start", "--config", "/etc/nutctl/nutctl.yaml"], { files: { "/etc/nutctl/nutctl.yaml": config("  onError: maybe\n") } })
  assert.match(bad.out, /hook\.onError.*open or closed/)
})

test("nutctl hook post-stop records the time since pre-stop; a stop from inside the guest records nothing", async () => {
  const marks = new Map<string, number>()
  let now = 1_000
  const pre = await runHook(["101", "pre-stop"], { marks, now: () => now })
  assert.equal(pre.code, 0)
  assert.equal(pre.out, "")
  now = 43_500
  const post = await runHook(["101", "post-stop"], { marks, now: () => now })
  assert.equal(post.code, 0)
  assert.deepEqual(post.recorded, [["101", 42_500]])
  assert.equal(post.out, "nutctl: guest 101 took 42.5 s to stop (recorded for the shutdown's runtime budget)\n")
  const again = await runHook(["101", "post-stop"], { marks, now: () => now })
  assert.deepEqual(again.recorded, [])
})

test("storeDurationSink: the duration lands in the store where the shutdown budget learns it", async () => {
  const dir = tempDir()
  const marks = new Map<string, number>([["101", 0]])
  const r = await runHook(["101", "post-stop"], { marks, now: () => 42_000, sink: storeDurationSink(dir, () => 42_000) })
  assert.equal(r.code, 0, r.out)
  const store = createStore({ dir })
  try {
    const all = await listDurations(store)
    assert.deepEqual(all.get("proxmox:guest-101"), { samples: [{ ms: 42_000, at: 42_000, source: "run" }] })
  } finally {
    await store.dispose()
  }
})

test("nutctl hook: other phases do nothing; a bad VMID is a usage error", async () => {
  assert.equal((await runHook(["101", "post-start"])).code, 0)
  assert.equal((await runHook(["101", "pre-migrate"])).code, 0)
  const bad = await runHook(["abc", "pre-start"])
  assert.equal(bad.code, 2)
  assert.match(bad.out, /Not a VMID: abc/)
})

// ----- nutctl install hookscript -----

function pveRoot(content = "iso,vztmpl,backup,snippets"): string {
  const root = tempDir()
  mkdirSync(join(root, "etc/pve/qemu-server"), { recursive: true })
  mkdirSync(join(root, "etc/pve/lxc"), { recursive: true })
  writeFileSync(join(root, "etc/pve/storage.cfg"), `dir: local\n\tpath /var/lib/vz\n\tcontent ${content}\n\nlvmthin: local-lvm\n\tthinpool data\n\tvgname pve\n\tcontent rootdir,images\n`)
  writeFileSync(join(root, "etc/pve/qemu-server/101.conf"), "boot: order=scsi0\nmemory: 4096\n")
  writeFileSync(join(root, "etc/pve/qemu-server/102.conf"), "hookscript: local:snippets/other.pl\nmemory: 2048\n")
  writeFileSync(join(root, "etc/pve/lxc/205.conf"), "arch: amd64\nhostname: dns\n")
  return root
}

async function runInstall(args: string[], extra: { uid?: number } = {}): Promise<{ code: unknown; out: string; err: string; commands: string[] }> {
  let out = ""
  let err = ""
  const commands: string[] = []
  const runner: CommandRunner = async (argv) => {
    commands.push(argv.join(" "))
    return { code: 0, stdout: "", stderr: "" }
  }
  const { result } = await runCommand(install as CommandDef<any>, {
    rawArgs: args,
    data: { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, env: {}, run: runner, uid: extra.uid ?? 0, hostname: "pve-compute-01", execPath: "/usr/local/bin/nutctl", random: (n: number) => new Uint8Array(n) },
  })
  process.exitCode = undefined
  return { code: result, out, err, commands }
}

test("install hookscript: writes the wrapper into the storage's snippets directory", async () => {
  const root = pveRoot()
  const r = await runInstall(["hookscript", "--root", root, "--min-charge", "40", "--on-error", "closed"])
  assert.equal(r.code, 0, r.err)
  const file = join(root, "var/lib/vz/snippets/nutctl-hook")
  assert.equal(statSync(file).mode & 0o777, 0o755)
  const text = readFileSync(file, "utf8")
  assert.match(text, /^TMPDIR=\/var\/lib\/nutctl exec \/usr\/local\/bin\/nutctl hook "\$@" --config \/etc\/nutctl\/nutctl\.yaml --min-charge 40 --on-error closed$/m)
  assert.equal(spawnSync("sh", ["-n", file]).status, 0)
  assert.match(r.out, /set it with: qm set VMID --hookscript local:snippets\/nutctl-hook/)
  assert.deepEqual(r.commands, [])
})

test("install hookscript --apply: qm/pct set through the runner, skipping guests that have it or their own script", async () => {
  const root = pveRoot()
  const r = await runInstall(["hookscript", "--root", root, "--apply", "--guests", "all"])
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(r.commands, ["qm set 101 --hookscript local:snippets/nutctl-hook", "pct set 205 --hookscript local:snippets/nutctl-hook"])
  assert.match(r.out, /skip {5}guest 102 has its own hookscript local:snippets\/other\.pl: not replaced/)
  // once set (PVE writes the line), a second run sets nothing and rewrites nothing
  writeFileSync(join(root, "etc/pve/qemu-server/101.conf"), "boot: order=scsi0\nhookscript: local:snippets/nutctl-hook\n")
  writeFileSync(join(root, "etc/pve/lxc/205.conf"), "arch: amd64\nhookscript: local:snippets/nutctl-hook\n")
  const again = await runInstall(["hookscript", "--root", root, "--apply", "--guests", "101,205"])
  assert.deepEqual(again.commands, [])
  assert.match(again.out, /Nothing to change/)
  const forced = await runInstall(["hookscript", "--root", root, "--apply", "--guests", "102", "--force"])
  assert.deepEqual(forced.commands, ["qm set 102 --hookscript local:snippets/nutctl-hook"])
})

test("install hookscript --apply: root only, needs --guests, unknown guests and storages without snippets are refused", async () => {
  const root = pveRoot()
  const notRoot = await runInstall(["hookscript", "--root", root, "--apply", "--guests", "101"], { uid: 1000 })
  assert.equal(notRoot.code, 2)
  assert.match(notRoot.err, /Only root can set hookscripts/)
  assert.match((await runInstall(["hookscript", "--root", root, "--apply"])).err, /--apply needs --guests/)
  assert.match((await runInstall(["hookscript", "--root", root, "--apply", "--guests", "999"])).err, /Guest 999 has no config on this node/)
  const noSnippets = await runInstall(["hookscript", "--root", pveRoot("iso,backup")])
  assert.equal(noSnippets.code, 2)
  assert.match(noSnippets.err, /pvesm set local --content iso,backup,snippets/)
  assert.equal(existsSync(join(root, "var/lib/vz")), false, "nothing written")
})

test("snippetsDir(): network storages are mounted under /mnt/pve", () => {
  const [nfs] = parseStorageCfg("nfs: shared\n\texport /tank/pve\n\tserver 10.0.10.5\n\tcontent images,snippets\n")
  assert.deepEqual(nfs && snippetsDir(nfs), { dir: "/mnt/pve/shared/snippets" })
})

test("contrib/proxmox/nutctl-hook is the wrapper install hookscript writes by default", async () => {
  const root = pveRoot()
  await runInstall(["hookscript", "--root", root])
  assert.equal(readFileSync(new URL("../../contrib/proxmox/nutctl-hook", import.meta.url), "utf8"), readFileSync(join(root, "var/lib/vz/snippets/nutctl-hook"), "utf8"))
})
