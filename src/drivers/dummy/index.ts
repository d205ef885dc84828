/** NUT 2.8.0 dummy-ups: replays `.dev`/`.seq` files into a UpsState. */
export { DUMMY_MODES, DummyDriver, type DummyDriverOptions, type DummyMode } from "./dummy-driver.ts"
/** Pure parser of dummy-ups data files into replay steps. */
export { parseDummyFile, type DummyFile, type DummyFileProblem, type DummyStep } from "./dummy-file.ts"
/** dummy-ups' SET VAR semantics on a UpsState (also used for file lines). */
export { applyDummySetvar } from "./dummy-setvar.ts"
/** Why the dummy-ups driver could not start. */
export { DUMMY_DRIVER_ERROR_CODES, DummyDriverError, type DummyDriverErrorCode } from "./dummy-errors.ts"
