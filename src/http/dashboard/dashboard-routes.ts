/**
 * The dashboard: `/` is the page, `/dashboard/<file>` its CSS and JS modules, all embedded
 * (assets.generated.ts) so the binary needs no files and the page works offline (no CDN, system
 * fonts). Responses carry a strong ETag and `no-cache` (a phone revalidates with one 304), are
 * gzipped when the browser accepts it, and the page runs under a CSP that allows only itself.
 * When reads are private the page asks for credentials too, so the browser's Basic login then
 * covers the API calls and the event stream it makes.
 */
import type { Context, Hono } from "hono"
import { failure, type ApiAccess } from "../api-router.ts"
import { authenticate } from "../auth.ts"
import { DASHBOARD_ASSETS, type DashboardAsset } from "./assets.generated.ts"

/** Everything from this origin only; inline SVG attributes need no `unsafe-*`. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Register `/` and `/dashboard/:file`. */
export function mountDashboard(app: Hono, options: { readonly access: ApiAccess }): void {
  const gzipped = new Map<string, Promise<ArrayBuffer>>()
  const serve = async (c: Context, name: string): Promise<Response> => {
    const asset = DASHBOARD_ASSETS[name]
    if (!asset) return failure(c, { status: 404, code: "NOT_FOUND", message: `No dashboard file ${name}` })
    if (!options.access.readsPublic && authenticate(c.req.header("authorization"), options.access.users, options.access.tokens).kind !== "user") {
      return failure(c, { status: 401, code: "UNAUTHORIZED", message: "This needs a NUT user (HTTP Basic) or a bearer token" })
    }
    const headers: Record<string, string> = {
      "content-type": asset.type,
      etag: asset.etag,
      "cache-control": "no-cache",
      vary: "accept-encoding",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...(name === "index.html" ? { "content-security-policy": CSP } : {}),
    }
    if (matches(c.req.header("if-none-match"), asset.etag)) return new Response(null, { status: 304, headers })
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      let body = gzipped.get(name)
      if (!body) gzipped.set(name, (body = gzip(asset)))
      return new Response(await body, { headers: { ...headers, "content-encoding": "gzip" } })
    }
    return new Response(asset.body, { headers })
  }
  app.get("/", (c) => serve(c, "index.html"))
  app.get("/dashboard/:file", (c) => (c.req.param("file") === "index.html" ? failure(c, { status: 404, code: "NOT_FOUND", message: "No dashboard file index.html" }) : serve(c, c.req.param("file"))))
}

function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag || t.trim() === "*")
}

function gzip(asset: DashboardAsset): Promise<ArrayBuffer> {
  const stream = new Blob([asset.body]).stream().pipeThrough(new CompressionStream("gzip"))
  return new Response(stream).arrayBuffer()
}
