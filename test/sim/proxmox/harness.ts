/**
 * Test harness for the proxmox executor against the simulator: a SimClock driving both, the
 * executor's real node transport counted by the clock, a fake command runner that only records
 * (no test may run `qm`, `pct` or `shutdown` for real), and a memory store for the HA record.
 */
import { createProxmoxExecutor, createMemoryStore, createNodeTransport, type CommandResult, type CommandRunner, type GuestOutcome, type ProxmoxConfig, type ProxmoxDeps, type StateStore, type TlsTrust } from "../../../plugins/proxmox/index.ts"
import { configureExecutor, planExecutor, runSteps, type ExecutorContext, type Step, type StepOutcome } from "../../../src/shutdown/index.ts"
import { SIM_TOKEN } from "./scenario.ts"
import { ProxmoxSim, type SimTls } from "./server.ts"
import { SimClock } from "./sim-clock.ts"
import type { ClusterSpec } from "./types.ts"

/** A command runner that records argv and answers from a table (never executes anything). */
export class FakeRunner implements CommandRunner {
  readonly calls: string[][] = []
  answer: (argv: readonly string[]) => CommandResult = () => ({ code: 0, stdout: "", stderr: "" })
  async run(argv: readonly string[]): Promise<CommandResult> {
    this.calls.push([...argv])
    return this.answer(argv)
  }
  /** Calls as command lines. */
  get lines(): string[] {
    return this.calls.map((c) => c.join(" "))
  }
}

/**
 * Make the fake runner answer like `qm`/`pct`/`ha-manager` on `node` of the simulated cluster:
 * lists and configs from the simulator's state, shutdowns take effect there (at once), and
 * `shutdown -h now` is only recorded.
 */
export function runnerActsOn(runner: FakeRunner, sim: ProxmoxSim, node: string): void {
  const c = sim.cluster
  const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" })
  runner.answer = (argv) => {
    const [cmd, sub, id] = argv
    const local = [...c.guests.values()].filter((g) => g.node === node)
    if ((cmd === "qm" || cmd === "pct") && sub === "list") {
      const type = cmd === "qm" ? "qemu" : "lxc"
      const rows = local.filter((g) => g.type === type)
      return ok(
        cmd === "qm"
          ? ["      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID", ...rows.map((g) => `       ${g.vmid} ${g.name.padEnd(20)} ${g.status.padEnd(10)} 4096       32.00 ${g.status === "stopped" ? 0 : 10_000 + g.vmid}`)].join("\n")
          : ["VMID       Status     Lock         Name", ...rows.map((g) => `${g.vmid}        ${g.status.padEnd(10)} ${(g.lock ?? "").padEnd(12)} ${g.name}`)].join("\n"),
      )
    }
    const g = c.guests.get(Number(id))
    if ((cmd === "qm" || cmd === "pct") && sub === "config" && g) {
      return ok([`name: ${g.name}`, g.startup ? `startup: ${g.startup}` : "", g.template ? "template: 1" : "", g.lock ? `lock: ${g.lock}` : ""].filter((l) => l !== "").join("\n"))
    }
    if ((cmd === "qm" || cmd === "pct") && (sub === "shutdown" || sub === "stop") && g) {
      if (g.type === "lxc" && g.status === "stopped") return { code: 255, stdout: "", stderr: `CT ${g.vmid} not running` }
      c.stopGuest(g, `local-${sub}`)
      return ok()
    }
    return ok()
  }
}

export interface HarnessOptions {
  readonly tls?: SimTls
  /** What the executor trusts (default: nothing, plain HTTP). */
  readonly trust?: TlsTrust
  /** Learned guest durations for the executor. */
  readonly estimate?: (vmid: number) => number | undefined
}

