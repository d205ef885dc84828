/**
 * `nutctl config import` from the command line: files and modes with --out, and the round trip
 * on the wire: nutctl serving the imported config answers LIST UPS / LIST VAR / GET exactly as
 * nutctl serving the original NUT directory does.
 */
import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { runCommand } from "citty"
import { createConsola } from "consola"
import { buildServeSetup, loadNutConfigDir, loadNutctlConfig, nodeConfigFs, type ServeSetup } from "../config/index.ts"
import { fixturePath } from "../../test/support/fixture.ts"
import { LineClient } from "../../test/support/line-client.ts"
import { eventually } from "../../test/support/eventually.ts"
import configImport from "./_install-import.ts"
import { startUpsd, type RunningUpsd } from "./_upsd.ts"

const SANDBOX = fixturePath("nut-wire/sandbox-etc")
const dirs: string[] = []
const running: RunningUpsd[] = []
after(async () => {
  for (const r of running) await r.stop()
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))
})

async function runImport(args: string[]): Promise<{ code: unknown; out: string; err: string }> {
  let out = ""
  let err = ""
  const { result } = await runCommand(configImport, { rawArgs: args, data: { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, env: {}, hostname: "nas" } })
  process.exitCode = undefined
  return { code: result, out, err }
}

test("config import DIR prints the YAML and reports on stderr; --out writes it 0640 with 0600 password files", async () => {
  const printed = await runImport([SANDBOX, "--upsmon", "upsmon-primary.conf"])
  assert.equal(printed.code, 0, printed.err)
  assert.match(printed.out, /^# nutctl cluster config, imported by `nutctl config import`/)
  assert.doesNotMatch(printed.out, /pripass|adminpass/, "no password in the YAML")
  assert.match(printed.err, /^Imported from .*sandbox-etc: 4 UPS, 4 users, roles primary \(primary: nas\)$/m)
  assert.match(printed.err, /Secret files not written \(use --out FILE\): \/etc\/nutctl\/admin\.pw/)

  const dir = mkdtempSync(join(tmpdir(), "nutctl-import-"))
  dirs.push(dir)
  const out = join(dir, "nutctl.yaml")
  const r = await runImport([SANDBOX, "--upsmon", "upsmon-primary.conf", "--out", out])
  assert.equal(r.code, 0, r.err)
  assert.equal(statSync(out).mode & 0o777, 0o640)
  assert.equal(statSync(join(dir, "admin.pw")).mode & 0o777, 0o600)
  assert.equal(readFileSync(join(dir, "setonly.pw"), "utf8"), "pass words\n")
  assert.match(readFileSync(out, "utf8"), new RegExp(`file: ${dir}/monpri\\.pw`))
  const again = await runImport([SANDBOX, "--out", out])
  assert.equal(again.code, 2)
  assert.match(again.err, /Not replacing .*nutctl\.yaml.*\(--force replaces\)/)
  assert.equal((await runImport([SANDBOX, "--out", out, "--force"])).code, 0)
})

test("config import: a directory that is not a NUT config is an error naming the file", async () => {
  const r = await runImport(["/nonexistent/nut"])
  assert.equal(r.code, 1)
  assert.match(r.err, /error: .*\/nonexistent\/nut\/ups\.conf/)
})

/** Serve a setup on a free loopback port and wait until the UPSes with a working driver are up. */
async function serve(setup: ServeSetup): Promise<number> {
  const upsd = await startUpsd({ ...setup, server: { ...setup.server, listen: [{ host: "127.0.0.1", port: 0 }] } }, createConsola({ level: 0 }))
  running.push(upsd)
  await eventually(() => upsd.ups.find((u) => u.name === "crit")?.state.availability() === "ok", "crit's driver")
  return upsd.addresses[0]?.port ?? 0
}

test("config import round trip: the imported config serves the same NUT data as the original directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-import-"))
  dirs.push(dir)
  const out = join(dir, "nutctl.yaml")
  assert.equal((await runImport([SANDBOX, "--upsmon", "upsmon-primary.conf", "--out", out])).code, 0)
  const loaded = await loadNutctlConfig(out)
  const imported = await buildServeSetup(loaded, { env: () => undefined, fs: nodeConfigFs })
  const original = (await loadNutConfigDir(SANDBOX)).setup
  const [a, b] = [await serve(original), await serve(imported)]
  const ask = async (port: number): Promise<Array<string | undefined>> => {
    const c = await LineClient.open(port)
    try {
      const answers: Array<string | undefined> = []
      for (const line of ["LIST UPS", "LIST VAR crit", "LIST CMD crit", "LIST RW crit"]) answers.push(...(await c.list(line)))
      for (const line of ["GET UPSDESC bvk", "GET VAR bvk ups.status", "GET VAR nodrv ups.status", "GET VAR crit battery.charge"]) answers.push(await c.request(line))
      // the imported users and their rights: setonly may not FSD, admin may
      for (const line of ["USERNAME setonly", 'PASSWORD "pass words"', "FSD crit"]) answers.push(await c.request(line))
      return answers
    } finally {
      c.close()
    }
  }
  // the one spelling that differs: dummy-ups files are written with absolute paths (the cluster
  // config lives in /etc/nutctl, not beside them), and the driver publishes its port as given
  const absolute = (answers: Array<string | undefined>) => answers.map((l) => l?.replace(/^(VAR crit driver\.parameter\.port) "crit\.dev"$/, `$1 "${SANDBOX}/crit.dev"`))
  assert.deepEqual(await ask(b), absolute(await ask(a)))
})
