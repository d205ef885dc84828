#!/usr/bin/env node
// npm test: every *.test.ts under src/, plugins/, test/ and bench/ (not test/fixtures), run by Node's test
// runner through tsx (Node 20 has no type stripping; tsx is what works on 20, 22 and 24 alike).
//
//   npm test                                  # everything
//   npm test -- src/protocol test/interop     # only test files under these paths (or these files)
//   npm test -- --test-name-pattern=Tokenizer # other --flags go to node as they are
//
// TEST_CONCURRENCY: test files run at once (default: the number of CPUs, at least 2; test files
// mostly wait on sockets and child processes, and tsx start-up is the CPU part).
// TEST_WATCHDOG_MS: ends a run that hangs (default 15 min).
import { spawn } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { availableParallelism } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const ROOTS = ["src", "plugins", "test", "bench"]
const SKIP_DIRS = new Set(["node_modules", "fixtures", "dist", ".cache"])
// A test file that leaves a server or timer running keeps its child process (and the run) alive
// forever; the watchdog turns that into a failure CI can read.
const WATCHDOG_MS = Number(process.env.TEST_WATCHDOG_MS ?? 15 * 60_000)
const PER_TEST_TIMEOUT_MS = 120_000

const filters = []
const nodeFlags = []
for (const arg of process.argv.slice(2)) (arg.startsWith("-") ? nodeFlags : filters).push(arg)

const all = ROOTS.flatMap((dir) => findTests(path.join(root, dir))).sort()
// npm runs scripts from the package root; INIT_CWD is where `npm test -- <path>` was typed.
const base = process.env.INIT_CWD ?? process.cwd()
const files = filters.length === 0 ? all : all.filter((f) => filters.some((p) => isUnder(f, path.resolve(base, p))))
if (files.length === 0) {
  console.error(filters.length === 0 ? "No *.test.ts files found" : `No *.test.ts files under ${filters.join(", ")}`)
  process.exit(1)
}

const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()))
const args = [
  "--import", "tsx",
  "--test",
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${PER_TEST_TIMEOUT_MS}`,
  "--test-reporter=spec",
  ...nodeFlags,
  ...files.map((f) => path.relative(root, f)),
]
console.log(`running ${files.length} test file(s), ${concurrency} at a time`)
const child = spawn(process.execPath, args, { cwd: root, stdio: "inherit", detached: true })
const watchdog = setTimeout(() => {
  console.error(`Test run exceeded ${Math.round(WATCHDOG_MS / 1000)} s (TEST_WATCHDOG_MS): a test file probably left a server, child process or timer running`)
  killGroup("SIGKILL")
  process.exit(1)
}, WATCHDOG_MS)
watchdog.unref()
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => killGroup(sig))
child.on("exit", (code, signal) => {
  clearTimeout(watchdog)
  process.exit(code ?? (signal ? 1 : 0))
})

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return []
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...findTests(full))
    } else if (entry.isFile() && entry.name.endsWith(".test.ts")) {
      out.push(full)
    }
  }
  return out
}

function isUnder(file, filter) {
  if (file === filter) return true
  return existsSync(filter) && statSync(filter).isDirectory() && file.startsWith(filter + path.sep)
}