/** A simulator plus everything the executor needs, on one virtual clock. */
export class ProxmoxHarness {
  readonly sim: ProxmoxSim
  readonly clock: SimClock
  readonly runner = new FakeRunner()
  readonly store: StateStore = createMemoryStore()
  readonly logs: string[] = []
  readonly outcomes: GuestOutcome[] = []
  /** What the executor was given (restore tests pass the same). */
  readonly deps: ProxmoxDeps
  readonly executor
  private constructor(sim: ProxmoxSim, clock: SimClock, trust: TlsTrust, estimate?: (vmid: number) => number | undefined) {
    this.sim = sim
    this.clock = clock
    const transport = createNodeTransport(trust)
    this.deps = {
      // an exchange counts as in flight until its body is read: virtual time stands still meanwhile
      transport: (req) =>
        clock.track(async () => {
          const res = await transport(req)
          const text = await res.text()
          return { status: res.status, statusText: res.statusText, headers: res.headers, text: async () => text }
        }),
      runner: this.runner,
      store: this.store,
      observe: (o) => void this.outcomes.push(o),
      ...(estimate ? { estimate } : {}),
    }
    this.executor = createProxmoxExecutor(this.deps)
  }

  static async start(spec: ClusterSpec, options: HarnessOptions = {}): Promise<ProxmoxHarness> {
    const clock = new SimClock()
    const sim = await ProxmoxSim.start(spec, { clock, ...(options.tls ? { tls: options.tls } : {}) })
    return new ProxmoxHarness(sim, clock, options.trust ?? {}, options.estimate)
  }

  /** The validated config: the node `via`'s URL, the scenario token, fast polling, plus overrides. */
  async config(overrides: Record<string, unknown> = {}, via = "pve1"): Promise<ProxmoxConfig> {
    return configureExecutor(this.executor, { url: this.sim.url(via), token: SIM_TOKEN, ...overrides }, "test executors.proxmox")
  }

  /** An executor context on the virtual clock; logs go to `logs`. */
  ctx(config: ProxmoxConfig, options: { dryRun?: boolean; host?: string; signal?: AbortSignal } = {}): ExecutorContext<ProxmoxConfig> {
    const line = (level: string) => (m: string) => void this.logs.push(`${level} ${m}`)
    return {
      config,
      host: options.host ?? "pve1.example.lan",
      clock: this.clock,
      log: { debug: line("debug"), info: line("info"), warn: line("warn"), error: (m, c) => this.logs.push(`error ${m}${c instanceof Error ? `: ${c.message}` : ""}`) },
      signal: options.signal ?? new AbortController().signal,
      dryRun: options.dryRun ?? false,
    }
  }

  /** Ask for the plan (driving virtual time). */
  plan(ctx: ExecutorContext<ProxmoxConfig>): Promise<readonly Step[]> {
    return this.clock.drive(planExecutor(this.executor, ctx))
  }

  /** Plan and run every step in order, as the simple runner does. */
  async run(ctx: ExecutorContext<ProxmoxConfig>): Promise<{ steps: readonly Step[]; outcomes: StepOutcome[] }> {
    const steps = await this.plan(ctx)
    const outcomes = await this.clock.drive(runSteps("proxmox", steps, { clock: this.clock, signal: ctx.signal }))
    return { steps, outcomes }
  }

  async stop(): Promise<void> {
    await this.sim.stop()
  }
}

/**
 * Startup-order violations: a guest whose shutdown was requested while a guest of a later group
 * (higher order, or none) that was running was not yet down.
 */
export function orderViolations(sim: ProxmoxSim): string[] {
  const c = sim.cluster
  const eff = (vmid: number): number => {
    const g = c.guests.get(vmid)
    return g === undefined ? 0 : (c.startupOf(g).order ?? Number.POSITIVE_INFINITY)
  }
  const stoppedAt = new Map<number, number>()
  for (const e of c.eventsOf("guest-stopped")) if (e.vmid !== undefined && !stoppedAt.has(e.vmid)) stoppedAt.set(e.vmid, e.t)
  const requested = c.events.filter((e) => e.kind === "guest-shutdown-requested" || e.kind === "hastop")
  const out: string[] = []
  for (const r of requested) {
    for (const other of requested) {
      if (other.vmid === r.vmid || eff(other.vmid ?? 0) <= eff(r.vmid ?? 0)) continue
      const down = stoppedAt.get(other.vmid ?? 0)
      if (down === undefined || down > r.t) out.push(`${r.vmid} (order ${eff(r.vmid ?? 0)}) requested at ${r.t} before ${other.vmid} (order ${eff(other.vmid ?? 0)}) was down`)
    }
  }
  return out
}
