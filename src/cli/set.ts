import { defineCommand } from "citty"
import { NutError } from "../protocol/index.ts"
import type { NutClient } from "../client/index.ts"
import { authArgs, connectionArgs, openClient, resolveCredentials } from "./_connect.ts"
import { EXIT, runCli } from "./_io.ts"
import { UsageError, parseUpsTarget } from "./_target.ts"
import { formatRwVar, type RwVarInfo } from "./_upsrw-format.ts"
import { reportWrite, waitMs, writeArgs } from "./_write.ts"

export default defineCommand({
  meta: {
    name: "set",
    description: "Set a UPS variable and wait for the driver's result (upsrw -s -w); without VAR=VALUE, list the writable variables (upsrw)",
  },
  args: {
    target: { type: "positional", required: false, description: "UPS[@HOST[:PORT]]", valueHint: "UPS[@HOST[:PORT]]" },
    assignment: { type: "positional", required: false, description: "VAR=VALUE, or VAR followed by VALUE", valueHint: "VAR=VALUE" },
    value: { type: "positional", required: false, description: "The value, when VAR is given alone", valueHint: "VALUE" },
    ...authArgs,
    ...writeArgs,
    ...connectionArgs,
  },
  run: ({ args, data }) =>
    runCli("set", data, async (cli) => {
      if (args.target === undefined) throw new UsageError("Which UPS? nutctl set UPS[@HOST[:PORT]] [VAR=VALUE]")
      const target = parseUpsTarget(args.target)
      const ups = target.ups
      if (ups === undefined) throw new UsageError("A UPS name is required before @HOST")
      if (args.assignment === undefined) {
        const client = await openClient(cli, target, args)
        try {
          for (const info of await readRwVars(client, ups)) cli.io.out(formatRwVar(info))
        } finally {
          client.close()
        }
        return EXIT.OK
      }
      const { name, value } = splitAssignment(args.assignment, args.value)
      const credentials = await resolveCredentials(cli, args)
      const wait = args.wait !== false
      const ms = waitMs(args["wait-timeout"])
      const client = await openClient(cli, target, args)
      try {
        await client.authenticate(credentials.user, credentials.password)
        const outcome = await client.setVar(ups, name, value, { track: wait, waitMs: ms })
        return reportWrite(cli, outcome, { what: `setting of ${name}`, waitedMs: ms })
      } finally {
        client.close()
      }
    }),
})

/** `VAR=VALUE` (split at the first `=`, like upsrw) or `VAR VALUE`. */
export function splitAssignment(assignment: string, separateValue: string | undefined): { name: string; value: string } {
  const eq = assignment.indexOf("=")
  let name: string
  let value: string | undefined
  if (eq >= 0) {
    if (separateValue !== undefined) throw new UsageError(`Give the value once: ${assignment} or ${assignment.slice(0, eq)} VALUE`)
    name = assignment.slice(0, eq)
    value = assignment.slice(eq + 1)
  } else {
    name = assignment
    value = separateValue
  }
  if (value === undefined) throw new UsageError(`No value for ${name}: write ${name}=VALUE`)
  if (name === "") throw new UsageError(`No variable name in ${assignment}`)
  // upsrw refuses pre-2.0 names the same way
  if (!name.includes(".")) throw new UsageError(`Old-style variable names are not supported: ${name}`)
  return { name, value }
}

/** Everything upsrw prints for each writable variable, in LIST RW order. */
async function readRwVars(client: NutClient, ups: string): Promise<RwVarInfo[]> {
  const rw = await client.listRw(ups)
  // upsd answers in order, so all of it can be in flight at once
  return Promise.all(
    rw.map(async ({ name }): Promise<RwVarInfo> => {
      const [desc, type, value] = await Promise.all([orUndefined(client.getDesc(ups, name)), orUndefined(client.getType(ups, name)), client.getVar(ups, name)])
      const [enumValues, ranges] = await Promise.all([
        type?.enum ? client.listEnum(ups, name) : undefined,
        type?.range ? client.listRange(ups, name) : undefined,
      ])
      return { name, desc, type, value, ...(enumValues ? { enumValues } : {}), ...(ranges ? { ranges } : {}) }
    }),
  )
}

async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof NutError) return undefined
    throw error
  }
}
