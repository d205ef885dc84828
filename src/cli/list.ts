import { defineCommand } from "citty"
import { connectionArgs, openClient } from "./_connect.ts"
import { EXIT, runCli } from "./_io.ts"
import { UsageError, parseHostTarget, parseUpsTarget } from "./_target.ts"

export default defineCommand({
  meta: {
    name: "list",
    description: "List the UPSes on a server (upsc -l / -L), or one UPS's variables (upsc UPS) or clients (upsc -c)",
  },
  args: {
    target: {
      type: "positional",
      required: false,
      description: "HOST[:PORT] to list UPSes (default localhost:3493), or UPS@HOST[:PORT] to list its variables",
      valueHint: "HOST[:PORT] | UPS@HOST[:PORT]",
    },
    desc: { type: "boolean", alias: "L", description: "With UPS names: print `name: description` (upsc -L)" },
    vars: { type: "boolean", description: "Print the UPS's variables as `var: value` lines (upsc UPS); the default for UPS@HOST" },
    clients: { type: "boolean", alias: "c", description: "Print the addresses of the clients logged in to the UPS (upsc -c)" },
    ...connectionArgs,
  },
  run: ({ args, data }) =>
    runCli("list", data, async (cli) => {
      const perUps = args.vars === true || args.clients === true || (args.target?.includes("@") ?? false)
      if (args.vars === true && args.clients === true) throw new UsageError("Choose one of --vars and --clients")
      if (perUps && args.desc === true) throw new UsageError("--desc (-L) lists UPS names; it does not go with a UPS target")
      if (!perUps) {
        const target = parseHostTarget(args.target ?? "localhost")
        const client = await openClient(cli, target, args)
        try {
          const upses = await client.listUps()
          cli.io.out(upses.map((u) => (args.desc === true ? `${u.name}: ${u.desc}\n` : `${u.name}\n`)).join(""))
        } finally {
          client.close()
        }
        return EXIT.OK
      }
      if (args.target === undefined) throw new UsageError("Which UPS? nutctl list --vars|--clients UPS[@HOST[:PORT]]")
      const target = parseUpsTarget(args.target)
      if (target.ups === undefined) throw new UsageError("A UPS name is required before @HOST")
      const client = await openClient(cli, target, args)
      try {
        if (args.clients === true) {
          cli.io.out((await client.listClient(target.ups)).map((ip) => ip + "\n").join(""))
        } else {
          cli.io.out((await client.listVar(target.ups)).map((v) => `${v.name}: ${v.value}\n`).join(""))
        }
      } finally {
        client.close()
      }
      return EXIT.OK
    }),
})
