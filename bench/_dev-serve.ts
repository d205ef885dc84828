// TEMPORARY (bench development only, delete once `nutctl serve --nut-config` is wired):
// the same composition serve will do, so the loads can be tried against nutctl's NutServer now.
import { resolve } from "node:path"
import { loadNutConfigDir } from "../src/config/index.ts"
import { DummyDriver } from "../src/drivers/index.ts"
import { NutServer } from "../src/server/index.ts"
import { UpsState } from "../src/ups/index.ts"

const dir = process.argv[2]!
const conf = await loadNutConfigDir(dir)
const log = { debug() {}, info: (m: string) => console.log(m), warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) }
const ac = new AbortController()
const ups = conf.setup.ups.map((u) => {
  const state = new UpsState()
  const driver = new DummyDriver({ file: resolve(u.baseDir, u.port), port: u.port, log })
  void driver.start(state, ac.signal)
  return { name: u.name, desc: u.desc, state }
})
const server = new NutServer({ settings: conf.setup.server, ups, users: conf.setup.users, log })
await server.listen()
process.on("SIGTERM", () => { ac.abort(); void server.close().then(() => process.exit(0)) })
