/**
 * `nutctl install [hookscript]` and `nutctl uninstall`: the drop-in install on a Proxmox VE node,
 * a plain Debian host or TrueNAS SCALE. `--root DIR` installs into a tree (tests), `--dry-run`
 * prints every file and command. Commands (systemctl, qm, pct) run only on the live system.
 */
import { randomBytes } from "node:crypto"
import { hostname as osHostname } from "node:os"
import { basename } from "node:path"
import { defineCommand } from "citty"
import { applyInstall, applyUninstall, InstallError, type ApplyIo } from "./_install-apply.ts"
import { nodeCommandRunner, nodeInstallFs, rooted, type CommandRunner, type InstallFs } from "./_install-fs.ts"
import { guestHookscript, hookscriptText, parseStorageCfg, planHookscript, snippetsDir, type LocalGuest } from "./_install-hookscript.ts"
import { planDebianInstall, planDebianUninstall, type InstallPlan } from "./_install-plan.ts"
import { checkTrueNasPrefix, planTrueNasInstall, planTrueNasUninstall } from "./_install-truenas.ts"
import { DEFAULT_PATHS, NUT_UNITS, PLATFORMS, type Platform } from "./_install-units.ts"
import { cliEnv, type CliEnv } from "./_io.ts"
import { UsageError } from "./_target.ts"

/** What install touches besides output; tests inject every field through citty's `data`. */
export interface InstallEnv {
  readonly fs: InstallFs
  /** Injected runner (tests): used even with --root. Default: real commands, none with --root. */
  readonly run: CommandRunner | undefined
  readonly random: (bytes: number) => Uint8Array
  readonly uid: number | undefined
  readonly hostname: string
  /** The running executable (the compiled binary installs itself). */
  readonly execPath: string
}

function installEnv(data: unknown): InstallEnv {
  const given = (typeof data === "object" && data !== null ? data : {}) as Partial<InstallEnv>
  return {
    fs: given.fs ?? nodeInstallFs,
    run: given.run,
    random: given.random ?? ((n) => new Uint8Array(randomBytes(n))),
    uid: "uid" in given ? given.uid : process.getuid?.(),
    hostname: given.hostname ?? osHostname(),
    execPath: given.execPath ?? process.execPath,
  }
}

const commonArgs = {
  root: { type: "string", description: "Install into this directory tree instead of / (no command is run then)", valueHint: "DIR" },
  "dry-run": { type: "boolean", description: "Print every file (with its content) and command; change nothing" },
  platform: { type: "string", description: "proxmox, debian or truenas (default: detected)", valueHint: "NAME" },
  prefix: { type: "string", description: "TrueNAS: the directory on a pool dataset nutctl lives in, e.g. /mnt/tank/nutctl", valueHint: "DIR" },
} as const

export default defineCommand({
  meta: { name: "install", description: "Install nutctl as a service (binary, systemd unit, shutdown hook, config skeleton); `install hookscript` adds the Proxmox guest hook" },
  args: {
    component: { type: "positional", required: false, description: "hookscript: install the Proxmox VE guest hookscript instead", valueHint: "hookscript" },
    ...commonArgs,
    binary: { type: "string", description: "The nutctl executable to install (default: this one, when it is the compiled binary)", valueHint: "FILE" },
    config: { type: "string", description: "Install this cluster config instead of writing a skeleton (the same file goes on every host)", valueHint: "FILE" },
    hostname: { type: "string", description: "The skeleton makes this host the primary (default: this machine's name)", valueHint: "NAME" },
    storage: { type: "string", description: "hookscript: the storage whose snippets directory gets it", valueHint: "NAME", default: "local" },
    apply: { type: "boolean", description: "hookscript: also set it on the --guests (qm/pct set; root only)" },
    guests: { type: "string", description: "hookscript: VMIDs on this node (100,101) or all", valueHint: "LIST" },
    force: { type: "boolean", description: "hookscript: replace a hookscript a guest already has" },
    "min-charge": { type: "string", description: "hookscript: refuse starts below this battery charge (%)", valueHint: "PCT" },
    "min-runtime": { type: "string", description: "hookscript: refuse starts below this battery runtime (seconds)", valueHint: "SECONDS" },
    "on-error": { type: "string", description: "hookscript: when the UPS server cannot be asked, start the guest (open) or refuse (closed)", valueHint: "open|closed", default: "open" },
  },
  run: ({ args, data }) =>
    runInstallCli(data, async (cli, env) => {
      const root = args.root ?? "/"
      await checkRoot(env.fs, root)
      const io = applyIo(cli, env, root, args.root !== undefined)
      if (args.component === "hookscript") return installHookscript(args, env, io)
      if (args.component !== undefined) throw new UsageError(`Unknown install component ${args.component} (only hookscript)`)
      const platform = await choosePlatform(args.platform, env.fs, root)
      const binary = args.binary ?? compiledBinary(env.execPath)
      const configFrom = args.config === undefined ? undefined : { path: args.config, text: await cli.readFile(args.config) }
      let plan: InstallPlan
      if (platform === "truenas") {
        const problem = checkTrueNasPrefix(args.prefix)
        if (problem !== undefined) throw new UsageError(problem)
        plan = planTrueNasInstall({ prefix: args.prefix as string, binary, hostname: args.hostname ?? env.hostname, configFrom })
      } else {
        const enabledNutUnits = await enabledNut(env.fs, root)
        plan = planDebianInstall({ platform, binary, hostname: args.hostname ?? env.hostname, configFrom, enabledNutUnits })
      }
      const report = await applyInstall(plan, io, { dryRun: args["dry-run"] === true })
      return report.failed ? 1 : 0
    }),
})

