/** How a driver answered a SET or INSTCMD (NUT's `TRACKING <id> <int>`: 0, 1, 2, 3). */
export type WriteResult = "SUCCESS" | "UNKNOWN" | "INVALID-ARGUMENT" | "FAILED"

/** Where SET VAR and INSTCMD go: the driver that owns the state. */
export interface UpsWriter {
  setvar(name: string, value: string): Promise<WriteResult>
  instcmd(name: string, param?: string): Promise<WriteResult>
}

/** Whether a UPS's data can be served right now (upsd's "avail" check). */
export type Availability = "ok" | "not-connected" | "stale"

/** What changed in a UpsState. */
export type StateChange =
  | { readonly kind: "var"; readonly name: string; readonly value: string | undefined }
  | { readonly kind: "cmd"; readonly name: string; readonly present: boolean }
  /** SETFLAGS, SETAUX, ADDENUM/DELENUM, ADDRANGE/DELRANGE changed a variable's type (driver socket relays them). */
  | { readonly kind: "flags"; readonly name: string; readonly rw: boolean; readonly string: boolean }
  | { readonly kind: "aux"; readonly name: string; readonly aux: number }
  | { readonly kind: "enum"; readonly name: string; readonly value: string; readonly present: boolean }
  | { readonly kind: "range"; readonly name: string; readonly min: number; readonly max: number; readonly present: boolean }
  | { readonly kind: "fsd"; readonly fsd: boolean }
  | { readonly kind: "connection"; readonly availability: Availability }

/** A source of time in milliseconds; tests inject a manual clock. */
export type Now = () => number
