import { defineCommand } from "citty"
import { connectionArgs, openClient } from "./_connect.ts"
import { EXIT, runCli } from "./_io.ts"
import { UsageError, parseUpsTarget } from "./_target.ts"

export default defineCommand({
  meta: {
    name: "get",
    description: "Print a UPS's variables as `var: value` lines, or one variable's value (like upsc UPS[@HOST[:PORT]] [VAR])",
  },
  args: {
    target: { type: "positional", required: false, description: "UPS[@HOST[:PORT]] (default host localhost:3493; IPv6 as [::1]:3493)", valueHint: "UPS[@HOST[:PORT]]" },
    variable: { type: "positional", required: false, description: "Print only this variable's value, e.g. ups.status", valueHint: "VAR" },
    ...connectionArgs,
  },
  run: ({ args, data }) =>
    runCli("get", data, async (cli) => {
      if (args.target === undefined) throw new UsageError("Which UPS? nutctl get UPS[@HOST[:PORT]] [VAR]")
      const target = parseUpsTarget(args.target)
      if (target.ups === undefined) throw new UsageError("A UPS name is required before @HOST")
      // upsc refuses pre-2.0 names like "STATUS" the same way
      if (args.variable !== undefined && !args.variable.includes(".")) throw new UsageError(`Old-style variable names are not supported: ${args.variable}`)
      const client = await openClient(cli, target, args)
      try {
        if (args.variable !== undefined) {
          cli.io.out((await client.getVar(target.ups, args.variable)) + "\n")
        } else {
          const vars = await client.listVar(target.ups)
          cli.io.out(vars.map((v) => `${v.name}: ${v.value}\n`).join(""))
        }
      } finally {
        client.close()
      }
      return EXIT.OK
    }),
})
