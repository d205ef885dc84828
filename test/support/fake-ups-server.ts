/**
 * nutctl's NUT server on 127.0.0.1 (a free port) serving UpsStates a test sets by hand: the
 * conditions `nutctl check` and `nutctl hook` judge (OL, OB, OB LB, stale, no driver), with no
 * driver and no timing.
 */
import { DEFAULT_SERVER_SETTINGS, NutServer, type ServedUps, type UserRecord } from "../../src/server/index.ts"
import { UpsState } from "../../src/ups/index.ts"

export interface FakeUpsServer {
  readonly port: number
  readonly state: UpsState
  /** Instant commands and SETs the server passed to the "driver". */
  readonly writes: readonly string[]
  /** Replace every variable with these (the driver stays connected). */
  setVars(vars: Readonly<Record<string, string>>): void
  close(): Promise<void>
}

/** The simulated BX1600MI on mains, as `nutctl status` shows it. */
export const ON_LINE: Readonly<Record<string, string>> = {
  "ups.status": "OL",
  "battery.charge": "100",
  "battery.runtime": "2280",
  "input.voltage": "234.0",
  "ups.load": "14",
  "ups.test.result": "No test initiated",
  "device.model": "Back-UPS BX1600MI",
}

export async function startFakeUpsServer(options: { name?: string; vars?: Readonly<Record<string, string>>; users?: readonly UserRecord[]; now?: () => number } = {}): Promise<FakeUpsServer> {
  const now = options.now ?? Date.now
  const state = new UpsState({ now, maxAgeMs: 15_000 })
  const writes: string[] = []
  state.markConnected({
    async setvar(n, v) {
      writes.push(`SET ${n} ${v}`)
      return "SUCCESS"
    },
    async instcmd(c, p) {
      writes.push(`INSTCMD ${c}${p === undefined ? "" : " " + p}`)
      return "SUCCESS"
    },
  })
  const setVars = (vars: Readonly<Record<string, string>>): void => {
    for (const v of state.variables()) if (!(v.name in vars)) state.delInfo(v.name)
    for (const [k, v] of Object.entries(vars)) state.setInfo(k, v)
    state.addCmd("test.battery.start.quick")
    state.heartbeat()
  }
  setVars(options.vars ?? ON_LINE)
  const served: ServedUps = { name: options.name ?? "rack", desc: "test UPS", state }
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }
  const server = new NutServer({ settings: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port: 0 }] }, ups: [served], users: options.users ?? [], log: quiet, now })
  const [bound] = await server.listen()
  return { port: bound?.port ?? 0, state, writes, setVars, close: () => server.close() }
}
