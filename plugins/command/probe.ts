/**
 * The `command` executor's probe: is the shell there, and the program the command line starts
 * with? It never runs either (the command usually halts the host); it only looks the program up
 * as `/bin/sh -c` would: leading `VAR=value` assignments and `exec`/`command` are skipped, a shell
 * builtin needs no file, and a line that starts with shell syntax (`$VAR`, `(`, `if`) cannot be
 * told without running it, so it is reported as not checked.
 */
import type { ProbeContext, ProbeResult } from "../../src/shutdown/index.ts"

/** Builtins of a POSIX sh (dash, bash) a shutdown line may start with. */
const BUILTINS = new Set([":", ".", "true", "false", "echo", "printf", "eval", "set", "export", "test", "[", "kill", "exit", "wait", "cd", "trap", "read", "umask", "shift", "unset", "times", "type", "ulimit", "alias"])
/** Words after which the program comes next. */
const PREFIXES = new Set(["exec", "command"])
const KEYWORDS = new Set(["if", "for", "while", "until", "case", "{", "(", "!"])

/**
 * The first words of a command line, with quotes and backslashes undone, up to the first
 * expansion or operator (the words after it are not needed to find the program); undefined when
 * the line starts with one.
 */
export function leadingWords(line: string, max = 8): string[] | undefined {
  const words: string[] = []
  const stop = (): string[] | undefined => (words.length === 0 ? undefined : words)
  let i = 0
  while (i < line.length && words.length < max) {
    while (i < line.length && /\s/.test(line[i] as string)) i++
    if (i >= line.length) break
    let word = ""
    for (; i < line.length && !/\s/.test(line[i] as string); i++) {
      const c = line[i] as string
      if (c === "'") {
        const end = line.indexOf("'", i + 1)
        if (end < 0) return stop()
        word += line.slice(i + 1, end)
        i = end
      } else if (c === '"') {
        const end = line.indexOf('"', i + 1)
        if (end < 0) return stop()
        const inner = line.slice(i + 1, end)
        if (/[$`\\]/.test(inner)) return stop()
        word += inner
        i = end
      } else if (c === "\\") {
        word += line[i + 1] ?? ""
        i++
      } else if (c === "$" || c === "`") {
        // an expansion: what the word is would only be known by running it
        return stop()
      } else if (/[;&|<>()]/.test(c)) {
        // an operator ends the word, and the simple command
        if (word !== "") words.push(word)
        return stop()
      } else word += c
    }
    words.push(word)
  }
  return words
}

/** Probe `shell -c command` without running it. */
export async function probeCommand(ctx: ProbeContext<{ readonly command: string; readonly shell: string }>): Promise<ProbeResult> {
  const { command, shell } = ctx.config
  const sh = await ctx.findProgram(shell)
  if (sh === undefined) return { state: "critical", text: `the shell ${shell} does not exist` }
  if (!sh.executable) return { state: "critical", text: `the shell ${sh.path} is not executable` }
  const words = leadingWords(command)
  let k = 0
  while (words !== undefined && k < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k] as string) || PREFIXES.has(words[k] as string))) k++
  const program = words?.[k]
  if (program === undefined || program === "" || KEYWORDS.has(program)) return { state: "ok", text: `${shell} is there; the command line starts with shell syntax, so its program is not checked (it is never run here)` }
  if (BUILTINS.has(program)) return { state: "ok", text: `${program} is a builtin of ${shell}` }
  const found = await ctx.findProgram(program)
  if (found === undefined) return { state: "critical", text: `${program} not found${program.includes("/") ? "" : " in PATH or the sbin directories"}: the shutdown command would fail` }
  if (!found.executable) return { state: "critical", text: `${found.path} is not executable: the shutdown command would fail` }
  return { state: "ok", text: `${found.path} is there and executable (not run)` }
}
