import { test } from "node:test"
import assert from "node:assert/strict"
import { compileHostPattern, resolveRole } from "./role.ts"

const cluster = {
  roles: [
    { name: "nas", hosts: ["truenas*"] },
    { name: "compute", hosts: ["pve-compute-0[1-3]", "/^pve-gpu-\\d+$/"] },
    { name: "other-pve", hosts: ["pve-*"] },
  ],
}

test("resolveRole() picks the first entry with a matching glob or regex", () => {
  assert.equal(resolveRole(cluster, "truenas")?.entry.name, "nas")
  assert.equal(resolveRole(cluster, "TrueNAS-Scale")?.entry.name, "nas")
  assert.equal(resolveRole(cluster, "pve-compute-02")?.pattern, "pve-compute-0[1-3]")
  assert.equal(resolveRole(cluster, "pve-gpu-7")?.pattern, "/^pve-gpu-\\d+$/")
  assert.equal(resolveRole(cluster, "pve-compute-04")?.entry.name, "other-pve")
  assert.equal(resolveRole(cluster, "pve-compute-04")?.index, 2)
})

test("resolveRole() also tries the short hostname", () => {
  assert.equal(resolveRole(cluster, "pve-compute-01.home.arpa")?.entry.name, "compute")
})

test("resolveRole() returns undefined for a host no pattern matches", () => {
  assert.equal(resolveRole(cluster, "laptop"), undefined)
  assert.equal(resolveRole({ roles: [] }, "truenas"), undefined)
})

test("compileHostPattern() supports ?, [!…] and regex flags, and says what is wrong with a bad pattern", () => {
  const glob = compileHostPattern("node?[!0]")
  assert.ok(typeof glob !== "string")
  assert.equal(glob.test("nodeA1"), true)
  assert.equal(glob.test("nodeA0"), false)
  assert.equal(glob.test("node.x"), true, "? is any character, . is literal in the pattern")
  const dot = compileHostPattern("a.b")
  assert.ok(typeof dot !== "string" && !dot.test("axb"))
  const re = compileHostPattern("/^NAS$/i")
  assert.ok(typeof re !== "string" && re.test("nas"))
  assert.match(compileHostPattern("/(/") as string, /^a valid regular expression/)
  assert.equal(compileHostPattern("pve-[12"), "a glob with balanced [ ] brackets")
  assert.equal(compileHostPattern(" "), "a non-empty glob or /regex/")
})
