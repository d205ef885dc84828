/** Config contracts: UPS definitions, what `serve` needs, warnings. */
export type { ConfigWarning, ServeSetup, UpsDefinition } from "./types.ts"
/** Typed config errors with file, line, key and what was expected. */
export { CONFIG_ERROR_CODES, ConfigError, configIssue, errnoCode, problemMessages, readFailure, type ConfigErrorCode, type ConfigIssue } from "./errors.ts"
/** File access capability for loaders (real file system or in memory). */
export { memoryConfigFs, type ConfigFs } from "./fs.ts"
/** ConfigFs on the real file system. */
export { nodeConfigFs } from "./node-fs.ts"
/** Warn when a file holding passwords is readable by others. */
export { checkSecretFileMode, describeOpenMode, type SecretFileModeOptions } from "./file-mode.ts"
/** NUT's ups.conf. */
export { parseUpsConf, type ParseUpsConfOptions, type UpsConf } from "./ups-conf.ts"
/** NUT's upsd.conf. */
export { DEFAULT_NUT_PORT, parseUpsdConf, type UpsdConf } from "./upsd-conf.ts"
/** Action names of upsd.users / `users.*.actions` (SET, FSD). */
export { UPSMON_ACTIONS, USER_ACTIONS, isKnownAction, unknownActionProblem } from "./actions.ts"
/** Driver names nutctl runs and NUT's own driver names. */
export { NATIVE_DRIVER_NAMES, NUT_DRIVER_NAMES, unknownDriverProblem } from "./nut-drivers.ts"
/** NUT's upsd.users, as UserRecords. */
export { parseUpsdUsers, type UpsdUsers } from "./upsd-users.ts"
/** NUT's upsmon.conf, as a typed structure. */
export { NOTIFY_FLAGS, NOTIFY_TYPES, parseUpsmonConf, type CertHost, type MonitorEntry, type NotifyFlag, type NotifyType, type UpsmonConf } from "./upsmon-conf.ts"
/** NUT's nut.conf (MODE). */
export { NUT_MODES, parseNutConf, type NutConf, type NutMode } from "./nut-conf.ts"
/** A whole NUT config directory → ServeSetup (+ upsmon.conf). */
export { loadNutConfigDir, type LoadNutConfigDirOptions, type NutConfigDir } from "./nut-dir.ts"
/** Split a CERTFILE PEM bundle into certificate and key. */
export { tlsFromPem } from "./pem.ts"
/** `ups@host:port` names. */
export { parseUpsSystem, type UpsSystem } from "./ups-system.ts"
/** UserRecord with NUT's upsmon primary/secondary grants. */
export { createUserRecord, upsmonActions, upsmonRole, type UserInit } from "./user-record.ts"
/** nutctl's own config: schema and the types inferred from it. */
export { DRIVER_NAMES, nutctlConfigSchema, type DriverName, type MonitorTarget, type NutctlConfig, type RoleEntry, type SecretRef } from "./nutctl-schema.ts"
/** Load and validate nutctl.yaml / .toml / .json. */
export { formatOf, keyPathString, loadNutctlConfig, parseNutctlConfig, type LoadNutctlConfigOptions, type LoadedConfig, type ParseNutctlConfigOptions } from "./nutctl-load.ts"
/** Line of a key path in config text (for messages). */
export { findKeyLine, type ConfigFormat, type KeyPath } from "./key-line.ts"
/** Resolve `{ env }` / `{ file }` secrets through injected capabilities. */
export { isSecretRef, literalSecrets, resolveSecret, resolveSecrets, secretSource, type SecretPlace, type SecretSources } from "./secrets.ts"
/** nutctl config → ServeSetup. */
export { buildServeSetup, upsDefinitions } from "./serve-setup.ts"
/** Role by hostname (globs and /regex/). */
export { compileHostPattern, resolveRole, type HostMatcher, type RoleMatch } from "./role.ts"
/** Address, network and duration forms of nutctl's config. */
export { isCidr, parseDuration, parseListenAddress } from "./values.ts"
/** The user a role's monitor logs in as. */
export { monitorLogin, type MonitorLogin } from "./monitor-login.ts"
/** `nutctl config import`: NUT's /etc/nut or TrueNAS's UPS settings → one cluster config. */
export { TRUENAS_EXPORT, importConfigDir, type ImportDirOptions } from "./import-dir.ts"
/** What an import produces (config, secret files, what did not carry over) and its YAML. */
export { DEFAULT_SECRETS_DIR, renderImportYaml, type ImportOptions, type ImportResult, type ImportedConfig, type ImportedSecret } from "./import-result.ts"
/** The NUT directory importer. */
export { importNutConfig, type NutImportInput } from "./import-nut.ts"
/** The TrueNAS `ups.config` importer. */
export { importTrueNasConfig, parseTrueNasUpsConfig, trueNasDriver, type TrueNasUpsConfig } from "./import-truenas.ts"
