/** The TrueNAS middleware simulator (tests and `nutctl drill --simulate`). */
export { SIM_API_KEY, startTrueNasSimulator, type SimCall, type TrueNasSim, type TrueNasSimKey, type TrueNasSimOptions } from "./simulator.ts"
export { SIM_VERSIONS, type SimVersion } from "./methods.ts"
