#!/usr/bin/env node
// Layer check (README "Architecture"): fails when an import in src/ or plugins/ goes against
// the allowed direction, reaches into another folder other than through its index.ts, or closes an
// import cycle. Tests (*.test.ts) are not checked: they may reach across layers to set things up.
//
//   node scripts/check-layers.mjs        (npm run check:layers)
//
// Imports are found with regexes, not a parser: static `import … from "x"` / `export … from "x"` /
// `import "x"` statements that start a line or follow a `;`, and `import("x")` anywhere outside a
// comment line. Both value and `import type` imports count, since a type import still couples the
// folders.
import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

// ----- The allowed edges -----
//
// Units: a top-level folder of src/ (`server`), a file at the top of src/ (`main.ts`, `version.ts`),
// or one plugin folder (`plugins/*` stands for each of them). A unit may always import its own files.
// `cli → (server | monitor | http) → (drivers | client) → (hid | protocol) → ups`, read as "may import
// anything further down":
//
// | unit         | may import                                                                        |
// | ------------ | --------------------------------------------------------------------------------- |
// | main.ts      | cli (and version.ts)                                                              |
// | cli          | everything in src/ except main.ts, plus plugins/* (to register built-in executors)|
// | config       | server, monitor, http, shutdown, store, drivers, client, hid, protocol, ups       |
// |              | (it builds their settings; e.g. ServerSettings/UserRecord from server/index.ts)   |
// | server       | store, drivers, client, hid, protocol, ups                                        |
// | monitor      | shutdown, store, drivers, client, hid, protocol, ups                              |
// | http         | shutdown, store, drivers, client, hid, protocol, ups                              |
// | shutdown     | store, ups                                                                        |
// | store        | ups                                                                               |
// | drivers      | client (the upstream driver mirrors a remote upsd), hid, protocol, ups            |
// | client       | protocol, ups                                                                     |
// | hid          | ups                                                                               |
// | protocol     | ups                                                                               |
// | ups          | –                                                                                 |
// | plugins/*    | shutdown (the executor API) only; npm packages (their client library) are fine   |
//
// Every src/ unit may also import version.ts (a constant). Nothing imports cli/ but main.ts, which
// may import cli/<command>.ts directly; every other cross-folder import goes through index.ts.
// node: builtins and npm packages are not checked. src/ never imports test/, bench/ or scripts/.
const BELOW_SERVER = ["store", "drivers", "client", "hid", "protocol", "ups"]
const ALLOWED = {
  "main.ts": ["cli"],
  cli: ["config", "server", "monitor", "http", "shutdown", "store", "drivers", "client", "hid", "protocol", "ups", "plugins/*"],
  config: ["server", "monitor", "http", "shutdown", ...BELOW_SERVER],
  server: BELOW_SERVER,
  monitor: ["shutdown", ...BELOW_SERVER],
  http: ["shutdown", ...BELOW_SERVER],
  shutdown: ["store", "ups"],
  store: ["ups"],
  drivers: ["client", "hid", "protocol", "ups"],
  client: ["protocol", "ups"],
  hid: ["ups"],
  protocol: ["ups"],
  ups: [],
  "version.ts": [],
  "plugins/*": ["shutdown"],
}
const EVERYONE_IN_SRC = ["version.ts"]
// Imports that may skip index.ts: main.ts lazy-loads one cli/<command>.ts per subcommand (citty's
// `subCommands: { x: () => import("./cli/x.ts") }`), so `--help` does not load every command.
const DEEP_IMPORTS = { "main.ts": ["cli"] }
// Single files another unit may import directly: the config loader embeds the `http:` schema, and
// http/index.ts would load the whole HTTP server (hono, prom-client, the dashboard) with every config.
const DEEP_FILES = { config: ["src/http/config.ts"] }

// ----- Scan -----

const files = [...walk(path.join(root, "src")), ...walk(path.join(root, "plugins"))]
const problems = []
const graph = new Map() // file → files it imports (relative imports only)

