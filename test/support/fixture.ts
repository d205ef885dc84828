import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Absolute path of a file under test/fixtures (a copy of ../shared/fixtures). */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url))
}

/** Text of a fixture file. */
export function fixture(relative: string): string {
  return readFileSync(fixturePath(relative), "utf8")
}

/** Bytes of a fixture file. */
export function fixtureBytes(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(relative)))
}
