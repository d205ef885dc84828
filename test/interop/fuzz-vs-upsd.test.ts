// 10 000+ generated malformed, oversized and binary request lines, each sent to the real upsd 2.8.0
// and to nutctl; every answer must be byte-identical, nutctl must not crash, and a well-behaved client
// polling nutctl at the same time must keep getting correct answers.
import { test } from "node:test"
import assert from "node:assert/strict"
import { createConnection } from "node:net"
import { fixturePath } from "../support/fixture.ts"
import { LineClient } from "../support/line-client.ts"
import { startNutctlUpsd } from "../support/nutctl-upsd.ts"
import { hasRealNut, startRealNut } from "../support/real-nut.ts"
import { mulberry32 } from "../support/prng.ts"

const LINES = 10_500
const CONCURRENCY = 16

const WORDS = ["GET", "LIST", "SET", "INSTCMD", "VAR", "TYPE", "DESC", "CMDDESC", "UPSDESC", "NUMLOGINS", "TRACKING", "RW", "CMD", "ENUM", "RANGE", "CLIENT", "UPS", "ups", "UPS", "nodrv", "ups.status", "battery.charge", "server.info", "input.sensitivity", "load.off", "USERNAME", "PASSWORD", "LOGIN", "LOGOUT", "PRIMARY", "MASTER", "FSD", "VER", "NETVER", "PROTVER", "HELP", "STARTTLS", "ON", "OFF", "get", "var", "=", '""', '"a b"', "\\", "#", '"#"', '"\\#"', "\t", "\r"]

/** One generated request line (bytes, without the final newline). */
function generate(rand: () => number): Uint8Array {
  const kind = rand()
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  let text: string
  if (kind < 0.25) {
    // random bytes, any value except newline
    const n = Math.floor(rand() * 80)
    return Uint8Array.from({ length: n }, () => {
      const b = Math.floor(rand() * 256)
      return b === 0x0a ? 0x20 : b
    })
  } else if (kind < 0.6) {
    // plausible words in random order and number, with quoting and escapes
    const n = 1 + Math.floor(rand() * 8)
    text = Array.from({ length: n }, () => pick(WORDS)).join(pick([" ", "  ", "\t"]))
  } else if (kind < 0.8) {
    // valid shapes with broken pieces
    const shapes = [
      () => `GET VAR ups ${pick(WORDS)}`,
      () => `GET VAR "ups ${pick(WORDS)}`,
      () => `LIST ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`,
      () => `GET DESC ups ${"x".repeat(Math.floor(rand() * 1200))}`,
      () => `GET VAR ups ups.status${"\\".repeat(Math.floor(rand() * 3))}`,
      () => `SET VAR ups ups.status "OL"`,
      () => `INSTCMD ups load.off`,
      () => `GET TRACKING ${pick(WORDS)}`,
      () => `${pick(WORDS)} ${"a".repeat(Math.floor(rand() * 600))}`,
    ]
    text = pick(shapes)()
  } else {
    // long lines and many words
    const n = Math.floor(rand() * 60)
    text = Array.from({ length: n }, () => pick(WORDS) + (rand() < 0.1 ? "x".repeat(Math.floor(rand() * 700)) : "")).join(" ")
  }
  return new TextEncoder().encode(text)
}

/** Send `line\nGET VAR ups ups.status\n` on a fresh connection, half-close, read everything. */
function exchange(port: number, line: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const s = createConnection({ host: "127.0.0.1", port }, () => {
      s.end(Buffer.concat([line, Buffer.from("\nGET VAR ups ups.status\n")]))
    })
    s.on("data", (d: Buffer) => chunks.push(d))
    s.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")))
    s.on("error", reject)
  })
}

async function pool<T>(items: readonly T[], n: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++
        await work(items[i] as T, i)
      }
    }),
  )
}

test("nutctl answers 10 000+ malformed request lines exactly as upsd 2.8.0 and stays up", { skip: hasRealNut() ? false : "needs Debian's nut-server and nut-client (.ci/run installs them)" }, async () => {
  const real = await startRealNut({
    ups: [{ name: "ups", file: fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev") }, { name: "nodrv", desc: "never started" }],
    users: "[admin]\n\tpassword = pw\n\tactions = SET\n",
  })
  const ours = await startNutctlUpsd(real.etc, { waitFor: ["ups"] })
  const rand = mulberry32(20261124)
  const lines = Array.from({ length: LINES }, () => generate(rand))
  const watcher = await LineClient.open(ours.port)
  let watching = true
  let watched = 0
  const watch = (async () => {
    while (watching) {
      assert.equal(await watcher.request("GET VAR ups ups.status"), 'VAR ups ups.status "OL"')
      watched++
    }
  })()
  const mismatches: string[] = []
  try {
    await pool(lines, CONCURRENCY, async (line) => {
      const [a, b] = await Promise.all([exchange(real.port, line), exchange(ours.port, line)])
      if (a !== b && mismatches.length < 10) mismatches.push(`request ${JSON.stringify(Buffer.from(line).toString("latin1"))}\n  upsd:   ${JSON.stringify(a)}\n  nutctl: ${JSON.stringify(b)}`)
    })
  } finally {
    watching = false
    await watch.catch((e) => mismatches.push(`watcher: ${(e as Error).message}`))
    watcher.close()
    await ours.stop()
    await real.stop()
  }
  assert.deepEqual(mismatches, [], mismatches.join("\n"))
  assert.ok(watched > 10, `the polling client got ${watched} answers during the run`)
})
