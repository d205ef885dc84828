/**
 * `nutctl status` as a person sees it: run in a real terminal (tmux, 100×30) against the simulated
 * BX1600MI served in-process, and read the screen back. A summary in words, not a variable dump,
 * and nothing wider than the terminal.
 */
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { test } from "node:test"
import { createConsola } from "consola"
import { demoSetup, startUpsd } from "../../src/cli/_upsd.ts"
import { eventually } from "../support/eventually.ts"

const ROOT = fileURLToPath(new URL("../..", import.meta.url))
const hasTmux = spawnSync("tmux", ["-V"]).status === 0
const WIDTH = 100

test("nutctl status in a terminal: a summary in words, no raw variable dump", { skip: hasTmux ? false : "tmux is missing (apt-get install -y tmux)" }, async () => {
  const upsd = await startUpsd(demoSetup([{ host: "127.0.0.1", port: 0 }]), createConsola({ level: 0 }))
  // a private tmux server: nothing of the user's sessions is touched, and kill-server ends only it
  const socket = `nutctl-test-${process.pid}`
  const tmux = (...args: string[]) => spawnSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" })
  try {
    await eventually(() => upsd.ups[0]?.state.availability() === "ok", "the simulated UPS")
    const port = upsd.addresses[0]?.port
    const command = `${process.execPath} --import tsx src/main.ts status bx1600mi@127.0.0.1:${port}; echo "[exit $?]"; exec cat`
    const started = tmux("new-session", "-d", "-s", "status", "-x", String(WIDTH), "-y", "30", "-c", ROOT, command)
    assert.equal(started.status, 0, started.stderr)
    const screen = await eventually(
      () => {
        const shot = tmux("capture-pane", "-p", "-t", "status").stdout
        return /\[exit \d+\]/.test(shot) ? shot : undefined
      },
      "nutctl status to finish in the terminal",
      { timeoutMs: 30_000, seen: () => tmux("capture-pane", "-p", "-t", "status").stdout },
    )
    const lines = screen.split("\n").filter((l) => l.trim() !== "" && !/npm warn/.test(l))
    assert.match(screen, /\[exit 0\]/)
    assert.equal(lines[0], `bx1600mi@127.0.0.1:${port} (APC Back-UPS BX1600MI (simulated))`)
    assert.match(screen, /^ {2}Status: +On line \[OL\]$/m)
    assert.match(screen, /^ {2}Battery charge: +100 %$/m)
    assert.match(screen, /^ {2}Runtime: +\d+ min \(\d+ s\)$/m)
    assert.match(screen, /^ {2}Model: +American Power Conversion Back-UPS BX1600MI/m)
    assert.doesNotMatch(screen, /^\s*[a-z]+(\.[a-z]+)+: /m, "no `battery.charge: 100` style dump")
    // tmux wraps long lines onto the next row: every row must be a whole line of its own
    const joined = tmux("capture-pane", "-p", "-J", "-t", "status").stdout
    assert.equal(joined, screen, "no line wider than the terminal")
  } finally {
    tmux("kill-server")
    await upsd.stop()
  }
})
