#!/usr/bin/env node
// Builds dist/nutctl: one executable (Bun --compile) of src/main.ts that runs with no node_modules
// beside it. Recipe and measurements: docs/packaging.md.
//
//   npm run build                                   # dist/nutctl, linux x64 (baseline: no AVX2 needed)
//   npm run build -- --target=bun-linux-arm64 --outfile=dist/nutctl-linux-arm64
//   node scripts/build.mjs --entry=test/runtime/hid-probe.ts --outfile=/tmp/x/hid-probe   # smoke test
//
// For a target other than the host Bun downloads that runtime; offline, point BUN_TARGET_EXE at the
// `bin/bun` of `npm pack @oven/bun-linux-aarch64@<same version>` instead.
//
// Bun.build's plugin API is only reachable from the JS API (the CLI has no plugin flag), so under
// Node this file re-runs itself with the project's bun.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const args = parseArgs(process.argv.slice(2))

if (typeof globalThis.Bun === "undefined") {
  const bun = path.join(root, "node_modules", ".bin", "bun")
  if (!existsSync(bun)) fail(`Cannot build: ${bun} is missing (run npm ci first)`)
  const r = spawnSync(bun, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit", cwd: root })
  process.exit(r.status ?? 1)
}

await build()

async function build() {
  const target = args.target ?? "bun-linux-x64-baseline"
  const outfile = path.resolve(root, args.outfile ?? "dist/nutctl")
  const shim = path.join(root, "scripts", "shims", "hid-binding.bun.cjs")
  for (const arch of ["x64", "arm64"]) {
    const addon = path.join(root, "native", `hid_hidraw-linux-${arch}.node`)
    if (!existsSync(addon)) fail(`Cannot build: ${path.relative(root, addon)} is missing (see native/README.md)`)
  }
  mkdirSync(path.dirname(outfile), { recursive: true })

  let aliased = 0
  let hidImported = 0
  const started = performance.now()
  const result = await Bun.build({
    entrypoints: [path.resolve(root, args.entry ?? "src/main.ts")],
    compile: {
      target,
      outfile,
      ...(process.env.BUN_TARGET_EXE ? { executablePath: process.env.BUN_TARGET_EXE } : {}),
    },
    // bytecode cuts `--help` from ~33 ms to ~13 ms. format "esm", not the "cjs" of the research
    // recipe: src/main.ts ends in a top-level await, which a CJS bundle rejects.
    format: "esm",
    bytecode: true,
    minify: true,
    // Embedded in the binary, so stack traces name src/… lines; the .map Bun also writes is removed.
    sourcemap: "linked",
    plugins: [
      {
        name: "embed-node-hid",
        setup(b) {
          // node-hid resolves its addon through pkg-prebuilds at run time (probing files on disk);
          // the shim requires literal paths so Bun embeds them.
          b.onResolve({ filter: /^pkg-prebuilds\/bindings$/ }, () => {
            aliased++
            return { path: shim }
          })
          // Only observes (returns nothing, so normal resolution continues).
          b.onResolve({ filter: /^node-hid$/ }, () => {
            hidImported++
            return undefined
          })
        },
      },
    ],
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    fail("Cannot build: bun build failed")
  }
  rmSync(`${outfile}.map`, { force: true })
  if (aliased === 0 && hidImported > 0) {
    rmSync(outfile, { force: true })
    fail("Cannot build: node-hid no longer loads its addon via pkg-prebuilds/bindings, so the addon would not be embedded; update scripts/shims/hid-binding.bun.cjs")
  }
  if (hidImported === 0) {
    // Until src/hid/ imports node-hid there is nothing to embed; say so instead of failing.
    console.warn("WARNING: nothing in src/ imports node-hid yet, so this binary has no USB HID support")
  }
  const mib = (statSync(outfile).size / 1024 / 1024).toFixed(1)
  const ms = Math.round(performance.now() - started)
  console.log(`built ${path.relative(root, outfile)} (${target}, ${mib} MiB) in ${ms} ms`)
}

function parseArgs(argv) {
  const out = {}
  for (const a of argv) {
    const m = /^--(target|outfile|entry)=(.+)$/.exec(a)
    if (!m) fail(`Cannot build: unknown argument ${a} (expected --target=…, --outfile=… or --entry=…)`)
    out[m[1]] = m[2]
  }
  return out
}

function fail(message) {
  console.error(message)
  process.exit(1)
}
