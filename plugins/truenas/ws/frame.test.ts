import assert from "node:assert/strict"
import { test } from "node:test"
import { OPCODES, acceptKey, closePayload, createFrameReader, encodeFrame } from "./frame.ts"

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const mask = new Uint8Array([1, 2, 3, 4])

test("acceptKey() gives RFC 6455's example answer", async () => {
  assert.equal(await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
})

test("createFrameReader() reads masked frames split anywhere, with 7-, 16- and 64-bit lengths", () => {
  const server = createFrameReader({ side: "server" })
  const long = "x".repeat(70_000)
  const bytes = new Uint8Array([...encodeFrame(OPCODES.text, text("hi"), mask), ...encodeFrame(OPCODES.text, text("é".repeat(100)), mask), ...encodeFrame(OPCODES.text, text(long), mask)])
  const events = []
  for (let i = 0; i < bytes.length; i += 997) events.push(...server.push(bytes.subarray(i, i + 997)))
  assert.deepEqual(events.map((e) => (e.kind === "text" ? e.text.length : -1)), [2, 100, 70_000])
})

test("createFrameReader() reassembles fragments around a ping and reads close codes", () => {
  const client = createFrameReader({ side: "client" })
  const events = client.push(
    new Uint8Array([
      ...encodeFrame(OPCODES.text, text("hel"), undefined, false),
      ...encodeFrame(OPCODES.ping, text("p")),
      ...encodeFrame(OPCODES.continuation, text("lo")),
      ...encodeFrame(OPCODES.close, closePayload(1001, "going away")),
    ]),
  )
  assert.deepEqual(events, [
    { kind: "ping", data: text("p") },
    { kind: "text", text: "hello" },
    { kind: "close", code: 1001, reason: "going away" },
  ])
})

test("createFrameReader() refuses unmasked client frames, masked server frames and bad UTF-8", () => {
  assert.throws(() => createFrameReader({ side: "server" }).push(encodeFrame(OPCODES.text, text("x"))), /client frame not masked/)
  assert.throws(() => createFrameReader({ side: "client" }).push(encodeFrame(OPCODES.text, text("x"), mask)), /server frame masked/)
  assert.throws(() => createFrameReader({ side: "client" }).push(encodeFrame(OPCODES.text, new Uint8Array([0xff]))), (e: unknown) => (e as { closeCode?: number }).closeCode === 1007)
  assert.throws(() => createFrameReader({ side: "client", maxMessage: 10 }).push(encodeFrame(OPCODES.text, text("x".repeat(11)))), (e: unknown) => (e as { closeCode?: number }).closeCode === 1009)
})

test("webSocketKind() takes the runtime's WebSocket unless a CA or pin is needed (or there is none)", async () => {
  const { webSocketKind } = await import("./connect.ts")
  assert.equal(webSocketKind({}, true), "global")
  assert.equal(webSocketKind({ tls: { fingerprint: "AA" } }, true), "node")
  assert.equal(webSocketKind({ tls: { ca: "PEM" } }, true), "node")
  assert.equal(webSocketKind({}, false), "node")
})
