import assert from "node:assert/strict"
import { test } from "node:test"
import { z } from "zod"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { ExecutorConfigError, ExecutorDefinitionError, configureExecutor, defineExecutor, planExecutor, probeExecutor, type ExecutorContext, type ProbeContext, type Step } from "./index.ts"

const noop: Step = { id: "noop", description: "Nothing", timeoutMs: 1000, run: async () => {} }

function ctx<C>(config: C): ExecutorContext<C> {
  const log = { debug() {}, info() {}, warn() {}, error() {} }
  return { config, host: "pve-1", clock: new ManualClock(), log, signal: new AbortController().signal, dryRun: false }
}

test("defineExecutor() refuses a name that is not kebab-case, a config that is no schema, a missing plan", () => {
  const schema = z.object({})
  assert.throws(() => defineExecutor({ name: "Proxmox", config: schema, plan: () => [] }), (e: unknown) => e instanceof ExecutorDefinitionError && e.code === "EXECUTOR_INVALID")
  assert.throws(() => defineExecutor({ name: "x", config: {} as typeof schema, plan: () => [] }), /Standard Schema/)
  assert.throws(() => defineExecutor({ name: "x", config: schema, plan: undefined as never }), /plan must be a function/)
  assert.equal(defineExecutor({ name: "truenas-ws", config: schema, plan: () => [] }).name, "truenas-ws")
})

test("configureExecutor() names the source, each key and what is wrong", async () => {
  const executor = defineExecutor({ name: "demo", config: z.object({ url: z.string(), hosts: z.array(z.number()) }), plan: () => [] })
  assert.deepEqual(await configureExecutor(executor, { url: "x", hosts: [1] }, "test"), { url: "x", hosts: [1] })
  await assert.rejects(configureExecutor(executor, { hosts: [1, "two"] }, "nutctl.yaml executors.demo"), (e: unknown) => {
    assert.ok(e instanceof ExecutorConfigError)
    assert.equal(e.code, "EXECUTOR_CONFIG_INVALID")
    assert.deepEqual(e.issues.map((i) => i.key), ["url", "hosts[1]"])
    assert.match(e.message, /^Cannot configure executor demo from nutctl\.yaml executors\.demo: url: /)
    return true
  })
})

test("planExecutor() rejects duplicate step ids and steps without a timeout", async () => {
  const make = (steps: Step[]) => defineExecutor({ name: "demo", config: z.object({}), plan: () => steps })
  assert.deepEqual(await planExecutor(make([noop]), ctx({})), [noop])
  await assert.rejects(planExecutor(make([noop, noop]), ctx({})), /step id noop appears twice/)
  await assert.rejects(planExecutor(make([{ ...noop, timeoutMs: 0 }]), ctx({})), (e: unknown) => e instanceof ExecutorDefinitionError && e.code === "PLAN_INVALID")
})

function probeCtx<C>(config: C): ProbeContext<C> {
  const log = { debug() {}, info() {}, warn() {}, error() {} }
  return { config, host: "pve-1", clock: new ManualClock(), log, findProgram: async () => undefined }
}

test("probeExecutor() passes a probe's answer on as one line, and turns a throw or a malformed answer into critical", async () => {
  const signal = new AbortController().signal
  const plain = defineExecutor({ name: "demo", config: z.object({}), plan: () => [] })
  assert.equal(await probeExecutor(plain, probeCtx({}), signal), undefined)
  const ok = defineExecutor({ name: "demo", config: z.object({}), plan: () => [], probe: async () => ({ state: "warning", text: "API down;\n  fallback ready" }) })
  assert.deepEqual(await probeExecutor(ok, probeCtx({}), signal), { state: "warning", text: "API down; fallback ready" })
  const throws = defineExecutor({ name: "demo", config: z.object({}), plan: () => [], probe: async () => Promise.reject(new Error("boom")) })
  assert.deepEqual(await probeExecutor(throws, probeCtx({}), signal), { state: "critical", text: "the probe failed: boom" })
  const odd = defineExecutor({ name: "demo", config: z.object({}), plan: () => [], probe: async () => ({ state: "fine" }) as never })
  assert.equal((await probeExecutor(odd, probeCtx({}), signal))?.state, "critical")
  assert.throws(() => defineExecutor({ name: "x", config: z.object({}), plan: () => [], probe: 1 as never }), /probe must be a function/)
})
