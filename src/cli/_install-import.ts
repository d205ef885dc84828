/**
 * `nutctl config import DIR`: migrate from NUT (/etc/nut) or TrueNAS's UPS service to one cluster
 * config. The YAML goes to stdout (or --out FILE, with the passwords in 0600 files beside it); what
 * could not be carried over goes to stderr and into the file's header. The result is validated
 * with the same loader `serve` uses before anything is written.
 */
import { mkdir, stat, writeFile } from "node:fs/promises"
import { hostname as osHostname } from "node:os"
import { dirname, resolve } from "node:path"
import { defineCommand } from "citty"
import { ConfigError, DEFAULT_SECRETS_DIR, importConfigDir, parseNutctlConfig, renderImportYaml, type ConfigFs, type ImportResult } from "../config/index.ts"
import { cliEnv, type CliEnv } from "./_io.ts"
import { UsageError } from "./_target.ts"

/** File writes of the import, injected by tests. */
interface ImportEnv {
  readonly fs?: ConfigFs
  readonly hostname: string
  exists(path: string): Promise<boolean>
  write(path: string, text: string, mode: number): Promise<void>
}

function importEnv(data: unknown): ImportEnv {
  const given = (typeof data === "object" && data !== null ? data : {}) as Partial<ImportEnv>
  return {
    ...(given.fs !== undefined ? { fs: given.fs } : {}),
    hostname: given.hostname ?? osHostname(),
    exists: given.exists ?? ((p) => stat(p).then(() => true, () => false)),
    write:
      given.write ??
      (async (p, t, mode) => {
        await mkdir(dirname(p), { recursive: true, mode: 0o750 })
        await writeFile(p, t, { mode })
      }),
  }
}

export default defineCommand({
  meta: { name: "import", description: "Turn NUT's config directory (/etc/nut) or TrueNAS's UPS settings into one nutctl cluster config" },
  args: {
    dir: { type: "positional", required: true, description: "NUT's config directory (ups.conf, upsd.conf, upsd.users, upsmon.conf, upssched.conf, nut.conf), or one holding TrueNAS's ups.config.json", valueHint: "DIR" },
    out: { type: "string", description: "Write the config here (and the passwords into 0600 files beside it) instead of printing it", valueHint: "FILE" },
    hostname: { type: "string", description: "The host these files belong to (default: this machine)", valueHint: "NAME" },
    secondaries: { type: "string", description: "Hosts that monitor this UPS over the network, comma-separated (pve-compute-01,pve-compute-02)", valueHint: "LIST" },
    "primary-address": { type: "string", description: "How the secondaries reach the primary (default: --hostname)", valueHint: "HOST" },
    allow: { type: "string", description: "Client networks for server.allow, comma-separated (10.0.10.0/24)", valueHint: "LIST" },
    "secrets-dir": { type: "string", description: `Where the password files go (default: the --out directory, else ${DEFAULT_SECRETS_DIR})`, valueHint: "DIR" },
    upsmon: { type: "string", description: "upsmon's file in DIR (default upsmon.conf)", valueHint: "FILE" },
    truenas: { type: "string", description: "TrueNAS's settings (midclt call ups.config > FILE) when not DIR/ups.config.json", valueHint: "FILE" },
    force: { type: "boolean", description: "With --out: replace existing files" },
  },
  async run({ args, data }) {
    const cli = cliEnv(data)
    const env = importEnv(data)
    let code: number
    try {
      code = await runImport(args, cli, env)
    } catch (e) {
      if (e instanceof ConfigError) for (const i of e.issues) cli.io.err(`error: ${i.message}\n`)
      else cli.io.err(`Error: ${e instanceof Error ? e.message : String(e)}\n`)
      code = e instanceof UsageError ? 2 : 1
    }
    process.exitCode = code
    return code
  },
})

interface ImportArgs {
  readonly dir: string
  readonly out?: string | undefined
  readonly hostname?: string | undefined
  readonly secondaries?: string | undefined
  readonly "primary-address"?: string | undefined
  readonly allow?: string | undefined
  readonly "secrets-dir"?: string | undefined
  readonly upsmon?: string | undefined
  readonly truenas?: string | undefined
  readonly force?: boolean | undefined
}

async function runImport(args: ImportArgs, cli: CliEnv, env: ImportEnv): Promise<number> {
  const list = (text: string | undefined): string[] | undefined => text?.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const secretsDir = args["secrets-dir"] ?? (args.out !== undefined ? dirname(args.out) : DEFAULT_SECRETS_DIR)
  const secondaries = list(args.secondaries)
  const allow = list(args.allow)
  // dummy-ups files are written with absolute paths: the config will live elsewhere
  const result = await importConfigDir(resolve(args.dir), {
    hostname: args.hostname ?? env.hostname,
    secretsDir,
    ...(secondaries ? { secondaries } : {}),
    ...(allow ? { allow } : {}),
    ...(args["primary-address"] !== undefined ? { primaryAddress: args["primary-address"] } : {}),
    ...(args.upsmon !== undefined ? { upsmonFile: args.upsmon } : {}),
    ...(args.truenas !== undefined ? { trueNasFile: args.truenas } : {}),
    ...(env.fs !== undefined ? { fs: env.fs } : {}),
  })
  const yaml = renderImportYaml(result)
  // what serve would say about it: an importer bug must not reach a file
  parseNutctlConfig(yaml, { file: args.out ?? "imported.yaml" })
  if (args.out === undefined) {
    cli.io.out(yaml)
    report(result, cli)
    if (result.secrets.length > 0) cli.io.err(`Secret files not written (use --out FILE): ${result.secrets.map((s) => s.path).join(", ")}\n`)
    return 0
  }
  const files = [{ path: args.out, text: yaml, mode: 0o640 }, ...result.secrets.map((s) => ({ path: s.path, text: s.value + "\n", mode: 0o600 }))]
  if (args.force !== true) {
    const existing = []
    for (const f of files) if (await env.exists(f.path)) existing.push(f.path)
    if (existing.length > 0) throw new UsageError(`Not replacing ${existing.join(", ")} (--force replaces)`)
  }
  for (const f of files) await env.write(f.path, f.text, f.mode)
  cli.io.err(`Wrote ${args.out}${result.secrets.length > 0 ? ` and ${result.secrets.length} password file(s) (0600): ${result.secrets.map((s) => s.path).join(", ")}` : ""}\n`)
  report(result, cli)
  return 0
}

function report(result: ImportResult, cli: CliEnv): void {
  const c = result.config
  const roles = (c.roles ?? []).map((r) => `${String(r["name"])} (${String(r["role"])}: ${[r["hosts"]].flat().join(", ")})`)
  cli.io.err(`Imported from ${result.source}: ${Object.keys(c.ups ?? {}).length} UPS, ${Object.keys(c.users ?? {}).length} users, roles ${roles.join("; ") || "none"}\n`)
  if (result.notCarried.length > 0) cli.io.err(["Not carried over:", ...result.notCarried.map((l) => `  - ${l}`), ""].join("\n"))
  if (result.notes.length > 0) cli.io.err(["Notes:", ...result.notes.map((l) => `  - ${l}`), ""].join("\n"))
}
