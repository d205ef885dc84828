/**
 * The PVE API schema (test/fixtures/proxmox/apidoc*.json, the api-viewer data) as a request
 * validator: path templates, methods and parameter checks with PVE's own error texts
 * (pve-common JSONSchema.pm), so a request the simulator accepts is one a real node would accept.
 */
import { fixture } from "../../support/fixture.ts"

/** PVE API versions the simulator can speak (the two schema fixtures). */
export type PveVersion = "9.1" | "8.4"

interface ParamSchema {
  readonly type?: string
  readonly optional?: number
  readonly enum?: readonly string[]
  readonly minimum?: number
  readonly maximum?: number
  readonly maxLength?: number
  readonly pattern?: string
  readonly format?: string | Readonly<Record<string, ParamSchema & { default_key?: number }>>
  readonly items?: ParamSchema
}

interface MethodSchema {
  readonly name: string
  readonly allowtoken?: number
  readonly parameters?: { readonly additionalProperties?: number; readonly properties?: Readonly<Record<string, ParamSchema>> }
}

interface SchemaNode {
  readonly path: string
  readonly info?: Readonly<Record<string, MethodSchema>>
  readonly children?: readonly SchemaNode[]
}

/** The method a request resolved to. */
export interface ResolvedMethod {
  /** `/nodes/{node}/qemu/{vmid}/status/shutdown` */
  readonly template: string
  readonly name: string
  /** Values of the `{placeholders}` in the URL. */
  readonly pathParams: Readonly<Record<string, string>>
  readonly allowToken: boolean
  readonly method: MethodSchema
}

interface Trie {
  readonly literal: Map<string, Trie>
  variable?: { readonly name: string; readonly next: Trie }
  node?: SchemaNode
}

const newTrie = (): Trie => ({ literal: new Map() })

/** One schema version, indexed for lookups. */
export class ApiSchema {
  readonly version: PveVersion
  readonly #root = newTrie()
  readonly #paths = new Set<string>()
  /** Named formats met in requests that this validator does not check (reported, not failed). */
  readonly uncheckedFormats = new Set<string>()

  constructor(version: PveVersion, tree: readonly SchemaNode[]) {
    this.version = version
    const walk = (nodes: readonly SchemaNode[]): void => {
      for (const n of nodes) {
        this.#insert(n)
        if (n.children) walk(n.children)
      }
    }
    walk(tree)
  }

  /** True when the schema has this templated path and method (`POST /cluster/ha/status/disarm-ha`). */
  has(method: string, template: string): boolean {
    return this.#paths.has(`${method} ${template}`)
  }

  /** Resolve `/nodes/pve1/qemu/100/status/current` (without `/api2/json`), or undefined (501). */
  resolve(method: string, path: string): ResolvedMethod | undefined {
    const segments = path.split("/").filter((s) => s !== "")
    const params: Record<string, string> = {}
    const found = this.#match(this.#root, segments, 0, params)
    const info = found?.info?.[method]
    if (found === undefined || info === undefined) return undefined
    return { template: found.path, name: info.name, pathParams: params, allowToken: info.allowtoken !== 0, method: info }
  }

  /**
   * Check merged path, query and body parameters as PVE does; returns PVE's `errors` map (empty
   * when the request is valid).
   */
  validate(resolved: ResolvedMethod, params: Readonly<Record<string, string | readonly string[]>>): Record<string, string> {
    const errors: Record<string, string> = {}
    const props = resolved.method.parameters?.properties ?? {}
    const strict = resolved.method.parameters?.additionalProperties === 0
    for (const [name, value] of Object.entries(params)) {
      const schema = props[name] ?? props[name.replace(/\d+$/, "[n]")]
      if (schema === undefined) {
        if (strict) errors[name] = "property is not defined in schema and the schema does not allow additional properties"
        continue
      }
      const why = this.#check(schema, value)
      if (why !== undefined) errors[name] = why
    }
    for (const [name, schema] of Object.entries(props)) {
      if (schema.optional !== 1 && !name.endsWith("[n]") && params[name] === undefined) errors[name] = "property is missing and it is not optional"
    }
    return errors
  }

