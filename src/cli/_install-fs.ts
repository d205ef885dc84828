/**
 * The file-system and process capabilities `install`, `uninstall` and `install hookscript` work
 * through: tests hand in their own runner (no `systemctl`/`qm` is ever run from a test) and a
 * `--root DIR` tree.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { chmod, copyFile, lstat, mkdir, readFile, readdir, readlink, rename, rm, rmdir, symlink, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"

/** What is at a path (lstat: a symlink is reported as one). */
export type PathKind = "file" | "dir" | "symlink" | "other"

/** Real file-system operations; every path is already a real path (root prefix applied). */
export interface InstallFs {
  /** undefined when nothing is there. */
  stat(path: string): Promise<{ readonly kind: PathKind; readonly mode: number } | undefined>
  readText(path: string): Promise<string | undefined>
  /** sha256 of a file's bytes (the binary is ~100 MiB: streamed). */
  hash(path: string): Promise<string | undefined>
  readLink(path: string): Promise<string | undefined>
  listDir(path: string): Promise<string[] | undefined>
  /** Write through a temporary file and rename, so a crash never leaves half a unit file. */
  writeFile(path: string, data: string | Uint8Array, mode: number): Promise<void>
  copyFile(from: string, to: string, mode: number): Promise<void>
  chmod(path: string, mode: number): Promise<void>
  mkdir(path: string, mode: number): Promise<void>
  symlink(target: string, path: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  /** Remove a file or symlink. */
  remove(path: string): Promise<void>
  /** Remove an empty directory; false when it is not empty. */
  removeDir(path: string): Promise<boolean>
  /** Remove a directory and everything in it (uninstall --purge of the state directory). */
  removeTree(path: string): Promise<void>
}

/** Result of one external command. */
export interface CommandResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `systemctl`, `qm`, `pct`: injected so tests record instead of running. */
export type CommandRunner = (argv: readonly string[]) => Promise<CommandResult>

/** Join a logical absolute path (`/etc/nutctl`) onto an install root (`--root DIR`). */
export function rooted(root: string, path: string): string {
  return root === "/" || root === "" ? path : join(root, path)
}

/** InstallFs on node:fs. */
export const nodeInstallFs: InstallFs = {
  async stat(path) {
    try {
      const s = await lstat(path)
      const kind: PathKind = s.isSymbolicLink() ? "symlink" : s.isDirectory() ? "dir" : s.isFile() ? "file" : "other"
      return { kind, mode: s.mode & 0o7777 }
    } catch (e) {
      if (isMissing(e)) return undefined
      throw e
    }
  },
  async readText(path) {
    try {
      return await readFile(path, "utf8")
    } catch (e) {
      if (isMissing(e)) return undefined
      throw e
    }
  },
  hash(path) {
    return new Promise((resolve, reject) => {
      const h = createHash("sha256")
      createReadStream(path)
        .on("data", (chunk) => h.update(chunk))
        .on("end", () => resolve(h.digest("hex")))
        .on("error", (e) => (isMissing(e) ? resolve(undefined) : reject(e)))
    })
  },
  async readLink(path) {
    try {
      return await readlink(path)
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === "EINVAL") return undefined
      throw e
    }
  },
  async listDir(path) {
    try {
      return (await readdir(path)).sort()
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined
      throw e
    }
  },
  async writeFile(path, data, mode) {
    const tmp = join(dirname(path), `.${Math.random().toString(36).slice(2)}.nutctl-tmp`)
    await writeFile(tmp, data, { mode })
    // writeFile's mode goes through the umask; the file must end up exactly as planned (0600 secrets)
    await chmod(tmp, mode)
    await rename(tmp, path)
  },
  async copyFile(from, to, mode) {
    const tmp = join(dirname(to), `.${Math.random().toString(36).slice(2)}.nutctl-tmp`)
    await copyFile(from, tmp)
    await chmod(tmp, mode)
    await rename(tmp, to)
  },
  chmod: (path, mode) => chmod(path, mode),
  async mkdir(path, mode) {
    await mkdir(path, { mode })
    await chmod(path, mode)
  },
  symlink: (target, path) => symlink(target, path),
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async removeDir(path) {
    try {
      await rmdir(path)
      return true
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === "ENOTEMPTY" || code === "EEXIST") return false
      if (isMissing(e)) return true
      throw e
    }
  },
  removeTree: (path) => rm(path, { recursive: true, force: true }),
}

/** Run a command without a shell; output is collected, never inherited (the caller prints it). */
export const nodeCommandRunner: CommandRunner = (argv) =>
  new Promise((resolve) => {
    const [cmd, ...rest] = argv
    if (cmd === undefined) return resolve({ code: 127, stdout: "", stderr: "empty command" })
    const child = spawn(cmd, rest, { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.on("error", (e) => resolve({ code: 127, stdout, stderr: stderr + e.message }))
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === "ENOENT"
}
