import assert from "node:assert/strict"
import { after, test } from "node:test"
import { fixture } from "../../support/fixture.ts"
import { ProxmoxSim, SIM_TOKEN, SIM_TOKEN_ID, SimClock, makeSimCertificates, standardCluster, type ClusterSpec } from "./index.ts"

interface Reply {
  readonly status: number
  readonly reason: string
  readonly type: string | null
  readonly body: string
}

const sims: ProxmoxSim[] = []
after(() => Promise.all(sims.map((s) => s.stop())))

async function start(spec: ClusterSpec = standardCluster()): Promise<{ sim: ProxmoxSim; clock: SimClock; call: (method: string, path: string, params?: Record<string, string>, options?: { node?: string; auth?: string }) => Promise<Reply> }> {
  const clock = new SimClock()
  const sim = await ProxmoxSim.start(spec, { clock })
  sims.push(sim)
  const call = (method: string, path: string, params: Record<string, string> = {}, options: { node?: string; auth?: string } = {}): Promise<Reply> =>
    clock.drive(
      clock.track(async () => {
        const q = new URLSearchParams(params).toString()
        const get = method === "GET" || method === "DELETE"
        const r = await fetch(`${sim.url(options.node ?? "pve1")}/api2/json${path}${get && q ? `?${q}` : ""}`, {
          method,
          headers: { Authorization: options.auth ?? `PVEAPIToken=${SIM_TOKEN}`, ...(get || q === "" ? {} : { "Content-Type": "application/x-www-form-urlencoded" }) },
          ...(get || q === "" ? {} : { body: q }),
        })
        return { status: r.status, reason: r.statusText, type: r.headers.get("content-type"), body: await r.text() }
      }),
    )
  return { sim, clock, call }
}

test("ProxmoxSim answers with PVE's exact content type and a data envelope", async () => {
  const { call } = await start()
  const r = await call("GET", "/version")
  assert.equal(r.status, 200)
  assert.equal(r.type, "application/json;charset=UTF-8")
  assert.deepEqual(JSON.parse(r.body), { data: { version: "9.1.4", release: "9.1", repoid: "5a3e7b90" } })
})

test("ProxmoxSim delays a bad token's 401 on the virtual clock and sends no body", async () => {
  const { call, clock, sim } = await start()
  const t0 = clock.now()
  const r = await call("GET", "/nodes", {}, { auth: `PVEAPIToken=${SIM_TOKEN_ID}=00000000-0000-4000-8000-000000000000` })
  assert.deepEqual([r.status, r.reason, r.type, r.body], [401, "Authentication failed!", null, ""])
  assert.equal(clock.now() - t0, 3000)
  assert.equal((await call("GET", "/nodes", {}, { auth: "" })).reason, "No ticket")
  assert.equal(sim.requests.at(-1)?.status, 401)
})

test("ProxmoxSim validates parameters against the schema with PVE's texts", async () => {
  const { call, sim } = await start()
  const bad = await call("POST", "/nodes/pve1/qemu/100/status/shutdown", { forceStop: "true", bogus: "1" })
  assert.equal(bad.status, 400)
  assert.equal(bad.reason, "Parameter verification failed.")
  assert.deepEqual(JSON.parse(bad.body), {
    data: null,
    errors: { forceStop: "type check ('boolean') failed - got 'true'", bogus: "property is not defined in schema and the schema does not allow additional properties" },
    message: "Parameter verification failed.\n",
  })
  assert.equal((await call("GET", "/nodes/pve1/nothing")).status, 501)
  assert.equal(sim.invalidRequests.length, 2)
})

test("ProxmoxSim 8.4 has no disarm-ha (501) and 9.1 does", async () => {
  const old = await start(standardCluster({ version: "8.4" }))
  const r = await old.call("POST", "/cluster/ha/status/disarm-ha", { "resource-mode": "ignore" })
  assert.deepEqual([r.status, r.reason], [501, "Method 'POST /cluster/ha/status/disarm-ha' not implemented"])
  const cur = await start()
  assert.equal((await cur.call("POST", "/cluster/ha/status/disarm-ha", { "resource-mode": "ignore" })).status, 200)
})

test("ProxmoxSim: a stopped container's shutdown is a synchronous 500 with the text as reason", async () => {
  const { call } = await start()
  const r = await call("POST", "/nodes/pve1/lxc/112/status/shutdown")
  assert.deepEqual([r.status, r.reason, JSON.parse(r.body).message], [500, "CT 112 not running", "CT 112 not running\n"])
})

