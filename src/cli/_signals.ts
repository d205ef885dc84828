/** Process signals of the long-running commands (serve, monitor). */

/**
 * Run `reload` on every SIGHUP (systemctl reload), one at a time: a second SIGHUP waits for the
 * first (drivers may be stopping), and one that throws does not leave the queue rejected for the
 * next. Returns the unsubscribe.
 */
export function onSighup(reload: () => Promise<void>, log: { error(message: string): void }): () => void {
  let reloading = Promise.resolve()
  const onHup = (): void => {
    reloading = reloading.then(reload).catch((e: unknown) => log.error(`Reload failed (${(e as Error).message}): still running the previous configuration`))
  }
  process.on("SIGHUP", onHup)
  return () => process.off("SIGHUP", onHup)
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
