/**
 * Carry out an install plan against a tree: write only what differs (a second install changes
 * nothing, not even a file's mtime), back up foreign files it must replace, record everything in
 * the manifest, and run the follow-up commands only after a change. Uninstall walks the manifest
 * backwards. `--dry-run` takes the same path and only reports.
 */
import { dirname } from "node:path"
import { rooted, type CommandRunner, type InstallFs } from "./_install-fs.ts"
import { BACKUP_SUFFIX, formatManifest, mergeManifest, parseManifest, type Manifest, type ManifestEntry } from "./_install-manifest.ts"
import type { InstallPlan, PlanCommand, PlanDir, PlanFile, PlanLink } from "./_install-plan.ts"
import { randomPassword } from "./_install-skeleton.ts"

export interface ApplyIo {
  readonly fs: InstallFs
  /** `--root DIR`, or "/" for the live system. */
  readonly root: string
  /** undefined: commands are printed, never run (with --root they would hit the live system). */
  readonly run: CommandRunner | undefined
  readonly random: (bytes: number) => Uint8Array
  out(line: string): void
}

export interface ApplyOptions {
  readonly dryRun: boolean
}

/** What happened, for the exit code and tests. */
export interface ApplyReport {
  /** Paths written, removed or restored (or that would be, in a dry run). */
  readonly changed: readonly string[]
  readonly ranCommands: readonly string[]
  readonly failed: boolean
}

/** A planned file, link or directory that cannot be put in place. */
export class InstallError extends Error {
  readonly code = "INSTALL_CONFLICT"
  readonly path: string
  constructor(path: string, message: string) {
    super(message)
    this.name = "InstallError"
    this.path = path
  }
}

/** Install: bring the tree to the plan. */
export async function applyInstall(plan: InstallPlan, io: ApplyIo, options: ApplyOptions): Promise<ApplyReport> {
  const old = await readManifest(plan.manifest, io)
  const walk = new Walk(io, options.dryRun, old)
  if (options.dryRun) io.out(`Dry run (${plan.platform}${io.root === "/" ? "" : `, root ${io.root}`}): nothing is changed.`)
  let unitsChanged = false
  const keptForeign = new Set<string>()
  for (const item of plan.items) {
    if (item.kind === "dir") await walk.dir(item)
    else if (item.kind === "symlink") unitsChanged = (await walk.link(item)) || unitsChanged
    else {
      if (item.dependsOn !== undefined && keptForeign.has(item.dependsOn)) {
        io.out(`skip     ${item.path} (${item.purpose}: ${item.dependsOn} is your own config)`)
        continue
      }
      const r = await walk.file(item)
      if (r === "kept-foreign") keptForeign.add(item.path)
      if (r === "changed" && item.unit === true) unitsChanged = true
    }
  }
  if (plan.manifest !== undefined) {
    const manifestText = formatManifest(mergeManifest(old, plan.platform, walk.entries))
    if ((await io.fs.readText(rooted(io.root, plan.manifest))) !== manifestText) {
      if (!options.dryRun) {
        await walk.ensureParent(plan.manifest)
        await io.fs.writeFile(rooted(io.root, plan.manifest), manifestText, 0o600)
      }
      io.out(`${options.dryRun ? "would write" : "write   "} ${plan.manifest} (what uninstall puts back)`)
    }
  }
  const anyChanged = walk.changed.length > 0
  const ran = await runCommands(plan.commands, { units: unitsChanged, any: anyChanged }, io, options.dryRun)
  if (!anyChanged && !options.dryRun) io.out("Nothing to change: everything is installed as planned.")
  for (const note of plan.notes) io.out(`note: ${note}`)
  return { changed: walk.changed, ranCommands: ran.ran, failed: ran.failed }
}

export interface UninstallOptions extends ApplyOptions {
  /** Also remove the config and state directories (and the secrets). */
  readonly purge: boolean
}

