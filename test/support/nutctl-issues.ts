/** The messages parseNutctlConfig() gives for a cluster config text: its errors, or its warnings. */
import assert from "node:assert/strict"
import { ConfigError, parseNutctlConfig } from "../../src/config/index.ts"

/** The errors of `text`; fails the test when it parses. */
export function issuesOf(text: string, file = "nutctl.yaml"): string[] {
  try {
    parseNutctlConfig(text, { file })
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.message)
    throw e
  }
  assert.fail("expected a ConfigError")
}

/** The warnings of `text`, which must parse. */
export const warningsOf = (text: string, file = "nutctl.yaml"): string[] => parseNutctlConfig(text, { file }).warnings.map((w) => w.message)
