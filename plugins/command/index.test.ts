/** The command executor runs SHUTDOWNCMD through /bin/sh (here: a marker file in a temp dir, never a real shutdown). */
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { systemClock as systemClockForTests } from "../../src/monitor/index.ts"
import { configureExecutor, planExecutor, runSteps, type ExecutorContext } from "../../src/shutdown/index.ts"
import command from "./index.ts"

const dir = mkdtempSync(join(tmpdir(), "nutctl-command-"))
after(() => rmSync(dir, { recursive: true, force: true }))

async function plan(raw: unknown, options: { dryRun?: boolean } = {}) {
  const lines: string[] = []
  const config = await configureExecutor(command, raw, "test")
  const log = { debug: (m: string) => void lines.push(m), info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) }
  const ctx: ExecutorContext<typeof config> = { config, host: "test", clock: systemClockForTests, log, signal: new AbortController().signal, dryRun: options.dryRun === true }
  return { steps: await planExecutor(command, ctx), lines }
}

test("command executor runs the line through /bin/sh -c, with the process environment", async () => {
  const marker = join(dir, "ran")
  const { steps, lines } = await plan({ command: `echo "$HOME" > '${marker}'; echo done` })
  assert.deepEqual(steps.map((s) => [s.id, s.pointOfNoReturn]), [["shutdowncmd", true]])
  const [outcome] = await runSteps("command", steps, { clock: systemClockForTests })
  assert.equal(outcome?.ok, true)
  assert.equal(readFileSync(marker, "utf8").trim(), process.env.HOME)
  assert.ok(lines.includes("done"), "its output reaches the log")
})

test("command executor fails on a non-zero exit status", async () => {
  const { steps } = await plan({ command: "exit 3" })
  const [outcome] = await runSteps("command", steps, { clock: systemClockForTests })
  assert.equal(outcome?.ok, false)
  assert.match(outcome?.error?.message ?? "", /Cannot run shutdown command "exit 3": exit status 3/)
})

test("command executor kills the command's whole process group at its timeout", async () => {
  const marker = join(dir, "late")
  const { steps } = await plan({ command: `sleep 20; touch '${marker}'`, timeout: "300ms" })
  const [outcome] = await runSteps("command", steps, { clock: systemClockForTests })
  assert.equal(outcome?.error?.code, "STEP_TIMEOUT")
  assert.equal(existsSync(marker), false)
})

test("command executor in a dry run only logs what it would run", async () => {
  const marker = join(dir, "dry")
  const { steps, lines } = await plan({ command: `touch '${marker}'` }, { dryRun: true })
  await runSteps("command", steps, { clock: systemClockForTests })
  assert.equal(existsSync(marker), false)
  assert.deepEqual(lines, [`Dry run: would run /bin/sh -c "touch '${marker}'"`])
})