/** Uninstall: undo what the manifest records, newest first. */
export async function applyUninstall(plan: InstallPlan, io: ApplyIo, options: UninstallOptions): Promise<ApplyReport> {
  const manifestPath = plan.manifest
  const manifest = await readManifest(manifestPath, io)
  if (manifest === undefined || manifestPath === undefined) {
    io.out(`nutctl is not installed${io.root === "/" ? "" : ` under ${io.root}`}: ${plan.manifest} does not exist.`)
    return { changed: [], ranCommands: [], failed: false }
  }
  if (options.dryRun) io.out(`Dry run (uninstall${options.purge ? " --purge" : ""}): nothing is changed.`)
  const ran: string[] = []
  let failed = false
  const before = await runCommands(plan.before, { units: true, any: true }, io, options.dryRun)
  ran.push(...before.ran)
  const changed: string[] = []
  let unitsChanged = false
  const act = async (what: string, path: string, fn: () => Promise<unknown>): Promise<void> => {
    if (!options.dryRun) await fn()
    io.out(`${options.dryRun ? `would ${what}` : what.padEnd(8)} ${path}`)
    changed.push(path)
  }
  const reversed = [...manifest.entries].reverse()
  for (const e of reversed.filter((x) => x.kind !== "dir")) {
    if (e.keep !== undefined && !options.purge) {
      io.out(`keep     ${e.path} (--purge removes it)`)
      continue
    }
    const real = rooted(io.root, e.path)
    if (e.path.endsWith(".service") || e.path.includes(".wants/")) unitsChanged = true
    if (e.created) await act("remove", e.path, () => io.fs.remove(real))
    if (e.backup !== undefined) {
      const backup = e.backup
      await act("restore", e.path, async () => {
        if (!e.created) await io.fs.remove(real)
        await io.fs.rename(rooted(io.root, backup), real)
      })
    }
  }
  await act("remove", manifestPath, () => io.fs.remove(rooted(io.root, manifestPath)))
  for (const e of reversed.filter((x) => x.kind === "dir" && x.created)) {
    const real = rooted(io.root, e.path)
    if (e.keep !== undefined && options.purge) await act("remove", `${e.path}/ (and everything in it)`, () => io.fs.removeTree(real))
    else if (options.dryRun) io.out(`would remove ${e.path}/ if it is empty`)
    else if (await io.fs.removeDir(real)) {
      io.out(`remove   ${e.path}/`)
      changed.push(e.path)
    } else io.out(`keep     ${e.path}/ (not empty)`)
  }
  const after = await runCommands(plan.commands, { units: unitsChanged, any: changed.length > 0 }, io, options.dryRun)
  ran.push(...after.ran)
  failed = before.failed || after.failed
  for (const note of plan.notes) io.out(`note: ${note}`)
  return { changed, ranCommands: ran, failed }
}

async function readManifest(path: string | undefined, io: ApplyIo): Promise<Manifest | undefined> {
  if (path === undefined) return undefined
  const text = await io.fs.readText(rooted(io.root, path))
  return text === undefined ? undefined : parseManifest(text, path)
}

async function runCommands(commands: readonly PlanCommand[], changed: { units: boolean; any: boolean }, io: ApplyIo, dryRun: boolean): Promise<{ ran: string[]; failed: boolean }> {
  const ran: string[] = []
  let failed = false
  for (const c of commands) {
    if (c.when === "units" && !changed.units) continue
    if (c.when === "any" && !changed.any) continue
    const line = c.argv.join(" ")
    if (dryRun) io.out(`would run ${line}   # ${c.why}`)
    else if (io.run === undefined) io.out(`not run (--root): ${line}   # ${c.why}`)
    else {
      const r = await io.run(c.argv)
      ran.push(line)
      if (r.code === 0) io.out(`ran      ${line}`)
      else {
        failed = true
        io.out(`failed   ${line} (exit ${r.code})${r.stderr.trim() ? `: ${r.stderr.trim()}` : ""}`)
      }
    }
  }
  return { ran, failed }
}

