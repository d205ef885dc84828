/**
 * The dashboard end to end (issue 6 item 5): nutctl in process with the simulated BX1600MI and the
 * HTTP server, the page in headless Chromium (Debian's `chromium`, driven over CDP). The page must
 * show the simulated UPS, then show it on battery within 1 s of the server knowing it, without a
 * reload (the SSE stream). Screenshots go to a directory under os.tmpdir(), printed by the test.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createConsola } from "consola"
import { startHttp } from "../../src/cli/_http.ts"
import { DEMO_UPS_NAME, demoSetup, startUpsd } from "../../src/cli/_upsd.ts"
import { createStore } from "../../src/store/index.ts"
import { eventually } from "../support/eventually.ts"
import { findChromium, launchChromium } from "./cdp.ts"

const quiet = createConsola({ level: -999 })
const chromium = findChromium()

test("dashboard shows the simulated UPS and its switch to battery live (SSE) in headless Chromium", { skip: chromium === undefined ? "chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM)" : false, timeout: 60_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), "nutctl-e2e-work-"))
  const shots = mkdtempSync(join(tmpdir(), "nutctl-e2e-dashboard-"))
  t.diagnostic(`screenshots: ${shots}`)
  // Chromium first: its start-up must not eat into the time before mains fails
  const browser = await launchChromium(chromium as string)
  let upsd: Awaited<ReturnType<typeof startUpsd>> | undefined
  let http: Awaited<ReturnType<typeof startHttp>> | undefined
  try {
    const page = await browser.newPage()
    // the scenario clock starts with the driver: the page has 6 s to load and show "online"
    const scenario = join(work, "mains-lost.txt")
    writeFileSync(scenario, "6s mains-lost rate=20\n")
    upsd = await startUpsd(demoSetup([{ host: "127.0.0.1", port: 0 }], scenario), quiet)
    const state = upsd.ups[0]?.state
    assert.ok(state)
    let onBatteryAt: number | undefined
    state.subscribe(() => {
      if (onBatteryAt === undefined && /\bOB\b/.test(state.status)) onBatteryAt = performance.now()
    })
    http = await startHttp({ listen: { host: "127.0.0.1", port: 0 }, upsd, users: [], history: { dir: join(work, "data") }, log: quiet })
    await eventually(() => state.availability() === "ok" && /\bOL\b/.test(state.status), "the simulated UPS online")

    await page.goto(`http://127.0.0.1:${http.address.port}/`)
    await page.evaluate(waitFor(`document.body.dataset.ready === "true" && document.getElementById("live").dataset.state === "live"`, 5000))
    const before = await page.evaluate<{ name: string; words: string; charge: string; plan: string; cluster: string }>(`({
      name: document.getElementById("ups-name").textContent,
      words: document.getElementById("status-words").textContent,
      charge: document.querySelector("#g-charge .value").textContent,
      plan: document.getElementById("plan-body").textContent,
      cluster: document.getElementById("cluster-body").textContent,
    })`)
    assert.equal(onBatteryAt, undefined, "mains failed before the page was up: the live switch cannot be tested")
    assert.equal(before.name, DEMO_UPS_NAME)
    assert.match(before.words, /^Online/)
    assert.match(before.charge, /^\d+ %$/)
    assert.match(before.plan, /No plan/)
    assert.match(before.cluster, /No monitor runs on this node/)
    await page.screenshot(join(shots, "1-online.png"))
    await page.evaluate(`window.__sameDocument = true`)

    const serverAt = await eventually(() => onBatteryAt, "the simulated UPS on battery", { timeoutMs: 20_000, intervalMs: 20 })
    await page.evaluate(waitFor(`/on battery/i.test(document.getElementById("status-words").textContent)`, 5000))
    const shownAfterMs = performance.now() - serverAt
    t.diagnostic(`on battery shown ${Math.round(shownAfterMs)} ms after the server saw it`)
    assert.ok(shownAfterMs < 1000, `the page showed "on battery" ${Math.round(shownAfterMs)} ms after the server (limit 1000 ms)`)
    assert.equal(await page.evaluate(`window.__sameDocument === true && performance.getEntriesByType("navigation").length === 1`), true, "no reload")
    const after = await page.evaluate<{ level: string; outage: string; log: number }>(`({
      level: document.getElementById("status").dataset.level,
      outage: document.getElementById("outage-summary").textContent,
      log: document.querySelectorAll("#outage-log li").length,
    })`)
    assert.equal(after.level, "warn")
    assert.match(after.outage, /^On battery since/)
    assert.ok(after.log >= 1)
    await page.screenshot(join(shots, "2-on-battery.png"))
    // /api/v1/monitor answers 404 when no monitor runs here; the page says so (checked above)
    const problems = page.problems.filter((p) => !(p.source === "network" && p.url?.endsWith("/api/v1/monitor")))
    assert.deepEqual(problems, [], "no errors, CSP violations or failed loads in the page")
    // the history went to the data directory: a new process finds the switch to battery there
    await http.stop()
    const store = createStore({ dir: join(work, "data") })
    const kept = await store.events.list()
    await store.dispose()
    assert.ok(kept.some((e) => e.type === "status" && e.ups === DEMO_UPS_NAME && /on battery/.test(e.message ?? "")), "the status change is in the store")
  } finally {
    await browser.close()
    await http?.stop()
    await upsd?.stop()
    rmSync(work, { recursive: true, force: true })
  }
})

/** An expression that resolves once `condition` holds (checked on every DOM change), or throws after `ms`. */
function waitFor(condition: string, ms: number): string {
  return `new Promise((resolve, reject) => {
    const check = () => { try { return ${condition} } catch { return false } }
    if (check()) return resolve(true)
    const observer = new MutationObserver(() => { if (check()) { observer.disconnect(); clearInterval(poll); resolve(true) } })
    observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
    const poll = setInterval(() => { if (check()) { observer.disconnect(); clearInterval(poll); resolve(true) } }, 50)
    setTimeout(() => { observer.disconnect(); clearInterval(poll); reject(new Error(${JSON.stringify(`timed out waiting for ${condition}`)})) }, ${ms})
  })`
}
