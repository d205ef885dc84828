/**
 * `nutctl install` / `uninstall` into `--root` trees: systemd accepts the units, a second install
 * changes nothing, uninstall puts the tree back, commands run only on a change and never with --root.
 */
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { runCommand, type CommandDef } from "citty"
import { parseNutctlConfig } from "../config/index.ts"
import type { CommandRunner } from "./_install-fs.ts"
import { configSkeleton } from "./_install-skeleton.ts"
import { serviceUnit, shutdownHookScript } from "./_install-units.ts"
import install, { uninstall } from "./install.ts"

const dirs: string[] = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "nutctl-install-"))
  dirs.push(d)
  return d
}

/** A fake nutctl binary (install copies whatever it is given). */
function fakeBinary(): string {
  const f = join(tempDir(), "nutctl")
  writeFileSync(f, "#!/bin/sh\necho nutctl\n", { mode: 0o755 })
  return f
}

interface Ran {
  code: unknown
  out: string
  err: string
  commands: string[]
}

let seed = 0
async function run(command: CommandDef<any>, rawArgs: string[], extra: { run?: CommandRunner; uid?: number } = {}): Promise<Ran> {
  let out = ""
  let err = ""
  const commands: string[] = []
  const runner: CommandRunner | undefined =
    extra.run === undefined
      ? undefined
      : async (argv) => {
          commands.push(argv.join(" "))
          return extra.run!(argv)
        }
  const { result } = await runCommand(command, {
    rawArgs,
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) },
      env: {},
      readFile: async (p: string) => readFileSync(p, "utf8"),
      ...(runner ? { run: runner } : {}),
      random: (n: number) => new Uint8Array(n).map(() => seed++ % 251),
      uid: extra.uid ?? 0,
      hostname: "truenas",
      execPath: "/usr/bin/node",
    },
  })
  process.exitCode = undefined
  return { code: result, out, err, commands }
}