  #insert(node: SchemaNode): void {
    let t = this.#root
    for (const seg of node.path.split("/").filter((s) => s !== "")) {
      const v = /^\{(.+)\}$/.exec(seg)
      if (v) {
        t.variable ??= { name: v[1] as string, next: newTrie() }
        t = t.variable.next
      } else {
        let next = t.literal.get(seg)
        if (next === undefined) t.literal.set(seg, (next = newTrie()))
        t = next
      }
    }
    t.node = node
    for (const m of Object.keys(node.info ?? {})) this.#paths.add(`${m} ${node.path}`)
  }

  // literal segments win over placeholders (`/cluster/ha/status/current` vs `{sid}`-like paths)
  #match(t: Trie, segs: readonly string[], i: number, params: Record<string, string>): SchemaNode | undefined {
    if (i === segs.length) return t.node
    const seg = segs[i] as string
    const lit = t.literal.get(seg)
    if (lit) {
      const r = this.#match(lit, segs, i + 1, params)
      if (r) return r
    }
    if (t.variable) {
      const r = this.#match(t.variable.next, segs, i + 1, params)
      if (r) {
        params[t.variable.name] = decodeURIComponent(seg)
        return r
      }
    }
    return undefined
  }

  #check(schema: ParamSchema, value: string | readonly string[]): string | undefined {
    if (schema.type === "array") {
      const items = typeof value === "string" ? [value] : value
      for (const item of items) {
        const why = schema.items ? this.#check(schema.items, item) : undefined
        if (why !== undefined) return why
      }
      return undefined
    }
    if (typeof value !== "string") return "property is not an array (got repeated values)"
    switch (schema.type) {
      case "integer":
        if (!/^-?\d+$/.test(value)) return `type check ('integer') failed - got '${value}'`
        return range(schema, Number(value))
      case "number":
        if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return `type check ('number') failed - got '${value}'`
        return range(schema, Number(value))
      case "boolean":
        // form and query values: only 1/0 (live PVE rejects `true`, see executors-reference §1.1)
        return value === "1" || value === "0" ? undefined : `type check ('boolean') failed - got '${value}'`
    }
    if (schema.enum && !schema.enum.includes(value)) return `value '${value}' does not have a value in the enumeration '${schema.enum.join(", ")}'`
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return `value may only be ${schema.maxLength} characters long`
    if (schema.pattern !== undefined && !new RegExp(`^(?:${schema.pattern})$`).test(value)) return `value does not match the regex pattern`
    if (typeof schema.format === "string") return this.#namedFormat(schema.format, value)
    if (typeof schema.format === "object") return propertyString(schema.format, value)
    return undefined
  }

  #namedFormat(format: string, value: string): string | undefined {
    const check = NAMED_FORMATS[format]
    if (check === undefined) {
      this.uncheckedFormats.add(format)
      return undefined
    }
    return check(value)
  }
}

function range(schema: ParamSchema, n: number): string | undefined {
  if (schema.minimum !== undefined && n < schema.minimum) return `value must have a minimum value of ${schema.minimum}`
  if (schema.maximum !== undefined && n > schema.maximum) return `value must have a maximum value of ${schema.maximum}`
  return undefined
}

const NODE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/
const VMID = (v: string): boolean => /^\d+$/.test(v) && Number(v) >= 100 && Number(v) <= 999_999_999

const NAMED_FORMATS: Readonly<Record<string, (v: string) => string | undefined>> = {
  "pve-node": (v) => (NODE.test(v) ? undefined : `value does not look like a valid node name`),
  "pve-vmid": (v) => (VMID(v) ? undefined : `value does not look like a valid VM ID`),
  "pve-vmid-list": (v) => (v.split(/[,;\s]+/).filter((x) => x !== "").every(VMID) ? undefined : `value does not look like a valid VM ID list`),
  "pve-configid": (v) => (/^[a-z][a-z0-9_-]+$/i.test(v) ? undefined : `invalid configuration ID '${v}'`),
  "pve-configid-list": (v) => (v.split(/[,;\s]+/).filter((x) => x !== "").every((x) => /^[a-z][a-z0-9_-]+$/i.test(x)) ? undefined : `invalid configuration ID list`),
  "pve-ha-resource-or-vm-id": (v) => (/^((vm|ct):)?\d+$/.test(v) && VMID(v.replace(/^(vm|ct):/, "")) ? undefined : `value does not look like a valid HA resource id`),
  "pve-startup-order": (v) => (parseStartupOrder(v) === undefined ? `unable to parse startup options` : undefined),
}

/** `[[order=]\d+] [,up=\d+] [,down=\d+]` (pve-common `pve-startup-order`); undefined when invalid. */
export function parseStartupOrder(text: string): { order?: number; up?: number; down?: number } | undefined {
  const out: { order?: number; up?: number; down?: number } = {}
  for (const part of text.split(",")) {
    const m = /^\s*(?:(order|up|down)=)?(\d+)\s*$/.exec(part)
    if (!m) return undefined
    const key = (m[1] ?? "order") as "order" | "up" | "down"
    if (out[key] !== undefined) return undefined
    out[key] = Number(m[2])
  }
  return out
}

function propertyString(format: Readonly<Record<string, ParamSchema & { default_key?: number }>>, value: string): string | undefined {
  const defaultKey = Object.entries(format).find(([, s]) => s.default_key === 1)?.[0]
  for (const part of value.split(",")) {
    const eq = part.indexOf("=")
    const key = eq < 0 ? defaultKey : part.slice(0, eq)
    const v = eq < 0 ? part : part.slice(eq + 1)
    const schema = key === undefined ? undefined : format[key]
    if (key === undefined || schema === undefined) return `invalid format - unknown property '${eq < 0 ? part : part.slice(0, eq)}'`
    if (schema.enum && !schema.enum.includes(v)) return `invalid format - ${key}: value '${v}' does not have a value in the enumeration '${schema.enum.join(", ")}'`
  }
  return undefined
}

const cache = new Map<PveVersion, ApiSchema>()

/** The schema of a PVE version, parsed once per process. */
export function loadApiSchema(version: PveVersion): ApiSchema {
  let schema = cache.get(version)
  if (schema === undefined) {
    const file = version === "9.1" ? "proxmox/apidoc.json" : "proxmox/apidoc-pve8.4.json"
    schema = new ApiSchema(version, JSON.parse(fixture(file)) as SchemaNode[])
    cache.set(version, schema)
  }
  return schema
}
