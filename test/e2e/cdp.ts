/**
 * Headless Chromium driven over the Chrome DevTools Protocol, with no library: Chromium started
 * with `--remote-debugging-pipe` speaks CDP as NUL-separated JSON on file descriptors 3 (in) and 4
 * (out) — the transport Playwright uses — so Node 20 needs no WebSocket client. One page per
 * browser, a flat session (`Target.attachToTarget { flatten: true }`).
 */
import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import type { Readable, Writable } from "node:stream"

/** The Chromium binary: $CHROMIUM, else `chromium` / `chromium-browser` on PATH (Debian: apt-get install chromium). */
export function findChromium(): string | undefined {
  const given = process.env["CHROMIUM"]
  if (given) return existsSync(given) ? given : undefined
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) if (dir !== "" && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** What a page reported that a test should see: uncaught errors, console errors, CSP and network failures. */
export interface PageProblem {
  readonly source: string
  readonly text: string
  readonly url?: string
}

export interface Page {
  /** Navigate and wait for the load event. */
  goto(url: string): Promise<void>
  /** Evaluate an expression in the page (promises awaited); returns its value. */
  evaluate<T = unknown>(expression: string): Promise<T>
  /** A PNG of the whole page, written to `path`. */
  screenshot(path: string): Promise<void>
  readonly problems: PageProblem[]
}

export interface Viewport {
  readonly width: number
  readonly height: number
  readonly mobile: boolean
}

const PHONE: Viewport = { width: 412, height: 915, mobile: true }

export interface Browser {
  /** A new tab, by default sized like a phone (412 × 915 CSS px, 2× pixels, touch). */
  newPage(viewport?: Viewport): Promise<Page>
  close(): Promise<void>
}

/** Start Chromium headless with a fresh profile; `close()` ends it and removes the profile. */
export async function launchChromium(binary: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "nutctl-chromium-"))
  const child = spawn(
    binary,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      // screenshots of the whole page without a scrollbar eating into its width
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
      "about:blank",
    ],
    // its own process group, so close() can end the renderer and GPU helpers with it
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true },
  )
  let stderr = ""
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const cdp = connect(child.stdio[3] as Writable, child.stdio[4] as Readable, () => stderr)
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  try {
    await cdp.send("Browser.getVersion")
  } catch (e) {
    kill(child)
    rmSync(profile, { recursive: true, force: true })
    throw e
  }

  return {
    async newPage(viewport = PHONE) {
      const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" })
      const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true })
      const send = <T>(method: string, params: object = {}) => cdp.send<T>(method, params, sessionId)
      const problems: PageProblem[] = []
      cdp.on(sessionId, (method, params) => {
        const p = params as Record<string, any>
        if (method === "Runtime.exceptionThrown") problems.push({ source: "exception", text: p["exceptionDetails"]?.exception?.description ?? p["exceptionDetails"]?.text })
        if (method === "Runtime.consoleAPICalled" && p["type"] === "error") problems.push({ source: "console", text: (p["args"] as { value?: unknown; description?: string }[]).map((a) => a.value ?? a.description).join(" ") })
        if (method === "Log.entryAdded" && p["entry"]?.level === "error") problems.push({ source: p["entry"].source, text: p["entry"].text, ...(p["entry"].url ? { url: p["entry"].url } : {}) })
      })
      await send("Page.enable")
      await send("Runtime.enable")
      await send("Log.enable")
      await send("Emulation.setDeviceMetricsOverride", { width: viewport.width, height: viewport.height, deviceScaleFactor: viewport.mobile ? 2 : 1, mobile: viewport.mobile })
      await send("Emulation.setTouchEmulationEnabled", { enabled: viewport.mobile })
      return {
        problems,
        async goto(url) {
          const loaded = cdp.once(sessionId, "Page.loadEventFired")
          const nav = await send<{ errorText?: string }>("Page.navigate", { url })
          if (nav.errorText) throw new Error(`Cannot load ${url}: ${nav.errorText}`)
          await loaded
        },
        async evaluate<T>(expression: string) {
          const r = await send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true })
          if (r.exceptionDetails) throw new Error(`In the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`)
          return r.result.value as T
        },
        async screenshot(path) {
          const { data } = await send<{ data: string }>("Page.captureScreenshot", { format: "png", captureBeyondViewport: true })
          writeFileSync(path, Buffer.from(data, "base64"))
        },
      }
    },
    async close() {
      await Promise.race([cdp.send("Browser.close").catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
      kill(child)
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

// --- Internal helpers ---

type Listener = (method: string, params: unknown) => void

function connect(input: Writable, output: Readable, stderr: () => string) {
  let nextId = 1
  let buffer = ""
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; method: string }>()
  const listeners = new Map<string, Set<Listener>>()
  output.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8")
    for (let end = buffer.indexOf("\0"); end >= 0; end = buffer.indexOf("\0")) {
      const message = JSON.parse(buffer.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown; sessionId?: string }
      buffer = buffer.slice(end + 1)
      if (message.id !== undefined) {
        const p = pending.get(message.id)
        pending.delete(message.id)
        if (message.error) p?.reject(new Error(`CDP ${p.method}: ${message.error.message}`))
        else p?.resolve(message.result)
      } else if (message.method) {
        for (const l of listeners.get(message.sessionId ?? "") ?? []) l(message.method, message.params)
      }
    }
  })
  output.on("close", () => {
    for (const p of pending.values()) p.reject(new Error(`Chromium went away during ${p.method}; its stderr:\n${stderr()}`))
    pending.clear()
  })
  const on = (sessionId: string, listener: Listener): (() => void) => {
    const set = listeners.get(sessionId) ?? new Set()
    listeners.set(sessionId, set)
    set.add(listener)
    return () => set.delete(listener)
  }
  return {
    send<T = unknown>(method: string, params: object = {}, sessionId?: string): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve, reject, method })
        input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`)
      })
    },
    on,
    once(sessionId: string, method: string): Promise<unknown> {
      return new Promise((resolve) => {
        const off = on(sessionId, (m, params) => {
          if (m !== method) return
          off()
          resolve(params)
        })
      })
    },
  }
}

function kill(child: ChildProcess): void {
  // the whole group: Chromium's helpers (renderer, zygote) may outlive the browser process
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // already gone
  }
}
