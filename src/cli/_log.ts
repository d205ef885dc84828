import { createConsola, type ConsolaInstance } from "consola"

/** The process logger: consola on stderr, `--verbose` adds debug lines. Secrets never reach it. */
export function createLog(options: { verbose?: boolean; tag?: string } = {}): ConsolaInstance {
  return createConsola({
    level: options.verbose ? 4 : 3,
    stdout: process.stderr,
    stderr: process.stderr,
    defaults: options.tag ? { tag: options.tag } : {},
  })
}

/** Adapt consola to the `{ debug, info, warn, error(message, cause) }` shape components take. */
export function componentLog(log: ConsolaInstance) {
  return {
    debug: (m: string) => log.debug(m),
    info: (m: string) => log.info(m),
    warn: (m: string) => log.warn(m),
    error: (m: string, cause?: unknown) => (cause === undefined ? log.error(m) : log.error(m, cause)),
  }
}
