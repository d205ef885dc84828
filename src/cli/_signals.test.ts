import assert from "node:assert/strict"
import { test } from "node:test"
import { catchSighup, onSighup } from "./_signals.ts"

const quiet = { error() {} }
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10))

test("a SIGHUP during start-up is kept and reloads once the reload is there; reloads run one at a time; none after the unsubscribe", async () => {
  catchSighup()
  // a real signal before any reload (the command is still starting): without catchSighup() it ends
  // this process. Its delivery is asynchronous, so wait for it rather than for a fixed time (a slow
  // machine delivered it after the reload was registered). A second one at start-up is still one reload.
  // (signal handles do not keep the event loop alive: a timer does, until the signal is in)
  const keepAlive = setInterval(() => {}, 1000)
  const delivered = new Promise<void>((r) => process.once("SIGHUP", () => r()))
  process.kill(process.pid, "SIGHUP")
  await delivered
  clearInterval(keepAlive)
  process.emit("SIGHUP", "SIGHUP")
  const runs: string[] = []
  let release!: () => void
  const slow = new Promise<void>((r) => (release = r))
  const stop = onSighup(async () => {
    runs.push(`start ${runs.length}`)
    if (runs.length === 1) await slow
    runs.push("end")
  }, quiet)
  await tick()
  assert.deepEqual(runs, ["start 0"], "the kept SIGHUP runs at once")
  process.emit("SIGHUP", "SIGHUP")
  await tick()
  assert.deepEqual(runs, ["start 0"], "the next waits for the running one")
  release()
  await tick()
  assert.deepEqual(runs, ["start 0", "end", "start 2", "end"])
  stop()
  process.emit("SIGHUP", "SIGHUP")
  await tick()
  assert.equal(runs.length, 4, "stopping: a SIGHUP is ignored, and the process is not ended by it")
})

test("a reload that throws is logged and does not stop the next one", async () => {
  const errors: string[] = []
  let n = 0
  const stop = onSighup(async () => {
    n++
    if (n === 1) throw new Error("broken file")
  }, { error: (m) => errors.push(m) })
  process.emit("SIGHUP", "SIGHUP")
  process.emit("SIGHUP", "SIGHUP")
  await tick()
  assert.equal(n, 2)
  assert.deepEqual(errors, ["Reload failed (broken file): still running the previous configuration"])
  stop()
})