test("ProxmoxSim force-stops an ACPI-ignoring VM at its timeout and reports the task", async () => {
  const { call, clock, sim } = await start()
  const r = await call("POST", "/nodes/pve1/qemu/105/status/shutdown", { timeout: "45", forceStop: "1" })
  const upid = JSON.parse(r.body).data as string
  assert.match(upid, /^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmshutdown:105:root@pam!nutctl:$/)
  const t0 = clock.now()
  await clock.drive(clock.sleep(60_000))
  const status = JSON.parse((await call("GET", `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body).data
  assert.deepEqual([status.status, status.exitstatus, status.user, status.tokenid], ["stopped", "WARNINGS: 1", "root@pam", "nutctl"])
  const stopped = sim.cluster.eventsOf("guest-stopped").find((e) => e.vmid === 105)
  assert.equal(stopped?.detail, "forced")
  assert.equal(stopped.t - t0, 45_500)
})

test("ProxmoxSim: a powered-off node's API goes away and proxied calls get 595", async () => {
  const { call, clock, sim } = await start({ ...standardCluster(), guests: [] })
  assert.equal((await call("POST", "/nodes/pve3/status", { command: "shutdown" })).body, '{"data":null}')
  await clock.drive(clock.sleep(30_000))
  assert.equal(sim.cluster.node("pve3")?.online, false)
  const r = await call("GET", "/nodes/pve3/qemu")
  assert.deepEqual([r.status, r.reason], [595, "No route to host"])
  await assert.rejects(call("GET", "/version", {}, { node: "pve3" }))
})

test("ProxmoxSim serves HTTPS with a cluster-CA-signed node certificate", async () => {
  const certs = makeSimCertificates()
  const clock = new SimClock()
  const sim = await ProxmoxSim.start(standardCluster(), { clock, tls: { key: certs.key, cert: certs.cert } })
  sims.push(sim)
  assert.match(sim.url("pve1"), /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.match(certs.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
})

/** Seconds of the first log.expect line matching `re` in a pve-ha-manager simulator test. */
function expectAt(name: string, re: RegExp): number {
  const line = fixture(`proxmox/ha-sim-tests/${name}/log.expect`).split("\n").find((l) => re.test(l))
  assert.ok(line, `${name}: ${re}`)
  return Number(line.trim().split(/\s+/)[1])
}

test("ProxmoxSim recovers an HA guest of a powered-off node like pve-ha-manager's test-shutdown1 (conditional policy)", async () => {
  const { call, clock, sim } = await start({ ...standardCluster(), guests: [{ vmid: 103, type: "qemu", node: "pve3", ha: {}, shutdownSeconds: 5 }] })
  await call("POST", "/nodes/pve3/status", { command: "shutdown" })
  await clock.drive(clock.sleep(120_000))
  const off = sim.cluster.eventsOf("node-off")[0]
  const recovered = sim.cluster.eventsOf("ha-recovered")[0]
  assert.equal(recovered?.node, "pve1")
  const oracle = expectAt("test-shutdown1", /recover service 'vm:103'/) - expectAt("test-shutdown1", /execute power node3 off/)
  assert.equal(((recovered?.t ?? 0) - (off?.t ?? 0)) / 1000, oracle)
  assert.equal(sim.cluster.guests.get(103)?.status, "running")
})

test("ProxmoxSim disarms and re-arms HA with the timing of test-disarm-ignored1", async () => {
  const { call, clock, sim } = await start()
  const t0 = clock.now()
  await call("POST", "/cluster/ha/status/disarm-ha", { "resource-mode": "ignore" })
  const fencing = async (): Promise<string> => (JSON.parse((await call("GET", "/cluster/ha/status/current")).body).data as { type: string; "armed-state"?: string }[]).find((e) => e.type === "fencing")?.["armed-state"] ?? "?"
  assert.equal(await fencing(), "disarming")
  await clock.drive(clock.sleep(60_000))
  assert.equal(await fencing(), "disarmed")
  const disarmed = (sim.cluster.eventsOf("ha-disarmed")[0]?.t ?? 0) - t0
  assert.equal(disarmed / 1000, expectAt("test-disarm-ignored1", /HA stack is now fully disarmed/) - expectAt("test-disarm-ignored1", /execute crm node1 disarm-ha ignore/))
  assert.equal(JSON.parse((await call("GET", "/nodes/pve1/qemu/101/status/current")).body).data.ha.managed, 1, "still configured")
  await call("POST", "/cluster/ha/status/arm-ha")
  await clock.drive(clock.sleep(1000))
  assert.equal(await fencing(), "armed")
})

test("ProxmoxSim checks privileges at the request's path and lists the token's own in GET /access/permissions", async () => {
  const spec = standardCluster()
  const { call } = await start({ ...spec, tokens: { [SIM_TOKEN_ID]: { secret: SIM_TOKEN.split("=")[1] as string, privs: ["Sys.Audit", "VM.Audit", "VM.PowerMgmt"], paths: { "/vms/101": ["VM.Audit"] } } } })
  const refused = await call("POST", "/nodes/pve1/qemu/101/status/shutdown")
  assert.deepEqual([refused.status, refused.reason], [403, "Permission check failed (/vms/101, VM.PowerMgmt)"])
  assert.equal((await call("POST", "/nodes/pve1/qemu/100/status/shutdown")).status, 200)
  const perms = JSON.parse((await call("GET", "/access/permissions")).body) as { data: Record<string, Record<string, number>> }
  assert.deepEqual(perms.data["/vms/101"], { "VM.Audit": 1 })
  assert.deepEqual(Object.keys(perms.data["/"] ?? {}), ["Sys.Audit", "VM.Audit", "VM.PowerMgmt"])
  assert.deepEqual(JSON.parse((await call("GET", "/access/permissions", { path: "/nodes/pve2" })).body), { data: { "/nodes/pve2": { "Sys.Audit": 1, "VM.Audit": 1, "VM.PowerMgmt": 1 } } })
})
