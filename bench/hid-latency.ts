/**
 * `npm run bench:hid`: how fast a status change on the (simulated) USB HID UPS reaches the server's
 * UpsState — mains lost → `ups.status` OB — through nutctl's usbhid-ups driver, which reads
 * interrupt-IN reports continuously. Issue 3's figure: within 50 ms of the interrupt report.
 *
 *   npm run bench:hid [-- --rounds 40]
 */
import { createDriver } from "../src/drivers/index.ts"
import { openSimPort, systemClock } from "../src/hid/index.ts"
import { UpsState } from "../src/ups/index.ts"

const roundsArg = process.argv.indexOf("--rounds")
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 40
const quiet = { info() {}, warn() {} }

const sim = await openSimPort("sim:bx1600mi", { clock: systemClock })
const state = new UpsState()
const driver = createDriver({ name: "bx", driver: "usbhid-ups", port: "sim:bx1600mi", params: {}, baseDir: "." }, quiet, { hidOpener: sim.opener })
const abort = new AbortController()
const running = driver.start(state, abort.signal).catch(() => {})

/** Resolve with the ms from `trigger()` until ups.status matches `want`. */
function until(want: RegExp, trigger: () => void, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const timer = setTimeout(() => reject(new Error(`no ${want} within ${timeoutMs} ms (status ${state.rawStatus})`)), timeoutMs)
    const off = state.subscribe(() => {
      if (want.test(state.rawStatus)) {
        clearTimeout(timer)
        off()
        resolve(performance.now() - t0)
      }
    })
    trigger()
  })
}

await until(/^OL\b/, () => {}).catch(async () => {
  for (let i = 0; i < 100 && !/^OL\b/.test(state.rawStatus); i++) await new Promise((r) => setTimeout(r, 50))
})
const toOb: number[] = []
const toOl: number[] = []
for (let i = 0; i < rounds; i++) {
  toOb.push(await until(/^OB\b/, () => sim.ups.run({ kind: "mains-lost" })))
  // settle between rounds at random phases of the 2 s quick poll, so the poll cannot be the reason
  await new Promise((r) => setTimeout(r, 50 + Math.random() * 500))
  toOl.push(await until(/^OL\b/, () => sim.ups.run({ kind: "mains-back" })))
  await new Promise((r) => setTimeout(r, 50 + Math.random() * 500))
}
abort.abort()
await running

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number
const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${q(xs, 0.5).toFixed(2)} | ${q(xs, 0.99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`
console.log(`HID status change → UpsState (simulated BX1600MI, interrupt-IN), ${new Date().toISOString()}, Node ${process.version}\n`)
console.log("| transition | rounds | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|")
console.log(row("mains lost → OB", toOb))
console.log(row("mains back → OL", toOl))
console.log(`\ntarget: OB within 50 ms of the interrupt report — ${Math.max(...toOb) <= 50 ? "met" : "MISSED"} (max ${Math.max(...toOb).toFixed(2)} ms)`)
