/** Where nutctl looks by default. No imports: `check` and `hook` load this without the config code. */

/** The cluster config (`$NUTCTL_CONFIG` overrides it). */
export const DEFAULT_CLUSTER_CONFIG = "/etc/nutctl/nutctl.yaml"

/** serve's state: event history, power samples, the shutdown journal, learned durations, the budget. */
export const DEFAULT_DATA_DIR = "/var/lib/nutctl"
