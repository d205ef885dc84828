/** Path joining for config files without node:path (config paths are POSIX on every target). */

/** `name` if absolute, else `dir/name`. */
export function resolveIn(dir: string, name: string): string {
  if (name.startsWith("/")) return name
  const base = dir.endsWith("/") ? dir.slice(0, -1) : dir
  return base === "" ? `/${name}` : `${base}/${name}`
}

/** The directory part of a path (`.` for a bare name). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf("/")
  if (i < 0) return "."
  return i === 0 ? "/" : path.slice(0, i)
}

/** The last part of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1)
}
