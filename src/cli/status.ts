import { defineCommand } from "citty"
import { DEFAULT_NUT_PORT, formatHostPort, type NutClient, type NutVar } from "../client/index.ts"
import { NutError, type NutErrCode } from "../protocol/index.ts"
import { connectionArgs, openClient } from "./_connect.ts"
import { EXIT, runCli } from "./_io.ts"
import { buildUpsReport, renderUpsReport, type StatusReport, type UpsStatusReport } from "./_status-report.ts"
import { DEFAULT_HOST, parseUpsTarget, type UpsTarget } from "./_target.ts"

// upsd's words for "no desc in ups.conf" differ between LIST UPS and GET UPSDESC
const NO_DESC = new Set(["Description unavailable", "Unavailable"])

export default defineCommand({
  meta: {
    name: "status",
    description: "Summarise a UPS in words: status, charge, runtime, load, voltages, battery date, self-test, model",
  },
  args: {
    target: {
      type: "positional",
      required: false,
      description: "UPS[@HOST[:PORT]], or @HOST[:PORT] for every UPS there (default: every UPS on localhost:3493)",
      valueHint: "UPS[@HOST[:PORT]]",
    },
    json: { type: "boolean", description: "Print a stable JSON object (README: `nutctl status --json`) instead of text" },
    ...connectionArgs,
  },
  run: ({ args, data }) =>
    runCli("status", data, async (cli) => {
      const target: UpsTarget = args.target === undefined ? { ups: undefined, host: DEFAULT_HOST, port: DEFAULT_NUT_PORT } : parseUpsTarget(args.target)
      const client = await openClient(cli, target, args)
      let reports: UpsStatusReport[]
      try {
        reports = await collect(client, target)
      } finally {
        client.close()
      }
      const report: StatusReport = { server: { host: target.host, port: target.port }, ups: reports }
      if (args.json === true) cli.io.out(JSON.stringify(report, null, 2) + "\n")
      else if (reports.length === 0) cli.io.out(`No UPS is configured on ${formatHostPort(target.host, target.port)}\n`)
      else cli.io.out(reports.map(renderUpsReport).join("\n"))
      return reports.some((r) => r.error !== null) ? EXIT.REFUSED : EXIT.OK
    }),
})

async function collect(client: NutClient, target: UpsTarget): Promise<UpsStatusReport[]> {
  const where = formatHostPort(target.host, target.port)
  if (target.ups !== undefined) {
    const ups = target.ups
    const [desc, vars] = await Promise.all([attempt(client.getUpsDesc(ups)), attempt(client.listVar(ups))])
    const error = vars.error ?? desc.error
    return [
      buildUpsReport({
        name: ups,
        target: `${ups}@${where}`,
        description: desc.value === undefined || NO_DESC.has(desc.value) ? null : desc.value,
        ...(vars.value ? { vars: vars.value } : {}),
        ...(error !== undefined ? { error } : {}),
      }),
    ]
  }
  const upses = await client.listUps()
  // upsd answers in order, so every LIST VAR can be in flight at once
  const lists = await Promise.all(upses.map((u) => attempt<NutVar[]>(client.listVar(u.name))))
  return upses.map((u, i) => {
    const vars = lists[i]
    return buildUpsReport({
      name: u.name,
      target: `${u.name}@${where}`,
      description: NO_DESC.has(u.desc) ? null : u.desc,
      ...(vars?.value ? { vars: vars.value } : {}),
      ...(vars?.error !== undefined ? { error: vars.error } : {}),
    })
  })
}

/** A NUT refusal becomes data (the report shows it); connection trouble still throws. */
async function attempt<T>(promise: Promise<T>): Promise<{ value?: T; error?: NutErrCode }> {
  try {
    return { value: await promise }
  } catch (error) {
    if (error instanceof NutError) return { error: error.code }
    throw error
  }
}