/** One pass over the plan: compares, writes (unless dry), and collects manifest entries. */
class Walk {
  readonly entries: ManifestEntry[] = []
  readonly changed: string[] = []
  readonly #io: ApplyIo
  readonly #dry: boolean
  readonly #old: Manifest | undefined
  /** Directories a dry run would have created (so later items see them). */
  readonly #made = new Set<string>()

  constructor(io: ApplyIo, dry: boolean, old: Manifest | undefined) {
    this.#io = io
    this.#dry = dry
    this.#old = old
  }

  #ours(path: string): ManifestEntry | undefined {
    return this.#old?.entries.find((e) => e.path === path)
  }

  #say(verb: string, path: string, detail = ""): void {
    this.#io.out(`${this.#dry ? `would ${verb}` : verbPast(verb).padEnd(8)} ${path}${detail}`)
  }

  async #exists(path: string): Promise<boolean> {
    return this.#made.has(path) || (await this.#io.fs.stat(rooted(this.#io.root, path))) !== undefined
  }

  /** Create missing parent directories (0755), recording each one. */
  async ensureParent(path: string): Promise<void> {
    const missing: string[] = []
    for (let d = dirname(path); d !== "/" && d !== "." && !(await this.#exists(d)); d = dirname(d)) missing.unshift(d)
    for (const d of missing) await this.#mkdir(d, 0o755, undefined)
  }

  async #mkdir(path: string, mode: number, keep: PlanDir["keep"]): Promise<void> {
    if (!this.#dry) await this.#io.fs.mkdir(rooted(this.#io.root, path), mode)
    this.#made.add(path)
    this.#say("create", `${path}/`, ` (${octal(mode)})`)
    this.changed.push(path)
    this.entries.push({ path, kind: "dir", created: true, ...(keep ? { keep } : {}) })
  }

  async dir(item: PlanDir): Promise<void> {
    const st = this.#made.has(item.path) ? { kind: "dir" } : await this.#io.fs.stat(rooted(this.#io.root, item.path))
    if (st === undefined) {
      await this.ensureParent(item.path)
      await this.#mkdir(item.path, item.mode, item.keep)
    } else if (st.kind !== "dir") throw new InstallError(item.path, `Cannot install: ${item.path} exists and is not a directory`)
  }

  async link(item: PlanLink): Promise<boolean> {
    const real = rooted(this.#io.root, item.path)
    const st = await this.#io.fs.stat(real)
    if (st?.kind === "symlink" && (await this.#io.fs.readLink(real)) === item.target) {
      this.#keepEntry(item.path, "symlink")
      return false
    }
    const backup = st === undefined ? undefined : await this.#moveAside(item.path, st.kind)
    await this.ensureParent(item.path)
    if (!this.#dry) await this.#io.fs.symlink(item.target, real)
    this.#say(st === undefined ? "create" : "replace", item.path, ` → ${item.target} (${item.purpose})`)
    this.changed.push(item.path)
    this.#record({ path: item.path, kind: "symlink", created: st === undefined && !this.#ours(item.path)?.backup, ...backup })
    return true
  }

  /** @returns what happened: `changed`, `same`, or `kept-foreign` (a keep-policy file that is not ours) */
  async file(item: PlanFile): Promise<"changed" | "same" | "kept-foreign"> {
    const real = rooted(this.#io.root, item.path)
    const st = this.#made.has(item.path) ? undefined : await this.#io.fs.stat(real)
    if (st !== undefined && st.kind !== "file") throw new InstallError(item.path, `Cannot install: ${item.path} exists and is not a file`)
    if (st !== undefined && item.policy === "keep") {
      const ours = this.#ours(item.path)
      this.#io.out(`keep     ${item.path} (${ours ? item.purpose : `exists; not replaced`})`)
      if (ours) this.entries.push(ours)
      return ours ? "same" : "kept-foreign"
    }
    if (st !== undefined) {
      if (await this.#sameContent(item, real)) {
        if (st.mode !== item.mode) {
          if (!this.#dry) await this.#io.fs.chmod(real, item.mode)
          this.#say("chmod", item.path, ` ${octal(st.mode)} → ${octal(item.mode)}`)
          this.changed.push(item.path)
        }
        this.#keepEntry(item.path, "file", item.keep)
        return st.mode !== item.mode ? "changed" : "same"
      }
    }
    const backup = st === undefined ? undefined : await this.#moveAside(item.path, "file")
    await this.ensureParent(item.path)
    await this.#write(item, real)
    const from = item.source.kind === "copy" ? `, copied from ${item.source.from}` : ""
    this.#say(st === undefined ? "create" : "replace", item.path, ` (${octal(item.mode)}, ${item.purpose}${from})${backup?.backup ? `, the old one kept as ${backup.backup}` : ""}`)
    if (this.#dry && item.source.kind === "text") this.#io.out(indent(item.source.text))
    this.changed.push(item.path)
    this.#record({ path: item.path, kind: "file", created: st === undefined && !this.#ours(item.path)?.backup, ...backup, ...(item.keep ? { keep: item.keep } : {}) })
    return "changed"
  }

  async #sameContent(item: PlanFile, real: string): Promise<boolean> {
    const s = item.source
    if (s.kind === "text") return (await this.#io.fs.readText(real)) === s.text
    if (s.kind === "copy") {
      if (rooted(this.#io.root, item.path) === s.from) return true
      const [a, b] = await Promise.all([this.#io.fs.hash(real), this.#io.fs.hash(s.from)])
      if (b === undefined) throw new InstallError(s.from, `Cannot install: ${s.from} does not exist`)
      return a === b
    }
    return true
  }

  async #write(item: PlanFile, real: string): Promise<void> {
    const s = item.source
    if (s.kind === "copy" && (await this.#io.fs.stat(s.from)) === undefined) throw new InstallError(s.from, `Cannot install: ${s.from} does not exist`)
    if (this.#dry) return
    if (s.kind === "text") await this.#io.fs.writeFile(real, s.text, item.mode)
    else if (s.kind === "copy") await this.#io.fs.copyFile(s.from, real, item.mode)
    else await this.#io.fs.writeFile(real, randomPassword(this.#io.random) + "\n", item.mode)
  }

  /** A path that is in the way: ours is overwritten; anything else is kept as `<path>.nutctl-orig`. */
  async #moveAside(path: string, kind: string): Promise<{ backup?: string }> {
    const ours = this.#ours(path)
    if (ours) return ours.backup === undefined ? {} : { backup: ours.backup }
    const backup = path + BACKUP_SUFFIX
    if (await this.#exists(backup)) throw new InstallError(path, `Cannot install: ${path} is not nutctl's and ${backup} already exists; move one of them away`)
    if (kind === "dir") throw new InstallError(path, `Cannot install: ${path} is a directory`)
    if (!this.#dry) await this.#io.fs.rename(rooted(this.#io.root, path), rooted(this.#io.root, backup))
    this.#io.out(`${this.#dry ? "would back up" : "backup  "} ${path} → ${backup}`)
    return { backup }
  }

  #keepEntry(path: string, kind: "file" | "symlink", keep?: PlanFile["keep"]): void {
    this.#record(this.#ours(path) ?? { path, kind, created: false, ...(keep ? { keep } : {}) })
  }

  #record(entry: ManifestEntry): void {
    const ours = this.#ours(entry.path)
    this.entries.push(ours ?? entry)
  }
}

function verbPast(verb: string): string {
  return { create: "create", replace: "replace", chmod: "chmod" }[verb] ?? verb
}

function octal(mode: number): string {
  return "0" + mode.toString(8).padStart(3, "0")
}

function indent(text: string): string {
  return text.replace(/\n$/, "").split("\n").map((l) => `    | ${l}`).join("\n")
}