/** Every path under `root` with its type, mode, content (or link target) and mtime. */
function snapshot(root: string, withMtime = false): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      const st = lstatSync(p)
      const rel = p.slice(root.length)
      const mode = (st.mode & 0o7777).toString(8)
      const mtime = withMtime ? ` ${st.mtimeMs}` : ""
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)}`)
      else if (st.isDirectory()) {
        out.set(rel, `dir ${mode}`)
        walk(p)
      } else out.set(rel, `file ${mode}${mtime} ${readFileSync(p).toString("base64")}`)
    }
  }
  walk(root)
  return out
}

/**
 * A root that looks like a Proxmox VE node to systemd: Debian's own units (copied from this
 * machine) plus stand-ins for the PVE units nutctl orders itself against, with their real
 * ordering (research/executors-reference.md §3), so verify also finds ordering cycles.
 */
function proxmoxRoot(): string {
  const root = tempDir()
  mkdirSync(join(root, "usr/lib/systemd"), { recursive: true })
  if (existsSync("/usr/lib/systemd/system")) cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true })
  const unit = (name: string, body: string): void => writeFileSync(join(root, "usr/lib/systemd/system", name), `[Unit]\nDescription=${name} (stand-in)\n${body}\n[Service]\nType=oneshot\nExecStart=/bin/true\n`)
  unit("pve-cluster.service", "Before=pveproxy.service\n")
  unit("pveproxy.service", "After=pve-cluster.service\n")
  unit("pve-ha-lrm.service", "After=pve-cluster.service pveproxy.service\n")
  unit("pve-guests.service", "After=pveproxy.service pve-ha-lrm.service pve-cluster.service\n")
  // one transaction with all of them, so an ordering cycle through nutctl.service would show
  writeFileSync(join(root, "usr/lib/systemd/system/pve-node.target"), "[Unit]\nDescription=every PVE unit and nutctl\nWants=pve-cluster.service pveproxy.service pve-ha-lrm.service pve-guests.service nutctl.service\n")
  mkdirSync(join(root, "usr/bin"), { recursive: true })
  writeFileSync(join(root, "usr/bin/pveversion"), "#!/bin/sh\n", { mode: 0o755 })
  osTools(root)
  return root
}

/** What every Debian root has and the unit names: kill(1) for ExecReload. */
function osTools(root: string): void {
  mkdirSync(join(root, "bin"), { recursive: true })
  writeFileSync(join(root, "bin/kill"), "#!/bin/sh\n", { mode: 0o755 })
}

const hasAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0
const skipAnalyze = hasAnalyze ? false : "systemd-analyze is missing (apt-get install -y systemd)"

function verify(root: string, unit: string): { status: number | null; output: string } {
  const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, unit], { encoding: "utf8" })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

test("install --root on Proxmox VE: systemd-analyze verify accepts the unit with the PVE ordering", { skip: skipAnalyze }, async () => {
  const root = proxmoxRoot()
  const r = await run(install, ["--root", root, "--binary", fakeBinary()])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /create   \/etc\/systemd\/system\/nutctl\.service/)
  const unitText = readFileSync(join(root, "etc/systemd/system/nutctl.service"), "utf8")
  assert.match(unitText, /^Before=pve-guests\.service pve-ha-lrm\.service$/m)
  assert.match(unitText, /^After=pve-cluster\.service pveproxy\.service$/m)
  for (const name of ["nutctl.service", "pve-node.target"]) {
    const v = verify(root, name)
    assert.equal(v.status, 0, v.output)
    assert.equal(v.output.trim(), "", `${name}: ${v.output}`)
  }
  assert.equal(readlinkSync(join(root, "etc/systemd/system/multi-user.target.wants/nutctl.service")), "/etc/systemd/system/nutctl.service")
})

test("install --root on plain Debian: verify passes and the unit has no PVE ordering", { skip: skipAnalyze }, async () => {
  const root = tempDir()
  mkdirSync(join(root, "usr/lib/systemd"), { recursive: true })
  cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true })
  osTools(root)
  const r = await run(install, ["--root", root, "--binary", fakeBinary()])
  assert.equal(r.code, 0, r.err)
  const unitText = readFileSync(join(root, "etc/systemd/system/nutctl.service"), "utf8")
  assert.doesNotMatch(unitText, /pve/)
  assert.match(unitText, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m)
  const v = verify(root, "nutctl.service")
  assert.equal(v.status, 0, v.output)
})

test("install: the shutdown hook runs nutctl killpower and is valid sh", async () => {
  const root = tempDir()
  await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()])
  const hook = join(root, "usr/lib/systemd/system-shutdown/nutctl-killpower")
  assert.equal(statSync(hook).mode & 0o777, 0o755)
  const text = readFileSync(hook, "utf8")
  assert.match(text, /exec \/usr\/local\/bin\/nutctl killpower --config \/etc\/nutctl\/nutctl\.yaml$/m)
  assert.equal(spawnSync("sh", ["-n", hook]).status, 0)
})

test("install: the config skeleton validates; its secret files are 0600 and distinct", async () => {
  const root = tempDir()
  await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()])
  const yaml = readFileSync(join(root, "etc/nutctl/nutctl.yaml"), "utf8")
  const loaded = parseNutctlConfig(yaml, { file: "nutctl.yaml" })
  assert.equal(loaded.config.roles[0]?.hosts[0], "truenas")
  assert.deepEqual(loaded.warnings, [])
  const a = join(root, "etc/nutctl/upsmon-primary.pw")
  const b = join(root, "etc/nutctl/upsmon-secondary.pw")
  assert.equal(statSync(a).mode & 0o777, 0o600)
  assert.equal(statSync(b).mode & 0o777, 0o600)
  assert.match(readFileSync(a, "utf8"), /^[A-Za-z2-9]{24}\n$/)
  assert.notEqual(readFileSync(a, "utf8"), readFileSync(b, "utf8"))
  assert.equal(statSync(join(root, "etc/nutctl")).mode & 0o777, 0o750)
})

test("install twice: the second run changes nothing (contents, modes, mtimes) and runs no command", async () => {
  const root = tempDir()
  const binary = fakeBinary()
  const first = await run(install, ["--root", root, "--platform", "proxmox", "--binary", binary])
  assert.equal(first.code, 0, first.err)
  const before = snapshot(root, true)
  const second = await run(install, ["--root", root, "--platform", "proxmox", "--binary", binary], { run: async () => ({ code: 0, stdout: "", stderr: "" }) })
  assert.equal(second.code, 0, second.err)
  assert.deepEqual(snapshot(root, true), before)
  assert.match(second.out, /Nothing to change/)
  assert.deepEqual(second.commands, [])
})

test("uninstall --purge restores the tree, including a unit file install had to replace", async () => {
  const root = tempDir()
  mkdirSync(join(root, "etc/systemd/system"), { recursive: true })
  mkdirSync(join(root, "usr/local/bin"), { recursive: true })
  writeFileSync(join(root, "etc/systemd/system/nutctl.service"), "[Unit]\nDescription=my own\n", { mode: 0o644 })
  writeFileSync(join(root, "etc/hostname"), "pve-compute-01\n")
  const original = snapshot(root)
  const i = await run(install, ["--root", root, "--platform", "proxmox", "--binary", fakeBinary()])
  assert.equal(i.code, 0, i.err)
  assert.match(i.out, /backup {3}\/etc\/systemd\/system\/nutctl\.service → \/etc\/systemd\/system\/nutctl\.service\.nutctl-orig/)
  const u = await run(uninstall, ["--root", root, "--platform", "proxmox", "--purge"])
  assert.equal(u.code, 0, u.err)
  assert.deepEqual(snapshot(root), original)
})

test("uninstall without --purge leaves only the config directory behind", async () => {
  const root = tempDir()
  writeFileSync(join(root, "keep-me"), "x")
  const original = snapshot(root)
  await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()])
  const u = await run(uninstall, ["--root", root, "--platform", "debian"])
  assert.equal(u.code, 0, u.err)
  const left = snapshot(root)
  const added = [...left.keys()].filter((k) => !original.has(k)).sort()
  assert.deepEqual(added, ["/etc", "/etc/nutctl", "/etc/nutctl/nutctl.yaml", "/etc/nutctl/upsmon-primary.pw", "/etc/nutctl/upsmon-secondary.pw"])
  assert.match(u.out, /keep {5}\/etc\/nutctl\/nutctl\.yaml \(--purge removes it\)/)
  // a second uninstall has nothing to do
  const again = await run(uninstall, ["--root", root, "--platform", "debian"])
  assert.match(again.out, /not installed/)
})

test("install --dry-run prints every file and command and writes nothing", async () => {
  const root = tempDir()
  const r = await run(install, ["--root", root, "--platform", "proxmox", "--binary", fakeBinary(), "--dry-run"])
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(readdirSync(root), [])
  assert.match(r.out, /would create \/etc\/systemd\/system\/nutctl\.service/)
  assert.match(r.out, /^ {4}\| Before=pve-guests\.service/m)
  assert.match(r.out, /would run systemctl daemon-reload/)
  assert.match(r.out, /would run systemctl restart nutctl\.service/)
  assert.doesNotMatch(r.out, /[A-Za-z2-9]{24}/, "no password is printed")
})

test("install on the live system runs daemon-reload and restart after a change, and nothing with --root", async () => {
  const root = tempDir()
  const ok: CommandRunner = async () => ({ code: 0, stdout: "", stderr: "" })
  const live = await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()], { run: ok })
  assert.deepEqual(live.commands, ["systemctl daemon-reload", "systemctl restart nutctl.service"])
  const failing: CommandRunner = async () => ({ code: 1, stdout: "", stderr: "Unit nutctl.service failed" })
  writeFileSync(join(root, "etc/systemd/system/nutctl.service"), "changed by hand\n")
  const again = await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()], { run: failing })
  assert.equal(again.code, 1)
  assert.match(again.out, /failed {3}systemctl daemon-reload \(exit 1\): Unit nutctl\.service failed/)
  const rooted = await run(install, ["--root", tempDir(), "--platform", "debian", "--binary", fakeBinary()])
  assert.match(rooted.out, /not run \(--root\): systemctl daemon-reload/)
})

test("install keeps an existing cluster config and does not add secret files for it", async () => {
  const root = tempDir()
  mkdirSync(join(root, "etc/nutctl"), { recursive: true })
  writeFileSync(join(root, "etc/nutctl/nutctl.yaml"), "ups: {}\n")
  const r = await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()])
  assert.equal(r.code, 0, r.err)
  assert.equal(readFileSync(join(root, "etc/nutctl/nutctl.yaml"), "utf8"), "ups: {}\n")
  assert.equal(existsSync(join(root, "etc/nutctl/upsmon-primary.pw")), false)
  assert.match(r.out, /keep {5}\/etc\/nutctl\/nutctl\.yaml \(exists; not replaced\)/)
})

test("install --config FILE installs that config; --platform truenas needs a pool --prefix", async () => {
  const root = tempDir()
  const cfg = join(tempDir(), "cluster.yaml")
  writeFileSync(cfg, "ups: {}\n")
  const r = await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary(), "--config", cfg])
  assert.equal(r.code, 0, r.err)
  assert.equal(readFileSync(join(root, "etc/nutctl/nutctl.yaml"), "utf8"), "ups: {}\n")
  const t = await run(install, ["--root", root, "--platform", "truenas", "--binary", fakeBinary()])
  assert.equal(t.code, 2)
  assert.match(t.err, /--prefix DIR is required/)
  const bad = await run(install, ["--root", root, "--platform", "truenas", "--prefix", "/usr/local", "--binary", fakeBinary()])
  assert.match(bad.err, /pool dataset under \/mnt\/POOL/)
})

test("install on TrueNAS writes only under the pool prefix and explains the two UI steps", async () => {
  const root = tempDir()
  const r = await run(install, ["--root", root, "--platform", "truenas", "--prefix", "/mnt/tank/nutctl", "--binary", fakeBinary()])
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(readdirSync(root), ["mnt"])
  const script = join(root, "mnt/tank/nutctl/nutctl-start.sh")
  assert.equal(spawnSync("sh", ["-n", script]).status, 0)
  assert.match(readFileSync(script, "utf8"), /systemd-run --unit=nutctl /)
  assert.match(r.out, /initshutdownscript\.create '\{"type":"COMMAND","command":"\/mnt\/tank\/nutctl\/nutctl-start\.sh","when":"POSTINIT"/)
  assert.match(r.out, /Turn the built-in UPS service off/)
  const yaml = readFileSync(join(root, "mnt/tank/nutctl/etc/nutctl.yaml"), "utf8")
  const loaded = parseNutctlConfig(yaml, { file: "nutctl.yaml" })
  assert.equal(loaded.config.executors["command"]?.["command"], "/sbin/shutdown -P now")
  assert.equal(loaded.config.shutdown.powerdownflag, undefined)
  const u = await run(uninstall, ["--root", root, "--platform", "truenas", "--prefix", "/mnt/tank/nutctl", "--purge"])
  assert.equal(u.code, 0, u.err)
  assert.deepEqual(readdirSync(root), [])
})

test("install notes NUT units that are still enabled", async () => {
  const root = tempDir()
  mkdirSync(join(root, "etc/systemd/system/multi-user.target.wants"), { recursive: true })
  writeFileSync(join(root, "etc/systemd/system/multi-user.target.wants/nut-server.service"), "")
  const r = await run(install, ["--root", root, "--platform", "debian", "--binary", fakeBinary()])
  assert.match(r.out, /note: NUT is enabled here \(nut-server\.service\).*systemctl disable --now nut-server\.service/)
})

test("install --root DIR: DIR must exist", async () => {
  const r = await run(install, ["--root", join(tempDir(), "missing"), "--platform", "debian", "--binary", fakeBinary()])
  assert.equal(r.code, 2)
  assert.match(r.err, /--root .*missing is not a directory/)
})

test("install from source without --binary is a usage error", async () => {
  const r = await run(install, ["--root", tempDir(), "--platform", "debian"])
  assert.equal(r.code, 2)
  assert.match(r.err, /runs from source under node: pass --binary/)
})

test("contrib/systemd holds the units install writes (default paths)", () => {
  const contrib = (name: string): string => readFileSync(new URL(`../../contrib/systemd/${name}`, import.meta.url), "utf8")
  assert.equal(contrib("nutctl.service"), serviceUnit("proxmox"))
  assert.equal(contrib("nutctl-debian.service"), serviceUnit("debian"))
  assert.equal(contrib("nutctl-killpower"), shutdownHookScript())
  assert.equal(contrib("nutctl.yaml.skeleton"), configSkeleton({ hostname: "truenas", configDir: "/etc/nutctl" }))
})
