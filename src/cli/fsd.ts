import { defineCommand } from "citty"
import { authArgs, connectionArgs, openClient, resolveCredentials } from "./_connect.ts"
import { EXIT, runCli } from "./_io.ts"
import { UsageError, formatUpsTarget, parseUpsTarget } from "./_target.ts"

const WARNING = `FSD (forced shutdown) sets a latch in the server for this UPS. Every monitor of it
(upsmon or nutctl, primary and secondaries) then treats the UPS as critical and shuts its host
down at once, even on mains power. The latch stays until the server restarts.
Add --yes to do it.
`

export default defineCommand({
  meta: {
    name: "fsd",
    description: "Set the forced-shutdown (FSD) flag of a UPS: every monitor of it shuts its host down; needs --yes",
  },
  args: {
    target: { type: "positional", required: false, description: "UPS[@HOST[:PORT]]", valueHint: "UPS[@HOST[:PORT]]" },
    yes: { type: "boolean", description: "Really set FSD" },
    ...authArgs,
    ...connectionArgs,
  },
  run: ({ args, data }) =>
    runCli("fsd", data, async (cli) => {
      if (args.target === undefined) throw new UsageError("Which UPS? nutctl fsd UPS[@HOST[:PORT]] -u USER --yes")
      const target = parseUpsTarget(args.target)
      const ups = target.ups
      if (ups === undefined) throw new UsageError("A UPS name is required before @HOST")
      if (args.yes !== true) {
        cli.io.err(WARNING)
        return EXIT.USAGE
      }
      const credentials = await resolveCredentials(cli, args)
      const client = await openClient(cli, target, args)
      try {
        await client.authenticate(credentials.user, credentials.password)
        await client.fsd(ups)
      } finally {
        client.close()
      }
      cli.io.out(`FSD set on ${formatUpsTarget({ ups, host: target.host, port: target.port })}: its monitors are shutting their hosts down\n`)
      return EXIT.OK
    }),
})