/** `nutctl uninstall`. */
export const uninstall = defineCommand({
  meta: { name: "uninstall", description: "Remove what `nutctl install` put in place and restore what it replaced; the config stays unless --purge" },
  args: {
    ...commonArgs,
    purge: { type: "boolean", description: "Also remove the config (with its secret files) and the state directory" },
  },
  run: ({ args, data }) =>
    runInstallCli(data, async (cli, env) => {
      const root = args.root ?? "/"
      await checkRoot(env.fs, root)
      const io = applyIo(cli, env, root, args.root !== undefined)
      const platform = await choosePlatform(args.platform, env.fs, root)
      let plan: InstallPlan
      if (platform === "truenas") {
        const problem = checkTrueNasPrefix(args.prefix)
        if (problem !== undefined) throw new UsageError(problem)
        plan = planTrueNasUninstall(args.prefix as string)
      } else plan = planDebianUninstall(platform)
      const report = await applyUninstall(plan, io, { dryRun: args["dry-run"] === true, purge: args.purge === true })
      return report.failed ? 1 : 0
    }),
})

interface HookscriptArgs {
  readonly "dry-run"?: boolean | undefined
  readonly storage?: string | undefined
  readonly apply?: boolean | undefined
  readonly guests?: string | undefined
  readonly force?: boolean | undefined
  readonly "min-charge"?: string | undefined
  readonly "min-runtime"?: string | undefined
  readonly "on-error"?: string | undefined
}

async function installHookscript(args: HookscriptArgs, env: InstallEnv, io: ApplyIo): Promise<0 | 1> {
  const onError = args["on-error"] ?? "open"
  if (onError !== "open" && onError !== "closed") throw new UsageError(`--on-error must be open or closed, not ${onError}`)
  const minCharge = number(args["min-charge"], "--min-charge", 0, 100)
  const minRuntime = number(args["min-runtime"], "--min-runtime", 0, Infinity)
  const storageName = args.storage ?? "local"
  const cfg = await env.fs.readText(rooted(io.root, "/etc/pve/storage.cfg"))
  if (cfg === undefined) throw new UsageError(`${rooted(io.root, "/etc/pve/storage.cfg")} does not exist: install hookscript is for Proxmox VE nodes`)
  const storage = parseStorageCfg(cfg).find((s) => s.name === storageName)
  if (storage === undefined) throw new UsageError(`No storage ${storageName} in /etc/pve/storage.cfg`)
  const where = snippetsDir(storage)
  if ("problem" in where) throw new UsageError(`Cannot place the hookscript: ${where.problem}`)
  const guests = args.guests === undefined ? [] : await selectGuests(args.guests, env.fs, io.root)
  if (args.apply === true) {
    if (guests.length === 0) throw new UsageError("--apply needs --guests VMID[,VMID…] or --guests all")
    if (env.uid !== 0 && !args["dry-run"]) throw new UsageError("Only root can set hookscripts (Proxmox VE allows it to root@pam only, not to API tokens): run as root")
  }
  const text = hookscriptText(DEFAULT_PATHS, { minCharge, minRuntime, onError })
  const { plan, skipped } = planHookscript({ storage: storageName, dir: where.dir, text, guests: args.apply === true ? guests : [], force: args.force === true })
  for (const s of skipped) io.out(`skip     ${s}`)
  const report = await applyInstall(plan, io, { dryRun: args["dry-run"] === true })
  if (args.apply !== true) {
    const volume = `${storageName}:snippets/nutctl-hook`
    const list = guests.length > 0 ? guests : [{ vmid: "VMID", type: "qemu" as const, hookscript: undefined }]
    for (const g of list) io.out(`set it with: ${g.type === "qemu" ? "qm" : "pct"} set ${g.vmid} --hookscript ${volume}   (or --apply)`)
  }
  return report.failed ? 1 : 0
}

