/** The command executor's probe looks programs up and never runs anything. */
import assert from "node:assert/strict"
import { test } from "node:test"
import { systemClock } from "../../src/monitor/index.ts"
import { configureExecutor, probeExecutor, type ProbeContext, type ProgramLookup } from "../../src/shutdown/index.ts"
import command from "./index.ts"
import { leadingWords } from "./probe.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** A file system of programs: path → executable; PATH is /usr/sbin then /usr/bin. */
function programs(files: Record<string, boolean>): { looked: string[]; findProgram: (name: string) => Promise<ProgramLookup | undefined> } {
  const looked: string[] = []
  return {
    looked,
    findProgram: async (name) => {
      looked.push(name)
      const candidates = name.includes("/") ? [name] : [`/usr/sbin/${name}`, `/usr/bin/${name}`]
      const path = candidates.find((p) => p in files)
      return path === undefined ? undefined : { path, executable: files[path] === true }
    },
  }
}

async function probe(raw: Record<string, unknown>, files: Record<string, boolean>) {
  const config = await configureExecutor(command, raw, "test")
  const fs = programs(files)
  const ctx: ProbeContext<typeof config> = { config, host: "pve-1", clock: systemClock, log: quiet, findProgram: fs.findProgram }
  return { result: await probeExecutor(command, ctx, new AbortController().signal), looked: fs.looked }
}

const SH = { "/bin/sh": true }

test("command probe: the program is there and executable (OK), and nothing was run", async () => {
  const r = await probe({ command: "/sbin/shutdown -h +0" }, { ...SH, "/sbin/shutdown": true })
  assert.deepEqual(r.result, { state: "ok", text: "/sbin/shutdown is there and executable (not run)" })
  assert.deepEqual(r.looked, ["/bin/sh", "/sbin/shutdown"])
  const viaPath = await probe({ command: "LC_ALL=C exec systemctl poweroff" }, { ...SH, "/usr/bin/systemctl": true })
  assert.deepEqual(viaPath.result, { state: "ok", text: "/usr/bin/systemctl is there and executable (not run)" })
})

test("command probe: a missing program, a file that is not executable and a missing shell are CRITICAL", async () => {
  assert.deepEqual((await probe({ command: "/sbin/shutdwn -h +0" }, SH)).result, { state: "critical", text: "/sbin/shutdwn not found: the shutdown command would fail" })
  assert.deepEqual((await probe({ command: "poweroff-ups now" }, SH)).result, { state: "critical", text: "poweroff-ups not found in PATH or the sbin directories: the shutdown command would fail" })
  assert.deepEqual((await probe({ command: "'/opt/ups scripts/off.sh' now" }, { ...SH, "/opt/ups scripts/off.sh": false })).result, {
    state: "critical",
    text: "/opt/ups scripts/off.sh is not executable: the shutdown command would fail",
  })
  assert.deepEqual((await probe({ command: "/sbin/shutdown -h +0", shell: "/bin/zsh" }, { "/sbin/shutdown": true })).result, { state: "critical", text: "the shell /bin/zsh does not exist" })
})

test("command probe: builtins need no file; a line starting with an expansion is not checked", async () => {
  assert.deepEqual((await probe({ command: "echo primary >> /tmp/marker" }, SH)).result, { state: "ok", text: "echo is a builtin of /bin/sh" })
  assert.equal((await probe({ command: "$SHUTDOWN_CMD -h now" }, SH)).result?.state, "ok")
  assert.match((await probe({ command: "$SHUTDOWN_CMD -h now" }, SH)).result?.text ?? "", /not checked/)
})

test("leadingWords() undoes quotes and stops at expansions and operators", () => {
  assert.deepEqual(leadingWords(`FOO="a b" /usr/bin/x 'y z';rm -rf /`), ["FOO=a b", "/usr/bin/x", "y z"])
  assert.deepEqual(leadingWords("a\\ b c"), ["a b", "c"])
  assert.equal(leadingWords("$(which shutdown) -h now"), undefined)
  assert.deepEqual(leadingWords("sudo -n $CMD"), ["sudo", "-n"])
})
