import { get } from "./get.ts"
import { list } from "./list.ts"
import { fsd, login, logout, master, password, primary, username } from "./login.ts"
import { help, netver, starttls, ver } from "./misc.ts"
import { nutctl } from "./nutctl.ts"
import type { CommandSpec } from "./types.ts"
import { instcmd, set } from "./write.ts"

/** The NUT 2.8.0 command table (upsd's netcmds.h), one row per command. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  VER: { run: ver, arity: 0 },
  NETVER: { run: netver, arity: 0 },
  PROTVER: { run: netver, arity: 0 },
  HELP: { run: help, arity: 0 },
  STARTTLS: { run: starttls },
  GET: { run: get },
  LIST: { run: list },
  USERNAME: { run: username, arity: 1 },
  PASSWORD: { run: password, arity: 1 },
  LOGOUT: { run: logout, arity: 0 },
  LOGIN: { run: login, auth: true, arity: 1 },
  PRIMARY: { run: primary, auth: true, arity: 1 },
  // MASTER is the pre-2.8 name of PRIMARY; upsmon 2.7 sends it
  MASTER: { run: master, auth: true, arity: 1 },
  FSD: { run: fsd, auth: true, arity: 1 },
  SET: { run: set, auth: true },
  INSTCMD: { run: instcmd, auth: true },
  // not NUT: nutctl's extensions (push); upsd answers ERR UNKNOWN-COMMAND, so clients can probe
  NUTCTL: { run: nutctl },
}

export type { CommandSpec, Handler, SessionView } from "./types.ts"