for (const file of files) {
  const from = unitOf(file)
  if (from === undefined) {
    problems.push(`${rel(file)}: not in any unit of scripts/check-layers.mjs's table (add it there)`)
    continue
  }
  const edges = []
  for (const { spec, line } of importsOf(readFileSync(file, "utf8"))) {
    if (!spec.startsWith(".")) continue // node: builtins and npm packages
    const target = path.resolve(path.dirname(file), spec)
    edges.push(target)
    const where = `${rel(file)}:${line}: imports ${spec}`
    const to = unitOf(target)
    if (to === undefined) {
      problems.push(`${where}: not a unit of the layer table (src/ and plugins/ never import test/, bench/ or scripts/)`)
      continue
    }
    if (to === from) continue
    const allowed = [...ALLOWED[pattern(from)], ...(from.startsWith("plugins/") ? [] : EVERYONE_IN_SRC)]
    if (!allowed.includes(pattern(to))) {
      problems.push(`${where}: ${from} → ${to} goes against the layers (${from} may import: ${allowed.join(", ") || "nothing"})`)
    } else if (!to.endsWith(".ts") && target !== path.join(unitDir(to), "index.ts") && !DEEP_IMPORTS[from]?.includes(to) && !DEEP_FILES[from]?.includes(rel(target))) {
      problems.push(`${where}: reaches into ${to}/ (import its index.ts instead)`)
    }
  }
  graph.set(file, edges)
}

for (const cycle of findCycles(graph)) problems.push(`import cycle: ${cycle.map(rel).join(" → ")}`)

if (problems.length > 0) {
  for (const p of problems) console.error(p)
  console.error(`check-layers: ${problems.length} problem(s) in ${files.length} files (rules: scripts/check-layers.mjs)`)
  process.exit(1)
}
console.log(`check-layers: ok (${files.length} files)`)

// ----- Helpers -----

/** The unit a path belongs to, or undefined when the table does not know it. */
function unitOf(file) {
  const r = path.relative(root, file).split(path.sep)
  if (r[0] === "src") return r[1] !== undefined && r[1] in ALLOWED ? r[1] : undefined
  if (r[0] === "plugins" && r.length >= 3) return `plugins/${r[1]}`
  return undefined
}

/** Table key of a unit (`plugins/proxmox` → `plugins/*`). */
function pattern(unit) {
  return unit.startsWith("plugins/") ? "plugins/*" : unit
}

function unitDir(unit) {
  return unit.startsWith("plugins/") ? path.join(root, unit) : path.join(root, "src", unit)
}

/** Import specifiers with their line numbers. */
function importsOf(source) {
  const found = []
  const lineAt = (index) => source.slice(0, index).split("\n").length
  // Any `from "x"` reached without crossing a quote or `;` belongs to the statement that starts there.
  const staticRe = /(?:^|;)[ \t]*(?:import|export)\b[^;"'`]*?\bfrom[ \t]*["']([^"']+)["']/gm
  const bareRe = /(?:^|;)[ \t]*import[ \t]*["']([^"']+)["']/gm
  const dynamicRe = /\bimport\(\s*["']([^"']+)["']\s*\)/g
  for (const re of [staticRe, bareRe]) {
    for (const m of source.matchAll(re)) found.push({ spec: m[1], line: lineAt(m.index) })
  }
  for (const m of source.matchAll(dynamicRe)) {
    const lineStart = source.lastIndexOf("\n", m.index) + 1
    const prefix = source.slice(lineStart, m.index).trimStart()
    if (prefix.startsWith("//") || prefix.startsWith("*") || prefix.startsWith("/*")) continue
    found.push({ spec: m[1], line: lineAt(m.index) })
  }
  return found
}

/** Each strongly connected component with more than one file (or a self-import), as a path. */
function findCycles(g) {
  let next = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const cycles = []
  const visit = (v) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
    }
    if (low.get(v) !== index.get(v)) return
    const scc = []
    let w
    do {
      w = stack.pop()
      onStack.delete(w)
      scc.push(w)
    } while (w !== v)
    if (scc.length > 1 || (g.get(v) ?? []).includes(v)) cycles.push(pathThrough(g, new Set(scc), v))
  }
  for (const v of g.keys()) if (!index.has(v)) visit(v)
  return cycles
}

/** A concrete cycle v → … → v inside one component, for the error message. */
function pathThrough(g, scc, v) {
  const prev = new Map([[v, undefined]])
  const queue = [v]
  while (queue.length > 0) {
    const u = queue.shift()
    for (const w of g.get(u) ?? []) {
      if (w === v) {
        const chain = [v]
        for (let x = u; x !== v; x = prev.get(x)) chain.splice(1, 0, x)
        return [...chain, v]
      }
      if (scc.has(w) && !prev.has(w)) {
        prev.set(w, u)
        queue.push(w)
      }
    }
  }
  return [...scc]
}

function* walk(dir) {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== "node_modules") yield* walk(full)
    } else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) yield full
  }
}

function rel(file) {
  return path.relative(root, file)
}
