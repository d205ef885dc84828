// `bun test` preload (bunfig.toml): Bun defines a global `jest` without `requireActual`, and
// pkg-prebuilds (node-hid's addon loader) calls `jest.requireActual("fs")` whenever `jest` exists.
import { jest } from "bun:test"
import { createRequire } from "node:module"

jest.requireActual ??= createRequire(import.meta.url)