/** `100,101` or `all`: the guests with a config on this node. */
async function selectGuests(list: string, fs: InstallFs, root: string): Promise<LocalGuest[]> {
  const dirs = { qemu: "/etc/pve/qemu-server", lxc: "/etc/pve/lxc" } as const
  const found = new Map<string, LocalGuest>()
  for (const type of ["qemu", "lxc"] as const) {
    for (const name of (await fs.listDir(rooted(root, dirs[type]))) ?? []) {
      const m = /^(\d+)\.conf$/.exec(name)
      if (!m) continue
      const conf = (await fs.readText(rooted(root, `${dirs[type]}/${name}`))) ?? ""
      found.set(m[1] as string, { vmid: m[1] as string, type, hookscript: guestHookscript(conf) })
    }
  }
  if (list.trim() === "all") return [...found.values()].sort((a, b) => Number(a.vmid) - Number(b.vmid))
  return list.split(",").map((v) => {
    const id = v.trim()
    if (!/^\d+$/.test(id)) throw new UsageError(`--guests: ${JSON.stringify(id)} is not a VMID`)
    const g = found.get(id)
    if (g === undefined) throw new UsageError(`Guest ${id} has no config on this node (${dirs.qemu}/${id}.conf or ${dirs.lxc}/${id}.conf)`)
    return g
  })
}

/** Proxmox VE and TrueNAS leave marks a plain Debian host does not have. */
async function choosePlatform(given: string | undefined, fs: InstallFs, root: string): Promise<Platform> {
  if (given !== undefined) {
    if (!(PLATFORMS as readonly string[]).includes(given)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(", ")}, not ${given}`)
    return given as Platform
  }
  const has = async (p: string): Promise<boolean> => (await fs.stat(rooted(root, p))) !== undefined
  if ((await has("/usr/bin/pveversion")) || (await has("/usr/share/pve-manager"))) return "proxmox"
  if ((await has("/usr/bin/midclt")) || (await has("/usr/lib/python3/dist-packages/middlewared"))) return "truenas"
  return "debian"
}

/** NUT units enabled at boot (their wants links). */
async function enabledNut(fs: InstallFs, root: string): Promise<string[]> {
  const out: string[] = []
  for (const wants of ["multi-user.target.wants", "nut.target.wants"]) {
    for (const unit of NUT_UNITS) {
      if ((await fs.stat(rooted(root, `/etc/systemd/system/${wants}/${unit}`))) !== undefined && !out.includes(unit)) out.push(unit)
    }
  }
  return out
}

/** The running executable, when it is nutctl itself and not a JavaScript runtime running the sources. */
function compiledBinary(execPath: string): string {
  const name = basename(execPath)
  if (/^(node|nodejs|bun|deno|tsx)(\.exe)?$/.test(name)) {
    throw new UsageError(`This nutctl runs from source under ${name}: pass --binary dist/nutctl (npm run build makes it)`)
  }
  return execPath
}

function number(text: string | undefined, option: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${option} must be a number from ${min}${max === Infinity ? " up" : ` to ${max}`}, not ${text}`)
  return n
}

/** A --root tree must exist: install never creates the root itself. */
async function checkRoot(fs: InstallFs, root: string): Promise<void> {
  if (root !== "/" && (await fs.stat(root))?.kind !== "dir") throw new UsageError(`--root ${root} is not a directory`)
}

function applyIo(cli: CliEnv, env: InstallEnv, root: string, isRooted: boolean): ApplyIo {
  return { fs: env.fs, root, run: env.run ?? (isRooted ? undefined : nodeCommandRunner), random: env.random, out: (line) => cli.io.out(line + "\n") }
}

/** Like runCli, with install's exit codes: 0 done, 1 a conflict or a failed command, 2 usage. */
async function runInstallCli(data: unknown, body: (cli: CliEnv, env: InstallEnv) => Promise<0 | 1>): Promise<number> {
  const cli = cliEnv(data)
  let code: number
  try {
    code = await body(cli, installEnv(data))
  } catch (e) {
    if (e instanceof UsageError) {
      cli.io.err(`Error: ${e.message}\n`)
      code = 2
    } else if (e instanceof InstallError) {
      cli.io.err(`Error: ${e.message}\n`)
      code = 1
    } else {
      cli.io.err(`Error: ${e instanceof Error ? e.message : String(e)}\n`)
      code = 1
    }
  }
  process.exitCode = code
  return code
}
