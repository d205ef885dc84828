import { defineCommand } from "citty"
import { NutError } from "../protocol/index.ts"
import { authArgs, connectionArgs, openClient, resolveCredentials } from "./_connect.ts"
import { EXIT, runCli } from "./_io.ts"
import { UsageError, parseUpsTarget } from "./_target.ts"
import { formatCmdList } from "./_upsrw-format.ts"
import { reportWrite, waitMs, writeArgs } from "./_write.ts"

export default defineCommand({
  meta: {
    name: "cmd",
    description: "Run an instant command and wait for the driver's result (upscmd -w); -l lists the commands (upscmd -l)",
  },
  args: {
    target: { type: "positional", required: false, description: "UPS[@HOST[:PORT]]", valueHint: "UPS[@HOST[:PORT]]" },
    command: { type: "positional", required: false, description: "Instant command, e.g. beeper.disable or test.battery.start.quick", valueHint: "CMD" },
    param: { type: "positional", required: false, description: "Parameter for commands that take one (load.off.delay 30)", valueHint: "PARAM" },
    list: { type: "boolean", alias: "l", description: "List the UPS's instant commands with descriptions" },
    ...authArgs,
    ...writeArgs,
    ...connectionArgs,
  },
  run: ({ args, data }) =>
    runCli("cmd", data, async (cli) => {
      if (args.target === undefined) throw new UsageError("Which UPS? nutctl cmd UPS[@HOST[:PORT]] CMD [PARAM], or nutctl cmd -l UPS")
      const target = parseUpsTarget(args.target)
      const ups = target.ups
      if (ups === undefined) throw new UsageError("A UPS name is required before @HOST")
      if (args.list === true) {
        if (args.command !== undefined) throw new UsageError("-l lists commands; it takes no command")
        const client = await openClient(cli, target, args)
        try {
          const names = await client.listCmd(ups)
          const descs = await Promise.all(names.map((n) => client.getCmdDesc(ups, n).catch((e: unknown) => (e instanceof NutError ? undefined : Promise.reject(e)))))
          cli.io.out(formatCmdList(ups, names.map((name, i) => ({ name, desc: descs[i] }))))
        } finally {
          client.close()
        }
        return EXIT.OK
      }
      if (args.command === undefined) throw new UsageError("Which command? nutctl cmd UPS CMD [PARAM] (nutctl cmd -l UPS lists them)")
      const credentials = await resolveCredentials(cli, args)
      const ms = waitMs(args["wait-timeout"])
      const client = await openClient(cli, target, args)
      try {
        await client.authenticate(credentials.user, credentials.password)
        const outcome = await client.instcmd(ups, args.command, args.param, { track: args.wait !== false, waitMs: ms })
        return reportWrite(cli, outcome, { what: `command ${args.command}`, waitedMs: ms })
      } finally {
        client.close()
      }
    }),
})
