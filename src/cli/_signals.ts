/** Process signals of the long-running commands (serve, monitor). */

/** What a SIGHUP does now: run the reload, remember one for later (start-up), or nothing (stopping). */
let onHup: (() => void) | undefined
let missedHup = false
let catching = false

/**
 * From now on a SIGHUP does not end the process (Node's default, and Bun's and Deno's): a reload
 * asked for while the command is still starting (`systemctl reload` right after start) is kept and
 * runs once {@link onSighup} has a reload to run. Call it first thing in a long-running command.
 */
export function catchSighup(): void {
  if (catching) return
  catching = true
  process.on("SIGHUP", () => {
    if (onHup) onHup()
    else missedHup = true
  })
}

/**
 * Run `reload` on every SIGHUP (systemctl reload), one at a time: a second SIGHUP waits for the
 * first (drivers may be stopping), and one that throws does not leave the queue rejected for the
 * next. A SIGHUP caught before this call runs it at once. Returns the unsubscribe, after which a
 * SIGHUP is ignored (the command is stopping).
 */
export function onSighup(reload: () => Promise<void>, log: { error(message: string): void }): () => void {
  catchSighup()
  let reloading = Promise.resolve()
  const run = (): void => {
    reloading = reloading.then(reload).catch((e: unknown) => log.error(`Reload failed (${(e as Error).message}): still running the previous configuration`))
  }
  onHup = run
  if (missedHup) {
    missedHup = false
    run()
  }
  return () => {
    if (onHup === run) onHup = () => {}
  }
}

/** Resolves on SIGINT or SIGTERM. */
export function untilStopSignal(log: { info(message: string): void }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info(`${signal}: shutting down`)
      resolve()
    }
    process.once("SIGINT", () => stop("SIGINT"))
    process.once("SIGTERM", () => stop("SIGTERM"))
  })
}
