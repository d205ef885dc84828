import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState } from "../ups/index.ts"
import { createLocalDirectory, type LocalUps } from "./local-directory.ts"
import type { UpsChange } from "./types.ts"

function served(name: string): LocalUps {
  const state = new UpsState()
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  state.setInfo("ups.status", "OL")
  return { name, desc: undefined, state }
}

test("the local directory follows a served list that a reload changed in place, once refreshed", async () => {
  const rack = served("rack")
  const list: LocalUps[] = [rack]
  const directory = createLocalDirectory({ ups: list })
  const seen: UpsChange[] = []
  const stop = directory.subscribe((c) => seen.push(c))
  try {
    // ups.conf reloaded: office added, rack removed (the array is the same, its contents new)
    const office = served("office")
    list.splice(0, list.length, office)
    assert.deepEqual(directory.list(), [{ name: "office", desc: undefined }])
    assert.equal(directory.read("OFFICE")?.status, "OL", "reads follow the list at once, case-insensitively")
    assert.equal(directory.read("rack"), undefined)

    directory.refresh()
    office.state.setInfo("ups.status", "OB")
    rack.state.setInfo("ups.status", "OB") // no longer served: no event
    await new Promise((r) => setTimeout(r, 0)) // variable changes are coalesced per tick
    assert.deepEqual(
      seen.filter((c) => c.kind === "status").map((c) => c.ups),
      ["office"],
    )
  } finally {
    stop()
  }
})
