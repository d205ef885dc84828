import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState } from "../ups/index.ts"
import { createHttpApp } from "./app.ts"
import { createEventHub } from "./events.ts"
import { createLocalDirectory } from "./local-directory.ts"

interface SseMessage {
  event: string
  id?: string
  data: unknown
}

/** Reads SSE messages from a response body, one at a time. */
function sseReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let buffer = ""
  return {
    async next(): Promise<SseMessage> {
      for (;;) {
        const end = buffer.indexOf("\n\n")
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block.startsWith(":")) continue
          const fields = new Map(block.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)] as const))
          return { event: fields.get("event") ?? "message", ...(fields.has("id") ? { id: fields.get("id") as string } : {}), data: JSON.parse(fields.get("data") ?? "null") }
        }
        const { done, value } = await reader.read()
        if (done) throw new Error("stream ended")
        buffer += decoder.decode(value, { stream: true })
      }
    },
    cancel: () => reader.cancel(),
  }
}

function setup() {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const directory = createLocalDirectory({ ups: [{ name: "rack", desc: undefined, state }], now: () => 1_700_000_000_000 })
  const events = createEventHub()
  events.attach(directory)
  const app = createHttpApp({ version: "test", directory, events, keepAliveMs: 0 })
  return { state, events, app }
}

test("event stream sends hello, then a status change as it happens", async () => {
  const { state, app } = setup()
  const res = await app.request("/api/v1/events/stream")
  assert.equal(res.status, 200)
  assert.equal(res.headers.get("content-type"), "text/event-stream")
  const sse = sseReader(res)
  const hello = await sse.next()
  assert.equal(hello.event, "hello")
  assert.deepEqual(hello.data, { ups: [{ name: "rack", status: "OL", statusText: "online", availability: "ok", fsd: false }] })

  state.setInfo("ups.status", "OB DISCHRG")
  state.setInfo("battery.charge", "98")
  const status = await sse.next()
  assert.equal(status.event, "status")
  assert.equal(status.id, "1")
  assert.deepEqual(status.data, { kind: "status", at: 1_700_000_000_000, ups: "rack", status: "OB DISCHRG", previous: "OL", id: "1" })
  const vars = await sse.next()
  assert.equal(vars.event, "vars")
  assert.equal(vars.id, undefined, "live values are not kept, so they carry no id to resume from")
  assert.deepEqual((vars.data as { values: unknown }).values, { "ups.status": "OB DISCHRG", "battery.charge": "98" })

  state.setFsd()
  assert.equal((await sse.next()).event, "fsd")
  const fsdStatus = await sse.next()
  assert.deepEqual([fsdStatus.event, (fsdStatus.data as { status: string }).status], ["status", "FSD OB DISCHRG"])
  await sse.cancel()
})

test("event stream replays what a reconnecting client missed (Last-Event-ID) and filters by kind", async () => {
  const { state, events, app } = setup()
  state.setInfo("ups.status", "OB")
  state.setInfo("ups.status", "OB LB")
  events.publish({ kind: "notify", at: 1, type: "LOWBATT", system: "rack@localhost", message: "UPS rack@localhost battery is low" })
  const res = await app.request("/api/v1/events/stream?kinds=status", { headers: { "last-event-id": "1" } })
  const sse = sseReader(res)
  assert.equal((await sse.next()).event, "hello")
  const replayed = await sse.next()
  assert.deepEqual([replayed.event, replayed.id, (replayed.data as { status: string }).status], ["status", "2", "OB LB"])
  state.setInfo("ups.status", "OL")
  const live = await sse.next()
  assert.deepEqual([live.event, (live.data as { status: string }).status], ["status", "OL"])
  await sse.cancel()
})

test("/api/v1/events lists kept events, oldest first, with filters", async () => {
  const { state, events, app } = setup()
  state.setInfo("ups.status", "OB")
  events.monitorRecord({ kind: "notify", at: 5, type: "ONBATT", system: "rack@localhost", message: "UPS rack@localhost on battery" })
  events.monitorRecord({ kind: "decision", at: 6, level: "info", code: "X", message: "m" })
  const all = (await (await app.request("/api/v1/events")).json()) as Array<{ kind: string }>
  assert.deepEqual(all.map((e) => e.kind), ["status", "notify", "decision"])
  const rack = (await (await app.request("/api/v1/events?ups=rack&kinds=notify")).json()) as Array<{ kind: string; type: string }>
  assert.deepEqual(rack.map((e) => e.type), ["ONBATT"])
  const last = (await (await app.request("/api/v1/events?limit=1")).json()) as Array<{ kind: string }>
  assert.deepEqual(last.map((e) => e.kind), ["decision"])
  assert.equal((await app.request("/api/v1/events?limit=0")).status, 400)
})
