/**
 * Debian's real upsmon 2.8.0 against nutctl's drop-in upsd, each scenario run at the same time
 * against the real upsd (same ups.conf/upsd.users/.dev): upsmon must log in, poll, and shut down
 * exactly as it does with upsd, and raise the same notifications in the same order.
 *
 * Safety: SHUTDOWNCMD only appends to a marker file in upsmon's sandbox (test/support/
 * upsmon-sandbox.ts); every upsmon runs in its own process group and is killed at the end.
 * The UPS "loses power" by rewriting the .dev file each server's dummy driver reads.
 */
import { after, test } from "node:test"
import assert from "node:assert/strict"
import { existsSync, readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { eventually } from "../support/eventually.ts"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines, type NutLineClient } from "../support/nut-line-client.ts"
import { hasRealNut } from "../support/real-nut.ts"
import { setDevStatus, startUpsdPair, type UpsdPair, type UpsdSide } from "../support/upsd-pair.ts"
import { REAL_UPSMON, startUpsmon, type Upsmon, type UpsmonOptions } from "../support/upsmon-sandbox.ts"

const BVK = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const USERS = `[admin]
\tpassword = adminpass
\tactions = FSD
[monpri]
\tpassword = pripass
\tupsmon primary
[monsec]
\tpassword = secpass
\tupsmon secondary
`
const SKIP = !hasRealNut() ? "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed" : !existsSync(REAL_UPSMON) ? `${REAL_UPSMON} is not installed` : false
// upsmon's own clock: POLLFREQ 1, HOSTSYNC 3, FINALDELAY 0; the dummy driver notices a rewritten
// .dev within ~2 s. 15 s covers all of it with room for a loaded machine.
const SHUTDOWN_WITHIN_MS = 15_000

/** Everything a test started, stopped in `after` even when the test timed out. */
const running = new Set<{ stop(): Promise<void> }>()
after(async () => {
  await Promise.all([...running].map((r) => r.stop()))
})

async function startPair(): Promise<UpsdPair> {
  const pair = await startUpsdPair({ ups: [{ name: "ups", file: BVK, desc: "upsmon interop" }], users: USERS, waitFor: ["ups"] })
  running.add(pair)
  return pair
}

function upsmonFor(side: UpsdSide, options: Omit<UpsmonOptions, "system">): Upsmon {
  const mon = startUpsmon({ system: `ups@127.0.0.1:${side.port}`, ...options })
  running.add(mon)
  return mon
}

async function stopAll(): Promise<void> {
  const all = [...running]
  running.clear()
  await Promise.all(all.map((r) => r.stop()))
}

/** The UPS on this side loses mains and its battery is low. */
function goOnLowBattery(side: UpsdSide): void {
  setDevStatus(join(side.etc, basename(BVK)), "OB LB")
}

/** `NUMLOGINS ups <n>` on this side, awaited. */
async function waitForLogins(client: NutLineClient, side: UpsdSide, n: number, mon: Upsmon): Promise<void> {
  await eventually(async () => (await client.request("GET NUMLOGINS ups")) === `NUMLOGINS ups ${n}`, `NUMLOGINS ups ${n} on ${side.label}`, { seen: mon.log })
}

/** Wait for SHUTDOWNCMD, and for the SHUTDOWN notification's NOTIFYCMD (a separate fork). */
async function waitForShutdown(mon: Upsmon, side: UpsdSide): Promise<void> {
  await eventually(() => mon.shutDown() && mon.notified().some((n) => n.type === "SHUTDOWN"), `upsmon's SHUTDOWNCMD against ${side.label}`, {
    timeoutMs: SHUTDOWN_WITHIN_MS,
    seen: () => `${mon.log()}\nNOTIFYCMD: ${JSON.stringify(mon.notified())}`,
  })
}

/** What a scenario observed on one side, for comparing the two. */
interface Outcome {
  readonly events: string[]
  readonly notifiedTypes: string[]
  readonly powerdownFlag: string | undefined
}

function outcome(mon: Upsmon): Outcome {
  return {
    events: mon.events(),
    // NOTIFYCMD runs in one fork per event: same set, not necessarily the same order
    notifiedTypes: mon.notified().map((n) => n.type).sort(),
    powerdownFlag: existsSync(mon.powerdownFlag) ? readFileSync(mon.powerdownFlag, "latin1") : undefined,
  }
}

test("upsmon secondary logs into nutctl, polls, and shuts down on OB LB as with upsd", { skip: SKIP, timeout: 45_000 }, async () => {
  try {
    const pair = await startPair()
    const [real, ours] = await Promise.all(
      pair.both.map(async (side) => {
        const mon = upsmonFor(side, { user: "monsec", password: "secpass", role: "secondary" })
        const client = await connectNutLines(side.port)
        try {
          await waitForLogins(client, side, 1, mon)
          const clients = await client.list("LIST CLIENT ups")
          goOnLowBattery(side)
          await waitForShutdown(mon, side)
          // nobody raised FSD: the secondary gave the primary HOSTSYNC seconds, then gave up
          assert.match(mon.log(), /Giving up on the primary/, `${side.label}: ${mon.log()}`)
          return { ...outcome(mon), clients }
        } finally {
          client.close()
        }
      }),
    )
    assert.ok(real && ours)
    assert.deepEqual(real.clients, ["CLIENT ups 127.0.0.1"])
    assert.deepEqual(ours, real, "nutctl (actual) vs upsd 2.8.0 (expected)")
    assert.deepEqual(real.events, ["ONBATT", "LOWBATT", "SHUTDOWN"])
  } finally {
    await stopAll()
  }
})

test("upsmon secondary shuts down when an admin sends FSD to nutctl, as with upsd", { skip: SKIP, timeout: 45_000 }, async () => {
  try {
    const pair = await startPair()
    const [real, ours] = await Promise.all(
      pair.both.map(async (side) => {
        const mon = upsmonFor(side, { user: "monsec", password: "secpass", role: "secondary" })
        const client = await connectNutLines(side.port)
        try {
          await waitForLogins(client, side, 1, mon)
          const fsd = [await client.request("USERNAME admin"), await client.request("PASSWORD adminpass"), await client.request("FSD ups")]
          await waitForShutdown(mon, side)
          return { ...outcome(mon), fsd }
        } finally {
          client.close()
        }
      }),
    )
    assert.ok(real && ours)
    assert.deepEqual(real.fsd, ["OK", "OK", "OK FSD-SET"])
    assert.deepEqual(ours, real, "nutctl (actual) vs upsd 2.8.0 (expected)")
    assert.deepEqual(real.events, ["FSD", "SHUTDOWN"])
  } finally {
    await stopAll()
  }
})

test("upsmon primary sets FSD on nutctl, waits for the secondary to leave, then shuts down, as with upsd", { skip: SKIP, timeout: 45_000 }, async () => {
  try {
    const pair = await startPair()
    const [real, ours] = await Promise.all(
      pair.both.map(async (side) => {
        const mon = upsmonFor(side, { user: "monpri", password: "pripass", role: "primary" })
        // a secondary that stays logged in until we let it go: the primary must wait for it
        const secondary = await connectNutLines(side.port)
        const observer = await connectNutLines(side.port)
        try {
          const login = [await secondary.request("USERNAME monsec"), await secondary.request("PASSWORD secpass"), await secondary.request("LOGIN ups")]
          await waitForLogins(observer, side, 2, mon)
          goOnLowBattery(side)
          const status = `VAR ups ups.status "FSD OB LB"`
          await eventually(async () => (await observer.request("GET VAR ups ups.status")) === status, `${status} on ${side.label}`, {
            timeoutMs: SHUTDOWN_WITHIN_MS,
            seen: mon.log,
          })
          const waiting = { shutDown: mon.shutDown(), logins: await observer.request("GET NUMLOGINS ups") }
          // like upsmon after its SHUTDOWNCMD: the TCP connection just closes, no LOGOUT
          secondary.close()
          await waitForShutdown(mon, side)
          // upsmon's monitoring process exits around the time its parent runs SHUTDOWNCMD
          await waitForLogins(observer, side, 0, mon)
          // upsd keeps FSD set after the primary is gone
          const after = await observer.request("GET VAR ups ups.status")
          return { ...outcome(mon), login, waiting, after, hostsyncExpired: mon.log().includes("Host sync timer expired") }
        } finally {
          secondary.close()
          observer.close()
        }
      }),
    )
    assert.ok(real && ours)
    assert.deepEqual(real.login, ["OK", "OK", "OK"])
    assert.deepEqual(real.waiting, { shutDown: false, logins: "NUMLOGINS ups 2" })
    assert.equal(real.hostsyncExpired, false, "upsd: the primary should have stopped waiting when the secondary left, not at HOSTSYNC")
    assert.equal(real.powerdownFlag, "upsmon-shutdown-file")
    assert.deepEqual(ours, real, "nutctl (actual) vs upsd 2.8.0 (expected)")
    assert.deepEqual(real.events, ["ONBATT", "LOWBATT", "SHUTDOWN"])
    assert.equal(real.after, 'VAR ups ups.status "FSD OB LB"')
  } finally {
    await stopAll()
  }
})
